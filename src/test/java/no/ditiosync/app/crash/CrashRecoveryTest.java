package no.ditiosync.app.crash;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Killing the JVM at many points of a run and restarting: no line lost, none duplicated, no
 * half-written file visible. The application runs as a separate process ({@code sync --once})
 * against the simulator in this JVM. A deliberate crash ({@code -Dditio.crash-at=<point>}) ends it
 * with {@code Runtime.halt} and exit status 86, the way a power cut or {@code kill -9} would: no
 * shutdown hook, no finally block; the random-time tests send a real SIGKILL. After the restart,
 * what payroll can see (published Visma and SAP files, active payroll_line rows) must sum to
 * exactly what Ditio holds, with no temporary file left and no drop delivered twice.
 */
class CrashRecoveryTest {

    private static final long SEED = 7;
    private static final String LEDGER_ROWS = "SELECT line_id, version, run_id FROM ledger_line ORDER BY line_id";

    /**
     * The very first run (a full pass) crashes at a point; the restart delivers everything exactly once.
     * At after-first-publish the run delivers to the two file targets only, so the first drop published
     * is a renamed file (with payroll_line enabled it would be the table, published first).
     */
    @ParameterizedTest(name = "full run to {1} crashed at {0}")
    @CsvSource(delimiter = '|', value = {
            "after-page-3        | visma,sap,jdbc",
            "before-commit       | visma,sap,jdbc",
            "after-commit        | visma,sap,jdbc",
            "after-first-publish | visma,sap"})
    void fullRunCrashedAndRestarted(String point, String targets, @TempDir Path dir) throws Exception {
        SoftAssertions crashTraces = new SoftAssertions();
        try (CrashHarness h = new CrashHarness(SEED, dir).targets(targets)) {
            CrashHarness.SyncProcess crashed = h.run(point, CrashHarness.CRASHED, "full-crash");
            assertCrashedWhereIntended(crashTraces, h, crashed, point, 0);
            List<List<String>> ledgerAfterCrash = h.query(LEDGER_ROWS);

            CrashHarness.SyncProcess restart = h.run(null, 0, "restart");
            String restartLog = java.nio.file.Files.readString(restart.stderr());
            List<List<String>> abandoned = h.query("SELECT run_id FROM sync_run WHERE outcome = 'abandoned'");
            if (point.startsWith("after-") && !point.startsWith("after-page")) {
                // the crashed run committed and Ditio did not change: the restart only publishes, its ledger stays
                assertThat(h.query(LEDGER_ROWS))
                        .as("ledger after the restart from %s", point).isNotEmpty().isEqualTo(ledgerAfterCrash);
                assertThat(abandoned).isEmpty();
                assertThat(restartLog).doesNotContain("never finished");
            } else {
                // the operator reads in the log which run the crash cut short
                assertThat(abandoned).hasSize(1);
                assertThat(restartLog).contains(": run(s) " + abandoned.get(0).get(0) + " never finished (their process "
                        + "ended, or lost the feed's lock, before they committed); marked abandoned, nothing of them delivered");
            }
            invariants(crashTraces, () -> h.assertPayrollEqualsTruth("after a full run crashed at " + point + " and a restart"));
            assertThat(h.query("SELECT COUNT(*) FROM ledger_undo")).as("undo rows after the restart").containsExactly(List.of("0"));
            assertThat(h.published("visma")).as("Visma drops after the restart").hasSize(1);
            assertThat(h.published("sap")).as("SAP drops after the restart").hasSize(1);
        }
        crashTraces.assertAll();
    }

    /**
     * A clean full run, then for each crash point in turn: changes in Ditio (edits, deletions,
     * approvals, un-approvals, late registrations, employee numbers), the incremental run crashes at
     * the point, the restart must land the corrections exactly once. One ledger carried through all
     * points, so each crash meets the corrections of the ones before.
     */
    @Test
    void incrementalRunsCrashedAtEachPointAndRestarted(@TempDir Path dir) throws Exception {
        SoftAssertions crashTraces = new SoftAssertions();
        try (CrashHarness h = new CrashHarness(SEED, dir)) {
            h.run(null, 0, "full");
            h.assertPayrollEqualsTruth("after the clean full run");
            Random random = new Random(SEED);
            int drops = 1;
            for (String point : List.of("after-page-1", "before-commit", "after-commit", "after-first-publish")) {
                Map<String, BigDecimal> before = h.truthPerEmployeeDayAndWageType();
                h.ditio.data().randomMutations(random, 30);
                assertThat(h.truthPerEmployeeDayAndWageType()).as("the changes before %s move payroll hours", point)
                        .isNotEqualTo(before);

                CrashHarness.SyncProcess crashed = h.run(point, CrashHarness.CRASHED, "incremental-crash-" + point);
                assertCrashedWhereIntended(crashTraces, h, crashed, point, drops);

                h.run(null, 0, "restart-" + point);
                drops++;
                invariants(crashTraces, () -> h.assertPayrollEqualsTruth(
                        "after an incremental run crashed at " + point + " and a restart"));
                assertThat(h.query("SELECT COUNT(*) FROM ledger_undo")).as("undo rows after the restart from %s", point)
                        .containsExactly(List.of("0"));
                assertThat(h.published("visma")).as("Visma drops after the restart from %s", point).hasSize(drops);
                assertThat(h.published("sap")).as("SAP drops after the restart from %s", point).hasSize(drops);
            }
        }
        crashTraces.assertAll();
    }

    /**
     * Real SIGKILLs (seeded random moments) of runs slowed by Ditio, with Ditio changing between
     * rounds. The last round is killed the moment its first drop file appears in the folder payroll
     * reads, the sharpest moment for the outbox. After the last kill one clean run, then everything
     * must add up.
     */
    @Test
    void killedAtRandomMomentsAndRestarted(@TempDir Path dir) throws Exception {
        try (CrashHarness h = new CrashHarness(SEED, dir)) {
            h.ditio.faults().pageDelayMillis(50);
            Random random = new Random(20261128);
            List<String> outcomes = new ArrayList<>();
            int killed = 0;
            for (int round = 0; round < 4; round++) {
                if (round > 0) {
                    h.ditio.data().randomMutations(random, 20);
                }
                boolean atPublish = round == 3;
                int pagesBefore = h.ditio.pagesServed();
                int dropsBefore = h.published("visma").size() + h.published("sap").size();
                CrashHarness.SyncProcess p = h.start(null, "kill-" + round);
                String moment;
                if (atPublish) {
                    await("a new drop of " + p.label()).atMost(CrashHarness.PROCESS_TIMEOUT).pollInterval(Duration.ofMillis(2))
                            .until(() -> h.published("visma").size() + h.published("sap").size() > dropsBefore
                                    || !p.process().isAlive());
                    moment = "the moment its first drop appeared";
                } else {
                    // the kill lands between the first Ditio page and the end of the run, not in JVM start-up
                    await("first Ditio page of " + p.label()).atMost(CrashHarness.PROCESS_TIMEOUT)
                            .pollInterval(Duration.ofMillis(10))
                            .until(() -> h.ditio.pagesServed() > pagesBefore || !p.process().isAlive());
                    long delay = random.nextInt(3500);
                    moment = "+" + delay + " ms after the first page";
                    // waitFor is the kill delay itself, and notices a run that ends sooner
                    p.process().waitFor(delay, TimeUnit.MILLISECONDS);
                }
                if (!p.process().isAlive()) {
                    assertThat(p.process().exitValue()).as("%s ended by itself\n%s", p.label(), p.output()).isZero();
                    outcomes.add("round " + round + ": finished before the kill at " + moment);
                } else {
                    p.kill();
                    killed++;
                    outcomes.add("round " + round + ": killed at " + moment + ", " + lastLogLine(p) + "; outbox of the run: "
                            + h.query("SELECT target, status FROM drop_outbox WHERE run_id = ?", p.runIdIfLogged()));
                }
            }
            System.out.println("CrashRecoveryTest kills:\n  " + String.join("\n  ", outcomes));
            assertThat(killed).as("rounds really killed: %s", outcomes).isGreaterThan(0);

            h.ditio.faults().clear();
            h.run(null, 0, "after-the-last-kill");
            h.assertPayrollEqualsTruth("after the kills " + outcomes + " and a clean run");
        }
    }

    /**
     * Right after a crash: no half-written drop under a published name, nothing published before the
     * rename step, and the traces of the point the run died at. Collected softly, so a test goes on to
     * the restart and its invariants, and reports both.
     */
    private static void assertCrashedWhereIntended(SoftAssertions softly, CrashHarness h, CrashHarness.SyncProcess crashed,
                                                   String point, int publishedBefore) throws Exception {
        for (String target : List.of("visma", "sap")) {
            List<Path> published = h.published(target);
            for (Path f : published) {
                byte[] bytes = Files.readAllBytes(f);
                assertThat(bytes.length).as("size of %s after a crash at %s", f.getFileName(), point).isGreaterThan(2);
                assertThat(new String(bytes, bytes.length - 2, 2, StandardCharsets.ISO_8859_1))
                        .as("%s after a crash at %s ends with a whole line", f.getFileName(), point).isEqualTo("\r\n");
            }
            if (!point.equals("after-first-publish")) {
                assertThat(published).as("%s drops visible after a crash at %s", target, point).hasSize(publishedBefore);
            }
        }
        switch (point) {
            // one per target: the JDBC target's rows wait in a temporary file of their own too
            case "before-commit" -> assertThat(h.temporaryFiles()).as("drops written under temporary names, crash at %s", point)
                    .hasSize(h.targets().size());
            case "after-commit", "after-first-publish" -> {
                // what the crash point promises: ledger, outbox and watermark committed before the process died
                String runId = crashed.runId();
                List<List<String>> outbox = h.query("SELECT target, status FROM drop_outbox WHERE run_id = ? ORDER BY target",
                        runId);
                List<List<String>> run = h.query("SELECT outcome FROM sync_run WHERE run_id = ?", runId);
                softly.assertThat(outbox).as("drop_outbox of run %s after it crashed at %s (its sync_run row: %s; "
                                + "published: %s; temporary files: %s)", runId, point, run, published(h), h.temporaryFiles())
                        .extracting(r -> r.get(0)).containsExactlyElementsOf(h.targets().stream().sorted().toList());
                // the run is committed but has not deleted its before-images yet: the restart must forget them, not put them back
                softly.assertThat(h.query("SELECT committed, COUNT(*) FROM sync_run r JOIN ledger_undo u ON u.run_id = r.run_id "
                        + "WHERE r.run_id = ? GROUP BY committed", runId)).as("undo of run %s after it crashed at %s", runId, point)
                        .singleElement().satisfies(r -> {
                            assertThat(r.get(0)).as("committed").isEqualToIgnoringCase("true");
                            assertThat(Integer.parseInt(r.get(1))).as("undo chunks left").isPositive();
                        });
            }
            default -> assertThat(h.temporaryFiles()).as("temporary files after a crash at %s", point).isEmpty();
        }
    }

    @FunctionalInterface
    private interface Check {
        void run() throws Exception;
    }

    /** Hard invariants after a restart; on failure also reports the crash traces collected so far. */
    private static void invariants(SoftAssertions crashTraces, Check check) throws Exception {
        try {
            check.run();
        } catch (AssertionError e) {
            crashTraces.collectAssertionError(e);
            crashTraces.assertAll();
        }
    }

    private static List<String> published(CrashHarness h) throws Exception {
        List<String> names = new ArrayList<>();
        for (String target : List.of("visma", "sap")) {
            h.published(target).forEach(p -> names.add(p.getFileName().toString()));
        }
        return names;
    }

    private static String lastLogLine(CrashHarness.SyncProcess p) {
        try {
            List<String> lines = Files.readAllLines(p.stderr(), StandardCharsets.UTF_8);
            return lines.isEmpty() ? "(no log yet)" : "last log: " + lines.get(lines.size() - 1);
        } catch (Exception e) {
            return "(log unreadable)";
        }
    }
}
