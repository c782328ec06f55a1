package no.ditiosync.ditio;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;

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
    /** Why the record as sent cannot be used (a field of the wrong type, a value too long to keep), or null. */
    @JsonIgnore
    public String unreadable;

    /** The stand-in for a record whose fields do not bind: its id and dates if readable, and the reason. */
    public static TimeRegistration unreadable(JsonNode json, String reason) {
        TimeRegistration r = new TimeRegistration();
        r.id = json.path("id").isTextual() ? json.get("id").asText() : null;
        r.workDate = json.path("workDate").isTextual() ? json.get("workDate").asText() : null;
        r.modifiedDateTime = json.path("modifiedDateTime").isTextual() ? json.get("modifiedDateTime").asText() : null;
        r.isDeleted = json.path("isDeleted").asBoolean(false);
        r.unreadable = reason;
        return r;
    }
}
