package no.ditiosync.ditio;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A Ditio row of a feed other than time registrations (absences, payroll lines) that the pipeline
 * reads as a registration: it names its feed as the source, and its {@code employeeNumber} is the
 * registration's.
 */
abstract class RegistrationLikeRecord extends TimeRegistration {

    RegistrationLikeRecord(String source) {
        this.source = source;
    }

    @JsonProperty("employeeNumber")
    void employeeNumber(String employeeNumber) {
        userEmployeeNumber = employeeNumber;
    }
}
