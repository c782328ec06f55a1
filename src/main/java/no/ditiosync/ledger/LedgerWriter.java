package no.ditiosync.ledger;

import no.ditiosync.payroll.PayrollLine;
import no.ditiosync.state.PgCopy;
import no.ditiosync.state.SqlDialect;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one run's changed rows, each conditional on the version it was read with.
 *
 * <p>The merge decides a chunk while the previous one is written (the writes are about half the
 * merge's time): chunks go to one writer thread, in order, at most {@link #CHUNKS_AHEAD} waiting.
 * The merge reads the ledger on a connection of its own, always ahead of what it writes (key order,
 * each line once), so it never needs to see its own writes.
 */
public final class LedgerWriter implements AutoCloseable {
    private static final String INSERT = "INSERT INTO ledger_line (company, " + LedgerStore.COLUMNS + ") VALUES ("
            + "?, ".repeat(17) + "?)";
    static final String UPDATE = "UPDATE ledger_line SET employee_number = ?, work_date = ?, wage_type = ?, "
            + "project_number = ?, task_number = ?, department = ?, text = ?, quantity = ?, source_modified = ?, "
            + "user_id = ?, reg_employee_number = ?, source_fields = ?, targets = ?, stale_lines = ?, version = ?, "
            + "run_id = ? WHERE company = ? AND line_id = ? AND version = ?";

    private static final int CHUNKS_AHEAD = 2;
    private final Connection c;
    private final Connection reads;
    private final String company;
    private final String runId;
    private final LedgerStore.Fence fence;
    private final SqlDialect dialect;
    private final PreparedStatement insert;
    private final PreparedStatement update;
    private final java.util.concurrent.ExecutorService thread;
    private final java.util.ArrayDeque<java.util.concurrent.Future<?>> inFlight = new java.util.ArrayDeque<>();
    private volatile boolean abandoned;
    /** (after, before) pairs of the chunk being decided */
    private List<LedgerRow[]> pending = new ArrayList<>(LedgerStore.CHUNK);
    private int chunks;
    private final long batch;
    /** the users of the lines the run gives one, when it notes them ({@link #noteUsers}) */
    private UserLines users;

    /** @param c the connection written with; null for a writer that writes nothing (a preview, a reconcile) */
    /** @param batch the run's fencing token, which numbers its rows of ledger_user_lines */
    LedgerWriter(Connection c, Connection reads, SqlDialect dialect, String company, String runId, long batch,
                 LedgerStore.Fence fence) throws SQLException {
        this.c = c;
        this.batch = batch;
        this.dialect = dialect;
        this.reads = reads;
        this.company = company;
        this.runId = runId;
        this.fence = fence;
        try {
            // one read-only transaction: on PostgreSQL the merge's reads go by key in it (SqlDialect.byKey)
            reads.setAutoCommit(false);
            reads.setReadOnly(true);
            if (c != null) {
                c.setAutoCommit(false);
                insert = c.prepareStatement(INSERT);
                update = c.prepareStatement(UPDATE);
            } else {
                insert = null;
                update = null;
            }
        } catch (SQLException e) {
            if (c != null) {
                c.close();
            }
            throw e;
        }
        thread = c == null ? null : java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ledger-writer-" + company);
            t.setDaemon(true);
            return t;
        });
    }

    /** The connection the run reads the ledger with (committed rows; the run reads ahead of its writes). */
    public Connection connection() {
        return reads;
    }

    /**
     * From here on notes the user of every line the run gives one ({@link UserLines}), sorted in
     * {@code scratch}; when the company's ledger is not all in ledger_user_lines yet, all of it first.
     * A writer that writes nothing notes nothing.
     */
    void noteUsers(LedgerStore store, java.util.function.Supplier<java.nio.file.Path> scratch) throws SQLException {
        if (c == null) {
            return;
        }
        users = new UserLines(scratch.get());
        if (!UserLines.complete(reads, company)) {
            users.addLedger(store, reads, company);
        }
    }

    /** Writes the users noted, once every feed is merged and before the run commits. */
    void writeUsers() throws SQLException {
        if (users == null) {
            return;
        }
        flush();
        users.write(c, company, batch, fence);
    }

    /** @param before the row as read (null: the line is new to the ledger) */
    public void write(LedgerRow after, LedgerRow before) throws SQLException {
        if (users != null && after.userId() != null && (before == null || !after.userId().equals(before.userId()))) {
            users.add(after.userId(), after.lineId());
        }
        pending.add(new LedgerRow[] {after, before});
        if (pending.size() >= LedgerStore.CHUNK) {
            handOff();
        }
    }

    private void handOff() throws SQLException {
        if (pending.isEmpty()) {
            return;
        }
        if (c == null) {
            pending.clear();
            return;
        }
        while (inFlight.size() >= CHUNKS_AHEAD) {
            await(inFlight.removeFirst());
        }
        List<LedgerRow[]> chunk = pending;
        int number = chunks++;
        pending = new ArrayList<>(LedgerStore.CHUNK);
        inFlight.addLast(thread.submit(() -> {
            if (!abandoned) {
                writeChunk(chunk, number);
            }
            return null;
        }));
    }

    private void await(java.util.concurrent.Future<?> chunk) throws SQLException {
        try {
            chunk.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while the ledger was written", e);
        } catch (java.util.concurrent.ExecutionException e) {
            abandoned = true;
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new SQLException(e.getCause());
        }
    }

    /** One chunk, its undo and the fencing check in one transaction (on the writer thread). */
    private void writeChunk(List<LedgerRow[]> chunk, int number) throws SQLException {
        List<String> updated = new ArrayList<>();
        ByteArrayOutputStream undoBytes = new ByteArrayOutputStream();
        DataOutputStream undo = new DataOutputStream(undoBytes);
        int inserts = 0;
        // PostgreSQL: the new rows by COPY (a batch of INSERTs is a statement per row on the server)
        PgCopy copy = dialect == SqlDialect.POSTGRESQL ? new PgCopy(chunk.size()) : null;
        try {
            fence.check(c);
            for (LedgerRow[] pair : chunk) {
                LedgerRow after = pair[0];
                LedgerRow before = pair[1];
                if (before == null && copy != null) {
                    copy.row(values(dialect, company, after, true));
                } else if (before == null) {
                    bind(insert, 1, dialect, company, after, true);
                    insert.addBatch();
                    inserts++;
                } else {
                    int i = bind(update, 1, dialect, company, after, false);
                    update.setString(i++, company);
                    update.setString(i++, after.lineId());
                    update.setInt(i, before.version());
                    update.addBatch();
                    updated.add(after.lineId());
                }
                writeUndo(undo, after.lineId(), before);
            }
            if (inserts > 0) {
                insert.executeBatch();
            }
            if (copy != null && copy.rows() > 0) {
                try {
                    copy.into(c, "ledger_line", "company, " + LedgerStore.COLUMNS);
                } catch (SQLException e) {
                    // a key another writer added: as a batch's insert that meets one
                    throw dialect.isUniqueViolation(e) ? new LedgerConflictException(null) : e;
                }
            }
            if (!updated.isEmpty()) {
                int[] counts = update.executeBatch();
                for (int k = 0; k < counts.length; k++) {
                    if (counts[k] == 0) {
                        throw new LedgerConflictException(updated.get(k));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO ledger_undo (company, run_id, chunk, data) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, company);
                ps.setString(2, runId);
                ps.setInt(3, number);
                ps.setBytes(4, undoBytes.toByteArray());
                ps.executeUpdate();
            }
            c.commit();
        } catch (BatchUpdateException e) {
            rollback(e);
            throw dialect.isUniqueViolation(e) ? new LedgerConflictException(null) : e;
        } catch (SQLException | RuntimeException e) {
            rollback(e);
            throw e;
        } catch (IOException e) {
            rollback(e);
            throw new UncheckedIOException(e);
        } finally {
            insert.clearBatch();
            update.clearBatch();
        }
    }

    /** Writes what is decided so far and waits until every chunk is in the ledger. */
    public void flush() throws SQLException {
        handOff();
        while (!inFlight.isEmpty()) {
            await(inFlight.removeFirst());
        }
    }

    private void rollback(Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /** Chunks not yet written are dropped (the run failed); the one being written ends first. */
    @Override
    public void close() throws SQLException {
        abandoned = true;
        if (thread != null) {
            thread.shutdown();
            try {
                // waited for, not interrupted: an interrupt closes H2's file under the chunk being written
                thread.awaitTermination(Long.MAX_VALUE, java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (users != null) {
            users.close();
        }
        try (c; reads; insert; update) {
            // back to the pool as it was lent
            reads.rollback();
            reads.setReadOnly(false);
            reads.setAutoCommit(true);
            if (c != null) {
                c.rollback();
            }
        }
    }

    /** Binds a row's columns in the order of {@link #INSERT} (with the key) or {@link #UPDATE}'s SET (without). */
    static int bind(PreparedStatement ps, int i, SqlDialect dialect, String company, LedgerRow r, boolean withKey)
            throws SQLException {
        for (Object value : values(dialect, company, r, withKey)) {
            ps.setObject(i++, value);
        }
        return i;
    }

    /** A row's column values in the order of {@link #INSERT} (with the key) or {@link #UPDATE}'s SET (without). */
    static List<Object> values(SqlDialect dialect, String company, LedgerRow r, boolean withKey) {
        PayrollLine l = r.line();
        List<Object> v = new ArrayList<>(18);
        if (withKey) {
            v.add(company);
            v.add(dialect.storable(r.lineId()));
        }
        v.add(dialect.storable(l.employeeNumber()));
        v.add(l.workDate());
        v.add(dialect.storable(l.wageType()));
        v.add(dialect.storable(l.projectNumber()));
        v.add(dialect.storable(l.taskNumber()));
        v.add(dialect.storable(l.department()));
        v.add(dialect.storable(l.text()));
        v.add(l.quantity());
        v.add(l.sourceModified() == null ? null : l.sourceModified().atOffset(ZoneOffset.UTC));
        v.add(dialect.storable(r.userId()));
        v.add(dialect.storable(r.registrationEmployeeNumber()));
        v.add(dialect.storable(r.sourceFields()));
        v.add(LedgerRow.encodeTargets(r.targets()));
        v.add(dialect.storable(LedgerRow.encodeStale(r.targets())));
        v.add(r.version());
        v.add(r.runId());
        return v;
    }

    /** One undo record: the line id, then the row before the run changed it (absent: the run added it); read by {@link #readUndo}. */
    static void writeUndo(DataOutputStream out, String lineId, LedgerRow before) throws IOException {
        out.writeUTF(lineId);
        out.writeBoolean(before != null);
        if (before == null) {
            return;
        }
        PayrollLine l = before.line();
        String[] fields = {l.employeeNumber(), l.workDate() == null ? null : l.workDate().toString(), l.wageType(),
                l.projectNumber(), l.taskNumber(), l.department(), l.text(),
                l.quantity() == null ? null : l.quantity().toPlainString(),
                l.sourceModified() == null ? null : l.sourceModified().toString(), before.userId(),
                before.registrationEmployeeNumber(), before.sourceFields(), LedgerRow.encodeTargets(before.targets()),
                LedgerRow.encodeStale(before.targets()), before.runId()};
        for (String f : fields) {
            out.writeBoolean(f != null);
            if (f != null) {
                byte[] b = f.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                out.writeInt(b.length);
                out.write(b);
            }
        }
        out.writeInt(before.version());
    }

    /** One undo record as {@link #writeUndo} wrote it. */
    static LedgerRow readUndo(DataInputStream in, String lineId) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        String[] f = new String[15];
        for (int i = 0; i < f.length; i++) {
            if (in.readBoolean()) {
                byte[] b = new byte[in.readInt()];
                in.readFully(b);
                f[i] = new String(b, java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        int version = in.readInt();
        int colon = lineId.indexOf(':');
        PayrollLine line = new PayrollLine(lineId, f[0], f[1] == null ? null : LocalDate.parse(f[1]), f[2],
                f[7] == null ? null : new java.math.BigDecimal(f[7]), f[3], f[4], f[5], f[6],
                lineId.substring(0, colon), lineId.substring(colon + 1), f[8] == null ? null : Instant.parse(f[8]));
        return new LedgerRow(lineId, line, f[9], f[10], f[11], LedgerRow.decodeTargets(f[12], f[13]), version, f[14]);
    }
}
