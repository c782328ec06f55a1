package no.ditiosync.app;

import no.ditiosync.ledger.SqlDialect;
import org.apache.camel.impl.DefaultCamelContext;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The status command: per feed the watermark, the last runs and the open quarantine; per target
 * what the ledger holds. Reads only the state DB, so it works without Ditio credentials.
 */
final class StatusCommand {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'");
    private static final int RUNS_SHOWN = 10;
    private static final int QUARANTINE_SHOWN = 20;
    private static final int REPORTS_SHOWN = 5;

    private StatusCommand() {
    }

    static int run(PrintStream out) throws Exception {
        String url;
        String user;
        String password;
        String reportDir;
        try (DefaultCamelContext properties = new DefaultCamelContext()) {
            properties.getPropertiesComponent().setLocation(Files.isRegularFile(Path.of("application.properties"))
                    ? "file:application.properties" : "classpath:application.properties");
            url = properties.resolvePropertyPlaceholders("{{payroll.state-db-url}}");
            user = properties.resolvePropertyPlaceholders("{{payroll.state-db-user}}");
            password = properties.resolvePropertyPlaceholders("{{payroll.state-db-password}}");
            reportDir = properties.resolvePropertyPlaceholders("{{sync.report-dir}}");
        }
        if (url.startsWith("jdbc:h2:file:") && !Files.exists(Path.of(url.substring("jdbc:h2:file:".length()).split(";")[0] + ".mv.db"))) {
            out.println("No state DB at " + url + " yet: no sync has run.");
            return 0;
        }
        Connection connection;
        try {
            // IFEXISTS: status never creates a state DB (a PostgreSQL database is never created by connecting)
            connection = DataSources.connect(url.startsWith("jdbc:h2:") ? url + ";IFEXISTS=TRUE" : url, user, password,
                    DataSources.Keys.STATE_DB);
        } catch (SettingsException unreachable) {
            // the run reports still say what the last runs did, including those that failed because of it
            printReports(RunReports.folder(reportDir, url), out);
            throw unreachable;
        }
        try (Connection c = connection) {
            try {
                print(c, out);
            } catch (SQLException e) {
                if (!SqlDialect.of(c).isUndefinedTable(e)) {
                    throw e;
                }
                // a PostgreSQL database that exists but that no sync has used yet
                out.println("No state DB tables at " + DataSources.masked(url) + " yet: no sync has run.");
            }
        }
        printReports(RunReports.folder(reportDir, url), out);
        return 0;
    }

    /** The newest run reports, one line each (and the message of a failed run). */
    static void printReports(Path folder, PrintStream out) throws java.io.IOException {
        java.util.List<Path> reports = RunReports.list(folder);
        if (reports.isEmpty()) {
            return;
        }
        out.printf("Run reports in %s (newest %d of %d):%n", folder, Math.min(REPORTS_SHOWN, reports.size()), reports.size());
        for (Path report : reports.subList(0, Math.min(REPORTS_SHOWN, reports.size()))) {
            com.fasterxml.jackson.databind.JsonNode r = RunReports.read(report);
            StringBuilder lines = new StringBuilder();
            r.path("linesByTarget").fields().forEachRemaining(e ->
                    lines.append(lines.length() == 0 ? "" : ",").append(e.getKey()).append('=').append(e.getValue().asLong()));
            // no mode: a run that failed before it could plan its passes
            String mode = r.path("mode").isTextual() ? r.path("mode").asText() : "-";
            out.printf("  %s  %-9s  %-11s  %6d records  lines %-28s  %d quarantined%n", report.getFileName(),
                    r.path("outcome").asText(), mode, r.path("recordsRead").asLong(),
                    lines.length() == 0 ? "none" : lines, r.path("quarantined").asInt());
            if (!r.path("message").isNull() && !r.path("message").isMissingNode()) {
                out.println("      " + r.path("message").asText());
            }
        }
    }

    static void print(Connection c, PrintStream out) throws SQLException {
        try (ResultSet feeds = c.createStatement().executeQuery(
                "SELECT DISTINCT company, feed FROM sync_run ORDER BY company, feed")) {
            boolean any = false;
            while (feeds.next()) {
                any = true;
                printFeed(c, feeds.getString(1), feeds.getString(2), out);
            }
            if (!any) {
                out.println("No runs yet.");
            }
        }
    }

    private static void printFeed(Connection c, String company, String feed, PrintStream out) throws SQLException {
        out.printf("Company %s, feed %s%n", company, feed);
        // a run passes over several feeds (users, projects, time, absences, payroll lines), each with its watermark
        try (PreparedStatement ps = c.prepareStatement("SELECT feed, watermark, run_id FROM sync_watermark WHERE company = ? "
                + "ORDER BY CASE WHEN feed = ? THEN 0 ELSE 1 END, feed")) {
            ps.setString(1, company);
            ps.setString(2, feed);
            try (ResultSet rs = ps.executeQuery()) {
                boolean any = false;
                while (rs.next()) {
                    out.println((any ? "              " : "  watermark:  ") + String.format("%-8s ", rs.getString(1))
                            + time(rs.getObject(2, OffsetDateTime.class)) + " (run " + rs.getString(3)
                            + (any ? ")" : "; the next pass asks for changes since this minus the overlap)"));
                    any = true;
                }
                if (!any) {
                    out.println("  watermark:  none yet (the next run is a full pass)");
                }
            }
        }
        out.println("  ledger:");
        try (PreparedStatement ps = c.prepareStatement("SELECT target, SUM(CASE WHEN held THEN 1 ELSE 0 END), "
                + "SUM(CASE WHEN held THEN quantity ELSE 0 END) FROM export_ledger WHERE company = ? "
                + "GROUP BY target ORDER BY target")) {
            ps.setString(1, company);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.printf("    %-6s %8d lines held, %12s hours%n", rs.getString(1), rs.getLong(2),
                            rs.getBigDecimal(3).toPlainString());
                }
            }
        }
        out.printf("  last runs:%n    %-8s  %-20s  %-20s  %-11s  %-9s  %8s  %-28s  %s%n", "run", "started", "ended", "mode",
                "outcome", "records", "lines", "quarantined");
        try (PreparedStatement ps = c.prepareStatement("SELECT run_id, started_at, ended_at, mode, outcome, records_read, "
                + "lines_delivered, quarantined, message FROM sync_run WHERE company = ? AND feed = ? ORDER BY started_at DESC")) {
            ps.setString(1, company);
            ps.setString(2, feed);
            ps.setMaxRows(RUNS_SHOWN);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.printf("    %-8s  %-20s  %-20s  %-11s  %-9s  %8s  %-28s  %s%n", rs.getString(1),
                            time(rs.getObject(2, OffsetDateTime.class)), time(rs.getObject(3, OffsetDateTime.class)),
                            rs.getString(4), rs.getString(5), rs.getObject(6) == null ? "" : rs.getLong(6),
                            rs.getString(7) == null ? "" : rs.getString(7), rs.getObject(8) == null ? "" : rs.getInt(8));
                    if (rs.getString(9) != null) {
                        out.println("              " + rs.getString(9));
                    }
                }
            }
        }
        // the quarantine of every feed of the company's runs
        try (PreparedStatement count = c.prepareStatement("SELECT COUNT(*) FROM quarantine WHERE company = ?");
             PreparedStatement ps = c.prepareStatement("SELECT feed || ':' || record_id, work_date, reason FROM quarantine "
                     + "WHERE company = ? ORDER BY reason, record_id")) {
            count.setString(1, company);
            long open;
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                open = rs.getLong(1);
            }
            out.printf("  open quarantine: %d%n", open);
            ps.setString(1, company);
            ps.setMaxRows(QUARANTINE_SHOWN);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.printf("    %s  %s  %s%n", rs.getString(1), rs.getDate(2) == null ? "          " : rs.getDate(2),
                            rs.getString(3));
                }
            }
            if (open > QUARANTINE_SHOWN) {
                out.printf("    … and %d more%n", open - QUARANTINE_SHOWN);
            }
        }
    }

    private static String time(OffsetDateTime t) {
        return t == null ? "" : TIME.format(t.withOffsetSameInstant(ZoneOffset.UTC));
    }
}
