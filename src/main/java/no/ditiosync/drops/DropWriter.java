package no.ditiosync.drops;

import no.ditiosync.payroll.PayrollLine;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's drops while the run computes them: each file target's lines go to its hidden temporary file
 * (opened at its first line), or into running sums when the target aggregates; the JDBC target's rows
 * go to its own hidden file. Nothing is visible to a payroll system until the run has committed and
 * the drops are published. {@link #finish} makes every file durable; {@link #discard} removes them.
 */
public final class DropWriter implements AutoCloseable {

    /** A drop ready to be committed: where it is now and where it is published. */
    public record Drop(String target, Path tempPath, Path finalPath, int lines) {
    }

    private final List<DropTarget> targets;
    private final String company;
    private final Instant runStart;
    private final String runId;
    private final AtomicDropFile[] files;
    private final Aggregation.Sums[] sums;
    private final int[] lines;
    private final String namePrefix;
    private JdbcDropFile jdbc;
    private boolean finished;

    public DropWriter(List<DropTarget> targets, String company, Instant runStart, String runId) {
        this(targets, company, runStart, runId, "");
    }

    /** @param namePrefix put before every file name (a preview's {@code PREVIEW_}); empty for drops */
    public DropWriter(List<DropTarget> targets, String company, Instant runStart, String runId, String namePrefix) {
        this.namePrefix = namePrefix;
        this.targets = List.copyOf(targets);
        this.company = company;
        this.runStart = runStart;
        this.runId = runId;
        this.files = new AtomicDropFile[targets.size()];
        this.sums = new Aggregation.Sums[targets.size()];
        this.lines = new int[targets.size()];
        for (int t = 0; t < sums.length; t++) {
            DropTarget target = targets.get(t);
            if (target.aggregation().sums()) {
                sums[t] = target.aggregation().sums(target.format().showsTask());
            }
        }
    }

    /** The first day after the closed payroll period, for the summed drops' dates. */
    public void firstOpenDay(java.time.LocalDate day) {
        for (Aggregation.Sums s : sums) {
            if (s != null) {
                s.firstOpenDay(day);
            }
        }
    }

    /** Lines for a file target (target number as in the list given). */
    public void append(int target, List<DropLine> add) throws IOException {
        DropTarget t = targets.get(target);
        if (!t.isFile()) {
            return;
        }
        if (sums[target] != null) {
            add.forEach(sums[target]::add);
            return;
        }
        if (files[target] == null) {
            files[target] = open(t);
        }
        AtomicDropFile file = files[target];
        writing(t, () -> {
            for (DropLine line : add) {
                file.append(line);
            }
        });
        lines[target] += add.size();
    }

    /**
     * The row {@code payroll_line} holds from now on for a line (target number of the JDBC target).
     *
     * @param bookedDate the day the change is booked on (null: its work date)
     */
    public void jdbc(int target, PayrollLine line, boolean active, java.time.LocalDate bookedDate) throws IOException {
        DropTarget t = targets.get(target);
        writing(t, () -> {
            if (jdbc == null) {
                // hidden and ending .tmp as the file targets' temporary drops: a run that never commits leaves
                // it to the same clean-up
                jdbc = JdbcDropFile.create(t.folder(),
                        "." + namePrefix + AtomicDropFile.fileName(t.name(), company, runStart, runId).replace(".csv", ".rows") + ".tmp");
            }
            jdbc.add(line, active, bookedDate);
        });
        lines[target]++;
    }

    private interface Write {
        void run() throws IOException;
    }

    /** A write of a target's drop that fails (a full disk) names the target and its folder, not only the system's words. */
    private static void writing(DropTarget target, Write write) throws IOException {
        try {
            write.run();
        } catch (IOException e) {
            throw failed(target, e);
        }
    }

    private static IOException failed(DropTarget target, IOException e) {
        return new IOException("cannot write the " + target.name() + " drop in " + target.folder() + " ("
                + AtomicDropFile.plainReason(e) + ")", e);
    }

    private AtomicDropFile open(DropTarget target) throws IOException {
        try {
            return AtomicDropFile.open(target.folder(), namePrefix + AtomicDropFile.fileName(target.name(), company, runStart, runId),
                    target.format(), target.fileMode());
        } catch (IOException e) {
            throw failed(target, e);
        }
    }

    /**
     * Writes the aggregated targets' sums and makes every drop durable.
     *
     * @return one drop per target in target order, with its line count; a target with no line has no file
     */
    public List<Drop> finish() throws IOException {
        List<Drop> out = new ArrayList<>(targets.size());
        for (int t = 0; t < targets.size(); t++) {
            DropTarget target = targets.get(t);
            if (sums[t] != null) {
                // keys that net to zero pay nothing, and leave no file when all do
                List<DropLine> summed = sums[t].lines();
                lines[t] = summed.size();
                if (!summed.isEmpty()) {
                    AtomicDropFile file = open(target);
                    files[t] = file;
                    writing(target, () -> {
                        for (DropLine line : summed) {
                            file.append(line);
                        }
                    });
                }
            }
            if (files[t] != null) {
                AtomicDropFile file = files[t];
                writing(target, file::close);
                out.add(new Drop(target.name(), files[t].tempPath(), files[t].finalPath(), lines[t]));
            } else if (!target.isFile() && jdbc != null) {
                writing(target, jdbc::close);
                out.add(new Drop(target.name(), jdbc.path(), null, lines[t]));
            } else {
                out.add(new Drop(target.name(), null, null, lines[t]));
            }
        }
        finished = true;
        return out;
    }

    /** Removes every temporary file: the run did not commit, its lines stay to be delivered. */
    public void discard() throws IOException {
        IOException failed = null;
        for (AtomicDropFile f : files) {
            if (f != null) {
                try {
                    f.discard();
                } catch (IOException e) {
                    failed = failed == null ? e : failed;
                }
            }
        }
        if (jdbc != null) {
            jdbc.discard();
        }
        if (failed != null) {
            throw failed;
        }
    }

    @Override
    public void close() throws IOException {
        if (!finished) {
            discard();
        }
    }
}
