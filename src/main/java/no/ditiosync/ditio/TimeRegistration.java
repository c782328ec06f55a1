package no.ditiosync.ditio;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.math.BigDecimal;

/**
 * The fields of a Ditio time registration that payroll needs, as they arrive on the wire.
 * Dates stay text here: {@link no.ditiosync.payroll.PayrollLineMapper} reads them, so that an
 * unparseable date quarantines one record instead of failing a whole page.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public class TimeRegistration {
    public String id;
    public String workDate;
    public BigDecimal qty;
    public String userId;
    public String userName;
    public String userEmployeeNumber;
    public String projectNumber;
    public String taskWbsNumber;
    public String description;
    public boolean approved;
    public boolean payrollApproved;
    public String modifiedDateTime;
    public boolean isDeleted;
    public String deletedDateTime;
}
