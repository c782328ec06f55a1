package no.ditiosync.app.crash;

import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The feed lock of a run is a row lock on a connection of its own. When that connection goes
 * (PostgreSQL restarted, a failover, a proxy that times it out) the run does not notice, and a
 * second run can take the lock while the first goes on. Shown with two application processes
 * ({@code sync --once}) on a real PostgreSQL: the first is held at a point of its run, its lock
 * connection's backend is terminated ({@code pg_terminate_backend}), the second takes the lock and
 * runs, then the first goes on. Exactly one of the two may deliver, and what payroll received
 * equals Ditio's truth with nothing twice, also after a further run.
 */
class FeedLockLostOnPostgresTest {

    private static final long SEED = 13;
    private static final String FENCED = "another run took the feed lock while this one ran; nothing of this run was delivered";

    /**
     * The first run is held after its page, before its delivery; the second takes the lock, runs and
     * delivers. Then the first reaches its commit: it must not commit (it would move the watermark
     * and log a delivery it has no right to).
     */
    @Test
    void aRunThatLostItsLockMidPassDoesNotCommit(@TempDir Path dir) throws Exception {
        try (CrashHarness h = harness(dir)) {
            h.run(null, 0, "full");
            h.ditio.data().randomMutations(new Random(SEED), 40);

            Path pause = dir.resolve("first-run-held");
            CrashHarness.SyncProcess first = h.startWith(held("after-page-1", pause), "first");
            awaitHeld(first, pause);
            terminateTheLockConnection(h);

            CrashHarness.SyncProcess second = h.run(null, 0, "second");
            Files.delete(pause);
            int firstExit = first.awaitExit();

            assertTheSecondAloneDelivered(h, first, firstExit, second, 0);
        }
    }

    /**
     * Both runs compute the same corrections from the same committed ledger: the first, which lost
     * its lock, is held before its delivery while the second takes the lock and is held just before
     * its own delivery commits (its ledger changes written, their rows locked). The first then
     * computes its corrections, waits for those rows, and goes on once the second has committed:
     * writing them again would pay every correction twice.
     */
    @Test
    void twoRunsWithTheSameCorrectionsDeliverThemOnce(@TempDir Path dir) throws Exception {
        try (CrashHarness h = harness(dir)) {
            h.run(null, 0, "full");
            editHoursOfSomeRegistrations(h);

            Path firstHeld = dir.resolve("first-run-held");
            CrashHarness.SyncProcess first = h.startWith(held("after-page-1", firstHeld), "first");
            awaitHeld(first, firstHeld);
            terminateTheLockConnection(h);

            Path secondHeld = dir.resolve("second-run-held");
            CrashHarness.SyncProcess second = h.startWith(held("before-commit", secondHeld), "second");
            awaitHeld(second, secondHeld);
            Files.delete(firstHeld);
            await("the first run waiting for the rows the second holds").atMost(CrashHarness.PROCESS_TIMEOUT)
                    .until(() -> !first.process().isAlive() || waitingForALock(h));
            Files.delete(secondHeld);
            int secondExit = second.awaitExit();
            int firstExit = first.awaitExit();

            assertTheSecondAloneDelivered(h, first, firstExit, second, secondExit);
        }
    }

    /**
     * Both runs ended: the one holding the lock delivered, the other failed saying why and left
     * nothing committed; payroll equals Ditio with each of the two drops (full run, second run) once,
     * and a further run with changes delivers them.
     */
    private static void assertTheSecondAloneDelivered(CrashHarness h, CrashHarness.SyncProcess first, int firstExit,
                                                      CrashHarness.SyncProcess second, int secondExit) throws Exception {
        h.assertPayrollEqualsTruth("after two overlapping runs");
        assertThat(secondExit).as("the run holding the lock delivers\n%s", second.output()).isZero();
        assertThat(firstExit).as("the run that lost its lock fails\n%s", first.output()).isEqualTo(1);
        assertThat(log(first)).contains(FENCED);
        assertExactlyOneCommitted(h, first, second);
        assertThat(h.received("visma")).hasSize(2);
        assertThat(h.received("sap")).hasSize(2);

        h.ditio.data().randomMutations(new Random(SEED + 1), 30);
        h.run(null, 0, "after");
        h.assertPayrollEqualsTruth("after a further run");
        assertThat(h.received("visma")).hasSize(3);
        assertThat(h.received("sap")).hasSize(3);
    }

    /**
     * The first run is a full pass, held after its third page. The second makes its own full pass
     * and delivers. When the first goes on, whatever it would still write (its later pages, the
     * records its pass did not see marked gone) must not reach the state DB: a full pass that went
     * on would take every record the second run stored since for deleted, and a later run would
     * reverse them.
     */
    @Test
    void aFullPassThatLostItsLockStopsWritingBeforeItMarksAnythingGone(@TempDir Path dir) throws Exception {
        try (CrashHarness h = harness(dir)) {
            Path pause = dir.resolve("first-run-held");
            CrashHarness.SyncProcess first = h.startWith(held("after-page-3", pause), "first-full");
            awaitHeld(first, pause);
            terminateTheLockConnection(h);

            h.run(null, 0, "second-full");
            Files.delete(pause);
            int firstExit = first.awaitExit();

            assertThat(firstExit).as("the run that lost its lock fails\n%s", first.output()).isEqualTo(1);
            assertThat(log(first)).contains(FENCED);
            assertThat(h.query("SELECT COUNT(*) FROM ledger_line WHERE run_id NOT IN (SELECT run_id FROM sync_run "
                    + "WHERE committed)")).as("ledger lines written by a run that did not commit (a stale pass's lines taken "
                    + "for gone among them)").containsExactly(List.of("0"));
            h.assertPayrollEqualsTruth("after the second run");

            h.ditio.data().randomMutations(new Random(SEED), 30);
            h.run(null, 0, "after");
            h.assertPayrollEqualsTruth("after a further run");
            assertThat(h.received("visma")).hasSize(2);
            assertThat(h.received("sap")).hasSize(2);
        }
    }

    /**
     * The first run (drops to SFTP) committed and published its first drop, then is held while its lock
     * goes; the second publishes the drops the first left (committed drops go first) and goes on. When
     * the first goes on, those drops are published: it ends as a run whose drops were delivered (by the
     * other run), not as a failure saying they wait for the next run; each drop reached the server once.
     */
    @Test
    void aRunWhoseDropsAnotherRunPublishedAfterItsLockWentDoesNotFail(@TempDir Path dir) throws Exception {
        try (no.ditiosync.testing.SftpTestServer server = new no.ditiosync.testing.SftpTestServer(dir.resolve("sftp"), "lock-lost");
             CrashHarness h = harness(dir.resolve("app"))) {
            h.env("PAYROLL_SFTP_URL", server.url("/payroll"))
                    .env("PAYROLL_SFTP_USER", no.ditiosync.testing.SftpTestServer.USER)
                    .env("PAYROLL_SFTP_PASSWORD", "lock-lost")
                    .env("PAYROLL_SFTP_KNOWN_HOSTS", server.knownHosts().toString());
            h.run(null, 0, "full");
            h.ditio.data().randomMutations(new Random(SEED), 40);

            Path pause = dir.resolve("first-run-held");
            CrashHarness.SyncProcess first = h.startWith(held("after-first-publish", pause), "first");
            awaitHeld(first, pause);
            terminateTheLockConnection(h);

            h.run(null, 0, "second");
            // the point holds the run after each of its drops (the split's drops count their own): let it go each time
            await("the first run ended").atMost(CrashHarness.PROCESS_TIMEOUT).until(() -> {
                Files.deleteIfExists(pause);
                return !first.process().isAlive();
            });
            int firstExit = first.awaitExit();

            assertThat(firstExit).as("the first run's drops were delivered\n%s", first.output()).isZero();
            assertThat(log(first)).contains("was published by another run meanwhile").doesNotContain("published by the next run");
            assertThat(server.finalsCreated()).as("the full run's drops and the first run's, each once").hasSize(4)
                    .doesNotHaveDuplicates();
            assertThat(h.query("SELECT run_id, target, status FROM drop_outbox WHERE status <> 'published'")).isEmpty();
            no.ditiosync.testing.DeliveredPayroll.assertSums("payroll_line", h.jdbcTotals(), h.truthPerEmployeeDayAndWageType());
        }
    }

    /** Changes only: no registration added, so both runs correct ledger rows that exist (no insert to collide on). */
    private static void editHoursOfSomeRegistrations(CrashHarness h) {
        List<no.ditiosync.simulator.TimeRegistration> live = h.ditio.data().liveTimeRegistrations();
        for (int i = 0; i < live.size(); i += 25) {
            no.ditiosync.simulator.TimeRegistration r = live.get(i);
            BigDecimal hours = r.qty().compareTo(BigDecimal.valueOf(20)) > 0 ? r.qty().subtract(BigDecimal.ONE)
                    : r.qty().add(new BigDecimal("1.5"));
            h.ditio.data().editHours(r.id(), hours);
        }
    }

    private static CrashHarness harness(Path dir) {
        TestDatabase db = TestDatabase.postgres();
        return new CrashHarness(SEED, dir).stateDb(db, db.url());
    }

    private static List<String> held(String point, Path pauseFile) {
        return List.of("-Dditio.pause-at=" + point, "-Dditio.pause-file=" + pauseFile);
    }

    private static void awaitHeld(CrashHarness.SyncProcess p, Path pauseFile) {
        await(p.label() + " held").atMost(CrashHarness.PROCESS_TIMEOUT)
                .until(() -> Files.exists(pauseFile) || !p.process().isAlive());
        assertThat(p.process().isAlive()).as("%s is held, not ended\n%s", p.label(), p.output()).isTrue();
    }

    /**
     * What a PostgreSQL restart or a dropped connection does to the held run's feed lock: the
     * backend whose transaction holds the lock row (a lock on table sync_lock) is ended.
     */
    private static void terminateTheLockConnection(CrashHarness h) throws Exception {
        try (Connection c = h.stateDb().connect(); Statement s = c.createStatement()) {
            List<Integer> holders = new java.util.ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT DISTINCT l.pid FROM pg_locks l JOIN pg_class t ON t.oid = l.relation "
                    + "WHERE t.relname = 'sync_lock' AND l.granted AND l.pid <> pg_backend_pid()")) {
                while (rs.next()) {
                    holders.add(rs.getInt(1));
                }
            }
            assertThat(holders).as("backends holding the feed lock").hasSize(1);
            try (ResultSet rs = s.executeQuery("SELECT pg_terminate_backend(" + holders.get(0) + ")")) {
                assertThat(rs.next() && rs.getBoolean(1)).as("lock backend terminated").isTrue();
            }
        }
        // the lock goes with the backend; the held run knows nothing of it
        await("the feed lock released").atMost(CrashHarness.PROCESS_TIMEOUT).until(() -> lockHolders(h) == 0);
    }

    private static int lockHolders(CrashHarness h) throws Exception {
        try (Connection c = h.stateDb().connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM pg_locks l JOIN pg_class t ON t.oid = l.relation "
                     + "WHERE t.relname = 'sync_lock' AND l.pid <> pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static boolean waitingForALock(CrashHarness h) throws Exception {
        try (Connection c = h.stateDb().connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                     + "WHERE NOT l.granted AND a.datname = current_database()")) {
            rs.next();
            return rs.getInt(1) > 0;
        }
    }

    /** One run's delivery committed (its outbox rows, its ledger rows, 'succeeded'), the other's left nothing. */
    private static void assertExactlyOneCommitted(CrashHarness h, CrashHarness.SyncProcess first,
                                                  CrashHarness.SyncProcess second) throws Exception {
        String a = first.runId();
        String b = second.runId();
        assertThat(h.query("SELECT DISTINCT run_id FROM drop_outbox WHERE run_id IN (?, ?)", a, b))
                .as("runs with committed drops (first %s, second %s)", a, b).containsExactly(List.of(b));
        assertThat(h.query("SELECT COUNT(*) FROM ledger_line WHERE run_id = ?", a)).as("ledger rows of the first run")
                .containsExactly(List.of("0"));
        assertThat(h.query("SELECT run_id FROM sync_run WHERE run_id IN (?, ?) AND outcome = 'succeeded'", a, b))
                .containsExactly(List.of(b));
    }

    private static String log(CrashHarness.SyncProcess p) throws Exception {
        return Files.readString(p.stderr(), StandardCharsets.UTF_8);
    }
}
