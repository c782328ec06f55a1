package no.ditiosync.payroll;

import no.ditiosync.ditio.PayrollLineRecord;
import no.ditiosync.ditio.TimeRegistration;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Where a company's worked hours come from (setting PAYROLL_SOURCE). Every hour is paid once:
 * <ul>
 *   <li>{@code time}: ordinary hours from the time registrations; no overtime lines;</li>
 *   <li>{@code time+overtime}: ordinary hours from the time registrations, plus the overtime lines of
 *       Ditio's payroll lines; an overtime line with overtimeType 0 (deducted from ordinary hours) also
 *       gets a negative line of its hours under the ordinary wage type, because the registrations
 *       already delivered those hours as ordinary;</li>
 *   <li>{@code payroll-lines}: everything from the payroll lines: the ordinary hours (qty less the
 *       overtimeType-0 overtime) and the overtime lines; time registrations are not read.</li>
 * </ul>
 */
public enum PayrollSource {
    TIME("time"),
    TIME_AND_OVERTIME("time+overtime"),
    PAYROLL_LINES("payroll-lines");

    private final String setting;

    PayrollSource(String setting) {
        this.setting = setting;
    }

    /** The registration feeds this source reads, in the order of delivery. */
    public List<String> feeds() {
        return switch (this) {
            case TIME -> List.of(TimeRegistration.TIME);
            case TIME_AND_OVERTIME -> List.of(TimeRegistration.TIME, PayrollLineRecord.PAYROLL);
            case PAYROLL_LINES -> List.of(PayrollLineRecord.PAYROLL);
        };
    }

    /** The source that reads exactly these of its feeds (of any others, say absences), or null when none does. */
    public static PayrollSource reading(Collection<String> feeds) {
        for (PayrollSource source : values()) {
            if (LineRules.SOURCE_FEEDS.stream().filter(feeds::contains).toList().equals(source.feeds())) {
                return source;
            }
        }
        return null;
    }

    public static PayrollSource fromSetting(String value) {
        for (PayrollSource source : values()) {
            if (source.setting.equalsIgnoreCase(value == null ? "" : value.trim())) {
                return source;
            }
        }
        throw new IllegalArgumentException("'" + value + "' is not one of "
                + Arrays.stream(values()).map(s -> s.setting).collect(Collectors.joining(", ")));
    }

    public String setting() {
        return setting;
    }
}
