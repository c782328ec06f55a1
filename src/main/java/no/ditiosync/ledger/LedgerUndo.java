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
 * wrote to {@code ledger_undo} ({@link LedgerWriter#writeUndo}).
 */
final class LedgerUndo {

    private LedgerUndo() {
    }

    /** See {@link LedgerStore#restoreUncommitted}. */
    static List<String> restoreUncommitted(DataSource dataSource, SqlDialect dialect, String company) throws SQLException {
        List<String> runs = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT run_id FROM ledger_undo WHERE company = ?")) {
                ps.setString(1, company);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        runs.add(rs.getString(1));
                    }
                }
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

    private static void restore(Connection c, SqlDialect dialect, String company, String runId) throws SQLException {
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
