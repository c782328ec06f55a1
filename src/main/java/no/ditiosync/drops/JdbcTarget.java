package no.ditiosync.drops;

import no.ditiosync.ledger.SqlDialect;
import no.ditiosync.ledger.StateStore;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The JDBC target: table {@code payroll_line}, one row per line holding its current truth.
 * Rows are written from the ledger after the ledger commits; writing the same run twice gives the
 * same table, so a crash between commit and write is healed by writing again.
 */
public final class JdbcTarget {

    private static final int BATCH = 1000;

    private final DataSource dataSource;
    private final SqlDialect dialect;
    private final String upsert;

    public JdbcTarget(DataSource dataSource) throws SQLException {
        this.dataSource = dataSource;
        try (Connection c = dataSource.getConnection()) {
            dialect = SqlDialect.of(c);
            StateStore.runScript(c, dialect, "/db/target-schema.sql");
            // keyed by company too: two companies may deliver into one table, and their lines never mix
            upsert = dialect.upsert("payroll_line", List.of("line_id", "company"), List.of("employee_number",
                    "work_date", "wage_type", "quantity", "project_number", "task_number", "department", "text", "status",
                    "source", "source_id", "source_modified", "run_id", "delivered_at"));
        }
    }

    /** Writes what one run changed in the ledger of the {@code jdbc} target into {@code payroll_line}. */
    public int apply(StateStore store, String company, String runId) throws SQLException {
        OffsetDateTime now = Instant.now().atOffset(ZoneOffset.UTC);
        int[] rows = {0};
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement active = c.prepareStatement(upsert);
                 PreparedStatement cancel = c.prepareStatement(
                         "UPDATE payroll_line SET status = 'cancelled', run_id = ?, delivered_at = ? WHERE line_id = ? AND company = ?")) {
                store.ledgerRowsOfRun(company, DropTarget.JDBC, runId, (line, held) -> {
                    if (held) {
                        int i = 1;
                        // the ledger may sit in another kind of database: values as this one can store them
                        active.setString(i++, dialect.storable(line.lineId()));
                        active.setString(i++, company);
                        active.setString(i++, dialect.storable(line.employeeNumber()));
                        active.setObject(i++, line.workDate(), Types.DATE);
                        active.setString(i++, dialect.storable(line.wageType()));
                        active.setBigDecimal(i++, line.quantity());
                        active.setString(i++, dialect.storable(line.projectNumber()));
                        active.setString(i++, dialect.storable(line.taskNumber()));
                        active.setString(i++, dialect.storable(line.department()));
                        // the table is read by people and reports too: cleaned as for the files, at its own width
                        active.setString(i++, TextCleaner.plain(line.text(), 4000));
                        active.setString(i++, "active");
                        active.setString(i++, line.source());
                        active.setString(i++, dialect.storable(line.sourceId()));
                        active.setObject(i++, line.sourceModified() == null ? null : line.sourceModified().atOffset(ZoneOffset.UTC));
                        active.setString(i++, runId);
                        active.setObject(i, now);
                        active.addBatch();
                    } else {
                        cancel.setString(1, runId);
                        cancel.setObject(2, now);
                        cancel.setString(3, dialect.storable(line.lineId()));
                        cancel.setString(4, company);
                        cancel.addBatch();
                    }
                    if (++rows[0] % BATCH == 0) {
                        active.executeBatch();
                        cancel.executeBatch();
                    }
                });
                active.executeBatch();
                cancel.executeBatch();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
        return rows[0];
    }
}
