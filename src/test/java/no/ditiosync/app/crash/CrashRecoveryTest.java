package no.ditiosync.app.crash;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
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
 * against the simulator in this JVM; a deliberate crash ({@code -Dditio.crash-at=<point>}) ends it
 * with {@code Runtime.halt}, exit status 86, the way a power cut or {@code kill -9} would; the
 * random-time test sends a real SIGKILL. After the restart, what payroll can see (published Visma
 * and SAP files, active payroll_line rows) must sum to exactly what Ditio holds.
 */
class CrashRecoveryTest {

    private static final long SEED = 7;

    /** A full run (the very first) crashes at a point; the restart delivers everything exactly once. */
    @ParameterizedTest(name = "full run crashed at {0}")
    @ValueSource(strings = {"after-page-1", "after-page-6", "before-commit", "after-commit", "after-first-publish"})
    void fullRunCrashedAndRestarted(String point, @TempDir Path dir) throws Exception {
        try (CrashHarness h = new CrashHarness(SEED, dir)) {
            h.run(point, CrashHarness.CRASHED, "full-crash");
            assertNothingHalfWrittenVisible(h, point);
            if (!point.equals("after-first-publish")) {
                assertThat(h.published("visma")).as("Visma drops visible after a crash at %s", point).isEmpty();
                assertThat(h.published("sap")).as("SAP drops visible after a crash at %s", point).isEmpty();
            }

            h.run(null, 0, "restart");
            h.assertPayrollEqualsTruth("after a full run crashed at " + point + " and a restart");
            assertThat(h.published("visma")).as("Visma drops after the restart").hasSize(1);
            assertThat(h.published("sap")).as("SAP drops after the restart").hasSize(1);
        }
    }

    /**
     * A clean full run, then changes in Ditio (edits, deletions, approvals, un-approvals, late
     * registrations, employee numbers), then the incremental run crashes at a point: the restart
     * lands the corrections exactly once.
     */
    @ParameterizedTest(name = "incremental run crashed at {0}")
    @ValueSource(strings = {"after-page-1", "before-commit", "after-commit", "after-first-publish"})
    void incrementalRunCrashedAndRestarted(String point, @TempDir Path dir) throws Exception {
        try (CrashHarness h = new CrashHarness(SEED, dir)) {
            h.run(null, 0, "full");
            h.assertPayrollEqualsTruth("after the clean full run");
            Map<String, BigDecimal> before = h.truthPerEmployeeDayAndWageType();

            h.ditio.data().randomMutations(new Random(SEED), 30);
            assertThat(h.truthPerEmployeeDayAndWageType()).as("the changes move payroll hours").isNotEqualTo(before);

            h.run(point, CrashHarness.CRASHED, "incremental-crash");
            assertNothingHalfWrittenVisible(h, point);
            if (!point.equals("after-first-publish")) {
                assertThat(h.published("visma")).as("Visma drops visible after a crash at %s", point).hasSize(1);
                assertThat(h.published("sap")).as("SAP drops visible after a crash at %s", point).hasSize(1);
            }

            h.run(null, 0, "restart");
            h.assertPayrollEqualsTruth("after an incremental run crashed at " + point + " and a restart");
            assertThat(h.published("visma")).as("Visma drops: the full run's and the corrections'").hasSize(2);
            assertThat(h.published("sap")).as("SAP drops: the full run's and the corrections'").hasSize(2);

            h.run(null, 0, "quiet");
            assertThat(h.published("visma")).as("a run with nothing new writes no file").hasSize(2);
            h.assertPayrollEqualsTruth("after one more run with nothing new");
        }
    }

    /**
     * Real SIGKILLs at random moments (seeded) of slowed-down runs, with Ditio changing between
     * rounds; after the last kill one clean run, then everything must add up.
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
                int pagesBefore = h.ditio.pagesServed();
                CrashHarness.SyncProcess p = h.start(null, "random-kill-" + round);
                // the kill lands between the first Ditio page and the end of the run, not in JVM start-up
                await("first page of " + p.label()).atMost(CrashHarness.PROCESS_TIMEOUT).pollInterval(Duration.ofMillis(10))
                        .until(() -> h.ditio.pagesServed() > pagesBefore || !p.process().isAlive());
                long delay = random.nextInt(1500);
                if (p.process().waitFor(delay, TimeUnit.MILLISECONDS)) {
                    assertThat(p.process().exitValue()).as("%s ended by itself\n%s", p.label(), p.output()).isZero();
                    outcomes.add("round " + round + ": finished before the kill at +" + delay + " ms");
                } else {
                    int status = p.kill();
                    killed++;
                    outcomes.add("round " + round + ": killed at +" + delay + " ms (status " + status + ")");
                }
            }
            System.out.println("CrashRecoveryTest random kills: " + outcomes);
            assertThat(killed).as("rounds that were really killed: %s", outcomes).isGreaterThan(0);

            h.ditio.faults().clear();
            h.run(null, 0, "after-the-last-kill");
            h.assertPayrollEqualsTruth("after random kills " + outcomes + " and a clean run");
        }
    }

    /**
     * The sharpest moment for the outbox: a drop has just been renamed into the folder where payroll
     * picks it up. A SIGKILL then must not make the next run deliver it again: the delivery commit that
     * preceded the rename has to survive the kill.
     */
    @Test
    void killedTheMomentTheFirstDropIsPublished(@TempDir Path dir) throws Exception {
        try (CrashHarness h = new CrashHarness(SEED, dir)) {
            CrashHarness.SyncProcess p = h.start(null, "kill-at-publish");
            await("a published drop").atMost(CrashHarness.PROCESS_TIMEOUT).pollInterval(Duration.ofMillis(2))
                    .until(() -> !h.published("sap").isEmpty() || !h.published("visma").isEmpty() || !p.process().isAlive());
            assertThat(p.process().isAlive()).as("the run was still going when its first drop appeared\n%s", p.output())
                    .isTrue();
            p.kill();
            List<Path> visible = new ArrayList<>(h.published("sap"));
            visible.addAll(h.published("visma"));
            List<List<String>> outbox = h.query("SELECT run_id, target, status FROM drop_outbox ORDER BY target");

            h.run(null, 0, "restart");
            assertThat(outbox).as("outbox rows that survived the kill, with %s already published", visible).isNotEmpty();
            h.assertPayrollEqualsTruth("after a SIGKILL the moment " + visible + " appeared, and a restart");
        }
    }

    /** Right after the crash: no half-written drop under a published name, at most what was committed. */
    private static void assertNothingHalfWrittenVisible(CrashHarness h, String point) throws Exception {
        for (String target : List.of("visma", "sap")) {
            for (Path f : h.published(target)) {
                // a published file is complete: every line ends with CRLF, and its content is a whole drop
                byte[] bytes = java.nio.file.Files.readAllBytes(f);
                assertThat(bytes.length).as("size of %s after a crash at %s", f.getFileName(), point).isGreaterThan(2);
                assertThat(new String(bytes, bytes.length - 2, 2, java.nio.charset.StandardCharsets.ISO_8859_1))
                        .as("end of %s after a crash at %s", f.getFileName(), point).isEqualTo("\r\n");
            }
        }
        if (point.equals("before-commit") || point.equals("after-commit")) {
            // the crash happened where intended: drops written under their temporary names
            assertThat(h.temporaryFiles()).as("temporary drops after a crash at %s", point).isNotEmpty();
        }
    }
}
