package no.ditiosync.app.page;

import no.ditiosync.drops.TextCleaner;
import no.ditiosync.state.StatusQueries;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;

/**
 * The open quarantine as CSV (RFC 4180: ',', CRLF, a header row, UTF-8): every record as Ditio sent it
 * and why it is held. Text goes through the drops' spreadsheet cleaning, so a description starting
 * with '=' is not run as a formula by whoever opens the file.
 */
final class QuarantineCsv {

    static final String HEADER = "feed,recordId,workerName,employeeNumber,workDate,hours,projectNumber,taskNumber,"
            + "description,reason,firstRunId,lastRunId\r\n";

    private final Writer out;

    QuarantineCsv(Writer out) throws IOException {
        this.out = out;
        out.write(HEADER);
    }

    void write(StatusQueries.QuarantinedRecord r) {
        StringBuilder line = new StringBuilder(256);
        line.append(text(r.feed())).append(',').append(text(r.recordId())).append(',').append(text(r.userName()))
                .append(',').append(text(r.employeeNumber())).append(',')
                .append(r.workDate() != null ? r.workDate().toString() : text(r.workDateText())).append(',')
                .append(number(r.hours())).append(',').append(text(r.projectNumber())).append(',')
                .append(text(r.taskNumber())).append(',').append(text(r.description())).append(',')
                .append(text(r.reason())).append(',').append(text(r.firstRunId())).append(',')
                .append(text(r.lastRunId())).append("\r\n");
        try {
            out.write(line.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(String value) {
        return value == null ? "" : TextCleaner.quoteIfNeeded(TextCleaner.forSpreadsheet(value, Integer.MAX_VALUE), ',');
    }

    private static String number(BigDecimal value) {
        return value == null ? "" : value.stripTrailingZeros().toPlainString();
    }
}
