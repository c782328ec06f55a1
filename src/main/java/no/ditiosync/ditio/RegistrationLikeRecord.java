package no.ditiosync.ditio;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A Ditio row of a feed other than time registrations (absences, payroll lines) that the pipeline
 * reads as a registration: it names its feed as the source, and its {@code employeeNumber} is the
 * registration's. The time feed's names of the fields it sends under its own names are not its
 * fields: read in any case, they would take the place of its own ("WorkDate" after "date").
 */
@JsonIgnoreProperties({"workDate", "userEmployeeNumber"})
abstract class RegistrationLikeRecord extends TimeRegistration {

    RegistrationLikeRecord(String source) {
        this.source = source;
    }

    @JsonProperty("employeeNumber")
    void employeeNumber(String employeeNumber) {
        userEmployeeNumber = employeeNumber;
    }
}
