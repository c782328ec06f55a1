package no.ditiosync.drops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import no.ditiosync.payroll.PayrollLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvFormatTest {

    private static final String POUR = "Støp av dekke, Åsgårdstrand ÆØÅ";
    private static final String LONG = "Forskaling og armering av fundament for tårnkran ved blokk C, ".repeat(2) + "👷";

    @TempDir
    Path dir;

    @Test
    void writesTheGoldenFileByteForByte() throws IOException {
        List<DropLine> lines = List.of(
                DropLine.of(line("time:7f3c", "1002", "2025-03-03", "1000", "7.5", "P-1001", "9001", "Bygg Ås", POUR,
                        "time", "7f3c", "2025-03-01T12:00:00Z")),
                // hours edited from 7.50 to 6.00: an offsetting line under the same lineId
                DropLine.of(line("time:7f3c", "1002", "2025-03-03", "1000", "-1.5", "P-1001", "9001", "Bygg Ås", POUR,
                        "time", "7f3c", "2025-03-02T08:15:30.250Z")),
                // quarter hours; separators and quotes in text fields
                DropLine.of(line("time:a2", "42", "2025-03-04", "1100", "0.25", "P;\"7\"", null, null,
                        "Rigg, \"Nord\" brakke", "time", "a2", null)),
                // formula prefixes in text, dimension and lineage fields; the negative number is left alone
                DropLine.of(line("overtime:-x1", "1005", "2025-11-30", "2050", "-0.75", "=HYPERLINK(\"http://x\",\"y\")",
                        "+47", "-5", "@SUM(A1)", "overtime", "=cmd|' /C calc'!A0", "2025-12-01T00:00:00Z")),
                // leading tab kept (and neutralised) in lineage, cleaned away in text; empty project
                DropLine.of(line("time:b5", "12345678", "2025-12-31", "1000", "10", "", "", "\r\n-3",
                        "  Linje 1\r\n\tLinje 2\u0007  ", "time", "\t=1", null)),
                // everything optional missing; half-up to the hundredth; a lone surrogate UTF-8 cannot hold
                DropLine.of(line("time:c6", "7", "2026-01-02", "1000", "7.125", null, null, null, null,
                        null, "x\uD800y", null)),
                // text is never cut in the CSV; letters beyond Latin-1 and emoji survive; blanks at the ends are quoted
                DropLine.of(line("time:d7", "1006", "2026-02-27", "1000", "0.005", "Łódź-2", null, "Bygg Ås", LONG,
                        "time", " id ", "2026-02-27T16:45:00.123Z")),
                // a carriage return at the start of a lineage value: neutralised and quoted
                DropLine.of(line("time:e8", "1007", "2026-03-01", "1000", "1", null, null, null, null,
                        "time", "\r5", null)),
                // a correction of a work date in a closed period (through 2026-03-31): workDate stays the
                // day worked, bookedDate is the first open day; the text is not labelled (the columns say it)
                DropLine.of(line("time:f9", "1002", "2026-03-30", "1000", "-2", "P-1001", null, null, POUR,
                        "time", "f9", "2026-04-02T07:00:00Z")).bookedOn(LocalDate.of(2026, 4, 1)));

        Path file = write(lines);

        Golden.assertSameBytes(file, "csv.csv", StandardCharsets.UTF_8);
        assertThat(Files.readAllBytes(file)).startsWith("lineId,".getBytes(StandardCharsets.US_ASCII)); // no BOM
    }

    @Test
    void theHeaderNamesEveryPayrollLineFieldInOrderThenTheBookedDate() {
        String fields = Arrays.stream(PayrollLine.class.getRecordComponents())
                .map(RecordComponent::getName).collect(Collectors.joining(","));

        assertThat(CsvFormat.HEADER).isEqualTo(fields + ",bookedDate");
    }

    @Test
    void aDropWithoutLinesIsTheHeaderOnly() throws IOException {
        Path file = write(List.of());

        assertThat(file).hasBinaryContent((CsvFormat.HEADER + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void isUtf8AndNamedByTheFileConvention() {
        CsvFormat format = new CsvFormat();

        assertThat(format.charset()).isEqualTo(StandardCharsets.UTF_8);
        assertThat(AtomicDropFile.fileName(format.target(), "acme", Instant.parse("2025-03-04T05:06:07.890Z"), "run-42"))
                .isEqualTo("csv_acme_20250304T050607Z_run-42.csv");
    }

    @Test
    void refusesACancellationAndAMissingQuantity() {
        StringWriter out = new StringWriter();
        PayrollLine l = line("time:a", "1", "2025-03-03", "1000", "1", null, null, null, null, "time", "a", null);

        assertThatThrownBy(() -> new CsvFormat().writeLine(new DropLine(l, "D-1", true), out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cancellation");
        assertThatThrownBy(() -> new CsvFormat().writeLine(DropLine.of(l.withQuantity(null)), out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("quantity");
        assertThat(out.toString()).isEmpty();
    }

    private static PayrollLine line(String lineId, String employee, String date, String wageType, String qty,
                                    String project, String task, String department, String text,
                                    String source, String sourceId, String modified) {
        return new PayrollLine(lineId, employee, LocalDate.parse(date), wageType, new BigDecimal(qty), project, task,
                department, text, source, sourceId, modified == null ? null : Instant.parse(modified));
    }

    private Path write(List<DropLine> lines) throws IOException {
        Path folder = Files.createTempDirectory(dir, "drop");
        AtomicDropFile drop = AtomicDropFile.open(folder, "csv.csv", new CsvFormat());
        for (DropLine l : lines) {
            drop.append(l);
        }
        drop.close();
        AtomicDropFile.publish(drop.tempPath(), drop.finalPath());
        return drop.finalPath();
    }
}
