package no.ditiosync.drops;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;
import no.ditiosync.payroll.PayrollLine;

/**
 * Generic CSV for BI and other ERPs (docs/output-formats.md, "Generic CSV"): every payroll-line field
 * under a header row of the field names, RFC 4180 (separator {@code ,}, quotes only where needed,
 * CRLF), UTF-8 without BOM, decimal point, ISO dates. {@code bookedDate} is the day the line is
 * booked on: its work date, or the first open day when the work date lies in a closed payroll period
 * (PAYROLL_CLOSED_THROUGH); {@code workDate} always stays the day worked.
 *
 * <p>Corrections are offsetting lines with the same {@code lineId} (style OFFSET): summing
 * {@code quantity} by {@code lineId} gives the current truth, which is what a BI reader wants.
 *
 * <p>Text goes through {@link TextCleaner#forSpreadsheet} (one line, no control characters, formula
 * prefix) without a width, since a CSV has none. Keys and lineage ({@code lineId},
 * {@code employeeNumber}, {@code wageType}, {@code source}, {@code sourceId}) stay exactly as they
 * are, so they still join back to Ditio; they only get the formula prefix. The numbers
 * ({@code quantity}, dates) are written by us and left alone, so {@code -1.50} stays a number.
 */
public final class CsvFormat extends DelimitedFormat {

    static final String HEADER = "lineId,employeeNumber,workDate,wageType,quantity,projectNumber,taskNumber,"
            + "department,text,source,sourceId,sourceModified,bookedDate";

    private static final char SEPARATOR = ',';

    public CsvFormat() {
        super("csv", StandardCharsets.UTF_8, HEADER);
    }

    @Override
    public void writeLine(DropLine drop, Writer out) throws IOException {
        PayrollLine line = offsettingLine(drop, "the CSV");
        StringJoiner f = new StringJoiner(",", "", "\r\n");
        f.add(verbatim(line.lineId()));
        f.add(verbatim(line.employeeNumber()));
        f.add(line.workDate() == null ? "" : line.workDate().toString());                 // ISO yyyy-MM-dd
        f.add(verbatim(line.wageType()));
        f.add(hours(line.quantity()));
        f.add(text(line.projectNumber()));
        f.add(text(line.taskNumber()));
        f.add(text(line.department()));
        f.add(text(line.text()));
        f.add(verbatim(line.source()));
        f.add(verbatim(line.sourceId()));
        f.add(line.sourceModified() == null ? "" : line.sourceModified().toString());     // ISO instant, UTC
        f.add(drop.booked() == null ? "" : drop.booked().toString());
        out.write(f.toString());
    }

    private static String text(String value) {
        return TextCleaner.quoteIfNeeded(TextCleaner.forSpreadsheet(value, Integer.MAX_VALUE), SEPARATOR);
    }

    /**
     * As it is, but with a lone surrogate (UTF-8 cannot hold it; the writer would refuse the whole
     * drop) replaced, and the formula prefix.
     */
    private static String verbatim(String value) {
        String encodable = value == null ? null : TextCleaner.toCharset(value, StandardCharsets.UTF_8);
        return TextCleaner.quoteIfNeeded(TextCleaner.neutralise(encodable), SEPARATOR);
    }
}
