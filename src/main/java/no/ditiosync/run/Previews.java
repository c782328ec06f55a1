package no.ditiosync.run;

import no.ditiosync.drops.AtomicDropFile;
import no.ditiosync.drops.DropTarget;
import no.ditiosync.drops.DropWriter;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A preview's files: what each target would receive, in {@code <drop folder>/preview} under names no
 * payroll system takes for a drop. Only the company's latest preview is kept.
 */
final class Previews {

    /** What every preview file's name starts with: never the name of a drop. */
    static final String PREFIX = "PREVIEW_";

    private Previews() {
    }

    /** {@code <drop folder>/preview}: beside the targets' folders, never one a payroll system polls. */
    static Path folder(Company c) {
        return c.dropDir().resolve("preview");
    }

    /** Where a preview's delta goes, the company's previous preview files removed first. */
    static DropWriter writer(SyncRun run, Company c) throws IOException {
        Path folder = folder(c);
        clear(folder, c);
        return new DropWriter(c.targets().stream().map(t -> new DropTarget(t.name(), t.style(), t.format(), folder,
                AtomicDropFile.OWNER_ONLY, false, t.aggregation())).toList(), run.company(), run.startedAt(),
                run.runId(), PREFIX);
    }

    /** The preview's files get their names (JDBC rows as a CSV of the payroll_line rows to be), counted in the run. */
    static void show(SyncRun run) throws IOException {
        for (DropWriter.Drop drop : run.drops()) {
            Path shown = null;
            if (drop.tempPath() != null && drop.finalPath() != null) {
                AtomicDropFile.publish(drop.tempPath(), drop.finalPath());
                shown = drop.finalPath();
            } else if (drop.tempPath() != null) {
                shown = PreviewRows.toCsv(drop.tempPath(), drop.tempPath().resolveSibling(PREFIX
                        + AtomicDropFile.fileName(drop.target(), run.company(), run.startedAt(), run.runId())));
            }
            run.delivered(drop.target(), drop.lines(), shown, shown == null ? null : shown.toString());
        }
    }

    /**
     * The company's previous preview files, of every target, also one switched off since: a preview shows
     * only what the next run would deliver now. The folder is the company's own (its drop folder's).
     */
    private static void clear(Path folder, Company c) throws IOException {
        if (!Files.isDirectory(folder)) {
            return;
        }
        // PREVIEW_<target>_<company>_<time>_<run>, hidden while written
        java.util.regex.Pattern previous = java.util.regex.Pattern.compile("\\.?" + PREFIX + ".+_"
                + java.util.regex.Pattern.quote(AtomicDropFile.companyPart(c.key()) + "_") + "\\d{8}T\\d{6}Z_.*");
        try (DirectoryStream<Path> old = Files.newDirectoryStream(folder,
                f -> previous.matcher(f.getFileName().toString()).matches())) {
            for (Path f : old) {
                Files.deleteIfExists(f);
            }
        }
    }
}
