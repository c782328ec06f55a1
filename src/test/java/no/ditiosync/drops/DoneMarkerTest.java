package no.ditiosync.drops;

import static no.ditiosync.drops.Golden.line;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The .done marker of a published drop (PAYROLL_DONE_MARKER; the setting itself is shown end to end in DropFilesEndToEndTest). */
class DoneMarkerTest {

    private static final String NAME =
            AtomicDropFile.fileName("tripletex", "acme", Instant.parse("2025-03-04T05:06:07Z"), "run-42");

    @TempDir
    Path dir;

    @Test
    void theMarkerIsAnEmptyFileNamedAfterTheDropWithItsMode() throws Exception {
        DropTarget target = target(AtomicDropFile.OWNER_AND_GROUP, true);
        AtomicDropFile drop = written(target);

        publish(target, drop);

        Path marker = drops().resolve("tripletex_acme_20250304T050607Z_run-42.csv.done");
        assertThat(AtomicDropFile.doneMarker(drop.finalPath())).isEqualTo(marker);
        assertThat(marker).isRegularFile().isEmptyFile();
        assertThat(drop.finalPath()).hasBinaryContent("2025;03;1002;1000;;7.50;;P-1001;\r\n".getBytes(StandardCharsets.UTF_8));
        assertThat(mode(marker)).isEqualTo("rw-r-----").isEqualTo(mode(drop.finalPath()));
    }

    @Test
    void anOwnerOnlyDropGetsAnOwnerOnlyMarker() throws Exception {
        DropTarget target = target(AtomicDropFile.OWNER_ONLY, true);
        AtomicDropFile drop = written(target);

        publish(target, drop);

        assertThat(mode(AtomicDropFile.doneMarker(drop.finalPath()))).isEqualTo("rw-------");
    }

    @Test
    void aCrashBetweenRenameAndMarkerIsHealedByPublishingAgain() throws Exception {
        DropTarget target = target(AtomicDropFile.OWNER_ONLY, true);
        AtomicDropFile drop = written(target);
        AtomicDropFile.publish(drop.tempPath(), drop.finalPath()); // renamed, then the process died

        AtomicDropFile.publishDoneMarker(drop.finalPath());
        AtomicDropFile.publishDoneMarker(drop.finalPath());

        assertThat(AtomicDropFile.doneMarker(drop.finalPath())).isEmptyFile();
        try (var files = Files.list(drops())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(NAME, NAME + ".done");
        }
    }

    @Test
    void noMarkerWithoutItsPublishedDrop() throws IOException {
        AtomicDropFile drop = written(target(AtomicDropFile.OWNER_ONLY, true));

        assertThatThrownBy(() -> AtomicDropFile.publishDoneMarker(drop.finalPath())).isInstanceOf(NoSuchFileException.class);
        assertThat(AtomicDropFile.doneMarker(drop.finalPath())).doesNotExist();
    }

    @Test
    void aSymlinkUnderTheMarkerNameIsNotFollowed() throws Exception {
        DropTarget target = target(AtomicDropFile.OWNER_ONLY, true);
        AtomicDropFile drop = written(target);
        Path elsewhere = Files.writeString(dir.resolve("victim"), "keep");
        Files.createSymbolicLink(AtomicDropFile.doneMarker(drop.finalPath()), elsewhere);

        assertThatThrownBy(() -> publish(target, drop))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(elsewhere).hasContent("keep");
    }

    @Test
    void theJdbcTargetCannotHaveMarkers() {
        assertThatThrownBy(() -> new DropTarget(DropTarget.JDBC, CorrectionStyle.CURRENT_TRUTH, null, null, null, true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new DropTarget(DropTarget.JDBC, CorrectionStyle.CURRENT_TRUTH, null, null, null).doneMarker()).isFalse();
    }

    /** The drop renamed into place, then its marker: the two steps the route deliver-file ends with. */
    private static void publish(DropTarget target, AtomicDropFile drop) throws Exception {
        AtomicDropFile.publish(drop.tempPath(), drop.finalPath());
        AtomicDropFile.publishDoneMarker(drop.finalPath());
    }

    private DropTarget target(String fileMode, boolean doneMarker) {
        return new DropTarget("tripletex", CorrectionStyle.OFFSET, new TripletexFormat(), drops(), fileMode, doneMarker);
    }

    private AtomicDropFile written(DropTarget target) throws IOException {
        AtomicDropFile drop = AtomicDropFile.open(target.folder(), NAME, target.format(), target.fileMode());
        drop.append(DropLine.of(line("1002", "2025-03-03", "1000", "7.5", "P-1001", null, null)));
        drop.close();
        return drop;
    }

    private Path drops() {
        return dir.resolve("drops");
    }

    private static String mode(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }
}
