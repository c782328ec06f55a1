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
 * What the state DB tells an operator (the status command and the operator's page): short, bounded
 * queries, each answered from a few rows whatever the size of the ledger. None reads ledger_line:
 * what the targets hold per work date is kept in delivered_hours by every commit.
 */
public final class StatusQueries {

    /** No status query waits longer for the database: a page or status answers, or says it could not. */
    static final int TIMEOUT_SECONDS = 10;

    private StatusQueries() {
    }

    public record CompanyFeed(String company, String feed) {
    }

    public record Watermark(String feed, Instant watermark, String runId) {
    }

    /** What a target holds now, from the delivered hours kept with every commit. */
    public record Held(String target, long lines, BigDecimal hours) {
    }

    /**
     * A run as the run log holds it; {@code lineCounts} per target as new/corrected/reversed/released
     * ({@code visma=12/3/1/0,sap=...}) and {@code quarantineCounts} as new/released/open, both only for a
     * run whose ledger committed.
     */
    public record Run(String runId, Instant startedAt, Instant endedAt, String mode, String outcome, Long recordsRead,
                      String lines, Integer quarantined, String message, String node, String lineCounts,
                      String quarantineCounts, boolean committed) {
    }

    /** Hours and lines a target holds for one work date, net of every correction. */
    public record DayHeld(String target, LocalDate workDate, BigDecimal hours, long lines) {
    }

    public record ReasonCount(String reason, long records) {
    }

    /**
     * A quarantined record as Ditio last sent it; the employee number from the record, else from the
     * user (/v1/user) as last seen; the work date as sent when it is not a date.
     */
    public record QuarantinedRecord(String company, String feed, String recordId, String userName, String employeeNumber,
                                    LocalDate workDate, String workDateText, BigDecimal hours, String projectNumber,
                                    String taskNumber, String description, String reason, String firstRunId,
                                    String lastRunId) {

        /** The work date, or as Ditio sent it when it is not a date. */
        public String workDateAsSent() {
            return workDate != null ? workDate.toString() : workDateText;
        }
    }

    /** The order the open quarantine is read in, within each company. */
    public enum QuarantineOrder {
        /** along index quarantine_by_reason: the page, a reason's records together */
        BY_REASON("q.reason, q.work_date, q.feed, q.record_id"),
        /** the status command: as the payroll officer goes through the days */
        BY_WORK_DATE("q.work_date, q.record_id");

        private final String columns;

        QuarantineOrder(String columns) {
            this.columns = columns;
        }
    }

    public record Quarantined(String feed, String recordId, LocalDate workDate, String reason) {
    }

    /**
     * A drop its run committed (so the ledger counts its lines as delivered) that is not published yet:
     * payroll has not got it. {@code status} is the outbox's (committed, renaming, uploading, found-there);
     * {@code committedAt} when its run committed it, null for a drop a version before that time was kept
     * committed (the schema gave those rows the epoch, to deliver them first).
     */
    public record UnpublishedDrop(String runId, String target, String finalPath, String status, Instant committedAt,
                                  int lines) {

        /** What payroll will find: the drop's file name, or the rows of payroll_line for the JDBC target. */
        public String file() {
            return dropName(finalPath);
        }
    }

    /** A drop's file name (its final path's last part); a drop without file is rows of payroll_line. */
    public static String dropName(String finalPath) {
        if (finalPath == null) {
            return "payroll_line rows";
        }
        int slash = Math.max(finalPath.lastIndexOf('/'), finalPath.lastIndexOf('\\'));
        return finalPath.substring(slash + 1);
    }

    /** A commit time as kept, or null for the epoch the schema gave drops kept before commit times were. */
    private static Instant knownTime(Instant committedAt) {
        return Instant.EPOCH.equals(committedAt) ? null : committedAt;
    }

    /**
     * The first {@code limit} of a company's drops not yet published, in the order the next run publishes
     * them (read along index drop_outbox_unpublished: a few rows however many drops were published).
     */
    public static List<UnpublishedDrop> unpublishedDrops(Connection c, String company, int limit) throws SQLException {
        List<UnpublishedDrop> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT run_id, target, final_path, status, committed_at, line_count "
                + "FROM drop_outbox WHERE company = ? AND " + OutboxStore.UNPUBLISHED + " "
                + "ORDER BY committed_at, run_id, target LIMIT " + positive(limit))) {
            ps.setQueryTimeout(TIMEOUT_SECONDS);
            ps.setString(1, company);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new UnpublishedDrop(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            knownTime(StateDb.instant(rs, 5)), rs.getInt(6)));
                }
            }
        }
        return out;
    }

    public static long unpublishedDropCount(Connection c, String company) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM drop_outbox WHERE company = ? "
                + "AND " + OutboxStore.UNPUBLISHED)) {
            ps.setQueryTimeout(TIMEOUT_SECONDS);
            ps.setString(1, company);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
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
            ps.setQueryTimeout(TIMEOUT_SECONDS);
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

    /** The newest {@code limit} runs of a company's feed (read in order along index sync_run_newest_first). */
    public static List<Run> runs(Connection c, String company, String feed, int limit) throws SQLException {
        List<Run> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT run_id, started_at, ended_at, mode, outcome, records_read, "
                + "lines_delivered, quarantined, message, node, line_counts, quarantine_counts, committed FROM sync_run "
                + "WHERE company = ? AND feed = ? ORDER BY company, feed, started_at DESC LIMIT " + positive(limit))) {
            ps.setQueryTimeout(TIMEOUT_SECONDS);
            ps.setString(1, company);
            ps.setString(2, feed);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    // a run that did not commit held nothing in quarantine (its 0 is no count); a run of a version
                    // before the committed column has it false, and succeeded
                    boolean committed = rs.getBoolean(13) || "succeeded".equals(rs.getString(5));
                    out.add(new Run(rs.getString(1), StateDb.instant(rs, 2), StateDb.instant(rs, 3), rs.getString(4),
                            rs.getString(5), rs.getObject(6) == null ? null : rs.getLong(6), rs.getString(7),
                            rs.getObject(8) == null || !committed ? null : rs.getInt(8), rs.getString(9), rs.getString(10),
                            rs.getString(11), rs.getString(12), rs.getBoolean(13)));
                }
            }
        }
        return out;
    }

    /**
     * What each target holds per work date from {@code from} on (at most {@code limit} rows, oldest
     * first): a few rows per day, whatever the size of the ledger.
     */
    public static List<DayHeld> heldPerDay(Connection c, String company, LocalDate from, int limit) throws SQLException {
        List<DayHeld> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT target, work_date, hours, lines FROM delivered_hours "
                + "WHERE company = ? AND work_date >= ? ORDER BY work_date, target LIMIT " + positive(limit))) {
            ps.setQueryTimeout(TIMEOUT_SECONDS);
            ps.setString(1, company);
            ps.setObject(2, from);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new DayHeld(rs.getString(1), StateDb.localDate(rs, 2), rs.getBigDecimal(3), rs.getLong(4)));
                }
            }
        }
        return out;
    }

    /** The reasons of a company's open quarantine, the most frequent first (at most {@code limit}). */
    public static List<ReasonCount> quarantineReasons(Connection c, String company, int limit) throws SQLException {
        List<ReasonCount> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT reason, COUNT(*) FROM quarantine WHERE company = ? "
                + "GROUP BY company, reason ORDER BY COUNT(*) DESC, reason LIMIT " + positive(limit))) {
            ps.setQueryTimeout(TIMEOUT_SECONDS);
            ps.setString(1, company);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ReasonCount(rs.getString(1), rs.getLong(2)));
                }
            }
        }
        return out;
    }

    /**
     * The open quarantine of {@code company} (null: of every company, company by company), in
     * {@code order}, at most {@code limit} records (0: all; a record without a work date is first in
     * H2, last in PostgreSQL), each handed to {@code each} as it is read (a download of many is never
     * held whole). The employee number is the registration's, else the user's (/v1/user) as last seen,
     * looked up by its key (ditio_user's primary key), one row per record.
     */
    public static void quarantinedRecords(Connection c, String company, QuarantineOrder order, int limit,
                                          java.util.function.Consumer<QuarantinedRecord> each) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT q.company, q.feed, q.record_id, q.user_name, "
                + "q.user_employee_number, u.employee_number, q.work_date, q.work_date_text, q.qty, "
                + "q.project_number, q.task_number, q.description, q.reason, q.first_run_id, q.last_run_id "
                + "FROM quarantine q LEFT JOIN ditio_user u ON u.company = q.company AND u.identity_user_id = q.user_id "
                + (company != null ? "WHERE q.company = ? " : "") + "ORDER BY q.company, " + order.columns
                + (limit == 0 ? "" : " LIMIT " + positive(limit)))) {
            ps.setQueryTimeout(TIMEOUT_SECONDS);
            if (company != null) {
                ps.setString(1, company);
            }
            ps.setFetchSize(500);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String onRegistration = rs.getString(5);
                    each.accept(new QuarantinedRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            onRegistration == null || onRegistration.isBlank() ? rs.getString(6) : onRegistration,
                            StateDb.localDate(rs, 7), rs.getString(8), rs.getBigDecimal(9), rs.getString(10),
                            rs.getString(11), rs.getString(12), rs.getString(13), rs.getString(14), rs.getString(15)));
                }
            }
        }
    }

    /** A LIMIT is written into the statement (H2 and PostgreSQL both read it so), never taken from input. */
    private static int positive(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        return limit;
    }

    /** When a company's run started, or null when the run log has no such run. */
    public static Instant runStart(Connection c, String runId, String company) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT started_at FROM sync_run WHERE run_id = ? AND company = ?")) {
            ps.setQueryTimeout(TIMEOUT_SECONDS);
            ps.setString(1, runId);
            ps.setString(2, company);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? StateDb.instant(rs, 1) : null;
            }
        }
    }

    public static long quarantineCount(Connection c, String company) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM quarantine WHERE company = ?")) {
            ps.setQueryTimeout(TIMEOUT_SECONDS);
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
}
