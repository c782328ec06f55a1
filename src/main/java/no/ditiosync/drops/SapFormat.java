package no.ditiosync.drops;

import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.StringJoiner;
import java.util.regex.Pattern;
import no.ditiosync.payroll.PayrollDaySplitter;
import no.ditiosync.payroll.PayrollLine;

/**
 * SAP CATS-style time sheet upload (docs/output-formats.md, "SAP"): a file the customer's load program
 * feeds to BAPI_CATIMESHEETMGR_INSERT / IDoc CATS_INSERT. Header row, {@code ;}, UTF-8 without BOM,
 * CRLF, RFC 4180 quoting where needed. Corrections are a cancellation ({@code STOKZ = X}) of the
 * earlier document number followed by a new document; hours are never negative here. A line whose
 * work date lies in a closed payroll period (PAYROLL_CLOSED_THROUGH) has the first open day as its
 * WORKDATE, its cancellation too, and LTXA1 starts with the work date it is for.
 */
public final class SapFormat extends DelimitedFormat {

    static final String HEADER = "EXTSYSTEM;EXTDOCUMENTNO;STOKZ;PERNR;WORKDATE;LGART;CATSHOURS;MEINH;POSID;LTXA1";

    private static final int DOCUMENT_NUMBER_WIDTH = 20;
    private static final int TEXT_WIDTH = 40;        // LTXA1, CATS short text: 40 places, an emoji takes two
    private static final int PROJECT_WIDTH = 24;     // POSID, external WBS element number
    private static final Pattern PERNR = Pattern.compile("[0-9]{1,8}");
    private static final Pattern WAGE_TYPE = Pattern.compile("[A-Za-z0-9]{1,4}"); // LGART is CHAR 4
    // printable ASCII without ; and ", starting with a letter or digit (so never formula-like):
    // a cancellation must match the earlier document byte for byte
    private static final Pattern DOCUMENT_NUMBER =
            Pattern.compile("[A-Za-z0-9][!#-:<-~]{0," + (DOCUMENT_NUMBER_WIDTH - 1) + "}");
    private static final DateTimeFormatter WORKDATE = DateTimeFormatter.ofPattern("uuuuMMdd");

    public SapFormat() {
        super("sap", StandardCharsets.UTF_8, HEADER);
    }

    @Override
    public boolean writesCancellations() {
        return true;
    }

    /** No field for a task (POSID is the project's WBS element). */
    @Override
    public boolean showsTask() {
        return false;
    }

    /** No field for a department. */
    @Override
    public boolean showsDepartment() {
        return false;
    }

    @Override
    public void writeLine(DropLine drop, Writer out) throws IOException {
        PayrollLine line = drop.line();
        StringJoiner f = new StringJoiner(";", "", "\r\n");
        f.add("DITIO");                                             // EXTSYSTEM
        f.add(documentNumber(drop.documentNumber()));               // EXTDOCUMENTNO
        f.add(drop.cancellation() ? "X" : "");                      // STOKZ
        f.add(pernr(line.employeeNumber()));                        // PERNR
        f.add(workDate(drop.booked()));                             // WORKDATE: the first open day after a closed period
        f.add(wageType(line.wageType()));                           // LGART
        f.add(hours(line));                                         // CATSHOURS: a cancellation repeats the cancelled hours
        f.add("H");                                                 // MEINH
        f.add(TextCleaner.quoteIfNeeded(project(line)));            // POSID
        f.add(TextCleaner.quoteIfNeeded(TextCleaner.cleanToUtf16Units(drop.labelledText(), TEXT_WIDTH))); // LTXA1
        out.write(f.toString());
    }

    // Keys are validated, never cleaned: a silently altered key books onto the wrong record.

    private static String documentNumber(String value) {
        if (value == null || !DOCUMENT_NUMBER.matcher(value).matches()) {
            throw new IllegalArgumentException("SAP EXTDOCUMENTNO must be 1-" + DOCUMENT_NUMBER_WIDTH
                    + " printable ASCII characters without ; or \", starting with a letter or digit: '" + value + "'");
        }
        return value;
    }

    private static String pernr(String value) {
        if (value == null || !PERNR.matcher(value).matches()) {
            throw new IllegalArgumentException("SAP PERNR must be 1-8 digits: '" + value + "'");
        }
        return "0".repeat(8 - value.length()) + value;
    }

    private static String workDate(LocalDate date) {
        if (date == null) {
            throw new IllegalArgumentException("SAP WORKDATE is missing");
        }
        return WORKDATE.format(date);
    }

    /** Why SAP cannot take {@code wageType} (LGART is CHAR 4), or null when it can. */
    public static String wageTypeProblem(String wageType) {
        return wageType != null && WAGE_TYPE.matcher(wageType).matches() ? null : "SAP's LGART has at most 4 characters";
    }

    private static String wageType(String value) {
        if (value == null || !WAGE_TYPE.matcher(value).matches()) {
            throw new IllegalArgumentException("SAP LGART must be 1-4 letters or digits: '" + value + "'");
        }
        return value;
    }

    private static String hours(PayrollLine line) {
        BigDecimal quantity = line.quantity();
        // a deduction of overtime from ordinary hours (PAYROLL_SOURCE=time+overtime) is a document of minus hours
        if (quantity == null || quantity.signum() < 0 && !PayrollDaySplitter.isDeduction(line.lineId())) {
            // other negative hours mean an offsetting correction reached a cancel-and-rebook target
            throw new IllegalArgumentException("SAP CATSHOURS must be zero or positive: " + quantity);
        }
        return hours(quantity);
    }

    @Override
    public String refusal(PayrollLine line) {
        if (!PERNR.matcher(line.employeeNumber()).matches()) {
            return "employee number '" + line.employeeNumber() + "' is not 1-8 digits (SAP's PERNR)";
        }
        String cleaned = TextCleaner.clean(line.projectNumber(), Integer.MAX_VALUE);
        return cleaned.codePointCount(0, cleaned.length()) > PROJECT_WIDTH
                ? "project number '" + line.projectNumber() + "' is longer than SAP's POSID (" + PROJECT_WIDTH + " characters)"
                : null;
    }

    private String project(PayrollLine line) {
        String refusal = refusal(line);
        if (refusal != null) {
            throw new IllegalArgumentException(refusal);
        }
        return TextCleaner.clean(line.projectNumber(), Integer.MAX_VALUE);
    }
}
