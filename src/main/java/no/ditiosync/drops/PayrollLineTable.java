package no.ditiosync.drops;

import no.ditiosync.payroll.PayrollLine;
import no.ditiosync.state.SqlDialect;
import no.ditiosync.state.StateDb;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JDBC target's table, {@code payroll_line}: one row per company and line, holding its current
 * truth. The route {@code deliver-jdbc} writes a run's rows into it after the run committed; writing
 * them again gives the same table, so a crash in between is healed by writing them again.
 *
 * <p>On H2 the route writes through camel-sql (a batched MERGE per chunk of {@link #parameters}). On
 * PostgreSQL it calls {@link #copy}: camel-sql's batches run in auto-commit there, one fsynced commit
 * per row, so each chunk is COPYed into a temporary table and upserted from it in one transaction.
 */
public final class PayrollLineTable {

    private static final String COLUMNS = "line_id, company, employee_number, work_date, wage_type, quantity, "
            + "project_number, task_number, department, text, status, source, source_id, source_modified, run_id, delivered_at, booked_date";

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

    /** One row's values by the names the route's SQL binds ({@code :#lineId}, ...), in the table's column order. */
    public Map<String, Object> parameters(JdbcDropFile.Row row, String company, String runId, OffsetDateTime deliveredAt) {
        PayrollLine l = row.line();
        Map<String, Object> p = new LinkedHashMap<>();
        // the ledger may sit in another kind of database: values as this one can store them
        p.put("lineId", dialect.storable(l.lineId()));
        p.put("company", company);
        p.put("employeeNumber", dialect.storable(l.employeeNumber()));
        p.put("workDate", l.workDate() == null ? null : java.sql.Date.valueOf(l.workDate()));
        p.put("wageType", dialect.storable(l.wageType()));
        p.put("quantity", l.quantity());
        p.put("projectNumber", dialect.storable(l.projectNumber()));
        p.put("taskNumber", dialect.storable(l.taskNumber()));
        p.put("department", dialect.storable(l.department()));
        // the table is read by people and reports too: cleaned as for the files, at its own width
        p.put("text", TextCleaner.plain(l.text(), 4000));
        p.put("status", row.active() ? "active" : "cancelled");
        p.put("source", l.source());
        p.put("sourceId", dialect.storable(l.sourceId()));
        p.put("sourceModified", l.sourceModified() == null ? null : l.sourceModified().atOffset(ZoneOffset.UTC));
        p.put("runId", runId);
        p.put("deliveredAt", deliveredAt);
        // the day the latest change of the row is booked on: its work date, or the first open day when
        // the work date lay in a closed payroll period then
        p.put("bookedDate", row.bookedDate() == null ? null : java.sql.Date.valueOf(row.bookedDate()));
        return p;
    }

    /** PostgreSQL: one chunk of rows (their {@link #parameters}) COPYed in and upserted, in one transaction. */
    public void copy(List<Map<String, Object>> rows) throws SQLException, IOException {
        StringBuilder data = new StringBuilder(rows.size() * 200);
        for (Map<String, Object> row : rows) {
            boolean first = true;
            for (Object value : row.values()) {
                data.append(first ? "" : "\t").append(copyText(value));
                first = false;
            }
            data.append('\n');
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TEMPORARY TABLE IF NOT EXISTS payroll_line_in (LIKE payroll_line) ON COMMIT DELETE ROWS");
                CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
                copy.copyIn("COPY payroll_line_in (" + COLUMNS + ") FROM STDIN", new StringReader(data.toString()));
                s.executeUpdate("INSERT INTO payroll_line (" + COLUMNS + ") SELECT " + COLUMNS + " FROM payroll_line_in "
                        + "ON CONFLICT (company, line_id) DO UPDATE SET " + updates());
                c.commit();
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
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

    /** A value in COPY's text format: \N for null, and the format's escapes. */
    private static String copyText(Object value) {
        if (value == null) {
            return "\\N";
        }
        String s = value instanceof java.math.BigDecimal d ? d.toPlainString() : value.toString();
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(ch);
            }
        }
        return out.toString();
    }
}
