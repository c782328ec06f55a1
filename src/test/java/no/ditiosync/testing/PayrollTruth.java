package no.ditiosync.testing;

import no.ditiosync.simulator.Absence;
import no.ditiosync.simulator.DitioDataset;
import no.ditiosync.simulator.PayrollDay;
import no.ditiosync.simulator.DitioUser;
import no.ditiosync.simulator.TimeRegistration;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What payroll should hold, computed straight from the simulator's data (not through the
 * application): payroll-approved live registrations from the start date on, employee number from
 * the registration or else the user, wage type as mappings/wage-types.csv maps it.
 */
public final class PayrollTruth {

    private PayrollTruth() {
    }

    /** Employee number per identityUserId, as /v1/user says now. */
    public static Map<String, String> employeesByUser(DitioDataset data) {
        Map<String, String> m = new HashMap<>();
        for (DitioUser u : data.users()) {
            m.put(u.identityUserId(), u.employeeNumber());
        }
        return m;
    }

    public static String employee(TimeRegistration r, Map<String, String> employeesByUser) {
        return employee(r.userEmployeeNumber(), r.userId(), employeesByUser);
    }

    /** mappings/wage-types.csv: travel (task 9001) is 1100, everything else 1000. */
    public static String wageType(TimeRegistration r) {
        return "9001".equals(r.taskWbsNumber()) ? "1100" : "1000";
    }

    /** The registrations that must be in payroll. */
    public static List<TimeRegistration> payrollReady(DitioDataset data, LocalDate startDate) {
        Map<String, String> users = employeesByUser(data);
        List<TimeRegistration> ready = new ArrayList<>();
        for (TimeRegistration r : data.liveTimeRegistrations()) {
            if (r.payrollApproved() && !r.workDate().isBefore(startDate) && employee(r, users) != null
                    && r.qty().signum() != 0) {
                ready.add(r);
            }
        }
        return ready;
    }

    /** What a company delivers: its PAYROLL_ABSENCES and PAYROLL_SOURCE (time, time+overtime, payroll-lines). */
    public record Scope(boolean absences, String source) {
        public static final Scope TIME_ONLY = new Scope(false, "time");

        boolean timeRegistrations() {
            return !source.equals("payroll-lines");
        }

        boolean payrollLines() {
            return !source.equals("time");
        }
    }

    /** One payroll line payroll should hold: {employee number, work date, wage type, record id, line id} and hours. */
    public record Line(String employee, LocalDate date, String wageType, String recordId, String lineId, BigDecimal hours) {
    }

    /** Hours summed by a key built from {employee number, work date, wage type, registration id}. */
    public static Map<String, BigDecimal> sums(DitioDataset data, LocalDate startDate, Function<String[], String> key) {
        return sums(data, startDate, key, Scope.TIME_ONLY);
    }

    /** Hours summed by a key built from {employee number, work date, wage type, record id, line id}. */
    public static Map<String, BigDecimal> sums(DitioDataset data, LocalDate startDate, Function<String[], String> key,
                                               Scope scope) {
        Map<String, BigDecimal> sums = new TreeMap<>();
        for (Line l : lines(data, startDate, scope)) {
            String k = key.apply(new String[]{DeliveredPayroll.normalEmployee(l.employee()), l.date().toString(),
                    l.wageType(), l.recordId(), l.lineId()});
            sums.merge(k, l.hours(), BigDecimal::add);
        }
        return DeliveredPayroll.normalise(sums);
    }

    /** Every line payroll should hold now, straight from the simulator's data. */
    public static List<Line> lines(DitioDataset data, LocalDate startDate, Scope scope) {
        Map<String, String> users = employeesByUser(data);
        List<Line> lines = new ArrayList<>();
        if (scope.timeRegistrations()) {
            for (TimeRegistration r : payrollReady(data, startDate)) {
                lines.add(new Line(employee(r, users), r.workDate(), wageType(r), r.id(), "time:" + r.id(), hours(r.qty())));
            }
        }
        if (scope.payrollLines()) {
            for (PayrollDay p : payrollReadyDays(data, startDate)) {
                String employee = employee(p.employeeNumber(), p.userId(), users);
                String line = "payroll:" + p.id() + ":";
                for (PayrollDay.OvertimeLine o : p.overtimeLines()) {
                    lines.add(new Line(employee, p.date(), overtimeWageType(o.lineType()), p.id(),
                            line + "ot:" + o.payrollTypeId(), hours(o.qty())));
                    if (o.overtimeType() == 0 && scope.timeRegistrations()) {
                        // taken out of the ordinary hours the registrations delivered
                        lines.add(new Line(employee, p.date(), ORDINARY, p.id(), line + "deduct:" + o.payrollTypeId(),
                                hours(o.qty()).negate()));
                    }
                }
                if (!scope.timeRegistrations()) {
                    lines.add(new Line(employee, p.date(), ORDINARY, p.id(), line + "ordinary",
                            hours(p.qty().subtract(p.deductedOvertime()))));
                }
            }
        }
        if (scope.absences()) {
            for (Absence a : payrollReadyAbsences(data, startDate)) {
                lines.add(new Line(employee(a.employeeNumber(), a.userId(), users), a.date(), absenceWageType(a),
                        a.id(), "absence:" + a.id(), hours(a.qty())));
            }
        }
        return lines;
    }

    /** The absences that must be in payroll: payroll-approved, from the start date, with an employee number and a mapped code. */
    public static List<Absence> payrollReadyAbsences(DitioDataset data, LocalDate startDate) {
        Map<String, String> users = employeesByUser(data);
        return data.liveAbsences().stream().filter(a -> a.payrollApproved() && !a.date().isBefore(startDate)
                && employee(a.employeeNumber(), a.userId(), users) != null && a.qty().signum() != 0
                && absenceWageType(a) != null).toList();
    }

    /** The ordinary hours' wage type: what mappings/wage-types.csv gives a registration with nothing special (time,*,*). */
    public static final String ORDINARY = "1000";

    /** Payroll lines that must be in payroll: verified (payroll-approved), from the start date, with an employee number. */
    public static List<PayrollDay> payrollReadyDays(DitioDataset data, LocalDate startDate) {
        Map<String, String> users = employeesByUser(data);
        return data.livePayrollDays().stream().filter(p -> p.verified() && !p.date().isBefore(startDate)
                && employee(p.employeeNumber(), p.userId(), users) != null).toList();
    }

    /** mappings/wage-types.csv for overtime lines, by lineType. */
    public static String overtimeWageType(int lineType) {
        return switch (lineType) {
            case 20 -> "2050";
            case 30 -> "2100";
            case 40 -> "2150";
            case 41 -> "2200";
            default -> throw new IllegalArgumentException("no wage type for overtime lineType " + lineType);
        };
    }

    /** mappings/wage-types.csv for absences; null for a code it does not map (such an absence is quarantined). */
    public static String absenceWageType(Absence a) {
        return switch (a.absenceTypeCode()) {
            case "SYK" -> "5100";
            case "EGM" -> "5110";
            case "BSYK" -> "5120";
            case "FERIE" -> "5200";
            case "VELF" -> "5300";
            default -> null;
        };
    }

    private static String employee(String onRecord, String userId, Map<String, String> employeesByUser) {
        String e = onRecord == null || onRecord.isBlank() ? employeesByUser.get(userId) : onRecord;
        return e == null || e.isBlank() ? null : e;
    }

    private static BigDecimal hours(BigDecimal qty) {
        return qty.setScale(2, RoundingMode.HALF_UP);
    }

    /**
     * Time registrations' hours as an aggregating target sums them (PAYROLL_*_AGGREGATION =
     * per-employee-wage-type): per "employee|wage type|yyyy-MM|project|task|department", the task
     * left empty when {@code byTask} is false (Visma, Tripletex); keys that sum to zero left out.
     */
    public static Map<String, BigDecimal> groups(DitioDataset data, LocalDate startDate, boolean byTask) {
        Map<String, String> users = employeesByUser(data);
        Map<String, BigDecimal> sums = new TreeMap<>();
        for (TimeRegistration r : payrollReady(data, startDate)) {
            String department = data.userByIdentityUserId(r.userId()).map(DitioUser::department).orElse(null);
            String key = String.join("|", employee(r, users), wageType(r), r.workDate().toString().substring(0, 7),
                    text(r.projectNumber()), byTask ? text(r.taskWbsNumber()) : "", text(department));
            sums.merge(key, hours(r.qty()), BigDecimal::add);
        }
        return DeliveredPayroll.normalise(sums);
    }

    private static String text(String value) {
        return value == null || value.isBlank() ? "" : value.strip();
    }

    /** As Visma sums it: per employee and wage type. */
    public static Map<String, BigDecimal> perEmployeeAndWageType(DitioDataset data, LocalDate startDate) {
        return sums(data, startDate, k -> k[0] + "|" + k[2]);
    }

    /** As SAP and payroll_line hold it: per employee, day and wage type. */
    public static Map<String, BigDecimal> perEmployeeDayAndWageType(DitioDataset data, LocalDate startDate) {
        return sums(data, startDate, k -> k[0] + "|" + k[1] + "|" + k[2]);
    }
}
