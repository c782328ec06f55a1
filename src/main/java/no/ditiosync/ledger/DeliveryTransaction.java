package no.ditiosync.ledger;

import no.ditiosync.payroll.PayrollLine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;

/**
 * The one transaction in which a run's ledger changes, outbox rows, quarantine, watermark and run
 * outcome are committed together. Until {@link #commit} nothing of the run has been delivered:
 * closing without commit rolls it all back, and the next run computes the same deltas again.
 */
public final class DeliveryTransaction implements AutoCloseable {

    private static final int BATCH = 1000;

    /** One pending record with what payroll should hold and what the target holds. */
    @FunctionalInterface
    public interface PendingVisitor {
        void visit(String recordId, String status, String reason, PayrollLine desired, LedgerEntry current) throws Exception;
    }

    private final StateStore store;
    private final Connection connection;
    private final SyncRun run;
    private final PreparedStatement ledger;
    private int ledgerBatched;
    private boolean committed;

    DeliveryTransaction(StateStore store, Connection connection, SyncRun run) throws SQLException {
        this.store = store;
        this.connection = connection;
        this.run = run;
        try {
            connection.setAutoCommit(false);
            String durable = store.dialect().durableCommit();
            if (durable != null) {
                try (Statement s = connection.createStatement()) {
                    s.execute(durable);
                }
            }
            this.ledger = connection.prepareStatement(store.upsertLedger);
        } catch (SQLException e) {
            try (connection) {
                throw e;
            }
        }
    }

    public void forEachPending(String target, PendingVisitor visitor) throws Exception {
        forEachPending(target, run.feed(), visitor);
    }

    /** The pending records of one of the run's feeds (time, absence, ...), whose line ids start with the feed. */
    public void forEachPending(String target, String feed, PendingVisitor visitor) throws Exception {
        String sql = "SELECT s.record_id, s.status, s.reason, s.employee_number, s.work_date, s.wage_type, s.quantity, "
                + "s.project_number, s.task_number, s.department, s.description, s.modified, "
                + "l.employee_number, l.work_date, l.wage_type, l.project_number, l.task_number, l.department, l.text, "
                + "l.quantity, l.held, l.document_number, l.version, l.source_id, l.source_modified "
                + "FROM source_record s LEFT JOIN export_ledger l ON l.company = s.company AND l.target = ? "
                + "AND l.line_id = s.line_id "
                + "WHERE s.company = ? AND s.feed = ? AND s.pending = TRUE ORDER BY s.record_id";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, target);
            ps.setString(2, run.company());
            ps.setString(3, feed);
            store.dialect().readInChunks(connection, ps, BATCH);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String recordId = rs.getString(1);
                    String status = rs.getString(2);
                    String lineId = StateStore.lineId(feed, recordId);
                    PayrollLine desired = "READY".equals(status)
                            ? new PayrollLine(lineId, rs.getString(4), StateStore.localDate(rs, 5), rs.getString(6),
                            rs.getBigDecimal(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
                            feed, recordId, StateStore.instant(rs, 12))
                            : null;
                    LedgerEntry current = null;
                    if (rs.getObject(20) != null) {
                        PayrollLine held = new PayrollLine(lineId, rs.getString(13), StateStore.localDate(rs, 14),
                                rs.getString(15), rs.getBigDecimal(20), rs.getString(16), rs.getString(17), rs.getString(18),
                                rs.getString(19), feed, rs.getString(24), StateStore.instant(rs, 25));
                        current = new LedgerEntry(held, rs.getBoolean(21), rs.getString(22), rs.getInt(23));
                    }
                    visitor.visit(recordId, status, rs.getString(3), desired, current);
                }
            }
        }
    }

    public void record(String target, LedgerEntry entry) throws SQLException {
        PayrollLine l = entry.line();
        int i = 1;
        ledger.setString(i++, run.company());
        ledger.setString(i++, target);
        ledger.setString(i++, l.lineId());
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
        ledger.setBoolean(i, entry.held());
        ledger.addBatch();
        if (++ledgerBatched % BATCH == 0) {
            ledger.executeBatch();
        }
    }

    /** Brings the quarantine table in line with the pending records: in while quarantined, out once not. */
    public void updateQuarantine() throws SQLException {
        updateQuarantine(run.feed());
    }

    /** As {@link #updateQuarantine()}, for one of the run's feeds. */
    public void updateQuarantine(String feed) throws SQLException {
        ledger.executeBatch();
        try (PreparedStatement in = connection.prepareStatement(store.upsertQuarantine);
             PreparedStatement first = connection.prepareStatement("UPDATE quarantine SET first_run_id = ? "
                     + "WHERE company = ? AND feed = ? AND first_run_id IS NULL");
             PreparedStatement out = connection.prepareStatement("DELETE FROM quarantine WHERE company = ? AND feed = ? "
                     + "AND record_id IN (SELECT record_id FROM source_record WHERE company = ? AND feed = ? "
                     + "AND pending = TRUE AND status <> 'QUARANTINED')");
             PreparedStatement pending = connection.prepareStatement("SELECT record_id, reason, work_date_text, user_id "
                     + "FROM source_record WHERE company = ? AND feed = ? AND pending = TRUE AND status = 'QUARANTINED' "
                     + "ORDER BY record_id")) {
            out.setString(1, run.company());
            out.setString(2, feed);
            out.setString(3, run.company());
            out.setString(4, feed);
            out.executeUpdate();
            pending.setString(1, run.company());
            pending.setString(2, feed);
            try (ResultSet rs = pending.executeQuery()) {
                int n = 0;
                while (rs.next()) {
                    run.quarantined(rs.getString(1), rs.getString(2));
                    in.setString(1, run.company());
                    in.setString(2, feed);
                    in.setString(3, rs.getString(1));
                    in.setString(4, rs.getString(2));
                    in.setObject(5, workDateOrNull(rs.getString(3)), Types.DATE);
                    in.setString(6, rs.getString(4));
                    in.setString(7, run.runId());
                    in.addBatch();
                    if (++n % BATCH == 0) {
                        in.executeBatch();
                    }
                }
            }
            in.executeBatch();
            // new rows: the upsert leaves first_run_id empty only where the row did not exist before
            first.setString(1, run.runId());
            first.setString(2, run.company());
            first.setString(3, feed);
            first.executeUpdate();
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
     * Clears the pending flags of every feed the run delivered, moves the watermark of each of its
     * passes (registrations and metadata) to the run's start and commits everything: one pass that
     * failed leaves every watermark where it was.
     */
    public void commit(Instant newWatermark) throws SQLException {
        ledger.executeBatch();
        try (PreparedStatement clear = connection.prepareStatement("UPDATE source_record SET pending = FALSE "
                + "WHERE company = ? AND feed = ? AND pending = TRUE")) {
            for (String feed : run.deliveredFeeds()) {
                clear.setString(1, run.company());
                clear.setString(2, feed);
                clear.executeUpdate();
            }
        }
        try (PreparedStatement users = connection.prepareStatement("UPDATE ditio_user SET remap_pending = FALSE "
                + "WHERE company = ? AND remap_pending = TRUE")) {
            users.setString(1, run.company());
            users.executeUpdate();
        }
        try (PreparedStatement wm = connection.prepareStatement(store.upsertWatermark)) {
            java.util.Set<String> feeds = new java.util.LinkedHashSet<>(run.deliveredFeeds());
            run.passes().forEach(p -> feeds.add(p.feed()));
            for (String feed : feeds) {
                wm.setString(1, run.company());
                wm.setString(2, feed);
                wm.setObject(3, StateStore.odt(newWatermark));
                wm.setString(4, run.runId());
                wm.executeUpdate();
            }
        }
        run.ended(Instant.now());
        store.updateRun(connection, run, "succeeded", null);
        connection.commit();
        committed = true;
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
        try (connection; ledger) {
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
