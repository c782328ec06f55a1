package no.ditiosync.app.crash;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A payroll system takes each file from the drop folder as soon as it appears. The application
 * (a separate JVM, {@code sync --once}) dies right after it renamed a drop to its final name and
 * before the outbox says 'published' (crash point {@code after-rename}, before the .done marker
 * too); while it is down the payroll side takes the file away. The next runs must neither fail
 * over the missing file nor deliver it again: everything the payroll side received, the taken
 * files included, equals what Ditio holds, with nothing twice.
 */
class TakenDropRecoveryTest {

    private static final long SEED = 11;

    @ParameterizedTest(name = "with .done markers: {0}")
    @ValueSource(booleans = {false, true})
    void aDropTakenBetweenItsRenameAndPublishedDoesNotBlockTheCompany(boolean doneMarkers, @TempDir Path dir)
            throws Exception {
        try (CrashHarness h = new CrashHarness(SEED, dir)) {
            if (doneMarkers) {
                h.env("PAYROLL_DONE_MARKER", "true");
            }
            h.run(null, 0, "full");
            h.takeDrops();
            Random random = new Random(SEED);
            int drops = 1;
            for (int round = 1; round <= 2; round++) {
                h.ditio.data().randomMutations(random, 30);
                CrashHarness.SyncProcess crashed = h.run("after-rename", CrashHarness.CRASHED, "crash-after-rename-" + round);

                // the first file drop of the run (sap, in outbox order) is under its final name, the outbox not 'published'
                String runId = crashed.runId();
                List<List<String>> sap = h.query("SELECT status, final_path FROM drop_outbox WHERE run_id = ? AND target = 'sap'",
                        runId);
                assertThat(sap).as("the sap outbox row of run %s", runId).hasSize(1);
                assertThat(sap.get(0).get(0)).as("outbox state of the renamed sap drop").isNotEqualTo("published");
                assertThat(h.published("sap")).as("sap drops in the folder after the crash, round %s", round)
                        .containsExactly(Path.of(sap.get(0).get(1)));
                assertThat(h.doneMarkers("sap")).as("no marker yet: the crash came between the rename and the marker")
                        .isEmpty();

                h.takeDrops(); // the payroll poller, while the application is down
                assertThat(h.published("sap")).isEmpty();

                h.run(null, 0, "restart-" + round);
                drops++;
                h.assertPayrollEqualsTruth("after a crash between rename and published, the drop taken, and a restart (round "
                        + round + ")");
                assertThat(h.received("visma")).as("Visma drops received, round %s", round).hasSize(drops);
                assertThat(h.received("sap")).as("SAP drops received, round %s", round).hasSize(drops);
                if (doneMarkers) {
                    // the restart published the visma drop the crash left committed: with its marker
                    assertThat(h.doneMarkers("visma")).as("markers next to the drops still in the folder")
                            .hasSameSizeAs(h.published("visma"));
                }
            }
            // and the company is not blocked: one more run with changes delivers them
            h.ditio.data().randomMutations(random, 30);
            h.run(null, 0, "after-the-crashes");
            h.assertPayrollEqualsTruth("after a further run");
            assertThat(h.received("sap")).hasSize(drops + 1);
        }
    }
}
