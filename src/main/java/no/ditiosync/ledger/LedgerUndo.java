package no.ditiosync.ledger;

import no.ditiosync.state.SqlDialect;

import javax.sql.DataSource;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Putting back the ledger rows of runs that never committed, from the before-images their chunks
 * wrote to {@code ledger_undo} ({@link LedgerWriter#writeUndo}); and forgetting the before-images of
 * runs that did.
 */
final class LedgerUndo {

    private LedgerUndo() {
    }

    /**
     * Undo chunks deleted per transaction by {@link #forget}: under 1 MB of a first sync's "new" marks (a line id each),
     * up to about 10 MB of full before-images (changed rows of 300-600 bytes, 2,000 a chunk).
     */
    private static final int CHUNKS_PER_FORGET = 8;

    /** See {@link LedgerStore#restoreUncommitted}. */
    static List<String> restoreUncommitted(DataSource dataSource, SqlDialect dialect, String company) throws SQLException {
        List<String> runs = new ArrayList<>();
        List<String> committed = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            // a run's commit marks its sync_run row committed; its undo, deleted after that, may outlive a crash
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT u.run_id, r.committed FROM ledger_undo u "
                    + "LEFT JOIN sync_run r ON r.run_id = u.run_id WHERE u.company = ?")) {
                ps.setString(1, company);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        (rs.getBoolean(2) ? committed : runs).add(rs.getString(1));
                    }
                }
            }
            for (String run : committed) {
                forget(c, company, run);
            }
            c.setAutoCommit(false);
            try {
                for (String run : runs) {
                    restore(c, dialect, company, run);
                }
            } finally {
                c.setAutoCommit(true);
            }
        }
        return runs;
    }

    /** See {@link LedgerStore#forgetUndo}: the run's undo chunks deleted, {@value #CHUNKS_PER_FORGET} per transaction. */
    static void forget(Connection c, String company, String runId) throws SQLException {
        List<Integer> chunks = chunks(c, company, runId);
        try (PreparedStatement forget = c.prepareStatement(
                "DELETE FROM ledger_undo WHERE company = ? AND run_id = ? AND chunk BETWEEN ? AND ?")) {
            for (int i = 0; i < chunks.size(); i += CHUNKS_PER_FORGET) {
                forget.setString(1, company);
                forget.setString(2, runId);
                // chunks come newest first
                forget.setInt(3, chunks.get(Math.min(i + CHUNKS_PER_FORGET, chunks.size()) - 1));
                forget.setInt(4, chunks.get(i));
                forget.executeUpdate();
            }
        }
    }

    /** The run's undo chunks, newest first. */
    private static List<Integer> chunks(Connection c, String company, String runId) throws SQLException {
        List<Integer> chunks = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT chunk FROM ledger_undo WHERE company = ? AND run_id = ? ORDER BY chunk DESC")) {
            ps.setString(1, company);
            ps.setString(2, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    chunks.add(rs.getInt(1));
                }
            }
        }
        return chunks;
    }

    private static void restore(Connection c, SqlDialect dialect, String company, String runId) throws SQLException {
        List<Integer> chunks = chunks(c, company, runId);
        try (PreparedStatement read = c.prepareStatement(
                "SELECT data FROM ledger_undo WHERE company = ? AND run_id = ? AND chunk = ?");
             PreparedStatement delete = c.prepareStatement(
                     "DELETE FROM ledger_line WHERE company = ? AND line_id = ? AND run_id = ?");
             PreparedStatement put = c.prepareStatement(LedgerWriter.UPDATE.replace("AND version = ?", "AND run_id = ?"));
             PreparedStatement forget = c.prepareStatement(
                     "DELETE FROM ledger_undo WHERE company = ? AND run_id = ? AND chunk = ?")) {
            for (int chunk : chunks) {
                read.setString(1, company);
                read.setString(2, runId);
                read.setInt(3, chunk);
                byte[] data;
                try (ResultSet rs = read.executeQuery()) {
                    rs.next();
                    data = rs.getBytes(1);
                }
                try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
                    while (in.available() > 0) {
                        String lineId = in.readUTF();
                        LedgerRow before = LedgerWriter.readUndo(in, lineId);
                        if (before == null) {
                            delete.setString(1, company);
                            delete.setString(2, lineId);
                            delete.setString(3, runId);
                            delete.addBatch();
                        } else {
                            int i = LedgerWriter.bind(put, 1, dialect, company, before, false);
                            put.setString(i++, company);
                            put.setString(i++, lineId);
                            put.setString(i, runId);
                            put.addBatch();
                        }
                    }
                } catch (IOException e) {
                    throw new SQLException("unreadable undo of run " + runId + " (chunk " + chunk + ")", e);
                }
                delete.executeBatch();
                put.executeBatch();
                forget.setString(1, company);
                forget.setString(2, runId);
                forget.setInt(3, chunk);
                forget.executeUpdate();
                c.commit();
            }
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        }
    }
}
