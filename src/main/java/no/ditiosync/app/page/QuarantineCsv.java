package no.ditiosync.app.page;

import no.ditiosync.drops.TextCleaner;
import no.ditiosync.state.StatusQueries;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;

/**
 * The open quarantine as CSV (RFC 4180: ',', CRLF, a header row, UTF-8), for the page's download and
 * the status command's file. Text goes through the drops' spreadsheet cleaning, so a description
 * starting with '=' is not run as a formula by whoever opens the file; values we write ourselves
 * (numbers, dates) are left alone, so a negative number of hours stays a number.
 */
public final class QuarantineCsv {

    /** The page's columns: every record as Ditio sent it, why it is held, and since which run. */
    static final String PAGE_HEADER = "feed,recordId,workerName,employeeNumber,workDate,hours,projectNumber,taskNumber,"
            + "description,reason,firstRunId,lastRunId";

    private final Writer out;

    public QuarantineCsv(Writer out, String header) throws IOException {
        this.out = out;
        out.write(header + "\r\n");
    }

    /** A record in the page's columns. */
    void write(StatusQueries.QuarantinedRecord r) {
        row(r.feed(), r.recordId(), r.userName(), r.employeeNumber(), r.workDate() != null ? r.workDate() : r.workDateText(),
                r.hours() == null ? null : r.hours().stripTrailingZeros(), r.projectNumber(), r.taskNumber(),
                r.description(), r.reason(), r.firstRunId(), r.lastRunId());
    }

    /** One row: a String is text (cleaned, quoted if needed), anything else a value as written, null empty. */
    public void row(Object... cells) {
        StringBuilder line = new StringBuilder(256);
        for (int i = 0; i < cells.length; i++) {
            line.append(i == 0 ? "" : ",").append(cell(cells[i]));
        }
        try {
            out.write(line.append("\r\n").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String cell(Object value) {
        if (value instanceof String text) {
            return TextCleaner.quoteIfNeeded(TextCleaner.forSpreadsheet(text, Integer.MAX_VALUE), ',');
        }
        return value == null ? "" : value instanceof BigDecimal n ? n.toPlainString() : value.toString();
    }
}
