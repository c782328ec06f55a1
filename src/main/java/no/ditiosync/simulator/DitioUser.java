package no.ditiosync.simulator;

import java.time.Instant;
import java.time.LocalDate;

/**
 * One row of {@code /v1/user} (one company profile). {@code id} is the profile id;
 * time registrations join on {@code identityUserId}. Null means empty.
 */
public record DitioUser(
        String id,
        String identityUserId,
        String employeeNumber,
        String name,
        String firstName,
        String lastName,
        String email,
        String workTitle,
        String department,
        String companyId,
        String companyName,
        String employmentCompanyId,
        boolean isActiveEmployment,
        boolean isDisabled,
        LocalDate startDate,
        LocalDate endDate,
        Instant modifiedDateTime,
        boolean isDeleted) {

    DitioUser withDepartment(String newDepartment, Instant now) {
        return new DitioUser(id, identityUserId, employeeNumber, name, firstName, lastName, email, workTitle, newDepartment,
                companyId, companyName, employmentCompanyId, isActiveEmployment, isDisabled, startDate, endDate,
                now, isDeleted);
    }

    DitioUser withEmployeeNumber(String number, Instant now) {
        return new DitioUser(id, identityUserId, number, name, firstName, lastName, email, workTitle, department,
                companyId, companyName, employmentCompanyId, isActiveEmployment, isDisabled, startDate, endDate,
                now, isDeleted);
    }
}
