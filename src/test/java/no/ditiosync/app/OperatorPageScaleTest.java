package no.ditiosync.app;

import com.fasterxml.jackson.databind.JsonNode;
import no.ditiosync.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's page over a big state DB: a million ledger rows (a year and more of a large
 * company), 100,000 runs in the run log and 20,000 open quarantined records, in H2. It checks the
 * page still shows the right, bounded data, and prints how long each answer took (no timed
 * assertion: the machine may be shared), e.g.
 * {@code operator page at 1000000 ledger rows: /api/companies/acme 41 ms (median of 5), / 48 ms, ...}.
 */
class OperatorPageScaleTest {

    static final int LEDGER_ROWS = 1_000_000;
    static final int RUNS = 100_000;
    static final int QUARANTINED = 20_000;

    @Test
    void theBoundedQueriesAnswerFromAMillionLedgerRows(@TempDir Path dir) throws Exception {
        int port = ObserveClient.freePort();
        SimulatorConfig config = SimulatorConfig.defaults().seed(11).workers(15).weeks(2)
                .lastWorkDate(OperatorPageTest.LAST);
        try (SyncHarness h = new SyncHarness(config, dir, OperatorPageTest.START, ObservabilityTest.serverOn(port))) {
            h.runOnce();
            long realQuarantine = h.quarantine().size();
            long filled = fill(h, OperatorPageTest.START.minusDays(1));
            assertThat(filled).isEqualTo(LEDGER_ROWS);

            ObserveClient web = new ObserveClient(port);
            List<String> timings = new ArrayList<>();
            JsonNode company = OperatorPageTest.JSON.readTree(timed(web, "/api/companies/acme", timings));
            timed(web, "/", timings);
            timed(web, "/api/companies", timings);
            String csv = timed(web, "/api/companies/acme/quarantine.csv", timings);
            System.out.println("operator page at " + LEDGER_ROWS + " ledger rows, " + RUNS + " runs, " + QUARANTINED
                    + " quarantined: " + String.join(", ", timings));

            // bounded: the newest 20 runs, the first 200 quarantined records, every one counted
            assertThat(company.get("runs")).hasSize(20);
            assertThat(company.get("runs").get(0).get("mode").asText()).isEqualTo("full");
            assertThat(company.get("quarantine").get("open").asLong()).isEqualTo(QUARANTINED + realQuarantine);
            assertThat(company.get("quarantine").get("records")).hasSize(200);
            assertThat(csv.split("\r\n")).hasSize(1 + QUARANTINED + (int) realQuarantine);
            // the chart: 60 days, each with the hours the ledger holds
            Map<String, Map<LocalDate, BigDecimal>> shown = new TreeMap<>();
            for (JsonNode day : company.get("hours").get("days")) {
                day.get("targets").fields().forEachRemaining(t -> shown.computeIfAbsent(t.getKey(), k -> new TreeMap<>())
                        .put(LocalDate.parse(day.get("date").asText()), t.getValue().get("hours").decimalValue().stripTrailingZeros()));
            }
            LocalDate from = LocalDate.parse(company.get("hours").get("from").asText());
            Map<String, Map<LocalDate, BigDecimal>> ledger = OperatorPageTest.ledgerHoursPerDay(h, from);
            assertThat(shown).isEqualTo(ledger);
            // the days of the bulk rows (before the simulated weeks) are in the chart too
            assertThat(shown.get("visma").keySet()).anyMatch(d -> d.isBefore(OperatorPageTest.START));
        }
    }

    /**
     * A million ledger lines held by visma, sap and jdbc, on work days before {@code before} (what
     * each commit keeps in delivered_hours kept too), 100,000 older runs and 20,000 quarantined
     * records, written straight into the state DB.
     */
    static long fill(SyncHarness h, LocalDate before) throws Exception {
        try (Connection c = h.stateDb().connect(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO ledger_line (company, line_id, employee_number, work_date, wage_type, "
                    + "project_number, text, quantity, source_modified, targets, version, run_id) "
                    + "SELECT 'acme', 'bulk-' || LPAD(CAST(X AS VARCHAR), 8, '0'), CAST(1000 + MOD(X, 800) AS VARCHAR), "
                    + "DATEADD(DAY, -MOD(X, 700), DATE '" + before + "'), '1000', 'P-1', 'bulk', "
                    + "CAST(0.25 * (1 + MOD(X, 32)) AS DECIMAL(9,2)), TIMESTAMP WITH TIME ZONE '2025-01-01 00:00:00+00', "
                    + "'visma:1:H;sap:1:H:bulk;jdbc:1:H', 1, 'bulk' FROM SYSTEM_RANGE(1, " + LEDGER_ROWS + ")");
            s.executeUpdate("INSERT INTO delivered_hours (company, target, work_date, hours, lines) "
                    + "SELECT 'acme', t.target, l.work_date, SUM(l.quantity), COUNT(*) FROM ledger_line l "
                    + "CROSS JOIN (VALUES ('visma'), ('sap'), ('jdbc')) AS t(target) WHERE l.run_id = 'bulk' "
                    + "GROUP BY t.target, l.work_date");
            s.executeUpdate("INSERT INTO sync_run (run_id, company, feed, mode, started_at, ended_at, outcome, records_read, "
                    + "lines_delivered, quarantined, node, committed, line_counts, quarantine_counts) "
                    + "SELECT 'old' || X, 'acme', 'time', 'incremental', "
                    + "DATEADD(MINUTE, -30 * X, TIMESTAMP WITH TIME ZONE '" + before + " 00:00:00+00'), "
                    + "DATEADD(MINUTE, -30 * X + 1, TIMESTAMP WITH TIME ZONE '" + before + " 00:00:00+00'), "
                    + "'succeeded', 100, 'visma=10,sap=10,jdbc=10', 0, 'old-node', TRUE, "
                    + "'visma=8/2/0/0,sap=8/2/0/0,jdbc=8/2/0/0', '0/0/0' FROM SYSTEM_RANGE(1, " + RUNS + ")");
            s.executeUpdate("INSERT INTO quarantine (company, feed, record_id, reason, work_date, user_id, first_run_id, "
                    + "last_run_id, qty, user_name, description) "
                    + "SELECT 'acme', 'time', 'q-' || X, 'reason ' || MOD(X, 7), DATEADD(DAY, -MOD(X, 90), DATE '" + before
                    + "'), 'u' || MOD(X, 50), 'old1', 'old1', 7.5, 'Worker ' || MOD(X, 50), 'text ' || X "
                    + "FROM SYSTEM_RANGE(1, " + QUARANTINED + ")");
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM ledger_line WHERE run_id = 'bulk'")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The answer's body; its time (the first, and the median of five more) added to {@code timings}. */
    static String timed(ObserveClient web, String path, List<String> timings) throws Exception {
        long start = System.nanoTime();
        ObserveClient.Response first = web.get(path);
        long firstMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(first.status()).as(path).isEqualTo(200);
        List<Long> again = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long t = System.nanoTime();
            assertThat(web.get(path).status()).isEqualTo(200);
            again.add((System.nanoTime() - t) / 1_000_000);
        }
        Collections.sort(again);
        timings.add(path + " " + firstMs + " ms first, " + again.get(2) + " ms median of 5 (" + first.body().length()
                + " chars)");
        return first.body();
    }
}
