package no.ditiosync.ledger;

import no.ditiosync.state.SqlDialect;
import no.ditiosync.state.StateDb;
import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On PostgreSQL a run reads the ledger by its key, also while the planner's statistics still call the
 * table empty (a first run fills it): a plan made for an empty table would read the whole ledger for
 * every lookup, and a run would take time quadratic in its size.
 */
class LedgerPlanOnPostgresTest {

    @Test
    void lookupsAndScansGoByTheKeyWhateverTheStatisticsSay() throws Exception {
        TestDatabase db = TestDatabase.postgres();
        try (Connection c = db.connect()) {
            StateDb.runScript(c, SqlDialect.POSTGRESQL, "/db/schema.sql");
            StateDb.runScript(c, SqlDialect.POSTGRESQL, "/db/schema-postgresql.sql");
        }
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                // as in a first run: 20000 rows the statistics do not know of (no ANALYZE)
                s.execute("INSERT INTO ledger_line (company, line_id, quantity, targets, version, run_id) "
                        + "SELECT 'acme', 'time:' || lpad(g::text, 8, '0'), 1, 'visma:1:H', 1, 'r' FROM generate_series(1, 20000) g");
            }
            SqlDialect.POSTGRESQL.byKey(c);
            String lookup = plan(c, LedgerStore.LOOKUP_ANY, ps -> {
                ps.setString(1, "acme");
                ps.setArray(2, c.createArrayOf("varchar", new String[]{"time:00000007", "time:00004711"}));
            });
            String range = plan(c, LedgerStore.RANGE, ps -> {
                ps.setString(1, "acme");
                ps.setString(2, "time:");
                ps.setString(3, "time;");
            });
            c.rollback();
            assertThat(lookup).as(lookup).contains("ledger_line_pkey").doesNotContain("Seq Scan");
            assertThat(range).as(range).contains("Index Scan using ledger_line_pkey").doesNotContain("Seq Scan")
                    .doesNotContain("Sort");
        }
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws Exception;
    }

    private static String plan(Connection c, String sql, Binder binder) throws Exception {
        StringBuilder plan = new StringBuilder();
        try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL plan_cache_mode = force_generic_plan");
        }
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
        }
        return plan.toString();
    }
}
