package no.ditiosync.state;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * What the state DB tells an operator (the status command, and pages that show the same): short,
 * bounded queries, each answered from a few rows whatever the size of the ledger.
 */
public final class StatusQueries {

    private StatusQueries() {
    }

    public record CompanyFeed(String company, String feed) {
    }

    public record Watermark(String feed, Instant watermark, String runId) {
    }

    /** What a target holds now, from the delivered hours kept with every commit. */
    public record Held(String target, long lines, BigDecimal hours) {
    }

    public record Run(String runId, Instant startedAt, Instant endedAt, String mode, String outcome, Long recordsRead,
                      String lines, Integer quarantined, String message, String node, String lineCounts,
                      String quarantineCounts) {
    }

    public record Quarantined(String feed, String recordId, LocalDate workDate, String reason) {
    }

    /** The companies and feeds that have runs. */
    public static List<CompanyFeed> feeds(Connection c) throws SQLException {
        List<CompanyFeed> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT company, feed FROM sync_run ORDER BY company, feed");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new CompanyFeed(rs.getString(1), rs.getString(2)));
            }
        }
        return out;
    }

    /** A company's watermarks, {@code first}'s first. */
    public static List<Watermark> watermarks(Connection c, String company, String first) throws SQLException {
        List<Watermark> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT feed, watermark, run_id FROM sync_watermark WHERE company = ? "
                + "ORDER BY CASE WHEN feed = ? THEN 0 ELSE 1 END, feed")) {
            ps.setString(1, company);
            ps.setString(2, first);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Watermark(rs.getString(1), StateDb.instant(rs, 2), rs.getString(3)));
                }
            }
        }
        return out;
    }

    /** Per target the lines it holds and their hours. */
    public static List<Held> held(Connection c, String company) throws SQLException {
        List<Held> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT target, SUM(lines), SUM(hours) FROM delivered_hours "
                + "WHERE company = ? GROUP BY target ORDER BY target")) {
            ps.setString(1, company);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Held(rs.getString(1), rs.getLong(2), rs.getBigDecimal(3)));
                }
            }
        }
        return out;
    }

    /** The newest {@code limit} runs of a company's feed. */
    public static List<Run> runs(Connection c, String company, String feed, int limit) throws SQLException {
        List<Run> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT run_id, started_at, ended_at, mode, outcome, records_read, "
                + "lines_delivered, quarantined, message, node, line_counts, quarantine_counts FROM sync_run "
                + "WHERE company = ? AND feed = ? ORDER BY started_at DESC")) {
            ps.setString(1, company);
            ps.setString(2, feed);
            ps.setMaxRows(limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Run(rs.getString(1), StateDb.instant(rs, 2), StateDb.instant(rs, 3), rs.getString(4),
                            rs.getString(5), rs.getObject(6) == null ? null : rs.getLong(6), rs.getString(7),
                            rs.getObject(8) == null ? null : rs.getInt(8), rs.getString(9), rs.getString(10),
                            rs.getString(11), rs.getString(12)));
                }
            }
        }
        return out;
    }

    public static long quarantineCount(Connection c, String company) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM quarantine WHERE company = ?")) {
            ps.setString(1, company);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The first {@code limit} records of a company's open quarantine, by reason. */
    public static List<Quarantined> quarantine(Connection c, String company, int limit) throws SQLException {
        List<Quarantined> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT feed, record_id, work_date, reason FROM quarantine "
                + "WHERE company = ? ORDER BY reason, record_id")) {
            ps.setString(1, company);
            ps.setMaxRows(limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Quarantined(rs.getString(1), rs.getString(2), StateDb.localDate(rs, 3), rs.getString(4)));
                }
            }
        }
        return out;
    }

    /**
     * One open quarantined record as the payroll officer reads it: the worker's name (as on the
     * registration) and employee number (on the registration, else from /v1/user), when known.
     */
    public record OpenRecord(String company, String feed, String recordId, String workerName, String employeeNumber,
                             String workDate, java.math.BigDecimal hours, String project, String reason) {
    }

    /** Every open quarantined record (of every company), by company, work date and record. */
    public static List<OpenRecord> openQuarantine(Connection c) throws SQLException {
        List<OpenRecord> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT q.company, q.feed, q.record_id, q.user_name, "
                + "q.user_employee_number, u.employee_number, q.work_date, q.work_date_text, q.qty, q.project_number, q.reason "
                + "FROM quarantine q LEFT JOIN ditio_user u ON u.company = q.company AND u.identity_user_id = q.user_id "
                + "ORDER BY q.company, q.work_date, q.record_id")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String onRegistration = rs.getString(5);
                    java.time.LocalDate day = StateDb.localDate(rs, 7);
                    out.add(new OpenRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            onRegistration == null || onRegistration.isBlank() ? rs.getString(6) : onRegistration,
                            // a date that could not be read is shown as Ditio sent it
                            day != null ? day.toString() : rs.getString(8), rs.getBigDecimal(9), rs.getString(10),
                            rs.getString(11)));
                }
            }
        }
        return out;
    }
}
