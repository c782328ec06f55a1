package no.ditiosync.app;

import no.ditiosync.state.ClosedPeriodStore;
import no.ditiosync.state.StateDb;
import org.apache.camel.impl.DefaultCamelContext;

import javax.sql.DataSource;
import java.io.PrintStream;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code close-period [--company KEY] --through yyyy-MM-dd [--by NAME]}: records in the state DB that
 * the company's payroll is closed through a date, with who and when. From the next run, a new line,
 * correction or reversal of a work date on or before it is booked on the day after it. Like status,
 * it needs only the state DB settings, not the Ditio credentials.
 */
final class ClosePeriodCommand {

    static final String USAGE = "close-period needs --through yyyy-MM-dd, and --company KEY when there are several "
            + "companies (optionally --by NAME; default: the user running it)";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'");

    private ClosePeriodCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err, Clock clock) throws Exception {
        String company = option(args, "--company");
        String through = option(args, "--through");
        String by = option(args, "--by");
        if (through == null || args.length != 1 + 2 * (1 + (company == null ? 0 : 1) + (by == null ? 0 : 1))) {
            err.println(USAGE);
            return 64;
        }
        LocalDate day;
        try {
            day = LocalDate.parse(through);
        } catch (DateTimeParseException e) {
            err.println("close-period: '" + through + "' is not a date as yyyy-MM-dd");
            return 64;
        }
        String url;
        String user;
        String password;
        StatusCommand.ClosedThroughSetting setting;
        ZoneId zone;
        try (DefaultCamelContext properties = StatusCommand.settingsOnly()) {
            url = properties.resolvePropertyPlaceholders("{{payroll.state-db-url}}");
            user = properties.resolvePropertyPlaceholders("{{payroll.state-db-user}}");
            password = properties.resolvePropertyPlaceholders("{{payroll.state-db-password}}");
            List<String> companies = Arrays.stream(properties.resolvePropertyPlaceholders("{{payroll.companies}}").split(","))
                    .map(String::strip).filter(s -> !s.isEmpty()).toList();
            if (companies.isEmpty()) {
                String only = properties.resolvePropertyPlaceholders("{{payroll.company}}").strip();
                if (company != null && !company.equals(only)) {
                    err.println("close-period: no company '" + company + "': PAYROLL_COMPANY is '" + only + "'");
                    return 64;
                }
                company = only;
            } else if (company == null || !companies.contains(company)) {
                err.println("close-period: " + (company == null ? "--company KEY is needed" : "no company '" + company + "'")
                        + ": PAYROLL_COMPANIES is " + String.join(",", companies));
                return 64;
            }
            setting = StatusCommand.closedThroughSetting(properties, company);
            zone = StatusCommand.timeZone(properties, company);
        }
        // today too: hours are still being logged on it
        if (!day.isBefore(LocalDate.now(clock.withZone(zone)))) {
            err.println("close-period: " + day + " has not ended yet; a payroll period is closed once it is paid");
            return 64;
        }
        String closedBy = by != null ? by : System.getProperty("user.name", "unknown");
        Instant at = clock.instant();
        DataSource pool = DataSources.open(url, user, password, DataSources.Keys.STATE_DB);
        try {
            StateDb db = SyncBeans.openStateDb(pool);
            ClosedPeriodStore.Closing before;
            ClosedPeriodStore.Closing latest;
            try (Connection c = db.connection()) {
                before = ClosedPeriodStore.latest(c, company);
                ClosedPeriodStore.record(c, new ClosedPeriodStore.Closing(company, day, closedBy, at));
                latest = ClosedPeriodStore.latest(c, company);
            }
            out.printf(Locale.ROOT, "Company %s: closed through %s, recorded by %s at %s.%n", company, day, closedBy,
                    TIME.format(at.atOffset(ZoneOffset.UTC)));
            if (before != null && before.through().isAfter(day)) {
                out.printf(Locale.ROOT, "  It was already closed through %s (%s at %s): that stays, a closed period is never opened again.%n",
                        before.through(), before.origin(), TIME.format(before.closedAt().atOffset(ZoneOffset.UTC)));
            }
            LocalDate fromSetting = setting == null ? null : LocalDate.parse(setting.value());
            LocalDate effective = ClosedPeriodStore.effective(fromSetting, latest);
            if (fromSetting != null && fromSetting.isAfter(latest.through())) {
                out.printf(Locale.ROOT, "  %s is later, %s: the later date counts.%n", setting.label(), fromSetting);
            }
            out.printf(Locale.ROOT, "  From the next run, lines of work dates on or before %s are booked on %s (Tripletex, SAP, the CSV's "
                    + "bookedDate, payroll_line.booked_date), labelled with their work date.%n", effective, effective.plusDays(1));
            return 0;
        } finally {
            if (pool instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }

    private static String option(String[] args, String name) {
        for (int i = 1; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return null;
    }
}
