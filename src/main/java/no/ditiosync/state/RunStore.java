package no.ditiosync.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import no.ditiosync.payroll.LineRules;
import no.ditiosync.payroll.PayrollSource;

import static no.ditiosync.state.StateDb.instant;
import static no.ditiosync.state.StateDb.odt;

/**
 * Every SQL statement of the run log ({@code sync_run}), the watermarks ({@code sync_watermark}) and
 * the feed lock with its fencing token ({@code sync_lock}, {@code sync_fence}).
 */
public final class RunStore {

    /** How long {@link #deliveryOutcome} waits for a commit the server may still be finishing. */
    static final int OUTCOME_WAIT_SECONDS = 30;

    private final StateDb db;
    private final String upsertWatermark;
    private final String upsertLineRules;

    public SqlDialect dialect() {
        return db.dialect();
    }

    public RunStore(StateDb db) {
        this.db = db;
        this.upsertWatermark = db.dialect().upsert("sync_watermark", List.of("company", "feed"), List.of("watermark", "run_id"));
        this.upsertLineRules = db.dialect().upsert("sync_line_rules", List.of("company"),
                List.of("payroll_source", "approval", "start_date", "mapping_digest", "run_id"));
    }

    /** A run as the run log keeps it. */
    public record Run(String runId, String company, String feed, String mode, Instant startedAt, Instant scheduledFor) {
    }

    /**
     * What came of a run, as the run log keeps it.
     *
     * @param lines            lines per target, "visma=12,sap=14"
     * @param lineCounts       per target new/corrected/reversed/released, "visma=10/1/1/0,sap=..."
     * @param quarantineCounts newly quarantined/released/still open, "4/2/60"
     */
    public record Outcome(Instant endedAt, String outcome, boolean committed, int pages, long recordsRead, long deletedRead,
                          String lines, int quarantined, String lineCounts, String quarantineCounts, String message) {
    }

    // ---- watermarks ---------------------------------------------------------------------------

    public Instant watermark(String company, String feed) throws SQLException {
        return instantOfFeed("SELECT watermark FROM sync_watermark WHERE company = ? AND feed = ?", company, feed);
    }

    /** The oldest watermark of these feeds of the company (a feed not delivered yet has none), or null. */
    public Instant oldestWatermark(String company, List<String> feeds) throws SQLException {
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT MIN(watermark) FROM sync_watermark WHERE company = ? AND feed IN ("
                     + String.join(", ", java.util.Collections.nCopies(feeds.size(), "?")) + ")")) {
            ps.setString(1, company);
            for (int i = 0; i < feeds.size(); i++) {
                ps.setString(i + 2, feeds.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? instant(rs, 1) : null;
            }
        }
    }

    /** The one instant a query of a company's feed selects, or null. */
    private Instant instantOfFeed(String sql, String company, String feed) throws SQLException {
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, company);
            ps.setString(2, feed);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? instant(rs, 1) : null;
            }
        }
    }

    /** In the run's commit: the feed's pass is complete and delivered up to the run's start. */
    public void moveWatermark(Connection c, String company, String feed, Instant watermark, String runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(upsertWatermark)) {
            ps.setString(1, company);
            ps.setString(2, feed);
            ps.setObject(3, odt(watermark));
            ps.setString(4, runId);
            ps.executeUpdate();
        }
    }

    /** In the run's commit: a feed no longer read (PAYROLL_SOURCE changed) starts with a full pass if read again. */
    public void dropWatermark(Connection c, String company, String feed) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM sync_watermark WHERE company = ? AND feed = ?")) {
            ps.setString(1, company);
            ps.setString(2, feed);
            ps.executeUpdate();
        }
    }

    // ---- the rules the delivered lines were made by -------------------------------------------

    /** The rules the company's delivered lines were last made by (kept by a sync's commit); null before the first, or from a version before they were kept. */
    public LineRules lineRules(String company) throws SQLException {
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT payroll_source, approval, start_date, mapping_digest "
                     + "FROM sync_line_rules WHERE company = ?")) {
            ps.setString(1, company);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new LineRules(PayrollSource.fromSetting(rs.getString(1)), rs.getString(2),
                        rs.getObject(3, java.time.LocalDate.class), rs.getString(4)) : null;
            }
        }
    }

    /** In the run's commit: the company's delivered lines are made by these rules from now on. */
    public void keepLineRules(Connection c, String company, LineRules rules, String runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(upsertLineRules)) {
            ps.setString(1, company);
            ps.setString(2, rules.source().setting());
            ps.setString(3, rules.approval());
            ps.setObject(4, rules.startDate());
            ps.setString(5, rules.mappingDigest());
            ps.setString(6, runId);
            ps.executeUpdate();
        }
    }

    // ---- runs ---------------------------------------------------------------------------------

    /** Whether a run that answered this scheduled firing succeeded. */
    public boolean firingSucceeded(String company, String feed, Instant scheduledFor) throws SQLException {
        try (Connection c = db.connection();
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

    /** In the run's commit: its targets, and those of them still behind (columns sync_run.targets, targets_behind). */
    public void keepTargets(Connection c, String runId, List<String> targets, java.util.Collection<String> behind)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE sync_run SET targets = ?, targets_behind = ? WHERE run_id = ?")) {
            ps.setString(1, String.join(",", targets));
            ps.setString(2, String.join(",", behind));
            ps.setString(3, runId);
            ps.executeUpdate();
        }
    }

    /** A committed run's targets, and those of them it left behind. */
    public record RunTargets(String runId, List<String> targets, List<String> behind) {
        /** Whether the target was on in the run and left up to date. */
        public boolean upToDate(String target) {
            return targets.contains(target) && !behind.contains(target);
        }
    }

    /** The committed runs of the feed that recorded their targets, newest first, at most {@code limit}. */
    public List<RunTargets> committedTargets(String company, String feed, int limit) throws SQLException {
        List<RunTargets> out = new ArrayList<>();
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT run_id, targets, targets_behind FROM sync_run WHERE company = ? "
                     + "AND feed = ? AND committed = TRUE AND targets IS NOT NULL ORDER BY company, feed, started_at DESC LIMIT ?")) {
            ps.setString(1, company);
            ps.setString(2, feed);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new RunTargets(rs.getString(1), names(rs.getString(2)), names(rs.getString(3))));
                }
            }
        }
        return out;
    }

    private static List<String> names(String list) {
        return list == null || list.isEmpty() ? List.of() : List.of(list.split(","));
    }

    /** When the last run of the feed started, whatever came of it; null before the first run. */
    public Instant lastRunStartedAt(String company, String feed) throws SQLException {
        return instantOfFeed("SELECT MAX(started_at) FROM sync_run WHERE company = ? AND feed = ?", company, feed);
    }

    /** The end of the last run of a feed that succeeded, or null. */
    public Instant lastSucceeded(String company, String feed) throws SQLException {
        return instantOfFeed("SELECT MAX(ended_at) FROM sync_run WHERE company = ? AND feed = ? AND outcome = 'succeeded'",
                company, feed);
    }

    /** @param node the process the run runs in (host/pid), so a cluster's run log says where each run ran */
    public void startRun(Run run, String node) throws SQLException {
        try (Connection c = db.connection()) {
            insertRun(c, run, node, "running");
        }
    }

    /** A run that failed before it started ({@link #startRun} never came): its row, ended and failed. */
    public void recordFailedRun(Run run, String node, Outcome outcome) throws SQLException {
        try (Connection c = db.connection()) {
            insertRun(c, run, node, "failed");
            updateRun(c, run.runId(), outcome);
        }
    }

    private void insertRun(Connection c, Run run, String node, String outcome) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO sync_run (run_id, company, feed, mode, started_at, "
                + "outcome, node, scheduled_for) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, run.runId());
            ps.setString(2, run.company());
            ps.setString(3, run.feed());
            ps.setString(4, run.mode());
            ps.setObject(5, odt(run.startedAt()));
            ps.setString(6, outcome);
            db.str(ps, 7, node);
            ps.setObject(8, odt(run.scheduledFor()));
            ps.executeUpdate();
        }
    }

    public void endRun(String runId, Outcome outcome) throws SQLException {
        try (Connection c = db.connection()) {
            updateRun(c, runId, outcome);
        }
    }

    /** The run's row as it ends (in the run's commit, or after it failed). */
    public void updateRun(Connection c, String runId, Outcome o) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE sync_run SET ended_at = ?, outcome = ?, committed = ?, "
                + "pages = ?, records_read = ?, deleted_read = ?, lines_delivered = ?, quarantined = ?, line_counts = ?, "
                + "quarantine_counts = ?, message = ? WHERE run_id = ?")) {
            ps.setObject(1, odt(o.endedAt() == null ? Instant.now() : o.endedAt()));
            ps.setString(2, o.outcome());
            ps.setBoolean(3, o.committed());
            ps.setInt(4, o.pages());
            ps.setLong(5, o.recordsRead());
            ps.setLong(6, o.deletedRead());
            ps.setString(7, clip(o.lines(), 400));
            ps.setInt(8, o.quarantined());
            ps.setString(9, clip(o.lineCounts(), 1000));
            ps.setString(10, clip(o.quarantineCounts(), 100));
            db.str(ps, 11, clip(o.message(), 1000));
            ps.setString(12, runId);
            ps.executeUpdate();
        }
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    /** Runs left 'running' by a process that died: they did not deliver (their commit never came). */
    public List<String> markAbandonedRuns(String company) throws SQLException {
        List<String> abandoned = new ArrayList<>();
        try (Connection c = db.connection();
             PreparedStatement running = c.prepareStatement("SELECT run_id FROM sync_run WHERE company = ? "
                     + "AND outcome = 'running' ORDER BY started_at");
             PreparedStatement ps = c.prepareStatement("UPDATE sync_run SET outcome = 'abandoned', ended_at = ? "
                     + "WHERE company = ? AND run_id = ? AND outcome = 'running'")) {
            running.setString(1, company);
            try (ResultSet rs = running.executeQuery()) {
                while (rs.next()) {
                    abandoned.add(rs.getString(1));
                }
            }
            for (String runId : abandoned) {
                ps.setObject(1, odt(Instant.now()));
                ps.setString(2, company);
                ps.setString(3, runId);
                ps.executeUpdate();
            }
        }
        return abandoned;
    }

    /** The cheapest question the state DB can answer (readiness): throws when it cannot. */
    public void check(int timeoutSeconds) throws SQLException {
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            s.setQueryTimeout(timeoutSeconds);
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM sync_watermark")) {
                rs.next();
            }
        }
    }

    /** Whether a run's commit took, as far as the state DB can tell now. */
    public enum CommitOutcome { COMMITTED, NOT_COMMITTED, UNKNOWN }

    /**
     * Whether a run committed, asked on a fresh connection after its commit failed. The commit wrote
     * the run's row (committed) just before its COMMIT, so the row says it; read FOR UPDATE, the
     * answer waits for that transaction if the server is still finishing it (its row lock), and is
     * then final. UNKNOWN when the state DB cannot answer.
     */
    public CommitOutcome commitOutcome(String runId) {
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT committed FROM sync_run WHERE run_id = ? FOR UPDATE")) {
                ps.setQueryTimeout(OUTCOME_WAIT_SECONDS);
                ps.setString(1, runId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return CommitOutcome.UNKNOWN;
                    }
                    return rs.getBoolean(1) ? CommitOutcome.COMMITTED : CommitOutcome.NOT_COMMITTED;
                }
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            return CommitOutcome.UNKNOWN;
        }
    }

    // ---- the feed lock and its fencing token --------------------------------------------------

    /**
     * Takes the feed's lock row for the duration of a run; null when another run holds it.
     * The lock is a row lock of an open transaction, so a killed process releases it with its connection.
     * A connection can also go while its process lives on (database restart, failover): then
     * another run can take the lock while this one goes on. So taking the lock also takes the next
     * fencing token ({@link Fence}), which the run's writes check.
     */
    public FeedLock tryLock(String company, String feed) throws SQLException {
        SqlDialect dialect = db.dialect();
        Connection c = db.connection();
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
        db.durably(c -> {
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

        /**
         * Holds the feed's fence row until the end of {@code c}'s transaction, and fails when the run's
         * token is no longer the feed's: another run took the lock since. Held, the row keeps the next
         * run from taking its token until this transaction has committed, so a write checked here
         * either commits before the next run starts, or not at all.
         */
        public void hold(Connection c) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT epoch FROM sync_fence WHERE company = ? AND feed = ? FOR UPDATE")) {
                ps.setString(1, company);
                ps.setString(2, feed);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || rs.getLong(1) != epoch) {
                        throw new FeedLockLostException(null);
                    }
                }
            }
        }
    }

    /**
     * Whether the run's token is still the feed's, read on a fresh connection after a write failed;
     * true when the state DB cannot say (the run's own failure then stands as it is).
     */
    public boolean fenceHolds(Fence fence) {
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT epoch FROM sync_fence WHERE company = ? AND feed = ?")) {
            ps.setString(1, fence.company());
            ps.setString(2, fence.feed());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getLong(1) == fence.epoch();
            }
        } catch (SQLException e) {
            return true;
        }
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
}
