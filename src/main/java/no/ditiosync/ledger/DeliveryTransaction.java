package no.ditiosync.ledger;

import no.ditiosync.payroll.PayrollLine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The one transaction in which a run's ledger changes, outbox rows, quarantine, watermark and run
 * outcome are committed together. Until {@link #commit} nothing of the run has been delivered:
 * closing without commit rolls it all back, and the next run computes the same deltas again.
 */
public final class DeliveryTransaction implements AutoCloseable {

    private static final int BATCH = 1000;

    /** One pending record: what payroll should hold for it, and what each target holds (in target order). */
    @FunctionalInterface
    public interface PendingVisitor {
        void visit(String recordId, PayrollLine desired, LedgerEntry[] current) throws Exception;
    }

    private final StateStore store;
    private final Connection connection;
    private final SyncRun run;
    private final List<String> targets;
    /** The feeds the run delivers, in order. */
    private final List<String> feeds;
    /** Each delivered feed's staging number, read in the transaction: the commit makes it the feed's delivered_seq. */
    private final Map<String, Long> stagingSeqs = new LinkedHashMap<>();
    private final PreparedStatement ledgerInsert;
    private final PreparedStatement ledgerUpdate;
    private final PreparedStatement quarantineIn;
    private int ledgerBatched;
    private int quarantineBatched;
    private boolean committed;

    DeliveryTransaction(StateStore store, Connection connection, SyncRun run, List<String> targets) throws SQLException {
        this.store = store;
        this.connection = connection;
        this.run = run;
        this.targets = List.copyOf(targets);
        this.feeds = List.copyOf(new LinkedHashSet<>(run.deliveredFeeds()));
        try {
            connection.setAutoCommit(false);
            String durable = store.dialect().durableCommit();
            try (Statement s = connection.createStatement()) {
                if (durable != null) {
                    s.execute(durable);
                }
                for (String setting : store.dialect().pendingScanSettings()) {
                    s.execute(setting);
                }
            }
            // read in the transaction: the commit moves each feed's delivered_seq to it
            for (String feed : feeds) {
                stagingSeqs.put(feed, StateStore.stagingSeq(connection, run.company(), feed));
            }
            this.ledgerInsert = connection.prepareStatement(store.insertLedger);
            this.ledgerUpdate = connection.prepareStatement(store.updateLedger);
            this.quarantineIn = connection.prepareStatement(store.upsertQuarantine);
        } catch (SQLException e) {
            try (connection) {
                throw e;
            }
        }
    }

    /**
     * Visits every pending record of each feed the run delivers ({@link SyncRun#deliveredFeeds}),
     * feed by feed, in record_id order, with its ledger row in every target, reading chunk by
     * chunk: one scan per feed serves all targets. Quarantined records are put in (or kept in) the
     * quarantine table on the way.
     */
    public void forEachPending(PendingVisitor visitor) throws Exception {
        for (String feed : feeds) {
            forEachPending(feed, visitor);
        }
    }

    private void forEachPending(String feed, PendingVisitor visitor) throws Exception {
        long seq = stagingSeqs.get(feed);
        String lastRecordId = null;
        int read;
        do {
            read = 0;
            try (PreparedStatement ps = connection.prepareStatement(
                    StateStore.pendingChunk(store.dialect(), targets.size(), lastRecordId == null, BATCH))) {
                int p = 1;
                for (String target : targets) {
                    ps.setString(p++, target);
                }
                ps.setString(p++, run.company());
                ps.setString(p++, feed);
                ps.setLong(p++, seq);
                if (lastRecordId != null) {
                    ps.setString(p, lastRecordId);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        read++;
                        lastRecordId = rs.getString(1);
                        visit(rs, feed, lastRecordId, visitor);
                    }
                }
            }
        } while (read == BATCH);
    }

    private void visit(ResultSet rs, String feed, String recordId, PendingVisitor visitor) throws Exception {
        String status = rs.getString(2);
        String lineId = StateStore.lineId(feed, recordId);
        PayrollLine desired = "READY".equals(status)
                ? new PayrollLine(lineId, rs.getString(4), StateStore.localDate(rs, 5), rs.getString(6),
                rs.getBigDecimal(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
                feed, recordId, StateStore.instant(rs, 12))
                : null;
        if ("QUARANTINED".equals(status)) {
            quarantine(feed, recordId, rs.getString(3), rs.getString(13), rs.getString(14));
        }
        LedgerEntry[] current = new LedgerEntry[targets.size()];
        for (int t = 0; t < current.length; t++) {
            int c = StateStore.PENDING_RECORD_COLUMNS + 1 + t * StateStore.PENDING_LEDGER_COLUMNS;
            if (rs.getObject(c + 7) == null) {
                continue; // no ledger row: the target never received this line
            }
            PayrollLine held = new PayrollLine(lineId, rs.getString(c), StateStore.localDate(rs, c + 1),
                    rs.getString(c + 2), rs.getBigDecimal(c + 7), rs.getString(c + 3), rs.getString(c + 4),
                    rs.getString(c + 5), rs.getString(c + 6), feed, rs.getString(c + 11), StateStore.instant(rs, c + 12));
            current[t] = new LedgerEntry(held, rs.getBoolean(c + 8), rs.getString(c + 9), rs.getInt(c + 10));
        }
        visitor.visit(recordId, desired, current);
    }

    /**
     * What target number {@code target} holds from now on for a line.
     * @param read the target's ledger row for the line as the pending scan read it, null when it had none:
     *             an update changes only that row as it was read, an insert fails on a row added since
     */
    public void record(int target, LedgerEntry read, LedgerEntry entry) throws SQLException {
        PreparedStatement ledger = read != null ? ledgerUpdate : ledgerInsert;
        PayrollLine l = entry.line();
        // the order of StateStore.LEDGER_COLUMNS, then the key
        int i = 1;
        ledger.setString(i++, l.employeeNumber());
        ledger.setObject(i++, l.workDate(), Types.DATE);
        ledger.setString(i++, l.wageType());
        ledger.setString(i++, l.projectNumber());
        ledger.setString(i++, l.taskNumber());
        ledger.setString(i++, l.department());
        ledger.setString(i++, l.text());
        ledger.setBigDecimal(i++, l.quantity());
        ledger.setString(i++, entry.documentNumber());
        ledger.setInt(i++, entry.version());
        ledger.setString(i++, l.sourceId());
        ledger.setObject(i++, StateStore.odt(l.sourceModified()));
        ledger.setString(i++, run.runId());
        ledger.setBoolean(i++, entry.held());
        ledger.setString(i++, run.company());
        ledger.setString(i++, targets.get(target));
        ledger.setString(i++, l.lineId());
        if (read != null) {
            ledger.setInt(i++, read.version());
            ledger.setBoolean(i, read.held());
        }
        ledger.addBatch();
        if (++ledgerBatched % BATCH == 0) {
            writeLedgerBatches();
        }
    }

    /**
     * Sends the batched ledger rows. An update that found its row no longer as the run read it
     * means another run delivered the line meanwhile: this run's delta is stale and must not commit.
     */
    private void writeLedgerBatches() throws SQLException {
        ledgerInsert.executeBatch();
        for (int updated : ledgerUpdate.executeBatch()) {
            if (updated == 0) {
                throw new SQLException("the export ledger changed while run " + run.runId() + " computed its corrections "
                        + "(another run delivered some of the same lines); nothing of this run was delivered");
            }
        }
    }

    private void quarantine(String feed, String recordId, String reason, String workDateText, String userId)
            throws SQLException {
        run.quarantined(recordId, reason);
        quarantineIn.setString(1, run.company());
        quarantineIn.setString(2, feed);
        quarantineIn.setString(3, recordId);
        quarantineIn.setString(4, reason);
        quarantineIn.setObject(5, workDateOrNull(workDateText), Types.DATE);
        quarantineIn.setString(6, userId);
        quarantineIn.setString(7, run.runId());
        quarantineIn.addBatch();
        if (++quarantineBatched % BATCH == 0) {
            quarantineIn.executeBatch();
        }
    }

    /**
     * After {@link #forEachPending}: the quarantine table in line with the pending records, in
     * while quarantined (added on the way), out once not.
     */
    /** Quarantined records this run staged as ready (or deleted): parameters company, feed, staging number. */
    public static final String RELEASE_FROM_QUARANTINE = "DELETE FROM quarantine WHERE company = ? AND feed = ? "
            + "AND EXISTS (SELECT 1 FROM source_record s WHERE s.company = quarantine.company "
            + "AND s.feed = quarantine.feed AND s.record_id = quarantine.record_id AND s.staged_seq = ? "
            + "AND s.status <> 'QUARANTINED')";

    public void updateQuarantine() throws SQLException {
        writeLedgerBatches();
        quarantineIn.executeBatch();
        // driven by the quarantine table (small), not by the run's pending records (all of a full pass)
        try (PreparedStatement out = connection.prepareStatement(RELEASE_FROM_QUARANTINE);
             PreparedStatement first = connection.prepareStatement("UPDATE quarantine SET first_run_id = ? "
                     + "WHERE company = ? AND feed = ? AND first_run_id IS NULL")) {
            for (String feed : feeds) {
                out.setString(1, run.company());
                out.setString(2, feed);
                out.setLong(3, stagingSeqs.get(feed));
                out.executeUpdate();
                // new rows: the upsert leaves first_run_id empty only where the row did not exist before
                first.setString(1, run.runId());
                first.setString(2, run.company());
                first.setString(3, feed);
                first.executeUpdate();
            }
        }
    }

    public void addOutbox(String target, String tempPath, String finalPath, int lines) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO drop_outbox (run_id, target, company, temp_path, "
                + "final_path, line_count, status) VALUES (?, ?, ?, ?, ?, ?, 'committed')")) {
            ps.setString(1, run.runId());
            ps.setString(2, target);
            ps.setString(3, run.company());
            ps.setString(4, tempPath);
            ps.setString(5, finalPath);
            ps.setInt(6, lines);
            ps.executeUpdate();
        }
    }

    /**
     * Moves the delivered_seq of every feed the run delivered to its staging number (which ends the
     * pending state of every record the run delivered), the watermark of each of its passes
     * (registrations and metadata) to the run's start, and commits everything: one pass that failed
     * leaves every watermark where it was. Only while the run's fencing token holds
     * ({@link StateStore#holdFence}): a run that lost its feed lock commits nothing.
     */
    public void commit(Instant newWatermark) throws SQLException {
        writeLedgerBatches();
        quarantineIn.executeBatch();
        // the run must still hold the feed lock, and keeps the next run from taking it until this commits
        StateStore.holdFence(connection, run.fence());
        try (PreparedStatement users = connection.prepareStatement("UPDATE ditio_user SET remap_pending = FALSE "
                + "WHERE company = ? AND remap_pending = TRUE")) {
            users.setString(1, run.company());
            users.executeUpdate();
        }
        try (PreparedStatement wm = connection.prepareStatement(store.upsertWatermark)) {
            for (String feed : feeds) {
                wm.setString(1, run.company());
                wm.setString(2, feed);
                wm.setObject(3, StateStore.odt(newWatermark));
                wm.setString(4, run.runId());
                wm.setLong(5, stagingSeqs.get(feed));
                wm.executeUpdate();
            }
        }
        // metadata passes (users, projects) stage no records: their rows keep delivered_seq
        try (PreparedStatement wm = connection.prepareStatement(store.upsertPassWatermark)) {
            for (SyncRun.Pass pass : run.passes()) {
                if (stagingSeqs.containsKey(pass.feed())) {
                    continue;
                }
                wm.setString(1, run.company());
                wm.setString(2, pass.feed());
                wm.setObject(3, StateStore.odt(newWatermark));
                wm.setString(4, run.runId());
                wm.executeUpdate();
            }
        }
        run.ended(Instant.now());
        // a run that left out a feed whose endpoint is not deployed still succeeded: it delivered the
        // others, and running it again would not help; the message says what it left out
        store.updateRun(connection, run, "succeeded", run.notDelivered());
        try {
            connection.commit();
        } catch (SQLException e) {
            throw new CommitFailed(e);
        }
        committed = true;
    }

    /**
     * The commit itself failed. Whether it took is unknown here: a connection lost during COMMIT
     * (network, failover) may have lost only the server's answer. {@link StateStore#deliveryOutcome} tells.
     */
    static final class CommitFailed extends SQLException {
        CommitFailed(SQLException cause) {
            super(cause.getMessage(), cause.getSQLState(), cause);
        }
    }

    /** After the commit, before anything is published: the commit must outlive a power cut too. */
    public void syncToDisk() throws SQLException {
        String sync = store.dialect().syncToDisk();
        if (sync != null) {
            try (Statement s = connection.createStatement()) {
                s.execute(sync);
            }
        }
    }

    @Override
    public void close() throws SQLException {
        try (connection; ledgerInsert; ledgerUpdate; quarantineIn) {
            if (!committed) {
                connection.rollback();
            }
        }
    }

    private static java.time.LocalDate workDateOrNull(String text) {
        try {
            return no.ditiosync.ditio.DitioDates.date(text);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
