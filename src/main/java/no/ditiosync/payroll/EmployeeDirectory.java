package no.ditiosync.payroll;

/** Employee facts from Ditio's {@code /v1/user}, keyed by {@code identityUserId}. */
public interface EmployeeDirectory {

    record Employee(String employeeNumber, String department) {
    }

    /** @return the employee, or null when the user is unknown */
    Employee byIdentityUserId(String identityUserId);

    /** Whether the run found a /v1/user row of the user that could not be read (left as last known). */
    default boolean rowUnreadable(String identityUserId) {
        return false;
    }
}
