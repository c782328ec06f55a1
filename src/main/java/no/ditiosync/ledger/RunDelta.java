package no.ditiosync.ledger;

import no.ditiosync.drops.CorrectionRule;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One run's side of the ledger: what payroll should hold for every line the run read or mapped again,
 * per feed, sorted as it comes ({@link DesiredSpill}); then, once every pass is read, the merge against
 * the ledger feed by feed, in the order the run delivers them ({@link DeltaMerge}).
 */
public final class RunDelta implements AutoCloseable {

    /** Lines kept in memory per feed before a sorted run is written to the scratch folder. */
    static final int IN_MEMORY = 32_768;
    private static final String SCRATCH_PREFIX = "ditio-payroll-sync-run-";
    private static final long PID = ProcessHandle.current().pid();

    private final Path scratch;
    private final String runId;
    private final Map<String, DesiredSpill> spills = new LinkedHashMap<>();
    private final Map<String, Set<String>> quarantined = new HashMap<>();
    private final Map<String, Set<String>> quarantinedOutsideWindow = new HashMap<>();
    private long seq;

    /** @param scratch the run's private scratch folder ({@link #folder}), made when first needed */
    public RunDelta(Path scratch, String runId) {
        this.scratch = scratch;
        this.runId = runId;
    }

    /**
     * The scratch folder of a run of this process in {@code tmp} (java.io.tmpdir by default). It names
     * the process: nodes may share a machine, and one must never clear another's.
     */
    public static Path folder(Path tmp, String runId) {
        return tmp.resolve(SCRATCH_PREFIX + PID + "-" + runId);
    }

    /** Deletes what runs of processes that are gone (killed) left in {@code tmp}. */
    public static void cleanUp(Path tmp) {
        try (Stream<Path> left = Files.list(tmp)) {
            left.filter(p -> p.getFileName().toString().startsWith(SCRATCH_PREFIX) && !alive(p)).forEach(RunDelta::deleteTree);
        } catch (IOException ignored) {
            // nothing to clean, or nothing we may clean
        }
    }

    private static boolean alive(Path folder) {
        String rest = folder.getFileName().toString().substring(SCRATCH_PREFIX.length());
        try {
            long pid = Long.parseLong(rest.substring(0, rest.indexOf('-')));
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (RuntimeException notOurs) {
            return true; // not a name this class made: left alone
        }
    }

    public long nextSeq() {
        return seq++;
    }

    /** The lines of the feed's records in quarantine when the feed's pass began (those that leave it are released). */
    public void quarantinedAtStart(String feed, Set<String> lineIds) {
        quarantined.computeIfAbsent(feed, f -> new LinkedHashSet<>()).addAll(lineIds);
    }

    /**
     * A reconcile's pass: the lines of the feed's records in quarantine whose version lies outside its window
     * (or has no readable work date). The window's snapshot cannot tell whether they are gone, so what the
     * targets were paid for them stays.
     */
    public void quarantinedOutsideWindow(String feed, Set<String> lineIds) {
        quarantinedOutsideWindow.computeIfAbsent(feed, f -> new HashSet<>()).addAll(lineIds);
    }

    /** Whether a line's record was in quarantine when the feed's pass began (in a reconcile's window or not). */
    public boolean wasQuarantined(String feed, String lineId) {
        return quarantined.getOrDefault(feed, Set.of()).contains(lineId)
                || quarantinedOutsideWindow.getOrDefault(feed, Set.of()).contains(lineId);
    }

    /**
     * A line this run put in quarantine itself. Ditio may send the record again later in the pass (a
     * copy on a later page, a payroll line's parts its later copy lacks): the merge then releases it
     * as any other, where the quarantine kept the earlier copy, mapped it again next run and reversed
     * (or paid) what the later copy had decided.
     */
    public void heldInRun(String feed, String lineId) {
        quarantined.computeIfAbsent(feed, f -> new LinkedHashSet<>()).add(lineId);
    }

    public void add(String feed, Desired desired) {
        spills.computeIfAbsent(feed, f -> new DesiredSpill(folder(), f, IN_MEMORY)).add(desired);
    }

    /** Lines the run has for a feed so far (read and mapped again). */
    public long size(String feed) {
        DesiredSpill s = spills.get(feed);
        return s == null ? 0 : s.size();
    }

    private Path folder() {
        try {
            if (!Files.isDirectory(scratch)) {
                // personal data: readable by the service's user only
                boolean posix = scratch.getFileSystem().supportedFileAttributeViews().contains("posix");
                if (posix) {
                    Files.createDirectories(scratch, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectories(scratch);
                }
            }
            return scratch;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the run's scratch folder " + scratch + ": " + e.getMessage(), e);
        }
    }

    /** What the merge of every feed came to. */
    public static final class Outcome {
        /** Per feed: line ids of records that left the quarantine. */
        public final Map<String, Set<String>> released = new LinkedHashMap<>();
        public long linesChanged;
    }

    /**
     * Merges every feed's lines against the ledger, in the order of {@code passes}, writing the ledger's
     * changes through {@code writer} and the targets' lines to {@code sink}.
     */
    public Outcome merge(LedgerStore store, String company, List<String> targets, List<CorrectionRule> rules,
                         CatchUp catchUp, List<DeltaMerge.Pass> passes, LedgerWriter writer, DeltaMerge.Sink sink)
            throws Exception {
        DeltaMerge merge = new DeltaMerge(store, company, runId, targets, rules, catchUp);
        Outcome outcome = new Outcome();
        writer.noteUsers(store, this::folder);
        for (DeltaMerge.Pass pass : passes) {
            DesiredSpill spill = spills.get(pass.feed());
            DeltaMerge.Outcome feed = merge.merge(pass,
                    spill == null ? java.util.Collections.emptyIterator() : spill.sorted(),
                    quarantined.getOrDefault(pass.feed(), Set.of()),
                    quarantinedOutsideWindow.getOrDefault(pass.feed(), Set.of()), writer, sink);
            outcome.released.put(pass.feed(), feed.released);
            outcome.linesChanged += feed.linesChanged;
        }
        writer.writeUsers();
        return outcome;
    }

    @Override
    public void close() {
        spills.values().forEach(DesiredSpill::close);
        spills.clear();
        deleteTree(scratch);
    }

    private static void deleteTree(Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> all = Files.walk(folder)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // left for the next clean-up
                }
            });
        } catch (IOException ignored) {
            // left for the next clean-up
        }
    }
}
