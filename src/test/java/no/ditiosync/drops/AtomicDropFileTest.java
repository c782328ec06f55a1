package no.ditiosync.drops;

import static no.ditiosync.drops.Golden.line;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicDropFileTest {

    private static final String HEADER = SapFormat.HEADER + "\r\n";
    private static final DropLine LINE =
            new DropLine(line("1002", "2025-03-03", "1000", "7.5", "P-1001", null, "Støp"), "D-0001", false);
    private static final String LINE_TEXT = "DITIO;D-0001;;00001002;20250303;1000;7.50;H;P-1001;Støp\r\n";

    @TempDir
    Path dir;

    @Test
    void nothingIsVisibleUnderTheFinalNameUntilPublished() throws IOException {
        Path folder = dir.resolve("out");
        AtomicDropFile drop = AtomicDropFile.open(folder, "sap_acme.csv", new SapFormat());
        drop.append(LINE);
        drop.close();

        assertThat(drop.tempPath()).isEqualTo(folder.resolve(".sap_acme.csv.tmp")).exists();
        assertThat(drop.finalPath()).isEqualTo(folder.resolve("sap_acme.csv")).doesNotExist();
        assertThat(drop.lines()).isEqualTo(1);
        try (var files = Files.list(folder)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(".sap_acme.csv.tmp");
        }

        AtomicDropFile.publish(drop.tempPath(), drop.finalPath());

        assertThat(drop.tempPath()).doesNotExist();
        assertThat(drop.finalPath()).hasBinaryContent((HEADER + LINE_TEXT).getBytes(StandardCharsets.UTF_8));
        try (var files = Files.list(folder)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("sap_acme.csv");
        }
    }

    @Test
    void groupReadableModeAppliesOnlyToTheCompleteFile() throws IOException {
        Path folder = dir.resolve("shared");
        AtomicDropFile drop = AtomicDropFile.open(folder, "sap_acme.csv", new SapFormat(), AtomicDropFile.OWNER_AND_GROUP);
        drop.append(LINE);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(drop.tempPath())))
                .as("while being written").isEqualTo("rw-------");
        drop.close();
        AtomicDropFile.publish(drop.tempPath(), drop.finalPath());

        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(drop.finalPath())))
                .isEqualTo("rw-r-----");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)))
                .isEqualTo("rwxr-x---");
    }

    @Test
    void headerIsWrittenEvenWithoutLines() throws IOException {
        AtomicDropFile drop = AtomicDropFile.open(dir, "empty.csv", new SapFormat());
        drop.close();

        assertThat(drop.lines()).isZero();
        assertThat(drop.tempPath()).hasContent(SapFormat.HEADER);
    }

    @Test
    void createdFolderIs0700AndFileIs0600FromTheStart() throws IOException {
        Path folder = dir.resolve("a").resolve("b");
        AtomicDropFile drop = AtomicDropFile.open(folder, "x.csv", new SapFormat());

        // checked before close: the mode was set at creation, not fixed up afterwards
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(drop.tempPath()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.getParent()))).isEqualTo("rwx------");
        drop.close();
        AtomicDropFile.publish(drop.tempPath(), drop.finalPath());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(drop.finalPath()))).isEqualTo("rw-------");
    }

    @Test
    void publishingTwiceIsHarmless() throws IOException {
        AtomicDropFile drop = AtomicDropFile.open(dir, "twice.csv", new SapFormat());
        drop.append(LINE);
        drop.close();

        AtomicDropFile.publish(drop.tempPath(), drop.finalPath());
        AtomicDropFile.publish(drop.tempPath(), drop.finalPath());

        assertThat(drop.finalPath()).hasBinaryContent((HEADER + LINE_TEXT).getBytes(StandardCharsets.UTF_8));
        assertThat(drop.tempPath()).doesNotExist();
    }

    @Test
    void aRewrittenIdenticalTempIsDroppedButADifferentOneNeverOverwrites() throws IOException {
        AtomicDropFile first = AtomicDropFile.open(dir, "same.csv", new SapFormat());
        first.append(LINE);
        first.close();
        AtomicDropFile.publish(first.tempPath(), first.finalPath());

        AtomicDropFile again = AtomicDropFile.open(dir, "same.csv", new SapFormat());
        again.append(LINE);
        again.close();
        AtomicDropFile.publish(again.tempPath(), again.finalPath());
        assertThat(again.tempPath()).doesNotExist();

        AtomicDropFile different = AtomicDropFile.open(dir, "same.csv", new SapFormat());
        different.close();
        assertThatThrownBy(() -> AtomicDropFile.publish(different.tempPath(), different.finalPath()))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(first.finalPath()).hasBinaryContent((HEADER + LINE_TEXT).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void publishingWithNeitherFileIsAnError() {
        assertThatThrownBy(() -> AtomicDropFile.publish(dir.resolve(".gone.csv.tmp"), dir.resolve("gone.csv")))
                .isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void discardRemovesTheTempAndPublishesNothing() throws IOException {
        AtomicDropFile drop = AtomicDropFile.open(dir, "discard.csv", new SapFormat());
        drop.append(LINE);

        drop.discard();

        assertThat(drop.tempPath()).doesNotExist();
        assertThat(drop.finalPath()).doesNotExist();
        assertThatThrownBy(() -> drop.append(LINE)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aStaleTempFromACrashIsStartedOver() throws IOException {
        Files.writeString(dir.resolve(".stale.csv.tmp"), "half a file");

        AtomicDropFile drop = AtomicDropFile.open(dir, "stale.csv", new SapFormat());
        drop.close();

        assertThat(drop.tempPath()).hasContent(SapFormat.HEADER);
    }

    @Test
    void theWriterRefusesCharactersTheCharsetCannotHold() throws IOException {
        DropFormat careless = new DropFormat() {
            @Override
            public String target() {
                return "careless";
            }

            @Override
            public Charset charset() {
                return VismaFormat.WINDOWS_1252;
            }

            @Override
            public void writeHeader(Writer out) {
            }

            @Override
            public void writeLine(DropLine l, Writer out) throws IOException {
                out.write("Łódź\r\n"); // skips TextCleaner.toCharset on purpose
            }
        };
        AtomicDropFile drop = AtomicDropFile.open(dir, "careless.csv", careless);
        drop.append(LINE);

        assertThatThrownBy(drop::close).isInstanceOf(IOException.class);
        drop.discard();
        assertThat(drop.tempPath()).doesNotExist();
    }

    @Test
    void finalNameMustBeAPlainFileName() {
        for (String bad : new String[] {"../evil.csv", "a/b.csv", "a\\b.csv", ".hidden.csv", "..", ""}) {
            assertThatThrownBy(() -> AtomicDropFile.open(dir, bad, new SapFormat()))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void fileNameFollowsTheConventionAndIsSanitised() {
        Instant start = Instant.parse("2025-03-04T05:06:07.890Z");

        assertThat(AtomicDropFile.fileName("visma", "acme", start, "run-42"))
                .isEqualTo("visma_acme_20250304T050607Z_run-42.csv");
        assertThat(AtomicDropFile.fileName("../evil", "a/b", start, "run 1_x"))
                .isEqualTo("---evil_a-b_20250304T050607Z_run-1-x.csv");
        assertThat(AtomicDropFile.fileName("sap", "Bygg Ås\\..", start, "..\u0000"))
                .isEqualTo("sap_Bygg--s---_20250304T050607Z_---.csv");
        assertThatThrownBy(() -> AtomicDropFile.fileName("sap", " ", start, "r"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
