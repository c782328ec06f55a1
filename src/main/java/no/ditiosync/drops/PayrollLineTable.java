package no.ditiosync.drops;

import no.ditiosync.payroll.PayrollLine;
import no.ditiosync.state.PgCopy;
import no.ditiosync.state.SqlDialect;
import no.ditiosync.state.StateDb;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The JDBC target's table, {@code payroll_line}: one row per company and line, holding its current
 * truth. The route {@code deliver-jdbc} writes a run's rows into it after the run committed; writing
 * them again gives the same table, so a crash in between is healed by writing them again.
 *
 * <p>Each chunk is written in one transaction, in key order (the order of the drop). Where the table
 * holds none of its keys yet it is inserted: a batched {@code INSERT} on H2 ({@link #merge}), a
 * {@code COPY} into the table on PostgreSQL ({@link #copy}); else it is merged: a batched
 * {@code MERGE} on H2, a {@code COPY} into a temporary table and one upsert from it on PostgreSQL.
 * Plain JDBC rather than camel-sql: camel-sql fills each row's statement through its own per-row
 * machinery, about a third of the step on H2, and its batches run in auto-commit (on PostgreSQL one
 * fsynced commit per row).
 */
public final class PayrollLineTable {

    private static final String COLUMNS = "line_id, company, employee_number, work_date, wage_type, quantity, "
            + "project_number, task_number, department, text, status, source, source_id, source_modified, run_id, delivered_at, booked_date";

    /** Characters column {@code text} holds. */
    public static final int TEXT_WIDTH = 4000;

    private final DataSource dataSource;
    private final SqlDialect dialect;

    /** Creates the table if it does not exist yet. */
    public PayrollLineTable(DataSource dataSource) throws SQLException {
        this.dataSource = dataSource;
        try (Connection c = dataSource.getConnection()) {
            dialect = SqlDialect.of(c);
            StateDb.runScript(c, dialect, "/db/target-schema.sql");
        }
    }

    public boolean postgres() {
        return dialect == SqlDialect.POSTGRESQL;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** One row's values in the table's column order ({@link #COLUMNS}). */
    public List<Object> parameters(JdbcDropFile.Row row, String company, String runId, OffsetDateTime deliveredAt) {
        PayrollLine l = row.line();
        List<Object> p = new ArrayList<>(17);
        // the ledger may sit in another kind of database: values as this one can store them
        p.add(dialect.storable(l.lineId()));
        p.add(company);
        p.add(dialect.storable(l.employeeNumber()));
        p.add(l.workDate() == null ? null : java.sql.Date.valueOf(l.workDate()));
        p.add(dialect.storable(l.wageType()));
        p.add(l.quantity());
        p.add(dialect.storable(l.projectNumber()));
        p.add(dialect.storable(l.taskNumber()));
        p.add(dialect.storable(l.department()));
        // the table is read by people and reports too: cleaned as for the files, at its own width
        p.add(TextCleaner.plain(l.text(), TEXT_WIDTH));
        p.add(row.active() ? "active" : "cancelled");
        p.add(l.source());
        p.add(dialect.storable(l.sourceId()));
        p.add(l.sourceModified() == null ? null : l.sourceModified().atOffset(ZoneOffset.UTC));
        p.add(runId);
        p.add(deliveredAt);
        // the day the latest change of the row is booked on: its work date, or the first open day when
        // the work date lay in a closed payroll period then
        p.add(row.bookedDate() == null ? null : java.sql.Date.valueOf(row.bookedDate()));
        return p;
    }

    /**
     * H2: one chunk of rows (their {@link #parameters}) written by key in one batch and one transaction.
     * Writing the same rows again gives the same table.
     *
     * <p>A chunk none of whose keys the table holds yet (a first sync, a company's new lines) is
     * inserted: H2's {@code MERGE} looks each row up and builds a result for it before it inserts,
     * about twice an insert's work. Whether the table holds any row in the chunk's key range is one
     * index probe; should a row exist all the same (another writer), the insert fails on its key, is
     * rolled back, and the chunk is merged.
     */
    public void merge(List<List<Object>> rows) throws SQLException {
        insertElseMerge(rows, c -> write(c, rows, true), c -> write(c, rows, false));
    }

    /**
     * In one transaction: {@code insert} where the table holds no row in the chunk's key range, else
     * {@code merge}; an insert that meets a key all the same (another writer, or a collation that orders
     * the keys otherwise than the range probe's bounds) is rolled back and the chunk merged.
     */
    private void insertElseMerge(List<List<Object>> rows, StateDb.SqlWork insert, StateDb.SqlWork merge)
            throws SQLException {
        try {
            StateDb.inTransaction(dataSource, c -> {
                if (holdsAnyOf(c, rows)) {
                    merge.run(c);
                } else {
                    insert.run(c);
                }
            });
        } catch (SQLException e) {
            if (!dialect.isUniqueViolation(e)) {
                throw e;
            }
            StateDb.inTransaction(dataSource, merge);
        }
    }

    private static void write(Connection c, List<List<Object>> rows, boolean insert) throws SQLException {
        String sql = (insert ? "INSERT INTO payroll_line (" + COLUMNS + ") VALUES ("
                : "MERGE INTO payroll_line (" + COLUMNS + ") KEY (company, line_id) VALUES (")
                + "?, ".repeat(COLUMNS.split(", ").length - 1) + "?)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (List<Object> row : rows) {
                for (int i = 0; i < row.size(); i++) {
                    ps.setObject(i + 1, row.get(i));
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Whether the table holds a row of the chunk's company between its least and greatest line id. */
    private static boolean holdsAnyOf(Connection c, List<List<Object>> rows) throws SQLException {
        if (rows.isEmpty()) {
            return false;
        }
        Object company = rows.get(0).get(1);
        String least = null;
        String greatest = null;
        for (List<Object> row : rows) {
            if (!company.equals(row.get(1))) {
                return true;
            }
            String id = (String) row.get(0);
            least = least == null || id.compareTo(least) < 0 ? id : least;
            greatest = greatest == null || id.compareTo(greatest) > 0 ? id : greatest;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM payroll_line WHERE company = ? AND line_id BETWEEN ? AND ? LIMIT 1")) {
            ps.setObject(1, company);
            ps.setString(2, least);
            ps.setString(3, greatest);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * PostgreSQL: one chunk of rows (their {@link #parameters}) in one transaction. A chunk none of whose
     * keys the table holds yet (a first sync) is COPYed straight in; else, or should the insert meet a
     * key all the same (the range probe goes by the database's collation), it is COPYed into a
     * temporary table and upserted from there.
     */
    public void copy(List<List<Object>> rows) throws SQLException {
        PgCopy data = new PgCopy(rows.size());
        rows.forEach(data::row);
        insertElseMerge(rows, c -> data.into(c, "payroll_line", COLUMNS), c -> upsert(c, data));
    }

    private static void upsert(Connection c, PgCopy data) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TEMPORARY TABLE IF NOT EXISTS payroll_line_in (LIKE payroll_line) ON COMMIT DELETE ROWS");
            data.into(c, "payroll_line_in", COLUMNS);
            s.executeUpdate("INSERT INTO payroll_line (" + COLUMNS + ") SELECT " + COLUMNS + " FROM payroll_line_in "
                    + "ON CONFLICT (company, line_id) DO UPDATE SET " + updates());
        }
    }

    private static String updates() {
        List<String> set = new ArrayList<>();
        for (String column : COLUMNS.split(", ")) {
            if (!column.equals("line_id") && !column.equals("company")) {
                set.add(column + " = EXCLUDED." + column);
            }
        }
        return String.join(", ", set);
    }
}
