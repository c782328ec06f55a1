package no.ditiosync.app;

import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.testing.AppProcess;
import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import static no.ditiosync.app.IncrementalLedgerTest.ALL_TARGETS;
import static no.ditiosync.app.IncrementalLedgerTest.assertEveryTargetHoldsTheTruth;
import static no.ditiosync.app.SyncEndToEndTest.LAST;
import static no.ditiosync.testing.DeliveredPayroll.assertSums;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A change of the settings that decide which lines the registrations become (PAYROLL_SOURCE, the
 * wage-type mapping): the next run reads every feed in full, the lines delivered before follow the
 * change in every target, and a feed the new source no longer reads has its lines reversed, so every
 * hour stays paid once. The run after that is incremental again.
 */
class LineRulesChangeTest {

    /** The state DB (and JDBC target): an H2 file here, PostgreSQL in {@link LineRulesChangeOnPostgresTest}. */
    TestDatabase stateDb(Path dir) {
        return TestDatabase.h2(dir.resolve("data/state"));
    }

    static SimulatorConfig workers() {
        return SimulatorConfig.defaults().seed(7).workers(15).weeks(3).lastWorkDate(LAST);
    }

    @Test
    void switchingThePayrollSourceBetweenRunsKeepsEveryHourPaidOnce(@TempDir Path dir) throws Exception {
        try (SyncHarness h = new SyncHarness(workers(), dir, LAST.minusWeeks(3), stateDb(dir),
                Map.of("payroll.source", "time", "payroll.targets", ALL_TARGETS))) {
            h.runOnce();
            assertEveryTargetHoldsTheTruth(h, "from time registrations");
            Random random = new Random(17);
            // every switch there is: time → payroll-lines → time → time+overtime → payroll-lines → time+overtime → time
            for (String source : List.of("payroll-lines", "time", "time+overtime", "payroll-lines", "time+overtime", "time")) {
                h.ditio.data().randomMutations(random, 20);
                h.restartWith(Map.of("payroll.source", source));
                SyncRun switched = h.runOnce();
                assertThat(switched.passes()).as("the run after the switch to %s", source).filteredOn(SyncRun.Pass::delivers)
                        .isNotEmpty().allMatch(p -> p.mode() == SyncRun.Mode.FULL);
                assertEveryTargetHoldsTheTruth(h, "after the switch to " + source);

                h.ditio.data().randomMutations(random, 20);
                SyncRun next = h.runOnce();
                assertThat(next.passes()).as("the run after that").filteredOn(SyncRun.Pass::delivers)
                        .allMatch(p -> p.mode() == SyncRun.Mode.INCREMENTAL);
                assertEveryTargetHoldsTheTruth(h, "a run after the switch to " + source);
            }
        }
    }

    @Test
    void aMappingEditMovesTheLinesDeliveredBeforeAndACommentEditMovesNothing(@TempDir Path dir) throws Exception {
        String shipped = Files.readString(AppProcess.projectRoot().resolve("mappings/wage-types.csv"), StandardCharsets.UTF_8);
        String edited = shipped.replace("time,taskWbsNumber,9001,1100", "time,taskWbsNumber,9001,1200");
        assertThat(edited).isNotEqualTo(shipped);
        Path mapping = dir.resolve("wage-types.csv");
        try (SyncHarness h = new SyncHarness(workers(), dir, LAST.minusWeeks(3), stateDb(dir),
                Map.of("payroll.targets", ALL_TARGETS))) {
            h.runOnce();
            assertEveryTargetHoldsTheTruth(h, "before the edit");
            assertThat(h.truth(k -> k[2])).containsKey("1100");

            // no registration changed in Ditio: only the mapping did
            Files.writeString(mapping, edited, StandardCharsets.UTF_8);
            h.restartWith(Map.of("payroll.wage-types", mapping.toString()));
            SyncRun afterEdit = h.runOnce();
            assertThat(afterEdit.passes()).filteredOn(SyncRun.Pass::delivers).allMatch(p -> p.mode() == SyncRun.Mode.FULL);
            Function<String[], String> day = k -> k[0] + "|" + k[1] + "|" + ("1100".equals(k[2]) ? "1200" : k[2]);
            assertSums("SAP per employee x day x wage type after the edit", h.sapTotals(), h.truth(day));
            assertSums("payroll_line per employee x day x wage type after the edit", h.jdbcTotals(), h.truth(day));
            assertSums("CSV per employee x day x wage type after the edit", h.csvTotals(), h.truth(day));
            assertSums("Visma per employee x wage type after the edit", h.vismaTotals(),
                    h.truth(k -> k[0] + "|" + ("1100".equals(k[2]) ? "1200" : k[2])));
            assertSums("Tripletex per employee x wage type after the edit", h.tripletexTotals(),
                    h.truth(k -> k[0] + "|" + ("1100".equals(k[2]) ? "1200" : k[2])));

            // the file's comments and spacing edited, its rows the same: an ordinary incremental run
            Files.writeString(mapping, "# edited by the payroll office\n" + edited.replace(",", " , "), StandardCharsets.UTF_8);
            h.restartWith(Map.of());
            SyncRun commentEdit = h.runOnce();
            assertThat(commentEdit.passes()).filteredOn(SyncRun.Pass::delivers).allMatch(p -> p.mode() == SyncRun.Mode.INCREMENTAL);
            assertThat(commentEdit.files()).isEmpty();
        }
    }
}
