package no.ditiosync.app.crash;

import no.ditiosync.testing.StateDbProxy;
import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connection to a PostgreSQL state DB is lost while the delivery commits, so the application
 * (a separate JVM, {@code sync --once}, reaching the database through {@link StateDbProxy}) cannot
 * tell from the commit itself whether it took. It must ask the state DB, and never delete the drops
 * of a run that committed: the lines would be lost, the ledger saying they were delivered. After
 * the next run, the drops and payroll_line equal Ditio's truth, nothing twice.
 */
class CommitOutcomeOnPostgresTest {

    private static final long SEED = 5;

    @Test
    void theServerCommittedAndItsAnswerWasLost(@TempDir Path dir) throws Exception {
        try (StateDbProxy proxy = StateDbProxy.forDatabase(); CrashHarness h = harness(proxy, dir)) {
            proxy.cutDeliveryCommit(StateDbProxy.Cut.AFTER_SERVER_COMMIT, false);

            CrashHarness.SyncProcess cut = h.run(null, 0, "commit-answer-lost");

            assertThat(proxy.cutDone()).as("the delivery's commit answer was cut").isTrue();
            assertThat(log(cut)).as("what the run says about its commit").contains("shows it committed");
            h.assertPayrollEqualsTruth("after a run whose commit answer was lost");
            assertThat(h.received("visma")).hasSize(1);

            proxy.restore();
            h.ditio.data().randomMutations(new Random(SEED), 30);
            h.run(null, 0, "next");
            h.assertPayrollEqualsTruth("after the next run");
            assertThat(h.received("visma")).hasSize(2);
            assertThat(h.received("sap")).hasSize(2);
        }
    }

    @Test
    void theServerCommittedAndThenStayedUnreachable(@TempDir Path dir) throws Exception {
        try (StateDbProxy proxy = StateDbProxy.forDatabase(); CrashHarness h = harness(proxy, dir)) {
            proxy.cutDeliveryCommit(StateDbProxy.Cut.AFTER_SERVER_COMMIT, true);

            CrashHarness.SyncProcess cut = h.run(null, 1, "commit-answer-lost-db-down");

            assertThat(proxy.cutDone()).isTrue();
            assertThat(log(cut)).contains("cannot be told");
            // one per target: the JDBC target's rows wait in a temporary file of their own too
            assertThat(h.temporaryFiles()).as("the drops of a run that may have committed are kept").hasSize(h.targets().size());

            proxy.restore();
            h.run(null, 0, "next");
            h.assertPayrollEqualsTruth("after the state DB came back and the next run");
            assertThat(h.received("visma")).as("the committed drop, published by the next run, once").hasSize(1);
            assertThat(h.received("sap")).hasSize(1);

            h.ditio.data().randomMutations(new Random(SEED), 30);
            h.run(null, 0, "one-more");
            h.assertPayrollEqualsTruth("after one more run");
            assertThat(h.received("sap")).hasSize(2);
        }
    }

    @Test
    void theConnectionWasLostBeforeTheServerCommitted(@TempDir Path dir) throws Exception {
        try (StateDbProxy proxy = StateDbProxy.forDatabase(); CrashHarness h = harness(proxy, dir)) {
            proxy.cutDeliveryCommit(StateDbProxy.Cut.BEFORE_SERVER_COMMIT, false);

            h.run(null, 1, "commit-never-arrived");

            assertThat(proxy.cutDone()).isTrue();
            assertThat(h.temporaryFiles()).as("the drops of a run that certainly did not commit are removed").isEmpty();
            assertThat(h.query("SELECT COUNT(*) FROM ledger_line")).containsExactly(List.of("0"));
            assertThat(h.received("visma")).isEmpty();

            proxy.restore();
            h.run(null, 0, "next");
            h.assertPayrollEqualsTruth("after the next run");
            assertThat(h.received("visma")).hasSize(1);
        }
    }

    private static CrashHarness harness(StateDbProxy proxy, Path dir) {
        TestDatabase db = TestDatabase.postgres();
        return new CrashHarness(SEED, dir).stateDb(db, proxy.url(db));
    }

    private static String log(CrashHarness.SyncProcess p) throws Exception {
        return Files.readString(p.stderr(), StandardCharsets.UTF_8);
    }
}
