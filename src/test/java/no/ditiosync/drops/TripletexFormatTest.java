package no.ditiosync.drops;

import static no.ditiosync.drops.Golden.line;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TripletexFormatTest {

    private static final String POUR = "Støp av dekke, Åsgårdstrand ÆØÅ";
    private static final String LONG = "Forskaling og armering av fundament for tårnkran ved blokk C, ".repeat(2);

    // Every edge case of the spec and of our choices, once; the same lines make both golden files.
    private static final List<DropLine> LINES = List.of(
            DropLine.of(line("1002", "2025-03-03", "1000", "7.5", "P-1001", null, POUR)),
            // quarter hours
            DropLine.of(line("1003", "2025-03-04", "1000", "0.25", "P-1001", "200", "Rigg")),
            // separator and quotes in comment and project: RFC 4180 quoting
            DropLine.of(line("1003", "2025-03-04", "1100", "7.75", "P;\"7\"", "200", "Rigg; \"Nord\" brakke")),
            // hours edited from 7.50 to 6.00 after export: an offsetting correction
            DropLine.of(line("1002", "2025-03-03", "1000", "-1.5", "P-1001", null, POUR)),
            // formula-like text in every text field (kept: the prefix is for the generic CSV), negative quarter hours (a reversed line)
            DropLine.of(line("1005", "2025-11-30", "2050", "-0.75", "=HYPERLINK(\"x\")", "-5", "@SUM(A1)")),
            // empty project and department; line breaks, tab and a control character in the comment
            DropLine.of(line("12345678", "2025-12-31", "1000", "10", "", null, "  Linje 1\r\n\tLinje 2\u0007  ")),
            // no comment at all; half-up to the hundredth
            DropLine.of(line("42", "2026-01-02", "1000", "7.125", null, null, null)),
            DropLine.of(line("42", "2026-01-02", "1000", "0.005", null, null, null)),
            // comment cut to 100 characters; a letter windows-1252 lacks in the project
            DropLine.of(line("1006", "2026-02-27", "1000", "8", "Łódź-2", "Bygg Ås", LONG)));

    @TempDir
    Path dir;

    @Test
    void writesTheUtf8GoldenFileByteForByte() throws IOException {
        Path file = write(new TripletexFormat(StandardCharsets.UTF_8), LINES);

        Golden.assertSameBytes(file, "tripletex.csv", StandardCharsets.UTF_8);
        assertThat(Files.readAllBytes(file)).startsWith("2025;03;".getBytes(StandardCharsets.US_ASCII)); // no BOM
    }

    @Test
    void writesLinesOfAClosedPeriodIntoTheFirstOpenMonthLabelledWithTheirWorkDate() throws IOException {
        java.time.LocalDate firstOpen = java.time.LocalDate.of(2026, 11, 1); // closed through 2026-10-31
        List<DropLine> lines = List.of(
                // an open day: as always
                DropLine.of(line("1002", "2026-11-02", "1000", "7.5", "P-1001", null, POUR)),
                // hours of 14 October edited from 7.50 to 6.00 after October was closed: booked in November
                DropLine.of(line("1002", "2026-10-14", "1000", "-1.5", "P-1001", null, POUR)).bookedOn(firstOpen),
                // a registration of 31 October deleted: its reversal, without a comment of its own
                DropLine.of(line("1003", "2026-10-31", "1100", "-7.25", "P-2002", "200", null)).bookedOn(firstOpen),
                // a late registration for a closed month, another year: the label keeps the full work date
                DropLine.of(line("1004", "2025-12-30", "1000", "4", null, null, "Rigg; \"Nord\" brakke")).bookedOn(firstOpen),
                // the label counts in the comment's 100 characters
                DropLine.of(line("1006", "2026-10-01", "1000", "8", "P-1001", "Bygg Ås", LONG)).bookedOn(firstOpen));

        Path file = write(new TripletexFormat(StandardCharsets.UTF_8), lines);

        Golden.assertSameBytes(file, "tripletex-closed-period.csv", StandardCharsets.UTF_8);
    }

    @Test
    void writesTheWindows1252GoldenFileByteForByte() throws IOException {
        Path file = write(new TripletexFormat(TripletexFormat.WINDOWS_1252), LINES);

        Golden.assertSameBytes(file, "tripletex-cp1252.csv", TripletexFormat.WINDOWS_1252);
    }

    @Test
    void writesTheSpecColumnsInOrder() throws IOException {
        StringWriter out = new StringWriter();
        new TripletexFormat().writeLine(DropLine.of(line("1002", "2025-03-03", "1000", "7.50", "P-1001", "200", "Støp")), out);

        // YEAR;MONTH;EMPLOYEE NUMBER;WAGE TYPE NUMBER;COMMENT;QUANTITY;RATE;PROJECT NUMBER;DEPARTMENT NUMBER
        assertThat(out.toString()).isEqualTo("2025;03;1002;1000;Støp;7.50;;P-1001;200\r\n");
    }

    /** A machine whose locale writes other digits (Arabic here) still writes the month in ASCII digits. */
    @Test
    void writesTheMonthInAsciiDigitsWhateverTheMachinesLocale() throws IOException {
        java.util.Locale before = java.util.Locale.getDefault();
        java.util.Locale.setDefault(java.util.Locale.forLanguageTag("ar-EG"));
        try {
            StringWriter out = new StringWriter();
            new TripletexFormat().writeLine(DropLine.of(line("1002", "2025-03-03", "1000", "7.50", "P-1001", "200", "Støp")), out);
            assertThat(out.toString()).isEqualTo("2025;03;1002;1000;Støp;7.50;;P-1001;200\r\n");
        } finally {
            java.util.Locale.setDefault(before);
        }
    }

    @Test
    void hasNoHeaderAndDefaultsToUtf8() throws IOException {
        StringWriter out = new StringWriter();
        TripletexFormat format = new TripletexFormat();
        format.writeHeader(out);

        assertThat(out.toString()).isEmpty();
        assertThat(format.charset()).isEqualTo(StandardCharsets.UTF_8);
        assertThat(format.target()).isEqualTo("tripletex");
    }

    @Test
    void windows1252WritesAeAsOneByteAndUtf8AsTwo() throws IOException {
        List<DropLine> ae = List.of(DropLine.of(line("1002", "2025-03-03", "1000", "1", null, null, "æ")));

        byte[] cp1252 = Files.readAllBytes(write(new TripletexFormat(TripletexFormat.WINDOWS_1252), ae));
        byte[] utf8 = Files.readAllBytes(write(new TripletexFormat(StandardCharsets.UTF_8), ae));

        assertThat(cp1252).isEqualTo("2025;03;1002;1000;\u00E6;1.00;;;\r\n".getBytes(TripletexFormat.WINDOWS_1252))
                .contains((byte) 0xE6);
        assertThat(utf8).containsSequence((byte) 0xC3, (byte) 0xA6).hasSize(cp1252.length + 1);
    }

    @Test
    void theDropIsNamedByTheFileConvention() {
        assertThat(AtomicDropFile.fileName(new TripletexFormat().target(), "acme",
                Instant.parse("2025-03-04T05:06:07Z"), "run-42"))
                .isEqualTo("tripletex_acme_20250304T050607Z_run-42.csv");
    }

    @Test
    void refusesWhatTripletexCannotTake() {
        TripletexFormat format = new TripletexFormat();
        StringWriter out = new StringWriter();

        assertThatThrownBy(() -> format.writeLine(new DropLine(
                line("1002", "2025-03-03", "1000", "1", "P", null, null), "D-1", true), out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cancellation");
        for (String badKey : new String[] {"10;02", "10 02", "-1002", "=1", "\"1\"", ""}) {
            assertThatThrownBy(() -> format.writeLine(DropLine.of(line(badKey, "2025-03-03", "1000", "1", null, null, null)), out))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("employee number")
                    .hasMessageContaining("'" + badKey + "'");
            assertThatThrownBy(() -> format.writeLine(DropLine.of(line("1002", "2025-03-03", badKey, "1", null, null, null)), out))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wage type number");
        }
        assertThat(out.toString()).isEmpty();
        // asked before a line is payroll-ready, so the record waits in quarantine instead
        assertThat(format.refusal(line("10 02", "2025-03-03", "1000", "1", null, null, null))).isEqualTo("employee number "
                + "'10 02' is not a Tripletex key (printable ASCII without blanks, ; or \", starting with a letter or digit)");
        assertThat(format.refusal(line("A-12", "2025-03-03", "1000", "1", "Łódź-2", null, null))).isNull();
        assertThat(new TripletexFormat(VismaFormat.WINDOWS_1252).refusal(line("A-12", "2025-03-03", "1000", "1", "Łódź-2",
                null, null))).isEqualTo("project number 'Łódź-2' has characters windows-1252 cannot hold "
                + "(Tripletex's file; PAYROLL_TRIPLETEX_ENCODING=UTF-8 holds them)");
        assertThatThrownBy(() -> new TripletexFormat(StandardCharsets.ISO_8859_1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private Path write(DropFormat format, List<DropLine> lines) throws IOException {
        Path folder = Files.createTempDirectory(dir, "drop");
        AtomicDropFile drop = AtomicDropFile.open(folder, "tripletex.csv", format);
        for (DropLine l : lines) {
            drop.append(l);
        }
        drop.close();
        AtomicDropFile.publish(drop.tempPath(), drop.finalPath());
        return drop.finalPath();
    }
}
