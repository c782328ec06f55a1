package no.ditiosync.app;

import com.zaxxer.hikari.HikariDataSource;
import no.ditiosync.state.RunStore;
import no.ditiosync.state.StateDb;
import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.TimeRegistration;
import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static no.ditiosync.app.SyncEndToEndTest.LAST;
import static no.ditiosync.app.SyncEndToEndTest.company;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** What only PostgreSQL can show: locks across processes, its settings errors, its text limits, status. */
class PostgresStateDbTest {

    private static final String PASSWORD = "Pg-pass-never-printed-42";

    @Test
    void theFeedLockOfAKilledProcessGoesWithItsConnection() throws Exception {
        TestDatabase db = TestDatabase.postgres();
        try (HikariDataSource pool = open(db)) {
            holdAndKill(db, new RunStore(new StateDb(pool, "test")));
        }
    }

    private static void holdAndKill(TestDatabase db, RunStore store) throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HoldFeedLock.class.getName(), db.url(), db.user());
        Process holder = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    for (String l = out.readLine(); l != null; l = out.readLine()) {
                        if (l.equals("locked") || l.equals("busy")) {
                            return l;
                        }
                    }
                    return "ended";
                } catch (java.io.IOException e) {
                    return e.toString();
                }
            }).get(60, TimeUnit.SECONDS);
            assertThat(line).isEqualTo("locked");

            assertThat(store.tryLock("acme", "time")).as("lock while the other process holds it").isNull();
            try (RunStore.FeedLock other = store.tryLock("acme", "other-feed")) {
                assertThat(other).as("another feed is free").isNotNull();
            }

            holder.destroyForcibly(); // SIGKILL: no rollback, no close, the socket just goes
            assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
            RunStore.FeedLock[] taken = {null};
            await().atMost(Duration.ofSeconds(20)).until(() -> (taken[0] = store.tryLock("acme", "time")) != null);
            taken[0].close();
        } finally {
            holder.destroyForcibly();
        }
    }

    /** Takes the feed lock of company acme, says so and waits to be killed. */
    public static final class HoldFeedLock {
        public static void main(String[] args) throws Exception {
            RunStore store = new RunStore(new StateDb(DataSources.open(args[0], args[1], "", DataSources.Keys.STATE_DB), "test"));
            // the pool stays open: the process is killed, not stopped
            RunStore.FeedLock lock = store.tryLock("acme", "time");
            System.out.println(lock == null ? "busy" : "locked");
            System.out.flush();
            new java.util.concurrent.CountDownLatch(1).await(2, java.util.concurrent.TimeUnit.MINUTES); // until killed
        }
    }

    @Test
    void theFeedLockOutlivesAnIdleInTransactionTimeoutOfTheServer() throws Exception {
        TestDatabase db = TestDatabase.postgres();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE " + db.url().substring(db.url().lastIndexOf('/') + 1)
                    + " SET idle_in_transaction_session_timeout = '300ms'");
        }
        try (HikariDataSource pool = open(db)) {
            RunStore store = new RunStore(new StateDb(pool, "test"));
            try (RunStore.FeedLock lock = store.tryLock("acme", "time")) {
                assertThat(lock).isNotNull();
                // a run at work: the lock's transaction idles longer than the server's idle timeout (300 ms)
                Thread.sleep(1200);
                assertThat(store.tryLock("acme", "time")).as("still held").isNull();
            }
            try (RunStore.FeedLock again = store.tryLock("acme", "time")) {
                assertThat(again).as("released by close").isNotNull();
            }
        }
    }

    private static HikariDataSource open(TestDatabase db) {
        return (HikariDataSource) DataSources.open(db.url(), db.user(), db.password(), DataSources.Keys.STATE_DB);
    }

    @Test
    void nodesStartingTogetherCreateTheSchemaOnce() throws Exception {
        TestDatabase db = TestDatabase.postgres();
        ExecutorService nodes = Executors.newFixedThreadPool(4);
        List<HikariDataSource> pools = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                pools.add(open(db));
            }
            List<Future<RunStore>> starts = new ArrayList<>();
            for (HikariDataSource pool : pools) {
                starts.add(nodes.submit(() -> new RunStore(new StateDb(pool, "test"))));
            }
            for (Future<RunStore> f : starts) {
                assertThat(f.get(60, TimeUnit.SECONDS).watermark("acme", "time")).isNull();
            }
        } finally {
            nodes.shutdownNow();
            pools.forEach(HikariDataSource::close);
        }
    }

    @Test
    void nulCharactersFromDitioDoNotFailThePage(@TempDir Path dir) throws Exception {
        try (SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), TestDatabase.postgres(), Map.of())) {
            List<TimeRegistration> withProject = h.payrollReady().stream().filter(t -> t.projectNumber() != null).toList();
            TimeRegistration r = withProject.get(0);
            TimeRegistration other = withProject.get(1);
            h.ditio.faults().corruptRecord(r.id(), "description", "\"Forskaling\\u0000 dekke\"");
            // a key no database keeps as sent (PostgreSQL refuses a NUL; without it "P-1" is another project's number)
            // waits in quarantine
            h.ditio.faults().corruptRecord(other.id(), "projectNumber", "\"" + other.projectNumber() + "\\u0000\"");

            SyncRun run = h.runOnce();

            assertThat(run.linesByTarget()).containsEntry("visma", h.payrollReady().size() - 1);
            assertThat(h.quarantine()).anySatisfy(q -> assertThat(q).containsExactly(other.id(),
                    "unreadable projectNumber: holds a NUL or half of a character beyond U+FFFF"));
            try (Connection c = h.stateDb().connect();
                 ResultSet rs = c.createStatement().executeQuery("SELECT l.project_number, l.text FROM payroll_line l "
                         + "WHERE l.source_id = '" + r.id() + "'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(r.projectNumber());
                assertThat(rs.getString(2)).isEqualTo("Forskaling dekke");
            }
            // mapped again from what the quarantine kept of it (PostgreSQL keeps no NUL): still held, not paid
            List<String[]> quarantine = h.quarantine();
            Map<String, java.math.BigDecimal> paid = h.jdbcTotals();
            h.runOnce();
            assertThat(h.quarantine()).as("quarantine after a quiet run").containsExactlyElementsOf(quarantine);
            assertThat(h.jdbcTotals()).as("payroll_line after a quiet run").isEqualTo(paid);
        }
    }

    @Test
    void anUnreachableStateDbStopsStartUpWithOneLineNamingTheSettingButNotThePassword(@TempDir Path dir) throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/payroll";
        Map<String, String> settings = new HashMap<>(Map.of("payroll.state-db-url", url,
                "payroll.state-db-user", "payroll", "payroll.state-db-password", PASSWORD));
        try (SyncHarness h = new SyncHarness(company(), dir, LAST, settings)) {
            assertThatThrownBy(h::runOnce).isInstanceOf(SettingsException.class)
                    .hasMessageStartingWith("Setting PAYROLL_STATE_DB_URL (payroll.state-db-url): cannot connect to PostgreSQL at "
                            + url + " (")
                    .hasMessageNotContaining(PASSWORD).hasMessageNotContaining("\n");
        }
        settings.put("payroll.state-db-url", url + "?user=payroll&password=" + PASSWORD);
        try (SyncHarness h = new SyncHarness(company(), dir, LAST, settings)) {
            assertThatThrownBy(h::runOnce).isInstanceOf(SettingsException.class)
                    .hasMessageContaining("?user=payroll&password=***").hasMessageNotContaining(PASSWORD);
        }
    }

    @Test
    void aMissingTargetDatabaseOrRoleNamesItsSetting(@TempDir Path dir) throws Exception {
        String missing = TestDatabase.Postgres.missingDatabaseUrl();
        TestDatabase state = TestDatabase.postgres();
        try (SyncHarness h = new SyncHarness(company(), dir, LAST, state, Map.of("payroll.jdbc-url", missing,
                "payroll.jdbc-user", "postgres", "payroll.jdbc-password", PASSWORD))) {
            assertThatThrownBy(h::runOnce).isInstanceOf(SettingsException.class)
                    .hasMessageStartingWith("Setting PAYROLL_JDBC_URL (payroll.jdbc-url): cannot connect to PostgreSQL at " + missing)
                    .hasMessageContaining("no_such_database").hasMessageContaining("the database must exist")
                    .hasMessageNotContaining(PASSWORD);
        }
        try (SyncHarness h = new SyncHarness(company(), dir, LAST, state, Map.of("payroll.state-db-user", "nobody"))) {
            assertThatThrownBy(h::runOnce).isInstanceOf(SettingsException.class)
                    .hasMessageStartingWith("Setting PAYROLL_STATE_DB_URL (payroll.state-db-url): cannot connect to PostgreSQL")
                    .hasMessageContaining("check PAYROLL_STATE_DB_USER and PAYROLL_STATE_DB_PASSWORD");
        }
    }

    @Test
    void statusReadsAPostgresStateDbAndSaysWhenNoSyncHasUsedItYet(@TempDir Path dir) throws Exception {
        TestDatabase db = TestDatabase.postgres();
        Map<String, String> env = Map.of("PAYROLL_STATE_DB_URL", db.url(), "PAYROLL_STATE_DB_USER", db.user());

        CommandLineTest.Result empty = CommandLineTest.run(dir, env, "status");
        assertThat(empty.exit()).as(empty.err()).isZero();
        assertThat(empty.out()).contains("No state DB tables at " + db.url() + " yet: no sync has run.");

        try (SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), db, Map.of())) {
            h.runOnce();
        }
        CommandLineTest.Result status = CommandLineTest.run(dir, env, "status");
        assertThat(status.exit()).as(status.err()).isZero();
        assertThat(status.out()).contains("Company acme, feed time", "watermark:", "lines held", "full", "succeeded");
    }
}
