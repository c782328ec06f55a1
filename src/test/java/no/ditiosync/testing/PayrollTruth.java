package no.ditiosync.testing;

import no.ditiosync.simulator.DitioDataset;
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
        String e = r.userEmployeeNumber();
        if (e == null || e.isBlank()) {
            e = employeesByUser.get(r.userId());
        }
        return e == null || e.isBlank() ? null : e;
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

    /** Hours summed by a key built from {employee number, work date, wage type, registration id}. */
    public static Map<String, BigDecimal> sums(DitioDataset data, LocalDate startDate, Function<String[], String> key) {
        Map<String, String> users = employeesByUser(data);
        Map<String, BigDecimal> sums = new TreeMap<>();
        for (TimeRegistration r : payrollReady(data, startDate)) {
            String k = key.apply(new String[]{DeliveredPayroll.normalEmployee(employee(r, users)),
                    r.workDate().toString(), wageType(r), r.id()});
            sums.merge(k, r.qty().setScale(2, RoundingMode.HALF_UP), BigDecimal::add);
        }
        return DeliveredPayroll.normalise(sums);
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
