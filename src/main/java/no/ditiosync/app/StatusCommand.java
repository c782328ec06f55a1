package no.ditiosync.app;

import no.ditiosync.app.page.PageData;
import no.ditiosync.app.page.PageHtml;
import no.ditiosync.app.page.PageModel;
import no.ditiosync.app.page.QuarantineCsv;
import no.ditiosync.drops.TextCleaner;
import no.ditiosync.run.RunStart;
import no.ditiosync.state.SqlDialect;
import no.ditiosync.state.StatusQueries;
import org.apache.camel.impl.DefaultCamelContext;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The status command: per feed the watermark, the last runs and the open quarantine; per target
 * what the ledger holds; or, with --html FILE, the operator's page written to a file. Reads only the
 * state DB, so it works without Ditio credentials.
 */
final class StatusCommand {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'");
    private static final int RUNS_SHOWN = 10;
    private static final int QUARANTINE_SHOWN = 20;
    private static final int REPORTS_SHOWN = 5;
    private static final int DROPS_SHOWN = 20;

    private StatusCommand() {
    }

    static int run(PrintStream out) throws Exception {
        return run(new String[]{"status"}, out, System.err);
    }

    /**
     * {@code status}, or {@code status --quarantine [--csv FILE]}: every open quarantined record, on
     * the screen or (with --csv) into a CSV file for a spreadsheet.
     */
    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        boolean quarantine = args.length >= 2 && args[1].equals("--quarantine");
        Path csv = quarantine && args.length == 4 && args[2].equals("--csv") ? Path.of(args[3]) : null;
        // status --html FILE: the operator's page, written once to FILE (owner-only, as the run reports)
        Path html = args.length == 3 && args[1].equals("--html") ? Path.of(args[2]) : null;
        if (args.length > 1 && html == null && !(quarantine && (args.length == 2 || csv != null))) {
            String wrong = args[quarantine ? 2 : 1];
            err.println(wrong.equals("--html") ? "status --html takes one FILE, the page to write."
                    : "status takes no option '" + wrong + "'" + (quarantine ? " after --quarantine but --csv FILE" : "") + ".");
            err.print(CommandHelp.of("status"));
            return DitioPayrollSync.USAGE_ERROR;
        }
        Path output = csv != null ? csv : html;
        String unwritable = output == null ? null : Files.isDirectory(output) ? "it is a folder"
                : !Files.isDirectory(output.toAbsolutePath().getParent()) ? "there is no folder " + output.toAbsolutePath().getParent()
                : null;
        if (unwritable != null) {
            err.println("status: cannot write " + output + ": " + unwritable);
            return 1;
        }
        try {
            return show(quarantine, csv, html, out);
        } catch (java.io.IOException e) {
            if (output == null) {
                throw e;
            }
            // writing the CSV or the page failed: a full disk, a folder not ours
            err.println("status: cannot write " + output + ": " + no.ditiosync.drops.AtomicDropFile.plainReason(e));
            return 1;
        }
    }

    private static int show(boolean quarantine, Path csv, Path html, PrintStream out) throws Exception {
        String url;
        String user;
        String password;
        String reportDir;
        try (DefaultCamelContext properties = settingsOnly()) {
            url = properties.resolvePropertyPlaceholders("{{payroll.state-db-url}}");
            user = properties.resolvePropertyPlaceholders("{{payroll.state-db-user}}");
            password = properties.resolvePropertyPlaceholders("{{payroll.state-db-password}}");
            reportDir = properties.resolvePropertyPlaceholders("{{sync.report-dir}}");
        }
        // the demo and a service with settings of its own use other state DBs: say which one this is
        String variable = DataSources.Keys.STATE_DB.env() + "_URL";
        String set = System.getenv(variable);
        out.println("State DB: " + DataSources.masked(url) + "  (" + (set != null && !set.isBlank() ? "set by " + variable
                : variable + " not set: from application.properties") + ")");
        Path h2File = DataSources.h2File(url);
        if (h2File != null && !Files.exists(Path.of(h2File + ".mv.db"))) {
            out.println("No state DB at " + url + " yet: no sync has run.");
            if (html != null) {
                writePage(html, new PageModel.Overview(Instant.now(), RunStart.NODE, List.of()), out);
            }
            return 0;
        }
        Connection connection;
        try {
            // status never creates a state DB (a PostgreSQL database is never created by connecting)
            connection = DataSources.connect(url, DataSources.H2_EXISTING, user, password, DataSources.Keys.STATE_DB);
        } catch (SettingsException unreachable) {
            // the run reports still say what the last runs did, including those that failed because of it
            printReports(RunReports.folder(reportDir, url), out);
            throw unreachable;
        }
        try (Connection c = connection) {
            try {
                if (quarantine) {
                    printQuarantine(c, csv, out);
                    return 0;
                }
                if (html != null) {
                    try (DefaultCamelContext properties = settingsOnly()) {
                        writePage(html, overview(c, properties, RunReports.folder(reportDir, url)), out);
                    }
                    return 0;
                }
                print(c, out);
            } catch (SQLException e) {
                if (!SqlDialect.of(c).isUndefinedTable(e)) {
                    throw e;
                }
                // a PostgreSQL database that exists but that no sync has used yet
                out.println("No state DB tables at " + DataSources.masked(url) + " yet: no sync has run.");
                if (html != null) {
                    writePage(html, new PageModel.Overview(Instant.now(), RunStart.NODE, List.of()), out);
                    return 0;
                }
            }
        }
        printReports(RunReports.folder(reportDir, url), out);
        return 0;
    }

    /**
     * The page's data for every company with runs, each with its SYNC_CRON and SYNC_TIME_ZONE as the
     * settings give them (its own company.KEY.sync.* first); the next firing is worked out from the
     * cron, as no scheduler is asked; reports are linked as files.
     */
    private static PageModel.Overview overview(Connection c, DefaultCamelContext properties, Path reportFolder)
            throws SQLException {
        List<PageData.CompanySettings> companies = new ArrayList<>();
        for (StatusQueries.CompanyFeed f : StatusQueries.feeds(c)) {
            String cron = settings(properties, f.company()).raw(SettingKey.CRON);
            ZoneId zone;
            try {
                zone = timeZone(properties, f.company());
            } catch (java.time.DateTimeException e) {
                zone = ZoneOffset.UTC;
            }
            companies.add(new PageData.CompanySettings(f.company(), f.feed(), cron, zone));
        }
        RunReports reports = new RunReports(reportFolder, Integer.MAX_VALUE);
        PageData data = new PageData(reports::find, new PageData.Links() {
            @Override
            public String report(String company, String runId, Path file) {
                return file == null ? null : file.toAbsolutePath().toUri().toString();
            }

            @Override
            public String quarantineCsv(String company) {
                return null;
            }
        }, company -> null);
        return data.overview(c, companies, Instant.now(), RunStart.NODE);
    }

    private static void writePage(Path file, PageModel.Overview overview, PrintStream out) throws java.io.IOException {
        writePrivately(file, PageHtml.render(overview, null));
        out.println("Wrote the operator's page to " + file);
    }

    private static final String QUARANTINE_HEADER = "company,feed,recordId,workerName,employeeNumber,workDate,hours,project,reason";

    /** First, when a later version brought the state DB to a newer layout: what status shows may not be all of it. */
    private static void noteNewerLayout(Connection c, PrintStream out) throws SQLException {
        String newer = no.ditiosync.state.StateDbLayout.newer(c, SqlDialect.of(c), Version.text());
        if (newer != null) {
            out.println("NOTE: the state DB " + newer + ": what follows is what this version can read of it; the status "
                    + "command of that version shows it all");
        }
    }

    /** Every open quarantined record, per company; or, with {@code csv}, all of them into that file. */
    static void printQuarantine(Connection c, Path csv, PrintStream out) throws SQLException, java.io.IOException {
        noteNewerLayout(c, out);
        List<StatusQueries.QuarantinedRecord> open = new java.util.ArrayList<>();
        StatusQueries.quarantinedRecords(c, null, StatusQueries.QuarantineOrder.BY_WORK_DATE, 0, open::add);
        if (csv != null) {
            writeQuarantineCsv(csv, open);
            out.printf(Locale.ROOT, "%d open quarantined record(s) written to %s%n", open.size(), csv);
            return;
        }
        if (open.isEmpty()) {
            out.println("Open quarantine: none.");
            return;
        }
        String company = null;
        for (StatusQueries.QuarantinedRecord r : open) {
            if (!r.company().equals(company)) {
                company = r.company();
                String of = company;
                out.printf(Locale.ROOT, "Open quarantine of company %s: %d record(s)%n", company,
                        open.stream().filter(o -> o.company().equals(of)).count());
                out.printf(Locale.ROOT, "  %-10s  %6s  %-24s  %-8s  %-12s  %-9s  %s%n", "work date", "hours", "worker", "number",
                        "project", "feed", "record and reason");
            }
            out.printf(Locale.ROOT, "  %-10s  %6s  %-24s  %-8s  %-12s  %-9s  %s: %s%n", orDash(r.workDateAsSent()),
                    r.hours() == null ? "-" : hours(r.hours()).toPlainString(), orDash(r.userName()),
                    orDash(r.employeeNumber()), orDash(r.projectNumber()), r.feed(), TextCleaner.shown(r.recordId()),
                    TextCleaner.shown(r.reason()));
        }
    }

    /** As Ditio sent them, at least to the hundredth: 7.50, 7.125 (the state DB keeps six decimals). */
    private static java.math.BigDecimal hours(java.math.BigDecimal hours) {
        java.math.BigDecimal h = hours.stripTrailingZeros();
        return h.scale() < 2 ? h.setScale(2) : h;
    }

    private static String orDash(String value) {
        // as sent, but on one line and harmless to a terminal (a value from Ditio may hold an escape sequence)
        return value == null || value.isBlank() ? "-" : TextCleaner.shown(value);
    }

    /** UTF-8, owner-only (names and hours are personal data), written whole or not at all. */
    private static void writeQuarantineCsv(Path file, List<StatusQueries.QuarantinedRecord> open) throws java.io.IOException {
        java.io.StringWriter s = new java.io.StringWriter();
        QuarantineCsv csv = new QuarantineCsv(s, QUARANTINE_HEADER);
        for (StatusQueries.QuarantinedRecord r : open) {
            csv.row(r.company(), r.feed(), r.recordId(), r.userName(), r.employeeNumber(), r.workDateAsSent(),
                    r.hours() == null ? null : hours(r.hours()), r.projectNumber(), r.reason());
        }
        writePrivately(file, s.toString());
    }

    /** UTF-8, whole or not at all (a hidden temp renamed), owner-only from the moment it exists (personal data). */
    private static void writePrivately(Path file, String content) throws java.io.IOException {
        Path temp = file.toAbsolutePath().resolveSibling("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        if (temp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(temp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        }
        try {
            Files.writeString(temp, content, java.nio.charset.StandardCharsets.UTF_8);
            Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /**
     * The settings (application.properties of the working folder, else the packaged one, and the
     * environment) without starting the application: for the commands that need only the state DB.
     */
    static DefaultCamelContext settingsOnly() {
        DefaultCamelContext properties = new DefaultCamelContext();
        properties.getPropertiesComponent().setLocation(Files.isRegularFile(Path.of("application.properties"))
                ? "file:application.properties" : "classpath:application.properties");
        return properties;
    }

    /** The newest run reports, one line each (and the message of a failed run). */
    static void printReports(Path folder, PrintStream out) throws java.io.IOException {
        java.util.List<Path> reports = RunReports.list(folder);
        if (reports.isEmpty()) {
            return;
        }
        out.printf(Locale.ROOT, "Run reports in %s (newest %d of %d):%n", folder, Math.min(REPORTS_SHOWN, reports.size()), reports.size());
        for (Path report : reports.subList(0, Math.min(REPORTS_SHOWN, reports.size()))) {
            com.fasterxml.jackson.databind.JsonNode r = RunReports.read(report);
            StringBuilder lines = new StringBuilder();
            r.path("linesByTarget").fields().forEachRemaining(e ->
                    lines.append(lines.length() == 0 ? "" : ",").append(e.getKey()).append('=').append(e.getValue().asLong()));
            // no mode: a run that failed before it could plan its passes
            String mode = r.path("mode").isTextual() ? r.path("mode").asText() : "-";
            out.printf(Locale.ROOT, "  %s  %-9s  %-11s  %6d records  lines %-28s  %d quarantined%n", report.getFileName(),
                    r.path("outcome").asText(), mode, r.path("recordsRead").asLong(),
                    lines.length() == 0 ? "none" : lines, r.path("quarantined").asInt());
            if (!r.path("message").isNull() && !r.path("message").isMissingNode()) {
                out.println("      " + TextCleaner.shown(r.path("message").asText()));
            }
        }
    }

    static void print(Connection c, PrintStream out) throws Exception {
        try (DefaultCamelContext properties = settingsOnly()) {
            print(c, company -> closedThroughSetting(properties, company), company -> {
                try {
                    return LocalDate.now(timeZone(properties, company));
                } catch (java.time.DateTimeException e) {
                    return null; // a wrong time zone: a run refuses to start, and says why
                }
            }, out);
        }
    }

    /**
     * @param closedThroughSetting company → its PAYROLL_CLOSED_THROUGH as set, or null
     * @param today                company → today in its time zone, or null when that cannot be told
     */
    private static void print(Connection c, java.util.function.Function<String, ClosedThroughSetting> closedThroughSetting,
                              java.util.function.Function<String, LocalDate> today, PrintStream out) throws SQLException {
        noteNewerLayout(c, out);
        List<StatusQueries.CompanyFeed> feeds = StatusQueries.feeds(c);
        if (feeds.isEmpty()) {
            out.println("No runs yet.");
        }
        for (StatusQueries.CompanyFeed f : feeds) {
            printFeed(c, f.company(), f.feed(), closedThroughSetting.apply(f.company()), today.apply(f.company()), out);
        }
    }

    /**
     * A company's PAYROLL_CLOSED_THROUGH as set: {@code value}, and {@code variable} and {@code label}
     * naming what the operator set, its own {@code COMPANY_<KEY>_PAYROLL_CLOSED_THROUGH} or the shared one.
     */
    record ClosedThroughSetting(String value, String variable, String label) {
    }

    /**
     * A company's settings as a run reads them: its own {@code company.<key>.…} where set, else the shared
     * ones; its own count only where PAYROLL_COMPANIES lists the companies, as for a run.
     */
    private static SettingReader settings(DefaultCamelContext properties, String company) {
        java.util.function.Function<String, String> lookup = p -> properties.resolvePropertyPlaceholders("{{?" + p + "}}");
        boolean several = !new SettingReader(lookup, null).raw(SettingKey.COMPANIES).isEmpty();
        return new SettingReader(lookup, several ? company : null);
    }

    /** A company's time zone: its own {@code company.<key>.sync.time-zone}, else SYNC_TIME_ZONE. */
    static java.time.ZoneId timeZone(DefaultCamelContext properties, String company) {
        return java.time.ZoneId.of(settings(properties, company).raw(SettingKey.TIME_ZONE));
    }

    /** The company's own {@code company.<key>.payroll.closed-through}, else the shared one; null when neither is set. */
    static ClosedThroughSetting closedThroughSetting(DefaultCamelContext properties, String company) {
        SettingReader r = settings(properties, company);
        String value = r.raw(SettingKey.CLOSED_THROUGH);
        if (value.isEmpty()) {
            return null;
        }
        String variable = r.variable(SettingKey.CLOSED_THROUGH);
        return new ClosedThroughSetting(value, variable, variable + " (" + r.property(SettingKey.CLOSED_THROUGH) + ")");
    }

    private static void printFeed(Connection c, String company, String feed, ClosedThroughSetting closedThroughSetting,
                                  LocalDate today, PrintStream out) throws SQLException {
        out.printf(Locale.ROOT, "Company %s, feed %s%n", company, feed);
        // a run passes over several feeds (users, projects, time, absences, payroll lines), each with its watermark
        List<StatusQueries.Watermark> watermarks = StatusQueries.watermarks(c, company, feed);
        for (int i = 0; i < watermarks.size(); i++) {
            StatusQueries.Watermark w = watermarks.get(i);
            out.println((i > 0 ? "              " : "  watermark:  ") + String.format(Locale.ROOT, "%-8s ", w.feed())
                    + time(w.watermark()) + " (run " + w.runId()
                    + (i > 0 ? ")" : "; the next pass asks for changes since this minus the overlap)"));
        }
        if (watermarks.isEmpty()) {
            out.println("  watermark:  none yet (the next run is a full pass)");
        }
        printClosedPeriod(c, company, closedThroughSetting, today, out);
        out.println("  ledger:");
        for (StatusQueries.Held h : StatusQueries.held(c, company)) {
            out.printf(Locale.ROOT, "    %-9s %8d lines held, %12s hours%n", h.target(), h.lines(), h.hours().toPlainString());
        }
        java.util.Map<String, List<String>> unpublished = printUnpublishedDrops(c, company, out);
        out.printf(Locale.ROOT, "  last runs:%n    %-8s  %-20s  %-20s  %-11s  %-9s  %8s  %-28s  %s%n", "run", "started", "ended", "mode",
                "outcome", "records", "lines", "quarantined");
        for (StatusQueries.Run r : StatusQueries.runs(c, company, feed, RUNS_SHOWN)) {
            out.printf(Locale.ROOT, "    %-8s  %-20s  %-20s  %-11s  %-9s  %8s  %-28s  %s%n", r.runId(), time(r.startedAt()),
                    time(r.endedAt()), r.mode(), r.outcome(), r.recordsRead() == null ? "" : r.recordsRead(),
                    r.lines() == null ? "" : r.lines(), r.quarantined() == null ? "" : r.quarantined());
            if (r.message() != null) {
                out.println("              " + TextCleaner.shown(r.message()));
            }
            // "succeeded" says the ledger committed; payroll has its lines only once its drops are published
            if (unpublished.containsKey(r.runId())) {
                out.println("              its drops are not all published yet: "
                        + String.join(", ", unpublished.get(r.runId())) + " (see drops not yet published)");
            }
        }
        // the quarantine of every feed of the company's runs
        long open = StatusQueries.quarantineCount(c, company);
        out.printf(Locale.ROOT, "  open quarantine: %d%n", open);
        for (StatusQueries.Quarantined q : StatusQueries.quarantine(c, company, QUARANTINE_SHOWN)) {
            out.printf(Locale.ROOT, "    %s:%s  %s  %s%n", q.feed(), TextCleaner.shown(q.recordId()),
                    q.workDate() == null ? "          " : q.workDate(), TextCleaner.shown(q.reason()));
        }
        if (open > QUARANTINE_SHOWN) {
            out.printf(Locale.ROOT, "    … and %d more%n", open - QUARANTINE_SHOWN);
        }
    }

    /**
     * The company's drops committed but not yet published (a run that stopped between its commit and
     * its publishing), when there are any; returns the targets of each run's.
     */
    private static java.util.Map<String, List<String>> printUnpublishedDrops(Connection c, String company, PrintStream out)
            throws SQLException {
        java.util.Map<String, List<String>> byRun = new java.util.LinkedHashMap<>();
        List<StatusQueries.UnpublishedDrop> drops = StatusQueries.unpublishedDrops(c, company, DROPS_SHOWN);
        if (drops.isEmpty()) {
            return byRun;
        }
        long count = StatusQueries.unpublishedDropCount(c, company);
        out.printf(Locale.ROOT, "  drops not yet published: %d (the ledger counts them as delivered; payroll gets them when the next "
                + "run publishes them)%n", count);
        int width = drops.stream().mapToInt(d -> d.file().length()).max().orElse(0);
        for (StatusQueries.UnpublishedDrop d : drops) {
            out.printf(Locale.ROOT, "    %-8s  %-6s  %-" + width + "s  %-9s  %s%n", d.runId(), d.target(), d.file(), d.status(),
                    d.committedAt() == null ? "by an earlier version" : "since " + time(d.committedAt()));
            byRun.computeIfAbsent(d.runId(), r -> new ArrayList<>()).add(d.target());
        }
        if (count > drops.size()) {
            out.printf(Locale.ROOT, "    … and %d more%n", count - drops.size());
        }
        return byRun;
    }

    /**
     * The closing in force, as the next run applies it: the company's latest closing kept (a close-period,
     * or a PAYROLL_CLOSED_THROUGH a run applied) or its PAYROLL_CLOSED_THROUGH now, whichever is later, and
     * where it comes from.
     */
    private static void printClosedPeriod(Connection c, String company, ClosedThroughSetting setting, LocalDate today,
                                          PrintStream out)
            throws SQLException {
        LocalDate fromSetting;
        // set, even if a run would refuse it: not to be said "no longer set" below
        boolean set = setting != null;
        try {
            fromSetting = setting == null ? null : LocalDate.parse(setting.value());
        } catch (java.time.format.DateTimeParseException e) {
            out.printf(Locale.ROOT, "  closed:     %s '%s' is not a date as yyyy-MM-dd: a run refuses to start%n", setting.variable(),
                    setting.value());
            fromSetting = null;
        }
        if (fromSetting != null && today != null && !fromSetting.isBefore(today)) {
            out.printf(Locale.ROOT, "  closed:     %s %s has not ended yet: a run refuses to start%n", setting.variable(), fromSetting);
            fromSetting = null;
        }
        no.ditiosync.state.ClosedPeriodStore.Closing closing;
        try {
            closing = no.ditiosync.state.ClosedPeriodStore.latest(c, company);
        } catch (SQLException e) {
            if (SqlDialect.of(c).isUndefinedTable(e)) {
                return; // a state DB of a version before closed periods, not yet opened by a sync
            }
            throw e;
        }
        // the rule the runs apply: the later of the two
        LocalDate inForce = no.ditiosync.state.ClosedPeriodStore.effective(fromSetting, closing);
        if (inForce == null) {
            return;
        }
        if (closing == null || !inForce.equals(closing.through())) {
            out.printf(Locale.ROOT, "  closed:     through %s (setting %s%s); later lines of those days are booked on %s%n",
                    inForce, setting.variable(), closing == null ? "" : "; " + closing.origin() + " at "
                            + time(closing.closedAt()) + " through " + closing.through() + " is earlier", inForce.plusDays(1));
        } else {
            // a setting lowered or removed since opens nothing: said here, as the operator may expect it to
            String lowered = fromSetting == null
                    ? closing.setting() == null || set ? "" : "; " + closing.setting() + " is no longer set, what was closed stays closed"
                    : fromSetting.isBefore(closing.through())
                    ? "; " + setting.variable() + " is " + fromSetting + ", earlier: a closed period is never opened again" : "";
            out.printf(Locale.ROOT, "  closed:     through %s (%s at %s%s); later lines of those days are booked on %s%n",
                    closing.through(), closing.origin(), time(closing.closedAt()), lowered, closing.through().plusDays(1));
        }
    }

    private static String time(java.time.Instant t) {
        return t == null ? "" : TIME.format(t.atOffset(ZoneOffset.UTC));
    }

    private static String time(OffsetDateTime t) {
        return t == null ? "" : TIME.format(t.withOffsetSameInstant(ZoneOffset.UTC));
    }
}
