package no.ditiosync.ledger;

import no.ditiosync.state.SqlDialect;
import no.ditiosync.payroll.PayrollLine;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The export ledger's reads and its writer ({@code ledger_line}, {@code ledger_undo}); its chunk writes
 * are {@link LedgerWriter}'s, its put-back {@link LedgerUndo}'s, and the users' lines {@link UserLines}'.
 *
 * <p>A run writes the lines it changes in place, in key order, in transactions of {@link #CHUNK}
 * rows, long before its one small commit decides whether it delivered: so the state DB never holds
 * a transaction the size of the run (H2 revisits every row of a transaction when it commits it).
 * Each chunk carries, in the same transaction, the rows' before-images ({@code ledger_undo}) and
 * the run's fencing check. The run's commit marks its {@code sync_run} row committed, and the run
 * then deletes its undo rows ({@link #forgetUndo}). Undo rows of a run whose row is not marked
 * committed belong to a run that never committed: {@link #restoreUncommitted} puts its rows back
 * before the next run of the company reads the ledger.
 */
public final class LedgerStore {

    /** Rows per write transaction, and per lookup or scan query. */
    static final int CHUNK = 2000;

    static final String COLUMNS = "line_id, employee_number, work_date, wage_type, project_number, task_number, "
            + "department, text, quantity, source_modified, user_id, reg_employee_number, source_fields, targets, "
            + "stale_lines, version, run_id";
    private static final String SELECT = "SELECT " + COLUMNS + " FROM ledger_line ";
    private final DataSource dataSource;
    private final SqlDialect dialect;

    public LedgerStore(DataSource dataSource, SqlDialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
    }

    /** Checked in every transaction that writes the ledger: throws when the run no longer holds its feed lock. */
    @FunctionalInterface
    public interface Fence {
        Fence NONE = c -> { };

        void check(Connection c) throws SQLException;
    }

    // ---- reads --------------------------------------------------------------------------------

    private static final String LOOKUP = SELECT + "WHERE company = ? AND line_id ";
    static final String LOOKUP_ANY = LOOKUP + SqlDialect.ANY_KEY;
    static final String RANGE = SELECT + "WHERE company = ? AND line_id > ? AND line_id < ? ORDER BY company, line_id LIMIT " + CHUNK;

    /** The rows of these line ids that exist. */
    public Map<String, LedgerRow> lookup(Connection c, String company, List<String> lineIds) throws SQLException {
        Map<String, LedgerRow> found = new HashMap<>();
        dialect.forKeys(c, LOOKUP, List.of(company), lineIds, rs -> {
            LedgerRow row = row(rs);
            found.put(row.lineId(), row);
        });
        return found;
    }

    private static void all(PreparedStatement ps, List<LedgerRow> into) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                into.add(row(rs));
            }
        }
    }

    /**
     * Up to {@link #CHUNK} rows with {@code after < line_id < before}, in key order (the key's order is
     * String order: see schema.sql on the key's collation). Called again from the last row read, a
     * scan holds no cursor open across the run's write transactions.
     */
    public List<LedgerRow> range(Connection c, String company, String after, String before) throws SQLException {
        List<LedgerRow> rows = new ArrayList<>(CHUNK);
        dialect.byKey(c);
        try (PreparedStatement ps = c.prepareStatement(RANGE)) {
            ps.setString(1, company);
            ps.setString(2, after);
            ps.setString(3, before);
            all(ps, rows);
        }
        return rows;
    }

    /**
     * Whether some target still holds a line of the feed with a work date on or after {@code from}: read
     * a chunk at a time until one is found (a run whose settings changed asks, not every run).
     */
    public boolean holdsLinesFrom(String company, String feed, LocalDate from) throws SQLException {
        return holdsLines(company, feed, null, from, LocalDate.MAX);
    }

    /** Whether one of {@code targets} (null: any) holds a line of the feed with a work date from {@code from} to {@code to}. */
    public boolean holdsLines(String company, String feed, java.util.Collection<String> targets, LocalDate from, LocalDate to)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Scan scan = scan(c, company, feed + ":", feed + ";");
            for (LedgerRow row = scan.next(); row != null; row = scan.next()) {
                LocalDate day = row.line() == null ? null : row.line().workDate();
                if ((targets == null ? row.heldAnywhere() : row.heldIn(targets)) && day != null && !day.isBefore(from)
                        && !day.isAfter(to)) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * The rows with {@code after < line_id < before}, in key order, read a chunk at a time ({@link #range}),
     * one by one: a scan that may stop early (the visiting {@link #scan} reads to the end).
     */
    public Scan scan(Connection c, String company, String after, String before) {
        return new Scan(c, company, after, before);
    }

    /** A scan of the ledger in key order that holds no cursor open between its chunks. */
    public final class Scan {
        private final Connection c;
        private final String company;
        private final String end;
        private String after;
        private java.util.Iterator<LedgerRow> chunk = java.util.Collections.emptyIterator();
        private boolean last;

        private Scan(Connection c, String company, String after, String end) {
            this.c = c;
            this.company = company;
            this.after = after;
            this.end = end;
        }

        /** The next row, or null after the last. */
        public LedgerRow next() throws SQLException {
            if (!chunk.hasNext()) {
                if (last) {
                    return null;
                }
                List<LedgerRow> rows = range(c, company, after, end);
                last = rows.size() < CHUNK;
                if (rows.isEmpty()) {
                    return null;
                }
                chunk = rows.iterator();
            }
            LedgerRow row = chunk.next();
            if (row.lineId().compareTo(after) <= 0) {
                // the database sorts the key otherwise than Java: a merge on it would pair the wrong lines
                throw new IllegalStateException("the state DB returned ledger line " + row.lineId() + " after " + after
                        + ": its collation of ledger_line.line_id is not binary");
            }
            after = row.lineId();
            return row;
        }
    }

    /**
     * The rows of a feed's lines whose users are among {@code userIds}, in key order: found through
     * {@link UserLines} and read by key, so the cost is those users' lines. A ledger not yet all in
     * ledger_user_lines (written by an earlier version, until its next run) is read through instead.
     */
    public List<LedgerRow> ofUsers(String company, String feed, Collection<String> userIds) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (!UserLines.complete(c, company)) {
                return ofUsersReadingTheFeed(c, company, feed, userIds);
            }
            return readOnly(c, () -> {
                dialect.byKey(c); // both tables by key on PostgreSQL
                List<String> ids = UserLines.lineIds(c, company, userIds, feed);
                Map<String, LedgerRow> rows = new java.util.TreeMap<>();
                for (int from = 0; from < ids.size(); from += CHUNK) {
                    rows.putAll(lookup(c, company, ids.subList(from, Math.min(ids.size(), from + CHUNK))));
                }
                // a line moved to another user since the row named it is that user's now
                rows.values().removeIf(row -> !userIds.contains(row.userId()));
                return new ArrayList<>(rows.values());
            });
        }
    }

    /** A read of the ledger that returns a value. */
    @FunctionalInterface
    interface Read<T> {
        T read() throws SQLException;
    }

    /**
     * {@code read} in one read-only transaction on {@code c}, which goes back to the pool as lent: on
     * PostgreSQL only a transaction lets {@link SqlDialect#byKey} hold for every query of the read.
     */
    private static <T> T readOnly(Connection c, Read<T> read) throws SQLException {
        c.setAutoCommit(false);
        c.setReadOnly(true);
        try {
            return read.read();
        } finally {
            c.rollback();
            c.setReadOnly(false);
            c.setAutoCommit(true);
        }
    }

    /** What {@link #scan} does with each row. */
    @FunctionalInterface
    interface RowVisitor {
        void visit(LedgerRow row) throws SQLException;
    }

    /**
     * Every row with {@code after < line_id < before}, in key order, {@link #CHUNK} at a time
     * ({@link #range}): no cursor is held open for the length of the scan.
     */
    void scan(Connection c, String company, String after, String before, RowVisitor visit) throws SQLException {
        Scan scan = scan(c, company, after, before);
        for (LedgerRow row = scan.next(); row != null; row = scan.next()) {
            visit.visit(row);
        }
    }

    /** {@link #ofUsers} by going through every row of the feed (no index on the user: see schema.sql). */
    List<LedgerRow> ofUsersReadingTheFeed(Connection c, String company, String feed, Collection<String> userIds)
            throws SQLException {
        List<LedgerRow> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(SELECT + "WHERE company = ? AND line_id > ? AND line_id < ? "
                + "AND user_id = ANY (?)")) {
            ps.setString(1, company);
            ps.setString(2, feed + ":");
            ps.setString(3, feed + ";");
            ps.setArray(4, c.createArrayOf("varchar", userIds.toArray()));
            ps.setFetchSize(CHUNK);
            all(ps, rows);
        }
        return rows;
    }

    /**
     * The rows a run changed last, read by going through the company's rows: only to write a JDBC
     * target's rows again when the run's JDBC drop is not on this machine.
     */
    public List<LedgerRow> ofRun(String company, String runId) throws SQLException {
        List<LedgerRow> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(SELECT + "WHERE company = ? AND run_id = ?")) {
            ps.setString(1, company);
            ps.setString(2, runId);
            ps.setFetchSize(CHUNK);
            all(ps, rows);
        }
        return rows;
    }

    /** In the run's commit: the run's net change of the hours and lines each target holds per work date. */
    public void addHours(Connection c, String company, DeliveredHours hours) throws SQLException {
        try (PreparedStatement add = c.prepareStatement("UPDATE delivered_hours SET hours = hours + ?, lines = lines + ? "
                + "WHERE company = ? AND target = ? AND work_date = ?");
             PreparedStatement insert = c.prepareStatement("INSERT INTO delivered_hours (company, target, work_date, hours, "
                     + "lines) VALUES (?, ?, ?, ?, ?)")) {
            for (Map.Entry<String, Map<LocalDate, DeliveredHours.Change>> target : hours.byTarget().entrySet()) {
                for (Map.Entry<LocalDate, DeliveredHours.Change> day : target.getValue().entrySet()) {
                    add.setBigDecimal(1, day.getValue().hours());
                    add.setLong(2, day.getValue().lines());
                    add.setString(3, company);
                    add.setString(4, target.getKey());
                    add.setObject(5, day.getKey(), Types.DATE);
                    if (add.executeUpdate() == 0) {
                        insert.setString(1, company);
                        insert.setString(2, target.getKey());
                        insert.setObject(3, day.getKey(), Types.DATE);
                        insert.setBigDecimal(4, day.getValue().hours());
                        insert.setLong(5, day.getValue().lines());
                        insert.executeUpdate();
                    }
                }
            }
        }
    }

    private static LedgerRow row(ResultSet rs) throws SQLException {
        String lineId = rs.getString(1);
        int colon = lineId.indexOf(':');
        java.sql.Date day = rs.getDate(3);
        OffsetDateTime modified = rs.getObject(10, OffsetDateTime.class);
        PayrollLine line = new PayrollLine(lineId, rs.getString(2), day == null ? null : day.toLocalDate(), rs.getString(4),
                rs.getBigDecimal(9), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                lineId.substring(0, colon), lineId.substring(colon + 1), modified == null ? null : modified.toInstant());
        return new LedgerRow(lineId, line, rs.getString(11), rs.getString(12), rs.getString(13),
                LedgerRow.decodeTargets(rs.getString(14), rs.getString(15)), rs.getInt(16), rs.getString(17));
    }

    // ---- writes -------------------------------------------------------------------------------

    /**
     * The run's writer: one connection, a transaction per chunk, written on a thread of its own.
     *
     * @param batch the run's fencing token (one per run of the company, rising)
     */
    public LedgerWriter writer(String company, String runId, long batch, Fence fence) throws SQLException {
        return open(company, runId, batch, fence, true);
    }

    /**
     * A writer that writes nothing: the merge of a preview or a reconcile without delivery reads the
     * ledger through it exactly as a run does, and its rows are dropped instead of written. The merge
     * never reads a row it has written (keys are merged once, in order), so it decides the same.
     */
    public LedgerWriter dryWriter(String company, String runId) throws SQLException {
        return open(company, runId, 0, Fence.NONE, false);
    }

    private LedgerWriter open(String company, String runId, long batch, Fence fence, boolean writes) throws SQLException {
        Connection reads = dataSource.getConnection();
        try {
            return new LedgerWriter(writes ? dataSource.getConnection() : null, reads, dialect, company, runId, batch, fence);
        } catch (SQLException | RuntimeException e) {
            reads.close();
            throw e;
        }
    }

    /** One key of the hours a target holds: employee number, work date, wage type. */
    public record HoursKey(String employeeNumber, LocalDate workDate, String wageType) implements Comparable<HoursKey> {
        private static final java.util.Comparator<HoursKey> ORDER = java.util.Comparator
                .comparing(HoursKey::employeeNumber, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()))
                .thenComparing(HoursKey::workDate, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()))
                .thenComparing(HoursKey::wageType, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()));

        public static HoursKey of(PayrollLine line) {
            return new HoursKey(line.employeeNumber(), line.workDate(), line.wageType());
        }

        @Override
        public int compareTo(HoursKey o) {
            return ORDER.compare(this, o);
        }
    }

    /**
     * The hours each target holds per employee × work date × wage type, for the lines of {@code feeds}
     * with a work date in {@code from..to}: what the ledger says payroll has received. Read in key
     * order a chunk at a time, like the merge's scan.
     */
    public Map<String, java.util.TreeMap<HoursKey, java.math.BigDecimal>> heldHours(String company, List<String> feeds,
            List<String> targets, LocalDate from, LocalDate to) throws SQLException {
        Map<String, java.util.TreeMap<HoursKey, java.math.BigDecimal>> held = new java.util.LinkedHashMap<>();
        targets.forEach(t -> held.put(t, new java.util.TreeMap<>()));
        try (Connection c = dataSource.getConnection()) {
            return readOnly(c, () -> {
                for (String feed : feeds) {
                    scan(c, company, feed + ":", feed + ";", row -> {
                        for (String t : targets) {
                            LedgerEntry e = row.entry(t);
                            LocalDate day = e == null ? null : e.line().workDate();
                            if (e != null && e.holdsHours() && day != null && !day.isBefore(from) && !day.isAfter(to)) {
                                held.get(t).merge(HoursKey.of(e.line()), e.line().quantity(), java.math.BigDecimal::add);
                            }
                        }
                    });
                }
                return held;
            });
        }
    }

    /**
     * After the run's commit (which marked its {@code sync_run} row committed): its before-images are no
     * longer needed. Deleted a few chunks per transaction, not in the commit: H2 keeps what a transaction
     * deletes until it commits, and deleting a first sync's whole undo in one transaction (32 MB at a
     * million registrations) made it write all of it out again, through write buffers of up to 54 MB.
     * Undo rows a crash leaves here are forgotten, not put back, by {@link #restoreUncommitted}, as
     * the run is committed.
     */
    public void forgetUndo(String company, String runId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            LedgerUndo.forget(c, company, runId);
        }
    }

    /**
     * Puts back every row a run that never committed changed (it crashed, failed, or lost its feed
     * lock), newest chunk first, and forgets its undo; the undo a committed run left (a crash before
     * {@link #forgetUndo}) is only forgotten. Called under the feed lock before a run reads
     * the ledger; safe to repeat after a crash half-way (each chunk is undone in one transaction and
     * only rows the run still owns are touched).
     *
     * @return the runs whose rows were put back
     */
    public List<String> restoreUncommitted(String company) throws SQLException {
        return LedgerUndo.restoreUncommitted(dataSource, dialect, company);
    }
}
