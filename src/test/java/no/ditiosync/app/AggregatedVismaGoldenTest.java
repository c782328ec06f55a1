package no.ditiosync.app;

import no.ditiosync.drops.Golden;
import no.ditiosync.drops.VismaFormat;
import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.simulator.TimeRegistration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static no.ditiosync.app.SyncEndToEndTest.LAST;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exact bytes of aggregated Visma drops (PAYROLL_VISMA_AGGREGATION=per-employee-wage-type) of
 * a small fixed simulated company: its first run, then a run with an edit, a deletion and a late
 * registration in the month before. The dataset comes from the simulator's seed, so a change to
 * the generator changes these files too (as it changes DatasetContentTest's counts).
 */
class AggregatedVismaGoldenTest {

    private static final Map<String, String> VISMA_SUMMED = Map.of("payroll.targets", "visma",
            "payroll.visma.aggregation", "per-employee-wage-type", "payroll.visma.payroll-year", "2026",
            "payroll.visma.payroll-run", "11");

    static SimulatorConfig small() {
        return SimulatorConfig.defaults().seed(3).workers(3).weeks(3).lastWorkDate(LAST);
    }

    @Test
    void aggregatedVismaDropsAreByteForByteTheGoldenFiles(@TempDir Path dir) throws Exception {
        try (SyncHarness h = new SyncHarness(small(), dir, LocalDate.of(2026, 10, 1), VISMA_SUMMED)) {
            SyncRun first = h.runOnce();
            Golden.assertSameBytes(SyncHarness.fileOf(first, "visma"), "visma-aggregated.csv", VismaFormat.WINDOWS_1252);

            List<TimeRegistration> ready = h.payrollReady().stream().sorted(Comparator.comparing(TimeRegistration::id)).toList();
            h.ditio.data().editHours(ready.get(0).id(), ready.get(0).qty().add(new BigDecimal("1.5")));
            h.ditio.data().delete(ready.get(1).id());
            h.ditio.data().addRegistration(ready.get(2).userId(), LocalDate.of(2026, 10, 30), new BigDecimal("3.75"), true);
            SyncRun corrections = h.runOnce();

            Golden.assertSameBytes(SyncHarness.fileOf(corrections, "visma"), "visma-aggregated-corrections.csv",
                    VismaFormat.WINDOWS_1252);
        }
    }

    /** The same registrations give the same bytes, whatever page size they were read in. */
    @Test
    void anotherPageSizeGivesTheSameBytes(@TempDir Path dir) throws Exception {
        Map<String, String> settings = new java.util.HashMap<>(VISMA_SUMMED);
        settings.put("ditio.chunk-limit", "7");
        try (SyncHarness h = new SyncHarness(small(), dir, LocalDate.of(2026, 10, 1), settings)) {
            SyncRun first = h.runOnce();
            assertThat(first.pages()).isGreaterThan(1);
            Golden.assertSameBytes(SyncHarness.fileOf(first, "visma"), "visma-aggregated.csv", VismaFormat.WINDOWS_1252);
        }
    }
}
