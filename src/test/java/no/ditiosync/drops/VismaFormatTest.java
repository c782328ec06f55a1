package no.ditiosync.drops;

import static no.ditiosync.drops.Golden.line;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import no.ditiosync.payroll.PayrollLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VismaFormatTest {

    @TempDir
    Path dir;

    @Test
    void writesTheGoldenFileByteForByte() throws IOException {
        List<DropLine> lines = List.of(
                DropLine.of(line("1002", "2025-03-03", "1000", "7.5", "P-1001", null, "ignored")),
                DropLine.of(line("1003", "2025-03-03", "1000", "7.125", "Tønsberg ÆØÅ æøå", "Bygg Ås", null)),
                // hours edited down after export: an offsetting correction
                DropLine.of(line("1003", "2025-03-03", "1000", "-1.5", "Tønsberg ÆØÅ æøå", "Bygg Ås", null)),
                DropLine.of(line("1004", "2025-03-04", "2050", "-2.125", "P;\"7\"", "=SUM(A1)", null)),
                DropLine.of(line("1005", "2025-03-04", "1100", "0.005", "  Rigg\tNord\r\n  Øst  ", "-5", null)),
                DropLine.of(line("1006", "2025-03-05", "1000", "8", "Łódź-2",
                        "Anleggsavdeling Vestlandet og Sørlandet", null)),
                // the boundary: a project and a department of exactly 30 characters are written whole; a
                // department of 31 is cut to 30 (departments are cut, a longer project never reaches the file)
                DropLine.of(line("1007", "2025-03-05", "1000", "1", "P-2026-0417-BERGEN-SENTRUM-NYE",
                        "Anlegg Vestland Bergen Sentrum", null)),
                DropLine.of(line("1008", "2025-03-05", "1000", "1", "P-1", "Anlegg Vestland Bergen Sentrum2", null)));

        Path file = write(new VismaFormat(2025, 7, VismaFormat.WINDOWS_1252), lines);

        Golden.assertSameBytes(file, "visma.csv", VismaFormat.WINDOWS_1252);

        // Visma has no date: lines of a closed period booked on the first open day are the same bytes
        Path booked = write(new VismaFormat(2025, 7, VismaFormat.WINDOWS_1252),
                lines.stream().map(l -> l.bookedOn(java.time.LocalDate.of(2025, 4, 1))).toList());
        Golden.assertSameBytes(booked, "visma.csv", VismaFormat.WINDOWS_1252);
    }

    @Test
    void writesTheSpecExampleExactly() throws IOException {
        StringWriter out = new StringWriter();
        new VismaFormat().writeLine(DropLine.of(line("1002", "2025-03-03", "1000", "7.50", "P-1001", null, null)), out);

        assertThat(out.toString()).isEqualTo("0;0;1002;1000;0.00;7.50;0.00;0.00;;;\"\";\"P-1001\";\"\";\"\";\"\";\"\";\r\n");
    }

    @Test
    void hasNoHeaderAndDefaultsToWindows1252() throws IOException {
        StringWriter out = new StringWriter();
        VismaFormat format = new VismaFormat();
        format.writeHeader(out);

        assertThat(out.toString()).isEmpty();
        assertThat(format.charset()).isEqualTo(VismaFormat.WINDOWS_1252);
        assertThat(format.target()).isEqualTo("visma");
    }

    @Test
    void windows1252WritesAeAsOneByteAndUtf8AsTwo() throws IOException {
        DropLine ae = DropLine.of(line("1002", "2025-03-03", "1000", "1", "æ", null, null));

        byte[] cp1252 = Files.readAllBytes(write(new VismaFormat(), List.of(ae)));
        byte[] utf8 = Files.readAllBytes(write(new VismaFormat(0, 0, StandardCharsets.UTF_8), List.of(ae)));

        assertThat(utf8.length).isEqualTo(cp1252.length + 1);
        assertThat(new String(utf8, StandardCharsets.UTF_8)).contains(";\"æ\";");
        assertThat(utf8).containsSequence((byte) 0xC3, (byte) 0xA6);
        assertThat(cp1252).contains((byte) 0xE6).doesNotContain((byte) 0xC3);
    }

    @Test
    void utf8KeepsWhatWindows1252CannotHold() throws IOException {
        DropLine polish = DropLine.of(line("1002", "2025-03-03", "1000", "1", "Łódź", null, null));

        String utf8 = Files.readString(write(new VismaFormat(0, 0, StandardCharsets.UTF_8), List.of(polish)));

        assertThat(utf8).contains("\"Łódź\"");
    }

    @Test
    void refusesWhatVismaCannotTake() {
        VismaFormat format = new VismaFormat();
        StringWriter out = new StringWriter();

        assertThatThrownBy(() -> format.writeLine(new DropLine(
                line("1002", "2025-03-03", "1000", "1", "P", null, null), "D-1", true), out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cancellation");
        assertThatThrownBy(() -> format.writeLine(DropLine.of(line("10;02", "2025-03-03", "1000", "1", "P", null, null)), out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10;02");
        assertThatThrownBy(() -> format.writeLine(DropLine.of(line("1002", "2025-03-03", "L1000", "1", "P", null, null)), out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("L1000");
        assertThat(out.toString()).isEmpty();
        assertThatThrownBy(() -> new VismaFormat(0, 0, StandardCharsets.ISO_8859_1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Visma's project field holds 30 characters: a project number of 30 is written whole, one of 31
     * is refused (the record is quarantined with this reason) and never cut into the file, where two
     * projects differing after the 30th character would book together.
     */
    @Test
    void aProjectNumberOf30CharactersIsWrittenWholeAndOneOf31IsRefused() throws IOException {
        VismaFormat format = new VismaFormat();
        String thirty = "P-2026-0417-BERGEN-SENTRUM-NYE";
        String thirtyOne = thirty + "2";
        assertThat(format.refusal(line("1002", "2025-03-03", "1000", "1", thirty, null, null))).isNull();
        assertThat(format.refusal(line("1002", "2025-03-03", "1000", "1", thirtyOne, null, null)))
                .isEqualTo("project number 'P-2026-0417-BERGEN-SENTRUM-NYE2' is longer than Visma's project field "
                        + "(30 characters)");
        // counted as written: cleaned (blanks collapsed, trimmed) and in characters, not UTF-16 units
        assertThat(format.refusal(line("1002", "2025-03-03", "1000", "1", "  " + thirty + "\t", null, null))).isNull();
        assertThat(new VismaFormat(0, 0, StandardCharsets.UTF_8).refusal(line("1002", "2025-03-03", "1000", "1",
                "P-" + "😀".repeat(28), null, null))).isNull();
        assertThat(format.refusal(line("1002", "2025-03-03", "1000", "1", null, "x".repeat(40), null)))
                .as("a department is not refused").isNull();

        StringWriter out = new StringWriter();
        format.writeLine(DropLine.of(line("1002", "2025-03-03", "1000", "1", thirty, null, null)), out);
        assertThat(out.toString()).contains(";\"" + thirty + "\";");
        assertThatThrownBy(() -> format.writeLine(DropLine.of(line("1002", "2025-03-03", "1000", "1", thirtyOne, null, null)),
                new StringWriter())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(thirtyOne);
    }

    /**
     * A project number with a character windows-1252 lacks would reach Visma with it replaced, where
     * "P-Ł1" and "P-Đ1" would book together as "P-?1": refused (the record waits in quarantine) unless
     * the file is UTF-8. A line delivered before this rule is still written as it was, so its
     * correction offsets it.
     */
    @Test
    void aProjectNumberWindows1252CannotHoldIsRefusedButStillWrittenAsDeliveredBefore() throws IOException {
        PayrollLine polish = line("1002", "2025-03-03", "1000", "1", "P-Ł1", "Ødegård", null);
        assertThat(new VismaFormat().refusal(polish)).isEqualTo("project number 'P-Ł1' has characters windows-1252 "
                + "cannot hold (Visma's file; PAYROLL_VISMA_ENCODING=UTF-8 holds them)");
        assertThat(new VismaFormat(0, 0, StandardCharsets.UTF_8).refusal(polish)).isNull();
        assertThat(new VismaFormat().refusal(line("1002", "2025-03-03", "1000", "1", "P-Ærø", "Łódź", null)))
                .as("æøå are in windows-1252, and a department is not a key").isNull();

        StringWriter out = new StringWriter();
        new VismaFormat().writeLine(DropLine.of(polish.withQuantity(new BigDecimal("-1"))), out);
        assertThat(out.toString()).isEqualTo("0;0;1002;1000;0.00;-1.00;0.00;0.00;;;\"Ødegård\";\"P-?1\";\"\";\"\";\"\";\"\";\r\n");
    }

    /** Departments are cut, not refused; what is cut, and which departments that makes one, is said in one line. */
    @Test
    void departmentsLongerThan30CharactersAreNamedAndThoseThatBecomeOneAreSaidSo() {
        VismaFormat format = new VismaFormat();
        assertThat(format.shortened(java.util.Arrays.asList("Anlegg Vestland Bergen Sentrum", "Bygg Ås", null, ""))).isNull();

        assertThat(format.shortened(List.of("Anlegg Vestland Bergen Sentrum2", "Bygg Ås")))
                .isEqualTo("Visma's department field holds 30 characters: 1 department(s) go to Visma cut, "
                        + "'Anlegg Vestland Bergen Sentrum2' as 'Anlegg Vestland Bergen Sentrum'; "
                        + "give them names of at most 30 characters in Ditio");
        assertThat(format.shortened(List.of("Anlegg Vestland Bergen Sentrum", "Anlegg Vestland Bergen Sentrum2",
                "Anlegg Vestland Bergen Sentrum 3")))
                .isEqualTo("Visma's department field holds 30 characters: 2 department(s) go to Visma cut, "
                        + "'Anlegg Vestland Bergen Sentrum 3' as 'Anlegg Vestland Bergen Sentrum', "
                        + "'Anlegg Vestland Bergen Sentrum2' as 'Anlegg Vestland Bergen Sentrum'; "
                        + "so these departments become one in Visma, their hours booked together: "
                        + "'Anlegg Vestland Bergen Sentrum' and 'Anlegg Vestland Bergen Sentrum 3' and "
                        + "'Anlegg Vestland Bergen Sentrum2' as 'Anlegg Vestland Bergen Sentrum'; "
                        + "give them names of at most 30 characters in Ditio");
    }

    private Path write(DropFormat format, List<DropLine> lines) throws IOException {
        Path folder = Files.createTempDirectory(dir, "drop");
        AtomicDropFile drop = AtomicDropFile.open(folder, "visma.csv", format);
        for (DropLine l : lines) {
            drop.append(l);
        }
        drop.close();
        AtomicDropFile.publish(drop.tempPath(), drop.finalPath());
        return drop.finalPath();
    }
}
