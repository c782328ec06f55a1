package no.ditiosync.ditio;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A Ditio absence day ({@code /v1/absence-registrations}) as the payroll pipeline reads it: the
 * same shape as a time registration (the ledger, quarantine and corrections treat both alike),
 * with {@code date} as the work date, {@code employeeNumber} as the registration's employee
 * number, and {@code absenceTypeCode} as the code the wage-type mapping tests.
 */
public class AbsenceRegistration extends RegistrationLikeRecord {

    public static final String ABSENCE = "absence";
    public static final String TYPE_CODE = "absenceTypeCode";

    public AbsenceRegistration() {
        super(ABSENCE);
    }

    @JsonProperty("date")
    void date(String date) {
        workDate = date;
    }

    @JsonProperty(TYPE_CODE)
    void absenceTypeCode(String code) {
        codes.put(TYPE_CODE, code);
    }
}
