package no.ditiosync.ledger;

import no.ditiosync.ditio.DitioDates;
import no.ditiosync.ditio.DitioProject;
import no.ditiosync.ditio.DitioUser;
import no.ditiosync.ditio.PageReader;
import no.ditiosync.payroll.PayrollLineMapper;
import no.ditiosync.ditio.TimeRegistration;
import no.ditiosync.payroll.EmployeeDirectory;
import no.ditiosync.payroll.MappingResult;
import no.ditiosync.payroll.PayrollLine;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * All SQL of the state DB in one place (dialect differences live in {@link SqlDialect}).
 * Watermarks, the export ledger, the outbox and the run log change together in the delivery
 * transaction ({@link DeliveryTransaction}); everything else here is safe to commit as it goes.
 */
public final class StateStore {

    private static final List<String> RECORD_KEYS = List.of("company", "feed", "record_id");
    private static final List<String> RECORD_COLUMNS = List.of("line_id", "work_date_text", "qty", "user_id",
            "user_employee_number", "project_number", "task_number", "description", "approved", "payroll_approved",
            "modified", "deleted", "deleted_at", "status", "reason", "employee_number", "work_date", "wage_type",
            "quantity", "department", "staged_seq", "last_seen_run", "source_fields", "parent_id");
    private static final List<String> TOMBSTONE_COLUMNS = List.of("line_id", "modified", "deleted", "deleted_at", "status",
            "reason", "staged_seq", "last_seen_run");

    /** The ledger columns a delivery writes, in the order {@link #insertLedger} and {@link #updateLedger} bind them. */
    static final List<String> LEDGER_COLUMNS = List.of("employee_number", "work_date", "wage_type", "project_number",
            "task_number", "department", "text", "quantity", "document_number", "version", "source_id", "source_modified",
            "run_id", "held");

    private final DataSource dataSource;
    private final SqlDialect dialect;
    private final String upsertRecord;
    private final String upsertTombstone;
    private final String upsertUser;
    private final String upsertProject;
    final String insertLedger;
    final String updateLedger;
    final String upsertQuarantine;
    final String upsertWatermark;
    /** A metadata pass's watermark (users, projects): its row's delivered_seq is left as it is. */
    final String upsertPassWatermark;

    public StateStore(DataSource dataSource) throws SQLException {
        this.dataSource = dataSource;
        try (Connection c = dataSource.getConnection()) {
            this.dialect = SqlDialect.of(c);
            runScript(c, dialect, "/db/schema.sql");
        }
        upsertRecord = dialect.upsert("source_record", RECORD_KEYS, RECORD_COLUMNS);
        upsertTombstone = dialect.upsert("source_record", RECORD_KEYS, TOMBSTONE_COLUMNS);
        upsertUser = dialect.upsert("ditio_user", List.of("company", "identity_user_id"),
                List.of("user_id", "employee_number", "department", "modified", "deleted"));
        upsertProject = dialect.upsert("ditio_project", List.of("company", "project_id"),
                List.of("project_number", "name", "modified", "deleted"));
        // no upsert: the pending scan read each ledger row it changes, so it knows whether the row exists
        insertLedger = "INSERT INTO export_ledger (" + String.join(", ", LEDGER_COLUMNS) + ", company, target, line_id) VALUES ("
                + "?, ".repeat(LEDGER_COLUMNS.size() + 2) + "?)";
        // only the row as the run read it: (version, held) changes with every delivery of the line
        updateLedger = "UPDATE export_ledger SET " + String.join(" = ?, ", LEDGER_COLUMNS)
                + " = ? WHERE company = ? AND target = ? AND line_id = ? AND version = ? AND held = ?";
        upsertQuarantine = dialect.upsert("quarantine", List.of("company", "feed", "record_id"),
                List.of("reason", "work_date", "user_id", "last_run_id"));
        upsertWatermark = dialect.upsert("sync_watermark", List.of("company", "feed"),
                List.of("watermark", "run_id", "delivered_seq"));
        upsertPassWatermark = dialect.upsert("sync_watermark", List.of("company", "feed"), List.of("watermark", "run_id"));
    }

    public SqlDialect dialect() {
        return dialect;
    }

    /**
     * Runs a bundled SQL script whose statements end with ';' at the end of a line. The same
     * script runs on H2 and PostgreSQL; how it is run (one transaction or not) is the dialect's.
     */
    public static void runScript(Connection c, SqlDialect dialect, String resource) throws SQLException {
        String script;
        try (InputStream in = StateStore.class.getResourceAsStream(resource)) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new SQLException("cannot read bundled " + resource, e);
        }
        List<String> statements = new ArrayList<>();
        StringBuilder statement = new StringBuilder();
        for (String line : script.split("\n")) {
            if (line.strip().startsWith("--")) {
                continue;
            }
            statement.append(line).append('\n');
            if (line.strip().endsWith(";")) {
                String sql = statement.toString().strip();
                statements.add(sql.substring(0, sql.length() - 1));
                statement.setLength(0);
            }
        }
        dialect.runSchema(c, statements);
    }

    // ---- watermarks and runs ------------------------------------------------------------------

    public Instant watermark(String company, String feed) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT watermark FROM sync_watermark WHERE company = ? AND feed = ?")) {
            ps.setString(1, company);
            ps.setString(2, feed);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? instant(rs, 1) : null;
            }
        }
    }

    /** When the last run of the feed started, whatever came of it; null before the first run. */
    /** Whether a run that answered this scheduled firing succeeded. */
    public boolean firingSucceeded(String company, String feed, Instant scheduledFor) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM sync_run WHERE company = ? AND feed = ? "
                     + "AND scheduled_for = ? AND outcome = 'succeeded'")) {
            ps.setString(1, company);
            ps.setString(2, feed);
            ps.setObject(3, odt(scheduledFor));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    public Instant lastRunStartedAt(String company, String feed) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT MAX(started_at) FROM sync_run WHERE company = ? AND feed = ?")) {
            ps.setString(1, company);
            ps.setString(2, feed);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? instant(rs, 1) : null;
            }
        }
    }

    /**
     * Takes the feed's lock row for the duration of a run; null when another run holds it.
     * The lock is a row lock of an open transaction, so a killed process releases it with its connection.
     * A connection can also go while its process lives on (database restart, failover): then
     * another run can take the lock while this one goes on. So taking the lock also takes the next
     * fencing token ({@link Fence}), which the run's writes check.
     */
    public FeedLock tryLock(String company, String feed) throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            c.setAutoCommit(true);
            try (PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO sync_lock (company, feed) SELECT ?, ? WHERE NOT EXISTS "
                            + "(SELECT 1 FROM sync_lock WHERE company = ? AND feed = ?)")) {
                ins.setString(1, company);
                ins.setString(2, feed);
                ins.setString(3, company);
                ins.setString(4, feed);
                ins.executeUpdate();
            } catch (SQLException raceWithAnotherNode) {
                // the row exists now either way
            }
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                for (String setting : dialect.lockTransactionSettings()) {
                    s.execute(setting);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(dialect.selectForUpdateNoWait(
                    "SELECT feed FROM sync_lock WHERE company = ? AND feed = ?"))) {
                ps.setString(1, company);
                ps.setString(2, feed);
                ps.executeQuery().close();
            }
            return new FeedLock(c, new Fence(company, feed, takeFenceToken(company, feed)));
        } catch (SQLException e) {
            closeQuietly(c, e);
            if (dialect.isLockNotAvailable(e)) {
                return null;
            }
            throw e; // the database failed: that is no busy feed
        } catch (RuntimeException e) {
            closeQuietly(c, e);
            throw e;
        }
    }

    private static void closeQuietly(Connection c, Exception cause) {
        try {
            c.close();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * The next fencing token of a feed, taken by the run that has just taken its lock: committed
     * (durably) at once on a connection of its own, so that a run still going on with an older
     * token sees it at its next write.
     */
    private long takeFenceToken(String company, String feed) throws SQLException {
        long[] epoch = new long[1];
        durably(c -> {
            try (PreparedStatement next = c.prepareStatement(
                    "UPDATE sync_fence SET epoch = epoch + 1 WHERE company = ? AND feed = ?")) {
                next.setString(1, company);
                next.setString(2, feed);
                if (next.executeUpdate() == 0) {
                    // the feed's first run: only the holder of the lock gets here, so no one else inserts it
                    try (PreparedStatement first = c.prepareStatement(
                            "INSERT INTO sync_fence (company, feed, epoch) VALUES (?, ?, 1)")) {
                        first.setString(1, company);
                        first.setString(2, feed);
                        first.executeUpdate();
                    }
                }
            }
            try (PreparedStatement read = c.prepareStatement("SELECT epoch FROM sync_fence WHERE company = ? AND feed = ?")) {
                read.setString(1, company);
                read.setString(2, feed);
                try (ResultSet rs = read.executeQuery()) {
                    rs.next();
                    epoch[0] = rs.getLong(1);
                }
            }
        });
        return epoch[0];
    }

    /**
     * The fencing token a run took with its feed lock: {@code epoch} of row (company, feed) of
     * sync_fence. The next run to take the lock makes it stale.
     */
    public record Fence(String company, String feed, long epoch) {
    }

    /**
     * Holds the feed's fence row until the end of {@code c}'s transaction, and fails when the run's
     * token is no longer the feed's: another run took the lock since. Held, the row keeps the next
     * run from taking its token until this transaction has committed, so a write checked here
     * either commits before the next run starts, or not at all.
     */
    static void holdFence(Connection c, Fence fence) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT epoch FROM sync_fence WHERE company = ? AND feed = ? FOR UPDATE")) {
            ps.setString(1, fence.company());
            ps.setString(2, fence.feed());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getLong(1) != fence.epoch()) {
                    throw new FeedLockLostException(null);
                }
            }
        }
    }

    /**
     * Whether the run's token is still the feed's, read on a fresh connection after a delivery
     * failed; true when the state DB cannot say (the run's own failure then stands as it is).
     */
    boolean fenceHolds(Fence fence) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT epoch FROM sync_fence WHERE company = ? AND feed = ?")) {
            ps.setString(1, fence.company());
            ps.setString(2, fence.feed());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getLong(1) == fence.epoch();
            }
        } catch (SQLException e) {
            return true; // cannot tell: the run's own failure says what happened
        }
    }

    /** Runs {@code work} in one transaction that commits only while the run's fencing token holds ({@link #holdFence}). */
    void fenced(Fence fence, SqlWork work) throws SQLException {
        inTransaction(c -> {
            holdFence(c, fence);
            work.run(c);
        });
    }

    /** A held feed lock; closing it ends the transaction that holds the row. */
    public static final class FeedLock implements AutoCloseable {
        private final Connection connection;
        private final Fence fence;

        FeedLock(Connection connection, Fence fence) {
            this.connection = connection;
            this.fence = fence;
        }

        /** The fencing token taken with the lock. */
        public Fence fence() {
            return fence;
        }

        @Override
        public void close() {
            try (connection) {
                connection.rollback();
            } catch (SQLException ignored) {
                // the connection is going away: so is the lock
            }
        }
    }

    /** @param node the process the run runs in (host/pid), so a cluster's run log says where each run ran */
    public void startRun(SyncRun run, String node) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            insertRun(c, run, node, "running");
        }
    }

    /** A run that failed before it started ({@link #startRun} never came): its row, ended and failed. */
    public void recordFailedRun(SyncRun run, String node, String message) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            insertRun(c, run, node, "failed");
            updateRun(c, run, "failed", message);
        }
    }

    private void insertRun(Connection c, SyncRun run, String node, String outcome) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO sync_run (run_id, company, feed, mode, started_at, "
                + "outcome, node, scheduled_for) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, run.runId());
            ps.setString(2, run.company());
            ps.setString(3, run.feed());
            ps.setString(4, modeOf(run));
            ps.setObject(5, odt(run.startedAt()));
            ps.setString(6, outcome);
            str(ps, 7, node);
            ps.setObject(8, odt(run.scheduledFor()));
            ps.executeUpdate();
        }
    }

    /** full or incremental; "-" for a run that failed before it could plan its passes. */
    private static String modeOf(SyncRun run) {
        return run.mode() == null ? "-" : run.mode().name().toLowerCase();
    }

    public void failRun(SyncRun run, String message) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            updateRun(c, run, "failed", message);
        }
    }

    void updateRun(Connection c, SyncRun run, String outcome, String message) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE sync_run SET ended_at = ?, outcome = ?, pages = ?, "
                + "records_read = ?, deleted_read = ?, lines_delivered = ?, quarantined = ?, message = ? WHERE run_id = ?")) {
            ps.setObject(1, odt(run.endedAt() == null ? Instant.now() : run.endedAt()));
            ps.setString(2, outcome);
            ps.setInt(3, run.pages());
            ps.setLong(4, run.recordsRead());
            ps.setLong(5, run.deletedRead());
            ps.setString(6, run.linesSummary());
            ps.setInt(7, run.quarantinedCount());
            str(ps, 8, message == null ? null : message.length() > 1000 ? message.substring(0, 1000) : message);
            ps.setString(9, run.runId());
            ps.executeUpdate();
        }
    }

    /** The end of the last run of a feed that succeeded, or null. */
    public Instant lastSucceeded(String company, String feed) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT MAX(ended_at) FROM sync_run "
                     + "WHERE company = ? AND feed = ? AND outcome = 'succeeded'")) {
            ps.setString(1, company);
            ps.setString(2, feed);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? instant(rs, 1) : null;
            }
        }
    }

    /** The cheapest question the state DB can answer (readiness): throws when it cannot. */
    public void check(int timeoutSeconds) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.setQueryTimeout(timeoutSeconds);
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM sync_watermark")) {
                rs.next();
            }
        }
    }

    /** Whether a run's delivery transaction committed, as far as the state DB can tell now. */
    public enum CommitOutcome { COMMITTED, NOT_COMMITTED, UNKNOWN }

    /** How long {@link #deliveryOutcome} waits for a delivery transaction the server may still be finishing. */
    static final int OUTCOME_WAIT_SECONDS = 30;

    /**
     * Whether the delivery of a run committed, asked on a fresh connection after its commit failed.
     * The delivery transaction wrote the run's row ('succeeded') just before its COMMIT, so the row
     * says it; read FOR UPDATE, the answer waits for that transaction if the server is still
     * finishing it (its row lock), and is then final. UNKNOWN when the state DB cannot answer.
     */
    public CommitOutcome deliveryOutcome(String runId) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT outcome FROM sync_run WHERE run_id = ? FOR UPDATE")) {
                ps.setQueryTimeout(OUTCOME_WAIT_SECONDS);
                ps.setString(1, runId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return CommitOutcome.UNKNOWN;
                    }
                    // anything else ('running', or 'abandoned' by a run that took over) is the row as it was before
                    return "succeeded".equals(rs.getString(1)) ? CommitOutcome.COMMITTED : CommitOutcome.NOT_COMMITTED;
                }
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            return CommitOutcome.UNKNOWN;
        }
    }

    /** Makes the last commits survive a power cut, where a commit alone does not (H2; see {@link SqlDialect#syncToDisk}). */
    public void syncToDisk() throws SQLException {
        if (dialect.syncToDisk() != null) {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute(dialect.syncToDisk());
            }
        }
    }

    /** Runs left 'running' by a process that died: they did not deliver (their ledger never committed). */
    public int markAbandonedRuns(String company) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE sync_run SET outcome = 'abandoned', ended_at = ? "
                     + "WHERE company = ? AND outcome = 'running'")) {
            ps.setObject(1, odt(Instant.now()));
            ps.setString(2, company);
            return ps.executeUpdate();
        }
    }

    // ---- users --------------------------------------------------------------------------------

    /**
     * Stores a page of users. A known user whose employee number or department changed is flagged
     * {@code remap_pending} until a run commits, so the change reaches the user's records even
     * when the run that saw it fails.
     */
    public void upsertUsers(String company, List<DitioUser> users) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(upsertUser);
             PreparedStatement changed = c.prepareStatement("UPDATE ditio_user SET remap_pending = TRUE "
                     + "WHERE company = ? AND identity_user_id = ? "
                     + "AND (employee_number IS DISTINCT FROM ? OR department IS DISTINCT FROM ?)")) {
            Map<String, String> numberedProfiles = new HashMap<>();
            for (DitioUser u : users) {
                if (u.identityUserId != null && u.employeeNumber != null && !u.employeeNumber.isBlank()) {
                    numberedProfiles.put(u.identityUserId, u.id);
                }
            }
            for (DitioUser u : users) {
                if (u.identityUserId == null || u.identityUserId.isBlank()
                        || lacksTheNumberOfAnotherProfile(c, company, u, numberedProfiles)) {
                    continue;
                }
                changed.setString(1, company);
                str(changed, 2, u.identityUserId);
                str(changed, 3, u.employeeNumber);
                str(changed, 4, u.department);
                changed.addBatch();
                ps.setString(1, company);
                str(ps, 2, u.identityUserId);
                str(ps, 3, u.id);
                str(ps, 4, u.employeeNumber);
                str(ps, 5, u.department);
                ps.setObject(6, odt(safeInstant(u.modifiedDateTime)));
                ps.setBoolean(7, u.isDeleted);
                ps.addBatch();
            }
            changed.executeBatch();
            ps.executeBatch();
        }
    }

    /**
     * /v1/user has one row per company profile, all under the user's identityUserId: a profile
     * without an employee number (the user's profile in a second company) must not erase the number
     * another profile gave, on this page or stored before. The same profile losing its number does.
     */
    private static boolean lacksTheNumberOfAnotherProfile(Connection c, String company, DitioUser u,
                                                          Map<String, String> numberedProfiles) throws SQLException {
        if (u.employeeNumber != null && !u.employeeNumber.isBlank()) {
            return false;
        }
        String onThisPage = numberedProfiles.get(u.identityUserId);
        if (onThisPage != null) {
            return !onThisPage.equals(u.id);
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT user_id, employee_number FROM ditio_user WHERE company = ? AND identity_user_id = ?")) {
            ps.setString(1, company);
            ps.setString(2, u.identityUserId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getString(2) != null && !rs.getString(2).isBlank()
                        && rs.getString(1) != null && !rs.getString(1).equals(u.id);
            }
        }
    }

    /** The employees of a company by identityUserId, as last seen; deleted users are kept as last known. */
    public Map<String, EmployeeDirectory.Employee> employees(String company) throws SQLException {
        Map<String, EmployeeDirectory.Employee> byId = new HashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT identity_user_id, employee_number, department FROM ditio_user WHERE company = ?")) {
            ps.setString(1, company);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byId.put(rs.getString(1), new EmployeeDirectory.Employee(rs.getString(2), rs.getString(3)));
                }
            }
        }
        return byId;
    }

    // ---- projects -----------------------------------------------------------------------------

    /**
     * Stores a page of projects. A deleted project comes as its last version flagged deleted and is
     * kept so, number included: registrations made before still name it.
     */
    public void upsertProjects(String company, List<DitioProject> projects) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(upsertProject)) {
            for (DitioProject p : projects) {
                if (p.id == null || p.id.isBlank() || p.id.length() > 64) {
                    continue;
                }
                ps.setString(1, company);
                str(ps, 2, p.id);
                str(ps, 3, p.number == null || p.number.length() > 100 ? null : p.number);
                str(ps, 4, p.name == null || p.name.length() <= 200 ? p.name : p.name.substring(0, 200));
                ps.setObject(5, odt(safeInstant(p.modifiedDateTime)));
                ps.setBoolean(6, p.isDeleted);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Project numbers of a company by project id, as last seen; deleted projects as last known. */
    public Map<String, String> projectNumbers(String company) throws SQLException {
        Map<String, String> byId = new HashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT project_id, project_number FROM ditio_project WHERE company = ?")) {
            ps.setString(1, company);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byId.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return byId;
    }

    // ---- registrations ------------------------------------------------------------------------

    /**
     * The staging number of the feed's current run, as SQL taking (company, feed): one more than
     * that of the last committed run. A row staged with it is pending until the run's commit makes
     * it the feed's {@code delivered_seq}. Runs of a feed never overlap (the feed lock), so the rows
     * a failed run staged carry the number of the next run as well, and it delivers them.
     */
    private static final String STAGING_SEQ =
            "COALESCE((SELECT w.delivered_seq FROM sync_watermark w WHERE w.company = ? AND w.feed = ?), 0) + 1";

    /** The staging number of the feed's current run (see {@link #STAGING_SEQ}). */
    static long stagingSeq(Connection c, String company, String feed) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + STAGING_SEQ)) {
            ps.setString(1, company);
            ps.setString(2, feed);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Stores one page of registrations as their last known version, pending delivery, in one
     * transaction that commits only while the run holds the feed lock ({@link #fenced}): a run that
     * lost its lock must not overwrite what the run that took it stored since. (bench/run, 100k
     * records: the run took no more CPU than with a commit per row on H2, less on PostgreSQL.) Upserts, not an insert of the
     * records not known yet: telling them apart costs H2 the same index lookup the upsert makes (an
     * IN list on the key's third column cannot use the index).
     */
    public void stageRecords(Fence fence, String feed, String runId, List<StagedRecord> records) throws SQLException {
        if (records.isEmpty()) {
            return;
        }
        String company = fence.company();
        fenced(fence, c -> {
            try (PreparedStatement live = c.prepareStatement(upsertRecord);
                 PreparedStatement tomb = c.prepareStatement(upsertTombstone)) {
                long seq = stagingSeq(c, company, feed);
                for (StagedRecord staged : records) {
                    stage(live, tomb, company, feed, runId, seq, staged);
                }
                live.executeBatch();
                tomb.executeBatch();
            }
        });
    }

    private void stage(PreparedStatement live, PreparedStatement tomb, String company, String feed, String runId, long seq,
                       StagedRecord staged) throws SQLException {
        TimeRegistration r = staged.record();
        if (r.isDeleted) {
            setKey(tomb, company, feed, r.id);
            str(tomb, 4, lineId(feed, r.id));
            tomb.setObject(5, odt(safeInstant(r.modifiedDateTime)));
            tomb.setBoolean(6, true);
            tomb.setObject(7, odt(safeInstant(r.deletedDateTime)));
            tomb.setString(8, MappingResult.Status.DELETED.name());
            tomb.setString(9, null);
            tomb.setLong(10, seq);
            tomb.setString(11, runId);
            tomb.addBatch();
        } else {
            setKey(live, company, feed, r.id);
            str(live, 4, lineId(feed, r.id));
            bindLive(live, 5, r, staged.result(), runId, seq);
            live.addBatch();
        }
    }

    private void bindLive(PreparedStatement ps, int i, TimeRegistration r, MappingResult m, String runId, long seq)
            throws SQLException {
        str(ps, i++, r.workDate);
        ps.setBigDecimal(i++, r.qty);
        str(ps, i++, r.userId);
        str(ps, i++, r.userEmployeeNumber);
        str(ps, i++, r.projectNumber);
        str(ps, i++, r.taskWbsNumber);
        str(ps, i++, r.description);
        ps.setBoolean(i++, r.approved);
        ps.setBoolean(i++, r.payrollApproved);
        ps.setObject(i++, odt(safeInstant(r.modifiedDateTime)));
        ps.setBoolean(i++, false);
        ps.setObject(i++, null, Types.TIMESTAMP_WITH_TIMEZONE);
        i = bindResult(ps, i, m);
        ps.setLong(i++, seq);
        ps.setString(i++, runId);
        str(ps, i++, r.storedFields());
        str(ps, i, r.parentId);
    }

    private int bindResult(PreparedStatement ps, int i, MappingResult m) throws SQLException {
        PayrollLine line = m.line();
        ps.setString(i++, m.status().name());
        str(ps, i++, m.reason() == null ? null : m.reason().length() > 500 ? m.reason().substring(0, 500) : m.reason());
        str(ps, i++, line == null ? null : line.employeeNumber());
        ps.setObject(i++, line == null ? null : line.workDate(), Types.DATE);
        str(ps, i++, line == null ? null : line.wageType());
        ps.setBigDecimal(i++, line == null ? null : line.quantity());
        str(ps, i++, line == null ? null : line.department());
        return i;
    }

    private static final String RAW_COLUMNS = "SELECT record_id, work_date_text, qty, user_id, user_employee_number, "
            + "project_number, task_number, description, approved, payroll_approved, modified, source_fields FROM source_record ";

    /** The registrations in quarantine, rebuilt from their last known version, to map them again. */
    public List<TimeRegistration> quarantinedRecords(String company, String feed) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(RAW_COLUMNS
                     + "WHERE company = ? AND feed = ? AND status = 'QUARANTINED' AND deleted = FALSE "
                     // a record unreadable as sent stays so until Ditio sends it again
                     + "AND reason NOT LIKE '" + PageReader.UNREADABLE + "%' AND reason <> '" + PayrollLineMapper.MISSING_ID + "'")) {
            ps.setString(1, company);
            ps.setString(2, feed);
            return readRaw(ps, feed);
        }
    }

    /** The live registrations of users whose employee number or department changed, to map them again. */
    public List<TimeRegistration> recordsOfChangedUsers(String company, String feed) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(RAW_COLUMNS.replace("FROM source_record ", "FROM source_record s ")
                     + "WHERE s.company = ? AND s.feed = ? AND s.deleted = FALSE AND s.user_id IN "
                     + "(SELECT identity_user_id FROM ditio_user WHERE company = ? AND remap_pending = TRUE)")) {
            ps.setString(1, company);
            ps.setString(2, feed);
            ps.setString(3, company);
            return readRaw(ps, feed);
        }
    }

    private static List<TimeRegistration> readRaw(PreparedStatement ps, String feed) throws SQLException {
        List<TimeRegistration> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                TimeRegistration r = TimeRegistration.of(feed);
                r.id = rs.getString(1);
                r.workDate = rs.getString(2);
                r.qty = rs.getBigDecimal(3);
                r.userId = rs.getString(4);
                r.userEmployeeNumber = rs.getString(5);
                r.projectNumber = rs.getString(6);
                r.taskWbsNumber = rs.getString(7);
                r.description = rs.getString(8);
                r.approved = rs.getBoolean(9);
                r.payrollApproved = rs.getBoolean(10);
                Instant modified = instant(rs, 11);
                r.modifiedDateTime = modified == null ? null : DitioDates.format(modified);
                r.restoreFields(rs.getString(12));
                out.add(r);
            }
        }
        return out;
    }

    /**
     * The parts of Ditio payroll lines (PayrollDaySplitter) that this run did not see again with
     * their payroll line are gone: an overtime line the day no longer has, or every part of a
     * deleted day. Flagged deleted and pending delivery, as a tombstone would be.
     */
    public int markPartsNotSeenDeleted(Fence fence, String feed, String runId, List<String> payrollLineIds)
            throws SQLException {
        String company = fence.company();
        int[] gone = new int[1];
        fenced(fence, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE source_record SET deleted = TRUE, status = 'DELETED', "
                    + "staged_seq = " + STAGING_SEQ + " WHERE company = ? AND feed = ? AND parent_id = ? AND deleted = FALSE "
                    + "AND (last_seen_run IS NULL OR last_seen_run <> ?)")) {
                for (String id : payrollLineIds) {
                    ps.setString(1, company);
                    ps.setString(2, feed);
                    ps.setString(3, company);
                    ps.setString(4, feed);
                    str(ps, 5, id);
                    ps.setString(6, runId);
                    gone[0] += ps.executeUpdate();
                }
            }
        });
        return gone[0];
    }

    /** A re-mapped record: new result, pending delivery. */
    public void remapped(String company, String feed, String recordId, MappingResult result) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE source_record SET status = ?, reason = ?, employee_number = ?, "
                     + "work_date = ?, wage_type = ?, quantity = ?, department = ?, staged_seq = " + STAGING_SEQ
                     + " WHERE company = ? AND feed = ? AND record_id = ?")) {
            int i = bindResult(ps, 1, result);
            ps.setString(i++, company);
            ps.setString(i++, feed);
            ps.setString(i++, company);
            ps.setString(i++, feed);
            str(ps, i, recordId);
            ps.executeUpdate();
        }
    }

    /**
     * After a complete full pass: live records in the window that the pass did not return no
     * longer exist in Ditio (a full pass is a snapshot and carries no tombstones). Fenced: a pass
     * that lost its lock would take every record the run that took the lock stored since for gone.
     */
    public int markUnseenDeleted(Fence fence, String feed, String runId, LocalDate from, LocalDate to) throws SQLException {
        int[] gone = new int[1];
        fenced(fence, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE source_record SET deleted = TRUE, status = 'DELETED', "
                    + "staged_seq = " + STAGING_SEQ + " WHERE company = ? AND feed = ? AND deleted = FALSE "
                    + "AND ((work_date >= ? AND work_date <= ?) OR status = 'QUARANTINED') "
                    + "AND (last_seen_run IS NULL OR last_seen_run <> ?)")) {
                ps.setString(1, fence.company());
                ps.setString(2, feed);
                ps.setString(3, fence.company());
                ps.setString(4, feed);
                ps.setObject(5, from, Types.DATE);
                ps.setObject(6, to, Types.DATE);
                ps.setString(7, runId);
                gone[0] = ps.executeUpdate();
            }
        });
        return gone[0];
    }

    /** A delivery transaction over the run's pending records, for these targets (by name, in delivery order). */
    public DeliveryTransaction beginDelivery(SyncRun run, List<String> targets) throws SQLException {
        String analyze = dialect.refreshStatistics();
        if (analyze != null && run.recordsRead() >= FRESH_STATISTICS_FROM) {
            // outside the delivery transaction: ANALYZE holds its lock until the end of its own
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                c.setAutoCommit(true);
                s.execute(analyze);
            }
        }
        return new DeliveryTransaction(this, dataSource.getConnection(), run, targets);
    }

    /**
     * Records read by a run from which the delivery first brings the planner's statistics up to
     * date (PostgreSQL): a first run stages a table that autovacuum has not analysed yet, and a plan
     * made for an empty source_record joins by a non-key index and reads every row per quarantined
     * record (100k records: 80 s). Smaller runs leave it to autovacuum.
     */
    static final long FRESH_STATISTICS_FROM = 10_000;

    /** The columns {@link #pendingChunk} reads of each target's ledger row, after the record's 14. */
    static final int PENDING_RECORD_COLUMNS = 14;
    static final List<String> PENDING_LEDGER = List.of("employee_number", "work_date", "wage_type", "project_number",
            "task_number", "department", "text", "quantity", "held", "document_number", "version", "source_id",
            "source_modified");
    static final int PENDING_LEDGER_COLUMNS = PENDING_LEDGER.size();

    /**
     * One chunk of the pending records of a run, in record_id order, each with its ledger row in
     * every target (one LEFT JOIN per target, LATERAL where {@link SqlDialect#lateralLedgerLookup}):
     * one pass over the records serves all targets.
     * Parameters: each target's name, then company, feed, staging number, and (after the first
     * chunk) the last record_id of the previous chunk. The ORDER BY is the index
     * {@code source_record_staged}, so a chunk is read from it in order, without sorting the run:
     * each chunk costs its own rows, and nothing holds the whole run.
     */
    public static String pendingChunk(SqlDialect dialect, int targets, boolean first, int rows) {
        StringBuilder sql = new StringBuilder("SELECT s.record_id, s.status, s.reason, s.employee_number, s.work_date, "
                + "s.wage_type, s.quantity, s.project_number, s.task_number, s.department, s.description, s.modified, "
                + "s.work_date_text, s.user_id");
        for (int t = 0; t < targets; t++) {
            for (String column : PENDING_LEDGER) {
                sql.append(", l").append(t).append('.').append(column);
            }
        }
        sql.append(" FROM source_record s");
        for (int t = 0; t < targets; t++) {
            String l = "l" + t;
            if (dialect.lateralLedgerLookup()) {
                sql.append(" LEFT JOIN LATERAL (SELECT ").append(String.join(", ", PENDING_LEDGER))
                        .append(" FROM export_ledger x WHERE x.company = s.company AND x.target = ? AND x.line_id = s.line_id")
                        .append(" LIMIT 1) ").append(l).append(" ON TRUE");
            } else {
                sql.append(" LEFT JOIN export_ledger ").append(l).append(" ON ").append(l).append(".company = s.company AND ")
                        .append(l).append(".target = ? AND ").append(l).append(".line_id = s.line_id");
            }
        }
        sql.append(" WHERE s.company = ? AND s.feed = ? AND s.staged_seq = ?");
        if (!first) {
            sql.append(" AND s.record_id > ?");
        }
        return sql.append(" ORDER BY s.company, s.feed, s.staged_seq, s.record_id LIMIT ").append(rows).toString();
    }

    // ---- outbox -------------------------------------------------------------------------------

    /** @param status 'committed', or the step under way: 'renaming' (local or SFTP), 'uploading' (SFTP) */
    public record OutboxEntry(String runId, String target, String company, String tempPath, String finalPath, int lines,
                              String status) {
    }

    public List<OutboxEntry> unpublishedDrops(String company) throws SQLException {
        List<OutboxEntry> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT run_id, target, company, temp_path, final_path, line_count, "
                     + "status FROM drop_outbox WHERE status <> 'published' AND company = ? ORDER BY run_id, target")) {
            ps.setString(1, company);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new OutboxEntry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getInt(6), rs.getString(7)));
                }
            }
        }
        return out;
    }

    /**
     * Records the step a committed drop is about to take (local: 'renaming'; SFTP: 'uploading',
     * 'renaming'), durably like the delivery commit: after a power cut the state must not fall back
     * to before a step that has happened in the drop folder or on the server.
     */
    public void markOutbox(String runId, String target, String status) throws SQLException {
        durably(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE drop_outbox SET status = ? "
                    + "WHERE run_id = ? AND target = ? AND status <> 'published'")) {
                ps.setString(1, status);
                ps.setString(2, runId);
                ps.setString(3, target);
                if (ps.executeUpdate() != 1) {
                    throw new SQLException("no unpublished outbox row for the " + target + " drop of run " + runId);
                }
            }
        });
    }

    /**
     * The drop is delivered. Durable too: fallen back to 'renaming' after a power cut it would be
     * harmless, but to 'committed' (an autocommit the database had not yet written) it would be
     * renamed or uploaded again.
     */
    public void markPublished(String runId, String target) throws SQLException {
        durably(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE drop_outbox SET status = 'published', published_at = ? "
                    + "WHERE run_id = ? AND target = ?")) {
                ps.setObject(1, odt(Instant.now()));
                ps.setString(2, runId);
                ps.setString(3, target);
                ps.executeUpdate();
            }
        });
    }

    @FunctionalInterface
    interface SqlWork {
        void run(Connection c) throws SQLException;
    }

    /** Runs {@code work} in a transaction whose commit is on disk when this returns (see {@link SqlDialect#durableCommit}). */
    void durably(SqlWork work) throws SQLException {
        inTransaction(c -> {
            if (dialect.durableCommit() != null) {
                try (Statement s = c.createStatement()) {
                    s.execute(dialect.durableCommit());
                }
            }
            work.run(c);
        });
        syncToDisk();
    }

    /** Runs {@code work} in one transaction of its own: committed when it returns, rolled back when it throws. */
    private void inTransaction(SqlWork work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                work.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /** Whether any outbox row (committed or published) names this temporary file. */
    public boolean outboxKnows(String tempPath) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM drop_outbox WHERE temp_path = ?")) {
            ps.setString(1, tempPath);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Visits the ledger rows one run changed for one target (replaying a JDBC delivery), in
     * line_id order, a chunk at a time: the index {@code export_ledger_of_run} gives each chunk
     * in order, so neither the database nor this process holds the run's rows at once.
     */
    public void ledgerRowsOfRun(String company, String target, String runId, LedgerRowVisitor visitor) throws SQLException {
        int chunk = 1000;
        String select = "SELECT line_id, employee_number, work_date, wage_type, project_number, task_number, department, "
                + "text, quantity, held, source_id, source_modified FROM export_ledger "
                + "WHERE company = ? AND target = ? AND run_id = ? ";
        String order = "ORDER BY run_id, company, target, line_id LIMIT " + chunk;
        try (Connection c = dataSource.getConnection();
             PreparedStatement first = c.prepareStatement(select + order);
             PreparedStatement next = c.prepareStatement(select + "AND line_id > ? " + order)) {
            String lastLineId = null;
            int read;
            do {
                PreparedStatement ps = lastLineId == null ? first : next;
                ps.setString(1, company);
                ps.setString(2, target);
                ps.setString(3, runId);
                if (lastLineId != null) {
                    ps.setString(4, lastLineId);
                }
                read = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        read++;
                        lastLineId = rs.getString(1);
                        PayrollLine line = new PayrollLine(lastLineId, rs.getString(2), localDate(rs, 3), rs.getString(4),
                                rs.getBigDecimal(9), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                                lastLineId.substring(0, lastLineId.indexOf(':')), rs.getString(11), instant(rs, 12));
                        visitor.visit(line, rs.getBoolean(10));
                    }
                }
            } while (read == chunk);
        }
    }

    @FunctionalInterface
    public interface LedgerRowVisitor {
        void visit(PayrollLine line, boolean held) throws SQLException;
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** The payroll line of a registration: one per record for time registrations. */
    public static String lineId(String feed, String recordId) {
        return feed + ":" + recordId;
    }

    private void setKey(PreparedStatement ps, String company, String feed, String id) throws SQLException {
        ps.setString(1, company);
        ps.setString(2, feed);
        str(ps, 3, id);
    }

    /** Text from Ditio (or derived from it), as the database can store it. */
    private void str(PreparedStatement ps, int index, String value) throws SQLException {
        ps.setString(index, dialect.storable(value));
    }

    static OffsetDateTime odt(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    static LocalDate localDate(ResultSet rs, int column) throws SQLException {
        Date d = rs.getDate(column);
        return d == null ? null : d.toLocalDate();
    }

    private static Instant safeInstant(String text) {
        try {
            return DitioDates.instant(text);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
