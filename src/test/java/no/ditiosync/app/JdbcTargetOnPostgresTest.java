package no.ditiosync.app;

import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.run.SyncRun;
import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static no.ditiosync.app.SyncEndToEndTest.LAST;
import static no.ditiosync.app.SyncEndToEndTest.company;
import static no.ditiosync.testing.DeliveredPayroll.normalEmployee;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The mix: state DB on H2, table payroll_line on a real PostgreSQL. */
class JdbcTargetOnPostgresTest {

    @Test
    void payrollLineOnPostgresEqualsTheTruthLineByLineAfterEveryRound(@TempDir Path dir) throws Exception {
        TestDatabase target = TestDatabase.postgres();
        Map<String, String> settings = new HashMap<>(target.settings("jdbc"));
        try (SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), settings)) {
            assertThat(h.stateDb().isPostgres()).isFalse();
            SyncRun full = h.runOnce();
            assertThat(full.linesByTarget().get("jdbc")).isEqualTo(h.payrollReady().size());
            assertThat(activeLines(target)).isEqualTo(desired(h));

            Random random = new Random(55);
            for (int round = 0; round < 4; round++) {
                h.ditio.data().randomMutations(random, 30);
                SyncRun run = h.runOnce();

                assertThat(run.linesByTarget().get("jdbc")).as("lines in round %d", round).isPositive();
                assertThat(activeLines(target)).as("active payroll_line rows after round %d", round).isEqualTo(desired(h));
            }
            try (Connection c = target.connect();
                 ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM payroll_line WHERE status = 'cancelled'")) {
                rs.next();
                assertThat(rs.getLong(1)).as("lines cancelled in payroll_line, kept as rows").isPositive();
            }
            try (Connection c = h.stateDb().connect();
                 ResultSet rs = c.getMetaData().getTables(null, null, "PAYROLL_LINE", null)) {
                assertThat(rs.next()).as("payroll_line in the H2 state DB").isFalse();
            }
        }
        // stopping the application closed its pool: no session of it is left on the server
        try (Connection c = target.connect()) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                try (ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM pg_stat_activity "
                        + "WHERE datname = current_database() AND pid <> pg_backend_pid()")) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("other sessions on the target database").isZero();
                }
            });
        }
    }

    /**
     * The rows go to PostgreSQL two chunks at a time (Deliveries.copy): one that PostgreSQL refuses while
     * the other is written fails the delivery, and the next run writes every row once.
     */
    @Test
    void aChunkRefusedWhileAnotherIsWrittenFailsTheDelivery_andTheNextRunWritesEveryRowOnce(@TempDir Path dir) throws Exception {
        TestDatabase target = TestDatabase.postgres();
        try (SyncHarness h = threeChunks(dir, target)) {
            try (Connection c = target.connect(); Statement s = c.createStatement()) {
                // a sequence is not rolled back with the transaction: the 7,500th row written is refused once
                s.execute("CREATE SEQUENCE rows_seen");
                s.execute("CREATE FUNCTION refuse_once() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                        + "IF nextval('rows_seen') = 7500 THEN RAISE EXCEPTION 'payroll_line refused row %', NEW.line_id; END IF; "
                        + "RETURN NEW; END $$");
                s.execute("CREATE TRIGGER refuse_once BEFORE INSERT ON payroll_line FOR EACH ROW EXECUTE FUNCTION refuse_once()");
            }
            assertThat(h.payrollReady().size()).as("lines of the first run").isGreaterThan(2 * 5000);

            assertThatThrownBy(h::runOnce).hasMessageContaining("the jdbc drop of run")
                    .hasMessageContaining("is committed but could not be published")
                    .hasMessageContaining("payroll_line refused row");

            SyncRun next = h.runOnce();
            assertThat(next.files()).isEmpty(); // the changes were committed by the failed run; only publishing was left
            assertThat(activeLines(target)).isEqualTo(desired(h));
            assertThat(rows(target)).as("rows of payroll_line").isEqualTo(h.payrollReady().size());
        }
    }

    /**
     * A drop whose rows cannot be read to their end (its file damaged after the run committed it) fails
     * the delivery only once the chunks handed over before have been written: when the run says it
     * failed, nothing of it is still being written. Without the damaged file, the next run writes every
     * row from the ledger.
     */
    @Test
    void aDropUnreadableToItsEndFailsOnlyOnceItsChunksBeingWrittenHaveEnded(@TempDir Path dir) throws Exception {
        TestDatabase target = TestDatabase.postgres();
        try (SyncHarness h = threeChunks(dir, target)) {
            try (Connection c = target.connect(); Statement s = c.createStatement()) {
                // every row is refused in the first run: its drop stays committed, with its file
                s.execute("CREATE FUNCTION refuse_all() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                        + "RAISE EXCEPTION 'payroll_line refused row %', NEW.line_id; END $$");
                s.execute("CREATE TRIGGER refuse_all BEFORE INSERT ON payroll_line FOR EACH ROW EXECUTE FUNCTION refuse_all()");
            }
            assertThatThrownBy(h::runOnce).hasMessageContaining("payroll_line refused row");

            Path rows;
            try (Stream<Path> files = Files.walk(dir.resolve("out"))) {
                rows = files.filter(f -> f.getFileName().toString().endsWith(".rows.tmp")).findFirst().orElseThrow();
            }
            try (FileChannel file = FileChannel.open(rows, StandardOpenOption.WRITE)) {
                file.truncate(file.size() - 3); // its last row cut short: the third chunk cannot be read
            }
            try (Connection c = target.connect(); Statement s = c.createStatement()) {
                s.execute("DROP TRIGGER refuse_all ON payroll_line");
                s.execute("DELETE FROM payroll_line");
                // the first row written makes its chunk take 3 s, while the route reads the third chunk
                s.execute("CREATE SEQUENCE rows_seen");
                s.execute("CREATE FUNCTION slow_first() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                        + "IF nextval('rows_seen') = 1 THEN PERFORM pg_sleep(3); END IF; RETURN NEW; END $$");
                s.execute("CREATE TRIGGER slow_first BEFORE INSERT ON payroll_line FOR EACH ROW EXECUTE FUNCTION slow_first()");
            }

            assertThatThrownBy(h::runOnce).hasMessageContaining("cannot read the JDBC drop " + rows
                    + ": the file ends in the middle of a record, so it was cut short (if the file is damaged, remove it: "
                    + "the next run then writes the drop's rows from the export ledger)");
            assertThat(rows(target)).as("rows of the two chunks handed over before the failure").isEqualTo(10_000);

            Files.delete(rows);
            SyncRun next = h.runOnce();
            assertThat(next.files()).isEmpty(); // only publishing was left
            assertThat(activeLines(target)).isEqualTo(desired(h));
            assertThat(rows(target)).as("rows of payroll_line").isEqualTo(h.payrollReady().size());
        }
    }

    /**
     * A company of about 11,900 lines, three chunks of Deliveries.JDBC_CHUNK (5,000, 5,000 and the rest),
     * with payroll_line on {@code target}, created by starting the application once.
     */
    private static SyncHarness threeChunks(Path dir, TestDatabase target) throws Exception {
        SimulatorConfig big = SimulatorConfig.defaults().seed(7).workers(800).weeks(3).lastWorkDate(LAST);
        SyncHarness h = new SyncHarness(big, dir, LAST.minusWeeks(3), new HashMap<>(target.settings("jdbc")));
        try {
            h.app();
            return h;
        } catch (RuntimeException e) {
            h.close();
            throw e;
        }
    }

    private static long rows(TestDatabase target) throws Exception {
        try (Connection c = target.connect();
             ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM payroll_line")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** What payroll should hold per registration id: "employee|date|wageType|project" and hours. */
    private static Map<String, String> desired(SyncHarness h) {
        Map<String, String> m = new HashMap<>();
        IncrementalLedgerTest.desired(h).forEach((id, v) -> {
            String[] k = v[0].split("\\|", -1);
            m.put(id, normalEmployee(k[0]) + "|" + k[1] + "|" + k[2] + "|" + k[3] + " " + v[1]);
        });
        return m;
    }

    private static Map<String, String> activeLines(TestDatabase db) throws Exception {
        Map<String, String> m = new HashMap<>();
        try (Connection c = db.connect();
             ResultSet rs = c.createStatement().executeQuery("SELECT source_id, employee_number, work_date, wage_type, "
                     + "project_number, quantity FROM payroll_line WHERE status = 'active'")) {
            while (rs.next()) {
                BigDecimal hours = rs.getBigDecimal(6);
                m.put(rs.getString(1), normalEmployee(rs.getString(2)) + "|" + rs.getDate(3).toLocalDate() + "|"
                        + rs.getString(4) + "|" + rs.getString(5) + " " + hours.toPlainString());
            }
        }
        return m;
    }
}
