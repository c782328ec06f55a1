package no.ditiosync.ledger;

import no.ditiosync.payroll.PayrollLine;
import no.ditiosync.state.SqlDialect;
import no.ditiosync.state.StateDb;
import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** On a real PostgreSQL the writer COPYs a chunk's new rows in: a key another run added since fails the chunk whole. */
class LedgerWriterOnPostgresTest {

    @Test
    void aNewRowWhoseKeyAnotherRunAddedFailsTheChunkAndWritesNoneOfIt() throws Exception {
        TestDatabase db = TestDatabase.postgres();
        DataSource ds = db.dataSource();
        try (Connection c = ds.getConnection()) {
            StateDb.runScript(c, SqlDialect.POSTGRESQL, "/db/schema.sql");
            StateDb.runScript(c, SqlDialect.POSTGRESQL, "/db/schema-postgresql.sql");
        }
        LedgerStore store = new LedgerStore(ds, SqlDialect.POSTGRESQL);
        try (LedgerWriter w = store.writer("acme", "run1", 1, LedgerStore.Fence.NONE)) {
            w.write(newRow("a", "7.50", "run1"), null);
            w.write(newRow("b", "8.00", "run1"), null);
            w.flush();
        }
        assertThat(rows(ds)).containsExactly("time:a 7.50 run1", "time:b 8.00 run1");

        // another run (one that took the feed lock from this one) adds time:d while this one decides it is new
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO ledger_line (company, line_id, quantity, targets, version, run_id) "
                    + "VALUES ('acme', 'time:d', 3.00, 'visma:1:H', 1, 'run3')");
        }
        try (LedgerWriter w = store.writer("acme", "run2", 2, LedgerStore.Fence.NONE)) {
            w.write(newRow("c", "1.25", "run2"), null);
            w.write(newRow("d", "4.00", "run2"), null);
            assertThatThrownBy(w::flush).isInstanceOf(LedgerConflictException.class)
                    .hasMessageContaining("was changed by another run while this one ran");
        }
        assertThat(rows(ds)).containsExactly("time:a 7.50 run1", "time:b 8.00 run1", "time:d 3.00 run3");
    }

    private static LedgerRow newRow(String id, String hours, String runId) {
        PayrollLine l = new PayrollLine("time:" + id, "1001", LocalDate.of(2026, 10, 5), "1000", new BigDecimal(hours),
                "P-1", null, "Avd", "tab\tand\\backslash", "time", id, Instant.parse("2026-10-06T10:00:00.1234565Z"));
        return LedgerRow.next(l.lineId(), null, Map.of("visma", new LedgerEntry(l, false, null, 1)), null, runId);
    }

    private static List<String> rows(DataSource ds) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT line_id, quantity, run_id FROM ledger_line ORDER BY line_id")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getBigDecimal(2).toPlainString() + " " + rs.getString(3));
            }
        }
        return rows;
    }
}
