package no.ditiosync.app;

import no.ditiosync.ledger.DeliveryTransaction;
import no.ditiosync.ledger.SqlDialect;
import no.ditiosync.ledger.StateStore;
import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static no.ditiosync.app.SyncEndToEndTest.LAST;
import static no.ditiosync.app.SyncEndToEndTest.company;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The delivery's pending scan on PostgreSQL looks each record's ledger rows up by primary key, even
 * with statistics that call the tables empty (a first run): any other plan read the whole target per
 * record or per chunk, and a 100k first run took over an hour (bench/README.md).
 */
class PendingScanPlanOnPostgresTest {

    static final List<String> TARGETS = List.of("visma", "sap", "jdbc");

    @Test
    void eachChunkLooksItsLedgerRowsUpByKey(@TempDir Path dir) throws Exception {
        TestDatabase db = TestDatabase.postgres();
        try (SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), db,
                Map.of("payroll.targets", String.join(",", TARGETS)))) {
            h.runOnce();
        }
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            planAsTheDelivery(c);
            try (Statement s = c.createStatement()) {
                // as in a first run: rows the statistics do not know of
                s.execute("INSERT INTO export_ledger (company, target, line_id, quantity, held, version, run_id) "
                        + "SELECT 'acme', t, 'time:x' || g, 1, FALSE, 1, 'r' FROM generate_series(1, 5000) g, "
                        + "(VALUES ('visma'), ('sap'), ('jdbc')) v(t)");
            }
            String plan;
            try (PreparedStatement explain = c.prepareStatement("EXPLAIN " + StateStore.pendingChunk(SqlDialect.POSTGRESQL, TARGETS.size(), false, 1000))) {
                int p = 1;
                for (String target : TARGETS) {
                    explain.setString(p++, target);
                }
                explain.setString(p++, "acme");
                explain.setString(p++, "time");
                explain.setLong(p++, 2);
                explain.setString(p, "0");
                plan = plan(explain);
            }
            c.rollback();
            assertThat(plan).as(plan)
                    .doesNotContain("Seq Scan on export_ledger").doesNotContain("Hash").doesNotContain("Materialize")
                    .doesNotContain("Merge Join").doesNotContain("export_ledger_of_run").doesNotContain("Join Filter");
            // one lookup per target, by the whole key: line_id is an index condition, not a filter on a scan
            assertThat(occurrences(plan, "Index Scan using export_ledger_pkey on export_ledger")).as(plan).isEqualTo(TARGETS.size());
            assertThat(occurrences(plan, "AND ((line_id)::text = (s.line_id)::text))")).as(plan).isEqualTo(TARGETS.size());
        }
    }

    @Test
    void releasingFromQuarantineLooksEachRecordUpByKeyOnceTheStatisticsAreFresh(@TempDir Path dir) throws Exception {
        TestDatabase db = TestDatabase.postgres();
        try (SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), db, Map.of())) {
            h.runOnce();
        }
        String plan;
        try (Connection c = db.connect()) {
            // what the delivery of a large run does first (outside its transaction)
            c.createStatement().execute(SqlDialect.POSTGRESQL.refreshStatistics());
            c.setAutoCommit(false);
            planAsTheDelivery(c);
            try (PreparedStatement explain = c.prepareStatement("EXPLAIN " + DeliveryTransaction.RELEASE_FROM_QUARANTINE)) {
                explain.setString(1, "acme");
                explain.setString(2, "time");
                explain.setLong(3, 2);
                plan = plan(explain);
            }
            c.rollback();
        }
        // joined by record_id in an index condition (either side may lead): not a scan of the company's
        // records tested one by one for every quarantined record
        assertThat(plan).as(plan).doesNotContain("Join Filter").doesNotContain("source_record_status")
                .containsPattern("Index Cond: .*\\(record_id\\)::text = \\((s|quarantine)\\.record_id\\)::text");
    }

    /**
     * In the open transaction: the delivery's planner settings, and a plan for any parameters, as the
     * JDBC driver gets once it prepares the statement on the server.
     */
    static void planAsTheDelivery(Connection c) throws Exception {
        try (Statement s = c.createStatement()) {
            for (String setting : SqlDialect.POSTGRESQL.pendingScanSettings()) {
                s.execute(setting);
            }
            s.execute("SET LOCAL plan_cache_mode = force_generic_plan");
        }
    }

    static String plan(PreparedStatement explain) throws Exception {
        StringBuilder lines = new StringBuilder();
        try (ResultSet rs = explain.executeQuery()) {
            while (rs.next()) {
                lines.append(rs.getString(1)).append('\n');
            }
        }
        return lines.toString();
    }

    static int occurrences(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }
}
