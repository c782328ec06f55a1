package no.ditiosync.ditio;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * A Ditio payroll line ({@code /v1/payroll-lines-extended}): one user's day, with its overtime
 * lines. Read as a registration ({@code transDateTime} is the work date, {@code employeeNumber} the
 * registration's, {@code approved} the foreman's approval and {@code verified} the payroll
 * approval), it is not stored itself: {@link no.ditiosync.payroll.PayrollDaySplitter} makes the
 * records that become payroll lines from it. Its payroll approval is {@code verified} alone (the
 * annotation replaces the one of {@link RegistrationLikeRecord}, so it names that one's fields too).
 */
@JsonIgnoreProperties({"workDate", "userEmployeeNumber", "payrollApproved"})
public class PayrollLineRecord extends RegistrationLikeRecord {

    public static final String PAYROLL = "payroll";

    /** One entry of {@code overtimeLines[]}; {@code overtimeType} 0 = deducted from ordinary hours, 1 = paid on top. */
    public static class OvertimeLine extends DitioRecord {
        public String payrollTypeId;
        public String name;
        public Integer lineType;
        public Integer overtimeType;
        public Integer sorting;
        public BigDecimal qty;
    }

    /** As sent; null when Ditio sends none. */
    public List<OvertimeLine> overtimeLines = new ArrayList<>();

    public PayrollLineRecord() {
        super(PAYROLL);
    }

    @JsonProperty("transDateTime")
    void transDateTime(String date) {
        workDate = date;
    }

    @JsonProperty("verified")
    void verified(boolean verified) {
        payrollApproved = verified;
    }
}
