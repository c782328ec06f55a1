package no.ditiosync.payroll;

import no.ditiosync.ditio.DitioDates;
import no.ditiosync.ditio.TimeRegistration;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Turns a Ditio time registration (or absence: {@link TimeRegistration#source}) into what payroll should hold for it: a payroll line, nothing
 * (held, before start, deleted), or a quarantine reason. Pure: same record, settings and day, same answer.
 */
public final class PayrollLineMapper {

    public static final String SOURCE_TIME = "time";
    public static final String MISSING_ID_PREFIX = "missing-id-";
    public static final String MISSING_ID = "missing id";
    /** How the reason of an unparseable modifiedDateTime begins: the quarantine keeps no such time, only none. */
    public static final String UNPARSEABLE_MODIFIED = "unparseable modifiedDateTime '";
    private static final BigDecimal MAX_HOURS_PER_DAY = BigDecimal.valueOf(24);
    /**
     * What every target can hold: the ledger's and {@code payroll_line}'s column is 16 characters wide. Visma
     * and SAP want 1-8 digits, Tripletex a plain key: their own refusals quarantine what they cannot take
     * while they are targets. Compiled once: String.matches compiles its pattern on every call.
     */
    private static final Pattern EMPLOYEE_NUMBER = Pattern.compile("\\P{Cc}{1,16}");

    private final WageTypeMapping wageTypes;
    private final ApprovalGate gate;
    private final LocalDate startDate;
    private final FutureBound future;
    private final Function<PayrollLine, String> targetsRefuse;
    /** The time registration fields beyond its own columns that the mapping tests. */
    private final java.util.List<String> testedTimeFields;

    /**
     * How far ahead of today a work date may lie (PAYROLL_MAX_FUTURE_DAYS): a record dated later is
     * quarantined, and delivered once its date is within reach (quarantined records are mapped again
     * every run) or Ditio corrects it.
     *
     * @param today the day it is, in the company's time zone (SYNC_TIME_ZONE)
     */
    public record FutureBound(int maxDays, Supplier<LocalDate> today) {
        /** No bound: for a mapper that only maps (tests of the mapping itself). */
        public static final FutureBound NONE = new FutureBound(Integer.MAX_VALUE, () -> LocalDate.MIN);

        LocalDate latest() {
            return maxDays == Integer.MAX_VALUE ? LocalDate.MAX : today.get().plusDays(maxDays);
        }
    }

    public PayrollLineMapper(WageTypeMapping wageTypes, ApprovalGate gate, LocalDate startDate) {
        this(wageTypes, gate, startDate, FutureBound.NONE, line -> null);
    }

    /**
     * @param targetsRefuse why one of the configured targets cannot carry a line (a key too long to
     *                      keep whole), or null: such a record is quarantined with the reason
     */
    public PayrollLineMapper(WageTypeMapping wageTypes, ApprovalGate gate, LocalDate startDate, FutureBound future,
                             Function<PayrollLine, String> targetsRefuse) {
        this.wageTypes = wageTypes;
        this.gate = gate;
        this.startDate = startDate;
        this.future = future;
        this.targetsRefuse = targetsRefuse;
        this.testedTimeFields = java.util.List.copyOf(wageTypes.testedFields(SOURCE_TIME));
    }

    /**
     * A time registration's fields that the mapping tests beyond its own columns (unitName,
     * resourceNumber, projectExternalNumber), put where the mapping reads them and the state DB keeps
     * them ({@link TimeRegistration#codes}), so the record maps the same when mapped again from there.
     */
    public void keepTestedFields(TimeRegistration r) {
        if (!SOURCE_TIME.equals(r.source)) {
            return;
        }
        for (String field : testedTimeFields) {
            String value = switch (field) {
                case "unitName" -> r.unitName;
                case "resourceNumber" -> r.resourceNumber;
                case "projectExternalNumber" -> r.projectExternalNumber;
                default -> null;
            };
            if (value != null) {
                r.codes.put(field, value);
            }
        }
    }

    /** The fields that give a record its work date, as Ditio names them in each feed, lower case (read in any case). */
    private static final java.util.Set<String> DATE_FIELDS = java.util.Set.of("workdate", "date", "transdatetime");

    /**
     * A record with a field that cannot be read (those that did not bind, {@link TimeRegistration#unreadableFields},
     * and {@code field}, one that bound but does not parse) is quarantined, and a line delivered for it keeps what was
     * paid meanwhile (DeltaMerge). Unless what can be read says it is no line at all: not approved (by the flags the
     * gate reads, read whole), or dated before the start date. Then it is no line, as if it could be read whole, and
     * a line delivered for it is taken back.
     */
    private MappingResult quarantinedUnlessNoLine(TimeRegistration r, String field, String reason) {
        java.util.Set<String> bad = new java.util.HashSet<>(r.unreadableFields);
        if (field != null) {
            bad.add(field.toLowerCase(java.util.Locale.ROOT));
        }
        if (!bad.contains("?") && bad.stream().noneMatch(gate::reads) && !gate.passes(r.approved, r.payrollApproved)) {
            return MappingResult.of(MappingResult.Status.HELD);
        }
        if (!bad.contains("?") && bad.stream().noneMatch(DATE_FIELDS::contains)) {
            try {
                LocalDate day = DitioDates.date(r.workDate);
                if (day != null && day.isBefore(startDate)) {
                    return MappingResult.of(MappingResult.Status.BEFORE_START);
                }
            } catch (DateTimeParseException e) {
                // no date to tell by: quarantined with the first reason
            }
        }
        return MappingResult.quarantined(reason);
    }

    /** Hours as a line pays them: two decimals, half up. */
    static BigDecimal paid(BigDecimal hours) {
        return hours.setScale(2, RoundingMode.HALF_UP);
    }

    public MappingResult map(TimeRegistration r, EmployeeDirectory employees) {
        boolean keyed = r.id != null && !r.id.isBlank() && !r.id.startsWith(MISSING_ID_PREFIX);
        if (r.isDeleted && keyed) {
            // gone, whatever else it holds: a record quarantined under a key made from its id leaves with it
            return MappingResult.of(MappingResult.Status.DELETED);
        }
        // first what was wrong as sent: an id of the wrong type ({"a":1}) is unreadable, and so missing
        if (r.unreadable != null) {
            return keyed ? quarantinedUnlessNoLine(r, null, r.unreadable) : MappingResult.quarantined(r.unreadable);
        }
        if (!keyed) {
            return MappingResult.quarantined(MISSING_ID);
        }
        LocalDate workDate;
        Instant modified;
        try {
            workDate = DitioDates.date(r.workDate);
        } catch (DateTimeParseException e) {
            return quarantinedUnlessNoLine(r, "workDate", "unparseable workDate '" + e.getParsedString() + "'");
        }
        try {
            modified = DitioDates.instant(r.modifiedDateTime);
        } catch (DateTimeParseException e) {
            return quarantinedUnlessNoLine(r, "modifiedDateTime", UNPARSEABLE_MODIFIED + e.getParsedString() + "'");
        }
        if (workDate == null) {
            return quarantinedUnlessNoLine(r, "workDate", "missing workDate");
        }
        if (workDate.isBefore(startDate)) {
            return MappingResult.of(MappingResult.Status.BEFORE_START);
        }
        if (!gate.passes(r.approved, r.payrollApproved)) {
            return MappingResult.of(MappingResult.Status.HELD);
        }
        if (workDate.isAfter(future.latest())) {
            return MappingResult.quarantined("work date " + workDate + " is more than " + future.maxDays()
                    + " days in the future (PAYROLL_MAX_FUTURE_DAYS)");
        }
        if (r.qty == null) {
            return MappingResult.quarantined("missing hours (qty)");
        }
        BigDecimal hours = paid(r.qty);
        String kind = r.codes.get(PayrollDaySplitter.KIND);
        // a deduction takes overtime hours out of the ordinary ones: its quantity is negative by design
        BigDecimal checked = PayrollDaySplitter.DEDUCTION.equals(kind) ? hours.negate() : hours;
        if (checked.signum() < 0 || checked.compareTo(MAX_HOURS_PER_DAY) > 0) {
            return MappingResult.quarantined("hours " + hours.toPlainString() + " outside 0-24 for one day");
        }
        EmployeeDirectory.Employee employee = employees.byIdentityUserId(r.userId);
        String employeeNumber = unpadded(r.userEmployeeNumber);
        if (employeeNumber == null && employee != null) {
            employeeNumber = unpadded(employee.employeeNumber());
        }
        if (employeeNumber == null) {
            return MappingResult.quarantined("no employee number for userId " + r.userId + (employees.rowUnreadable(r.userId)
                    ? " (not on the registration; its /v1/user row could not be read)" : " (not on the registration, not in /v1/user)"));
        }
        // length() too: the ledger's VARCHAR(16) counts UTF-16 units on H2, two for a character beyond U+FFFF
        if (employeeNumber.length() > 16 || !EMPLOYEE_NUMBER.matcher(employeeNumber).matches()) {
            return MappingResult.quarantined("employee number '" + employeeNumber + "' is longer than 16 characters"
                    + " or holds a control character");
        }
        Optional<String> wageType = kind == null ? wageTypes.wageType(r.source, field -> switch (field) {
            case "taskWbsNumber" -> r.taskWbsNumber;
            case "projectNumber" -> r.projectNumber;
            default -> r.codes.get(field);
        }) : PayrollDaySplitter.OVERTIME.equals(kind) ? wageTypes.wageType(PayrollDaySplitter.OVERTIME, r.codes::get)
                // ordinary hours, and their deduction, under the wage type of a time registration with nothing special
                : wageTypes.wageType(SOURCE_TIME, field -> null);
        if (PayrollDaySplitter.DEDUCTION.equals(kind) && wageTypes.wageType(PayrollDaySplitter.OVERTIME, r.codes::get).isEmpty()) {
            // hours taken out of ordinary pay only while their overtime line can be paid: never paid less
            return MappingResult.quarantined("no wage type in " + wageTypes.origin()
                    + " for the overtime line this deduction belongs to (" + codes(r) + ")");
        }
        if (wageType.isEmpty()) {
            return MappingResult.quarantined("no wage type in " + wageTypes.origin() + " for " + r.source + " ("
                    + (SOURCE_TIME.equals(r.source) ? "taskWbsNumber=" + r.taskWbsNumber + ", projectNumber=" + r.projectNumber
                    : codes(r)) + ")");
        }
        PayrollLine line = new PayrollLine(r.source + ":" + r.id, employeeNumber, workDate, wageType.get(),
                hours, blankToNull(r.projectNumber), blankToNull(r.taskWbsNumber),
                employee == null ? null : blankToNull(employee.department()), r.description,
                r.source, r.id, modified);
        String refusal = targetsRefuse.apply(line);
        return refusal != null ? MappingResult.quarantined(refusal) : MappingResult.ready(line);
    }

    private static String codes(TimeRegistration r) {
        return r.codes.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** Stand-in key of a record Ditio sent without an id: stable for the same content. */
    public static String missingIdKey(TimeRegistration r) {
        String content = r.workDate + "|" + r.userId + "|" + r.qty + "|" + r.projectNumber + "|" + r.taskWbsNumber
                + "|" + r.modifiedDateTime + "|" + r.description;
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return MISSING_ID_PREFIX + java.util.HexFormat.of().formatHex(digest, 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /**
     * An employee number without the blanks around it, null when nothing else is left: a no-break space
     * is a blank too (strip keeps it), and so is an invisible character, or " 101" would be an employee
     * beside "101" where a target takes any key (the CSV, payroll_line).
     */
    private static String unpadded(String s) {
        if (s == null) {
            return null;
        }
        int start = 0;
        int end = s.length();
        while (start < end && isBlank(s.charAt(start))) {
            start++;
        }
        while (end > start && isBlank(s.charAt(end - 1))) {
            end--;
        }
        return start == end ? null : s.substring(start, end);
    }

    /** A blank, or an invisible format character (a byte order mark, a zero-width space) stuck to the number. */
    private static boolean isBlank(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.getType(c) == Character.FORMAT;
    }
}
