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

    /**
     * Whether the gate reads a field, named as Ditio names it, lower case: a record whose such field could not
     * be read cannot be judged by the gate (the field binds as false).
     */
    public boolean reads(String field) {
        return switch (this) {
            case PAYROLL_APPROVED -> field.equals("payrollapproved") || field.equals("verified");
            case APPROVED -> field.equals("approved") || field.equals("payrollapproved") || field.equals("verified");
            case ALL -> false;
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
