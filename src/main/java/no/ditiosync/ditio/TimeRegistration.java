package no.ditiosync.ditio;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Map;
import java.util.TreeMap;

import java.math.BigDecimal;

/**
 * The fields of a Ditio time registration that payroll needs, as they arrive on the wire.
 * Dates stay text here: {@link no.ditiosync.payroll.PayrollLineMapper} reads them, so that an
 * unparseable date quarantines one record instead of failing a whole page.
 */
public class TimeRegistration extends DitioRecord {

    /** The feed (and wage-type mapping source) of time registrations; other registrations extend this class. */
    public static final String TIME = "time";

    /** Which feed the record came from: its payroll line id starts with it, and the mapping rows of that source apply. */
    @JsonIgnore
    public String source = TIME;
    public String id;
    public String workDate;
    public BigDecimal qty;
    public String userId;
    public String userName;
    public String userEmployeeNumber;
    public String projectNumber;
    /** Ditio's project id: fills the project number from /v1/project where the record has none. */
    public String projectId;
    public String taskWbsNumber;
    /**
     * Fields a wage-type mapping row may test besides the ones above; kept in {@link #codes} (and so in
     * the state DB) only when the mapping tests them ({@link no.ditiosync.payroll.PayrollLineMapper#keepTestedFields}).
     */
    public String unitName;
    public String resourceNumber;
    public String projectExternalNumber;
    public String description;
    public boolean approved;
    public boolean payrollApproved;
    public String modifiedDateTime;
    public boolean isDeleted;
    public String deletedDateTime;
    /**
     * Fields a wage-type mapping row of this source may test beyond the time registration's own
     * (absenceTypeCode; an overtime line's lineType, payrollTypeId, overtimeType), kept with the
     * record in the state DB so a quarantined record can be mapped again.
     */
    @JsonIgnore
    public final Map<String, String> codes = new TreeMap<>();
    /** The Ditio payroll line this record is a part of, or null (PayrollDaySplitter). */
    @JsonIgnore
    public String parentId;
    /** Why the record as sent cannot be used (a field of the wrong type, a value too long to keep), or null. */
    @JsonIgnore
    public String unreadable;
    /**
     * With {@link #unreadable} from the page: every field that did not bind, lower case ("?": one without a name).
     * Empty for a record unreadable for another reason (a value too long to keep), or read whole.
     */
    @JsonIgnore
    public java.util.Set<String> unreadableFields = java.util.Set.of();
    /** Rebuilt from what the state DB kept (the quarantine, a delivered line), to be mapped again: not read from Ditio now. */
    @JsonIgnore
    public boolean mappedAgain;

    /** A new, empty record of a feed, to rebuild a stored one. */
    public static TimeRegistration of(String feed) {
        return switch (feed) {
            case AbsenceRegistration.ABSENCE -> new AbsenceRegistration();
            default -> {
                TimeRegistration r = new TimeRegistration();
                r.source = feed;
                yield r;
            }
        };
    }

    /** {@link #codes} and {@link #projectId} as one column value: {@code key=value&...}, URL-encoded. */
    public String storedFields() {
        StringBuilder out = new StringBuilder();
        java.util.Map<String, String> all = new TreeMap<>(codes);
        if (projectId != null) {
            all.put("projectId", projectId);
        }
        all.forEach((k, v) -> {
            if (v != null) {
                out.append(out.length() == 0 ? "" : "&").append(k).append('=')
                        .append(java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8));
            }
        });
        return out.length() == 0 ? null : out.toString();
    }

    /** Reads back what {@link #storedFields()} wrote. */
    public void restoreFields(String stored) {
        if (stored == null || stored.isEmpty()) {
            return;
        }
        for (String pair : stored.split("&")) {
            int eq = pair.indexOf('=');
            String value = java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
            if (pair.startsWith("projectId=")) {
                projectId = value;
            } else {
                codes.put(pair.substring(0, eq), value);
            }
        }
    }

    /** One of the record's fields did not bind (a value of the wrong type): it goes to quarantine with the reason. */
    public void markUnreadable(String reason) {
        if (unreadable == null) {
            unreadable = reason;
        }
    }
}
