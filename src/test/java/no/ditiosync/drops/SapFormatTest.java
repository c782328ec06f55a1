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

class SapFormatTest {

    @TempDir
    Path dir;

    @Test
    void writesTheGoldenFileByteForByte() throws IOException {
        PayrollLine pour = line("1002", "2025-03-03", "1000", "7.5", "P-1001", "Bygg",
                "Støp av dekke, Åsgårdstrand ÆØÅ");
        List<DropLine> lines = List.of(
                new DropLine(pour, "D-0001", false),
                new DropLine(line("42", "2025-03-04", "1100", "7.125", "P-2002", null, "Rigg; \"Nord\" brakke"), "D-0002", false),
                // hours edited from 7.50 to 6.255: cancel the delivered document (its hours, positive), then rebook
                new DropLine(pour, "D-0001", true),
                new DropLine(pour.withQuantity(new BigDecimal("6.255")), "D-0003", false),
                new DropLine(line("1005", "2025-03-05", "1000", "1", "P-3003", null, "=SUM(A1)"), "D-0004", false),
                new DropLine(line("1005", "2025-03-05", "1000", "0.5", "P-3003", null, "-5"), "D-0005", false),
                new DropLine(line("12345678", "2025-12-31", "1000", "10", null, null,
                        "Forskaling og armering av fundament for tårnkran ved blokk C"), "D-0006", false),
                new DropLine(line("1002", "2025-03-06", "1000", "0", "P-1001", null, "Linje 1\r\nLinje 2"), "D-0007", false));

        AtomicDropFile drop = AtomicDropFile.open(dir, "sap.csv", new SapFormat());
        for (DropLine l : lines) {
            drop.append(l);
        }
        drop.close();
        AtomicDropFile.publish(drop.tempPath(), drop.finalPath());

        Golden.assertSameBytes(drop.finalPath(), "sap.csv", StandardCharsets.UTF_8);
        assertThat(Files.readAllBytes(drop.finalPath())).startsWith("EXTSYSTEM;".getBytes(StandardCharsets.US_ASCII)); // no BOM
    }

    @Test
    void writesLinesOfAClosedPeriodOnTheFirstOpenDayLabelledWithTheirWorkDate() throws IOException {
        java.time.LocalDate firstOpen = java.time.LocalDate.of(2026, 11, 1); // closed through 2026-10-31
        PayrollLine pour = line("1002", "2026-10-14", "1000", "7.5", "P-1001", "Bygg", "Støp av dekke, Åsgårdstrand ÆØÅ");
        List<DropLine> lines = List.of(
                // an open day: as always
                new DropLine(line("1002", "2026-11-02", "1000", "7.5", "P-1001", null, "Støp av dekke"), "D-0010", false),
                // hours of 14 October edited to 6.00 after October was closed: the cancellation and the new
                // document both on the first open day, each saying which work date it is for (LTXA1 cut to 40)
                new DropLine(pour, "D-0001", true).bookedOn(firstOpen),
                new DropLine(pour.withQuantity(new BigDecimal("6")), "D-0011", false).bookedOn(firstOpen),
                // a registration of 31 October deleted, no text of its own: its cancellation
                new DropLine(line("42", "2026-10-31", "1100", "7.25", "P-2002", null, null), "D-0002", true).bookedOn(firstOpen));

        AtomicDropFile drop = AtomicDropFile.open(dir, "sap.csv", new SapFormat());
        for (DropLine l : lines) {
            drop.append(l);
        }
        drop.close();
        AtomicDropFile.publish(drop.tempPath(), drop.finalPath());

        Golden.assertSameBytes(drop.finalPath(), "sap-closed-period.csv", StandardCharsets.UTF_8);
    }

    @Test
    void rejectsAnEmployeeNumberThatIsNotUpToEightDigits() {
        for (String bad : new String[] {"123456789", "A1002", "10 02", "", "١٢٣"}) {
            assertThatThrownBy(() -> write(new DropLine(line(bad, "2025-03-03", "1000", "1", "P", null, null), "D-1", false)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("PERNR").hasMessageContaining("'" + bad + "'");
        }
    }

    @Test
    void rejectsADocumentNumberLongerThanTwentyCharacters() throws IOException {
        PayrollLine l = line("1002", "2025-03-03", "1000", "1", "P", null, null);

        assertThat(write(new DropLine(l, "D-" + "9".repeat(18), false))).contains(";D-999999999999999999;");
        assertThatThrownBy(() -> write(new DropLine(l, "D-" + "9".repeat(19), false)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("EXTDOCUMENTNO");
        assertThatThrownBy(() -> write(new DropLine(l, null, false))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> write(new DropLine(l, "D;1", false))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsNegativeHoursBecauseSapCorrectsByCancellation() {
        assertThatThrownBy(() -> write(new DropLine(line("1002", "2025-03-03", "1000", "-1.5", "P", null, null), "D-1", false)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CATSHOURS");
    }

    /**
     * LTXA1 is 40 places of a SAP Unicode system (UTF-16): æøå take one each, not their two UTF-8 bytes;
     * an emoji takes two, and is left out whole where only one is left, never split; a joined emoji cut
     * after its joiner loses the joiner too.
     */
    @Test
    void ltxa1HoldsFortyUtf16PlacesNotBytesAndNeverHalfAnEmoji() throws IOException {
        String forty = "Støp av dekke på blokk Æ, akse B–C og D" + "x"; // 40 characters, 45 bytes of UTF-8
        assertThat(ltxa1(forty + "y")).isEqualTo(forty);
        assertThat(forty.getBytes(StandardCharsets.UTF_8).length).as("bytes are not the limit").isGreaterThan(40);

        String emoji = "Støp av dekke på blokk Æ, akse B–C og" + "👷"; // 37 + an emoji of two places
        assertThat(ltxa1(emoji + "x")).isEqualTo(emoji + "x").hasSize(40);
        assertThat(ltxa1(emoji + "xy")).isEqualTo(emoji + "x");
        assertThat(ltxa1("x" + emoji + "y")).isEqualTo("x" + emoji).hasSize(40);
        // one place short of the emoji: the pair is left out whole, never split
        assertThat(ltxa1("xx" + emoji)).isEqualTo("xxStøp av dekke på blokk Æ, akse B–C og");
        assertThat(ltxa1("👷".repeat(21))).isEqualTo("👷".repeat(20));
        // a worker with a hard hat is four code points joined: cut after the joiner, the joiner goes
        assertThat(ltxa1("x".repeat(37) + "👷\u200D♀\uFE0F")).isEqualTo("x".repeat(37) + "👷");
    }

    private String ltxa1(String text) throws IOException {
        String line = write(new DropLine(line("1002", "2025-03-03", "1000", "1", "P", null, text), "D-1", false));
        return line.substring(line.lastIndexOf(';') + 1, line.length() - 2);
    }

    @Test
    void refusesAProjectLongerThanPosidWithAReasonInsteadOfCuttingIt() {
        PayrollLine fits = line("1002", "2025-03-03", "1000", "1", "P-" + "1".repeat(22), null, null);
        PayrollLine tooLong = line("1002", "2025-03-03", "1000", "1", "P-" + "1".repeat(23), null, null);

        assertThat(new SapFormat().refusal(fits)).isNull();
        assertThat(new SapFormat().refusal(tooLong))
                .isEqualTo("project number 'P-11111111111111111111111' is longer than SAP's POSID (24 characters)");
        assertThatThrownBy(() -> write(new DropLine(tooLong, "D-1", false)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("POSID");
    }

    private static String write(DropLine line) throws IOException {
        StringWriter out = new StringWriter();
        new SapFormat().writeLine(line, out);
        return out.toString();
    }
}
