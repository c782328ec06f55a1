package no.ditiosync.payroll;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Which approval makes a registration payroll-ready (setting PAYROLL_APPROVAL). */
public enum ApprovalGate {
    PAYROLL_APPROVED("payrollApproved"),
    APPROVED("approved"),
    ALL("all");

    private final String setting;

    ApprovalGate(String setting) {
        this.setting = setting;
    }

    public boolean passes(boolean approved, boolean payrollApproved) {
        return switch (this) {
            case PAYROLL_APPROVED -> payrollApproved;
            case APPROVED -> approved || payrollApproved;
            case ALL -> true;
        };
    }

    public static ApprovalGate fromSetting(String value) {
        for (ApprovalGate gate : values()) {
            if (gate.setting.equalsIgnoreCase(value == null ? "" : value.trim())) {
                return gate;
            }
        }
        throw new IllegalArgumentException("'" + value + "' is not one of "
                + Arrays.stream(values()).map(g -> g.setting).collect(Collectors.joining(", ")));
    }

    public String setting() {
        return setting;
    }
}
