package no.ditiosync.drops;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.StringJoiner;
import java.util.regex.Pattern;
import no.ditiosync.payroll.PayrollLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tripletex salary import, "Lønn > Import" (docs/output-formats.md, "Tripletex"):
 * {@code YEAR;MONTH;EMPLOYEE NUMBER;WAGE TYPE NUMBER;COMMENT;QUANTITY;RATE;PROJECT NUMBER;DEPARTMENT NUMBER},
 * separator {@code ;}, no header row (the import is run with "Ignorer første rad" off), decimal
 * point, CRLF. Corrections arrive as negative quantities.
 *
 * <p>Choices where the spec is silent:
 * <ul>
 * <li>YEAR and MONTH are the year and month of the work date, month as two digits ({@code 03}):
 *     Tripletex creates one salary payment "under bearbeiding" per period found in the file, so
 *     each line carries its own period and the payroll office sees hours under the month worked.</li>
 * <li>RATE is empty, never {@code 0.00}: an empty rate lets Tripletex take the employee's and wage
 *     type's own rate, where a written zero could pay the hours at zero.</li>
 * <li>Text fields are quoted per RFC 4180 only when needed, as in the SAP file; Tripletex reads
 *     the CSV the way spreadsheet exports write it.</li>
 * <li>The charset is chosen at import ("Tegnsett"), so it is a setting here: UTF-8 by default,
 *     windows-1252 for imports set to a Windows code page.</li>
 * <li>A line whose work date lies in a closed payroll period (PAYROLL_CLOSED_THROUGH) carries the
 *     YEAR and MONTH of the first open day, and its COMMENT starts with the work date it is for.</li>
 * </ul>
 */
public final class TripletexFormat extends DelimitedFormat {

    public static final Charset WINDOWS_1252 = VismaFormat.WINDOWS_1252;

    /** Width of the comment. Tripletex publishes none; 100 keeps a pasted description from filling the payslip. */
    static final int COMMENT_WIDTH = 100;

    private static final Logger LOG = LoggerFactory.getLogger(TripletexFormat.class);
    // Keys are looked up in Tripletex and never cleaned (an altered key books onto the wrong
    // employee or wage type): printable ASCII without blank, ; and ", starting with a letter or
    // digit, so a key can neither break the line nor read as a formula.
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][!#-:<-~]*");

    /** UTF-8, for an import whose "Tegnsett" is automatic or UTF-8. */
    public TripletexFormat() {
        this(StandardCharsets.UTF_8);
    }

    /** @param charset UTF-8 or windows-1252, whichever the Tripletex import is set to read */
    public TripletexFormat(Charset charset) {
        super("tripletex", checked(charset), null); // no header row
    }

    private static Charset checked(Charset charset) {
        if (!WINDOWS_1252.equals(charset) && !StandardCharsets.UTF_8.equals(charset)) {
            throw new IllegalArgumentException("Tripletex drops are written in UTF-8 or windows-1252, not " + charset);
        }
        return charset;
    }

    /**
     * An employee number that is not a plain key would fail the drop of the whole run, and a project
     * number the charset cannot hold would book onto another project: their records wait in quarantine.
     */
    @Override
    public String refusal(PayrollLine line) {
        return KEY.matcher(line.employeeNumber()).matches()
                ? keyNotInCharset("project number", line.projectNumber(), "Tripletex", "PAYROLL_TRIPLETEX_ENCODING")
                : "employee number '" + line.employeeNumber()
                + "' is not a Tripletex key (printable ASCII without blanks, ; or \", starting with a letter or digit)";
    }

    @Override
    public boolean showsTask() {
        return false;
    }

    @Override
    public String departmentShown(String department) {
        return shown(department, Integer.MAX_VALUE);
    }

    @Override
    public void writeLine(DropLine drop, Writer out) throws IOException {
        PayrollLine line = offsettingLine(drop, "Tripletex");
        LocalDate date = workDate(drop.booked());
        StringJoiner f = new StringJoiner(";", "", "\r\n");
        f.add(Integer.toString(date.getYear()));                            // YEAR
        f.add(date.getMonthValue() < 10 ? "0" + date.getMonthValue() : Integer.toString(date.getMonthValue())); // MONTH
        f.add(key("employee number", line.employeeNumber()));               // EMPLOYEE NUMBER
        f.add(key("wage type number", line.wageType()));                    // WAGE TYPE NUMBER
        f.add(text(line, drop.labelledText(), COMMENT_WIDTH));              // COMMENT (the work date when booked later)
        f.add(hours(line.quantity()));                                      // QUANTITY, negative = correction
        f.add("");                                                          // RATE: from the employee and wage type
        f.add(text(line, line.projectNumber(), Integer.MAX_VALUE));         // PROJECT NUMBER
        f.add(text(line, line.department(), Integer.MAX_VALUE));            // DEPARTMENT NUMBER
        out.write(f.toString());
    }

    private static LocalDate workDate(LocalDate date) {
        if (date == null) {
            throw new IllegalArgumentException("Tripletex YEAR and MONTH need a work date");
        }
        if (date.getYear() < 1000 || date.getYear() > 9999) {
            throw new IllegalArgumentException("Tripletex YEAR must have four digits: " + date);
        }
        return date;
    }

    private static String key(String what, String value) {
        if (value == null || !KEY.matcher(value).matches()) {
            throw new IllegalArgumentException("Tripletex " + what + " must be printable ASCII without blanks, ; or \","
                    + " starting with a letter or digit: '" + value + "'");
        }
        return value;
    }

    /**
     * Cleaned (one line, no control characters), fitted to the charset as
     * {@link VismaFormat} does, and quoted only when a reader would otherwise misread it.
     * Project and department are not cut: a shortened number would name another project.
     */
    private String text(PayrollLine line, String value, int width) {
        return TextCleaner.quoteIfNeeded(fitted(TextCleaner.clean(value, width), line, LOG, "Tripletex"));
    }
}
