package no.ditiosync.app;

import no.ditiosync.run.SyncRun;
import no.ditiosync.testing.TestDatabase;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.simulator.TimeRegistration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole chain against the simulator over loopback: token, pages, mapping, ledger, files, table. */
class SyncEndToEndTest {

    static final LocalDate LAST = LocalDate.of(2026, 11, 27);

    static SimulatorConfig company() {
        return SimulatorConfig.defaults().seed(7).workers(40).weeks(3).lastWorkDate(LAST);
    }

    /** The state DB (and JDBC target) of each test: an H2 file here, PostgreSQL in {@link SyncEndToEndOnPostgresTest}. */
    TestDatabase stateDb(Path dir) {
        return TestDatabase.h2(dir.resolve("data/state"));
    }

    SyncHarness harness(SimulatorConfig config, Path dir, LocalDate start, Map<String, String> extra) {
        return new SyncHarness(config, dir, start, stateDb(dir), extra);
    }

    @Test
    void fullSyncDeliversEveryPayrollReadyRegistrationOncePerTarget(@TempDir Path dir) throws Exception {
        LocalDate start = LAST.minusWeeks(3).plusDays(8); // a start date inside the window: earlier days never go
        try (SyncHarness h = harness(company(), dir, start, Map.of())) {
            SyncRun run = h.runOnce();

            List<TimeRegistration> ready = h.payrollReady();
            assertThat(ready).hasSizeGreaterThan(300);
            assertThat(run.mode()).isEqualTo(SyncRun.Mode.FULL);
            assertThat(run.pages()).isGreaterThan(5);
            assertThat(run.linesByTarget()).containsEntry("visma", ready.size()).containsEntry("sap", ready.size())
                    .containsEntry("jdbc", ready.size());
            assertThat(h.vismaTotals()).isEqualTo(h.truth(k -> k[0] + "|" + k[2]));
            assertThat(h.sapTotals()).isEqualTo(h.truth(k -> k[0] + "|" + k[1] + "|" + k[2]));
            assertThat(h.jdbcTotals()).isEqualTo(h.truth(k -> k[0] + "|" + k[1] + "|" + k[2]));
            assertThat(h.filesOf("visma")).hasSize(1);
            assertThat(h.lineCount(h.filesOf("visma").get(0))).isEqualTo(ready.size());
            assertThat(h.lineCount(h.filesOf("sap").get(0))).isEqualTo(ready.size());

            // only published names in the drop folders, private to their owner
            for (Path f : h.deliveredFiles()) {
                assertThat(f.getFileName().toString()).matches("(visma|sap)_acme_\\d{8}T\\d{6}Z_[0-9a-f]{8}\\.csv");
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
            }
            if (!h.stateDb().isPostgres()) { // the H2 file's folder; PostgreSQL keeps its files to itself
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("data")))).isEqualTo("rwx------");
                // beside the database files, the run reports' folder (0700, see RunReportTest)
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("data/runs")))).isEqualTo("rwx------");
                try (var dbFiles = Files.list(dir.resolve("data")).filter(Files::isRegularFile)) {
                    assertThat(dbFiles.toList()).isNotEmpty().allSatisfy(db -> assertThat(
                            PosixFilePermissions.toString(Files.getPosixFilePermissions(db))).isEqualTo("rw-------"));
                }
            }
            try (var listing = Files.list(dir.resolve("out/visma"))) {
                assertThat(listing.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
            }

            // registrations with no employee number anywhere are quarantined with the reason, not dropped
            Map<String, String> users = h.employeesByUser();
            List<String> noEmployee = h.ditio.data().liveTimeRegistrations().stream()
                    .filter(r -> r.payrollApproved() && !r.workDate().isBefore(start) && h.employee(r, users) == null)
                    .map(TimeRegistration::id).sorted().toList();
            assertThat(noEmployee).isNotEmpty();
            assertThat(h.quarantine()).extracting(q -> q[0]).containsExactlyElementsOf(noEmployee);
            assertThat(h.quarantine()).allSatisfy(q -> assertThat(q[1]).startsWith("no employee number for userId"));
            assertThat(run.quarantinedCount()).isEqualTo(noEmployee.size());

            // the same again: nothing changed, nothing delivered, no file written
            SyncRun again = h.runOnce();
            assertThat(again.mode()).isEqualTo(SyncRun.Mode.INCREMENTAL);
            assertThat(again.files()).isEmpty();
            assertThat(again.linesByTarget().values()).allMatch(n -> n == 0);
        }
    }

    /** The delivery reads pending records and the JDBC target the ledger in chunks of 1,000: several of them here. */
    @Test
    void aRunOfSeveralDeliveryChunksIsDeliveredWholeToEveryTarget(@TempDir Path dir) throws Exception {
        SimulatorConfig bigger = SimulatorConfig.defaults().seed(11).workers(150).weeks(3).lastWorkDate(LAST);
        try (SyncHarness h = harness(bigger, dir, LAST.minusWeeks(3), Map.of())) {
            SyncRun run = h.runOnce();

            List<TimeRegistration> ready = h.payrollReady();
            assertThat(ready).hasSizeGreaterThan(2_000);
            assertThat(run.linesByTarget()).containsEntry("visma", ready.size()).containsEntry("sap", ready.size())
                    .containsEntry("jdbc", ready.size());
            assertThat(h.lineCount(h.filesOf("visma").get(0))).isEqualTo(ready.size());
            assertThat(h.lineCount(h.filesOf("sap").get(0))).isEqualTo(ready.size());
            assertThat(h.vismaTotals()).isEqualTo(h.truth(k -> k[0] + "|" + k[2]));
            assertThat(h.sapTotals()).isEqualTo(h.truth(k -> k[0] + "|" + k[1] + "|" + k[2]));
            assertThat(h.jdbcTotals()).isEqualTo(h.truth(k -> k[0] + "|" + k[1] + "|" + k[2]));
            assertThat(h.runOnce().linesByTarget().values()).allMatch(n -> n == 0);
        }
    }

    @Test
    void bulkApprovalLargerThanAPageIsDeliveredWhole(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of("ditio.chunk-limit", "50"))) {
            h.runOnce();
            Map<String, String> users = h.employeesByUser();
            List<String> waiting = h.ditio.data().liveTimeRegistrations().stream()
                    .filter(r -> !r.payrollApproved() && h.employee(r, users) != null).map(TimeRegistration::id).toList();
            assertThat(waiting).hasSizeGreaterThan(120);
            h.ditio.data().payrollApprove(waiting); // one modifiedDateTime for all of them

            SyncRun run = h.runOnce();

            assertThat(run.mode()).isEqualTo(SyncRun.Mode.INCREMENTAL);
            assertThat(run.linesByTarget()).containsEntry("visma", waiting.size()).containsEntry("sap", waiting.size());
            assertThat(h.vismaTotals()).isEqualTo(h.truth(k -> k[0] + "|" + k[2]));
            assertThat(h.sapTotals()).isEqualTo(h.truth(k -> k[0] + "|" + k[1] + "|" + k[2]));
        }
    }

    @Test
    void tokenRevokedMidPaginationIsRefreshedWithoutRestartingThePass(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of())) {
            h.ditio.faults().expireTokensAfterPages(4);
            SyncRun run = h.runOnce();

            assertThat(h.ditio.tokensIssued()).isEqualTo(2);
            // every page served once: the pass went on from the page that got the 401
            assertThat(h.ditio.pagesServed()).isEqualTo(run.pages() + run.userPages() + run.projectPages());
            assertThat(h.vismaTotals()).isEqualTo(h.truth(k -> k[0] + "|" + k[2]));
        }
    }

    @Test
    void shortLivedTokensAreRefreshedBeforeTheyExpire(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(company().tokenExpiresInSeconds(2), dir, LAST.minusWeeks(3), Map.of())) {
            h.ditio.faults().pageDelayMillis(120);
            SyncRun run = h.runOnce();

            assertThat(h.ditio.tokensIssued()).isGreaterThan(1);
            assertThat(h.ditio.pagesServed()).isEqualTo(run.pages() + run.userPages() + run.projectPages()); // no 401, no page twice
            assertThat(h.sapTotals()).isEqualTo(h.truth(k -> k[0] + "|" + k[1] + "|" + k[2]));
        }
    }

    @Test
    void everyRunDeliversExactlyTheDifference(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of())) {
            h.runOnce();
            Random random = new Random(11);
            for (int round = 0; round < 5; round++) {
                Map<String, BigDecimal> before = h.truth(k -> k[0] + "|" + k[1] + "|" + k[2] + "|");
                h.ditio.data().randomMutations(random, 30);
                SyncRun run = h.runOnce();

                assertThat(h.vismaTotals()).as("Visma after round %d", round).isEqualTo(h.truth(k -> k[0] + "|" + k[2]));
                assertThat(h.sapTotals()).as("SAP after round %d", round).isEqualTo(h.truth(k -> k[0] + "|" + k[1] + "|" + k[2]));
                assertThat(h.jdbcTotals()).as("JDBC after round %d", round).isEqualTo(h.truth(k -> k[0] + "|" + k[1] + "|" + k[2]));
                assertThat(run.linesByTarget().get("jdbc")).isGreaterThan(0);
                assertThat(before).isNotEqualTo(h.truth(k -> k[0] + "|" + k[1] + "|" + k[2] + "|"));
            }
            SyncRun quiet = h.runOnce();
            assertThat(quiet.files()).isEmpty();
        }
    }
}
