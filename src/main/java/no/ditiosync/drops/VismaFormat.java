package no.ditiosync.drops;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import no.ditiosync.payroll.PayrollLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Visma Lønn standard import format, also accepted by Visma.net Payroll (docs/output-formats.md, "Visma"):
 * 17 fields separated by {@code ;}, no header, text fields always quoted, numbers bare with a
 * decimal point, CRLF. Corrections arrive as negative quantities; there is no date field.
 */
public final class VismaFormat extends DelimitedFormat {

    public static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

    /**
     * Width we allow for department and project. Visma does not publish one for the import file;
     * 30 holds every code we have seen and keeps a pasted description from becoming a "project".
     * A longer project number is refused ({@link #refusal}); a longer department is cut ({@link #shortened}).
     */
    static final int DIMENSION_WIDTH = 30;
    /** How many departments the log line of {@link #shortened} names, of each kind. */
    private static final int NAMED = 10;

    private static final Logger LOG = LoggerFactory.getLogger(VismaFormat.class);
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");
    private static final Pattern EMPLOYEE_NUMBER = Pattern.compile("[0-9]{1,8}");
    private static final String ZERO = "0.00";

    private final int payrollYear;
    private final int payrollRun;

    /** Visma.net Payroll: year and run are chosen in the import wizard, so both are 0; windows-1252. */
    public VismaFormat() {
        this(0, 0, WINDOWS_1252);
    }

    /**
     * @param payrollYear desktop Visma Lønn payroll year, or 0 for Visma.net Payroll
     * @param payrollRun  desktop Visma Lønn payroll run number, or 0 for Visma.net Payroll
     * @param charset     windows-1252 (Visma's default) or UTF-8 (a setting in newer versions)
     */
    public VismaFormat(int payrollYear, int payrollRun, Charset charset) {
        super("visma", checked(charset), null);
        if (payrollYear < 0 || payrollRun < 0) {
            throw new IllegalArgumentException("payroll year and run must be 0 or positive: " + payrollYear + "/" + payrollRun);
        }
        this.payrollYear = payrollYear;
        this.payrollRun = payrollRun;
    }

    private static Charset checked(Charset charset) {
        if (!WINDOWS_1252.equals(charset) && !StandardCharsets.UTF_8.equals(charset)) {
            throw new IllegalArgumentException("Visma reads windows-1252 or UTF-8, not " + charset);
        }
        return charset;
    }

    /** No date field: the payroll period is chosen at import, so a closed period changes nothing here. */
    @Override
    public boolean carriesDate() {
        return false;
    }

    @Override
    public boolean showsTask() {
        return false;
    }

    @Override
    public String departmentShown(String department) {
        return shown(department, DIMENSION_WIDTH);
    }

    @Override
    public void writeLine(DropLine drop, Writer out) throws IOException {
        PayrollLine line = offsettingLine(drop, "Visma");
        StringJoiner f = new StringJoiner(";", "", "\r\n");
        f.add(Integer.toString(payrollYear));                              // 1 payroll year
        f.add(Integer.toString(payrollRun));                               // 2 payroll run number
        f.add(digits("employee number", line.employeeNumber()));           // 3
        f.add(digits("wage type", line.wageType()));                       // 4
        f.add(ZERO);                                                       // 5 basis
        f.add(hours(line.quantity()));                                     // 6 quantity, negative = correction
        f.add(ZERO);                                                       // 7 rate: from the employee setup
        f.add(ZERO);                                                       // 8 amount: from the wage-type setup
        f.add("");                                                         // 9 account
        f.add("");                                                         // 10 balancing account
        f.add(text(line, line.department()));                              // 11 department
        f.add(text(line, project(line)));                                  // 12 project
        f.add("\"\"").add("\"\"").add("\"\"");                             // 13-15 extra 1-3
        f.add("\"\"");                                                     // 16 campaign
        f.add("");                                                         // 17 tax deduction code
        out.write(f.toString());
    }

    /**
     * An employee number Visma cannot take, and a project number it could only take altered: cut to the
     * field, or with a character the file's charset lacks replaced, two projects would book together, so
     * the record is quarantined with this reason instead (as SAP's POSID).
     */
    @Override
    public String refusal(PayrollLine line) {
        if (!EMPLOYEE_NUMBER.matcher(line.employeeNumber()).matches()) {
            return "employee number '" + line.employeeNumber() + "' is not 1-8 digits (Visma's employee number)";
        }
        String tooLong = projectTooLong(line);
        return tooLong != null ? tooLong : keyNotInCharset("project number", line.projectNumber(), "Visma", "PAYROLL_VISMA_ENCODING");
    }

    private static String projectTooLong(PayrollLine line) {
        String cleaned = TextCleaner.clean(line.projectNumber(), Integer.MAX_VALUE);
        return cleaned.codePointCount(0, cleaned.length()) > DIMENSION_WIDTH
                ? "project number '" + line.projectNumber() + "' is longer than Visma's project field ("
                + DIMENSION_WIDTH + " characters)"
                : null;
    }

    /**
     * The project as written. A line the ledger holds from before a character the charset lacks was
     * refused is still written fitted (as it was delivered), so its correction offsets it in Visma.
     */
    private String project(PayrollLine line) {
        String refusal = projectTooLong(line);
        if (refusal != null) {
            // a key is never cut: the mapping quarantines such a record before it becomes a line
            throw new IllegalArgumentException(refusal);
        }
        return line.projectNumber();
    }

    /**
     * Departments longer than the field go to Visma cut to its width. A department is the user's (a
     * name in Ditio, set by people), not the registration's: refusing it would quarantine every line
     * of its users and hold back their pay over a cost label. So it is cut, and every run says so in
     * this line, loudest where two departments become one in Visma (their hours then book together
     * there): the fix is a shorter name in Ditio, which maps their lines again.
     *
     * @return null when every department fits
     */
    @Override
    public String shortened(Collection<String> departments) {
        Map<String, SortedSet<String>> byVismaValue = new TreeMap<>();
        for (String department : departments) {
            if (department != null && !department.isBlank()) {
                byVismaValue.computeIfAbsent(TextCleaner.clean(department, DIMENSION_WIDTH), k -> new TreeSet<>())
                        .add(TextCleaner.clean(department, Integer.MAX_VALUE));
            }
        }
        List<String> cut = new ArrayList<>();
        List<String> merged = new ArrayList<>();
        byVismaValue.forEach((vismaValue, wholes) -> {
            wholes.stream().filter(whole -> !whole.equals(vismaValue))
                    .forEach(whole -> cut.add("'" + whole + "' as '" + vismaValue + "'"));
            if (wholes.size() > 1) {
                merged.add(String.join(" and ", wholes.stream().map(w -> "'" + w + "'").toList()) + " as '"
                        + vismaValue + "'");
            }
        });
        if (cut.isEmpty()) {
            return null;
        }
        return "Visma's department field holds " + DIMENSION_WIDTH + " characters: " + cut.size()
                + " department(s) go to Visma cut, " + named(cut)
                + (merged.isEmpty() ? "" : "; so these departments become one in Visma, their hours booked together: "
                + named(merged))
                + "; give them names of at most " + DIMENSION_WIDTH + " characters in Ditio";
    }

    private static String named(List<String> items) {
        return String.join(", ", items.subList(0, Math.min(NAMED, items.size())))
                + (items.size() > NAMED ? " and " + (items.size() - NAMED) + " more" : "");
    }

    /** Why Visma cannot take {@code wageType} (field 4 is an unquoted number), or null when it can. */
    public static String wageTypeProblem(String wageType) {
        return wageType != null && DIGITS.matcher(wageType).matches() ? null : "Visma wage types are numbers (digits only)";
    }

    /** Numeric fields are unquoted, so anything but digits would break the line or the import. */
    private static String digits(String what, String value) {
        if (value == null || !DIGITS.matcher(value).matches()) {
            throw new IllegalArgumentException("Visma " + what + " must be digits only: '" + value + "'");
        }
        return value;
    }

    /** Cleaned, fitted to the file's charset ({@link #fitted}) and quoted. */
    private String text(PayrollLine line, String value) {
        return TextCleaner.quoteAlways(fitted(TextCleaner.clean(value, DIMENSION_WIDTH), line, LOG, "Visma"));
    }
}
