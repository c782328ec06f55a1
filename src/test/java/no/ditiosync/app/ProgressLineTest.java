package no.ditiosync.app;

import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.testing.TestDatabase;
import no.ditiosync.testing.TestSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static no.ditiosync.app.SyncEndToEndTest.LAST;
import static org.assertj.core.api.Assertions.assertThat;

/** sync --once on a terminal keeps one progress line up to date, and wipes it before the summary. */
class ProgressLineTest {

    @Test
    void theLineSaysPagesRecordsSpeedAndPosition() {
        SyncRun run = new SyncRun("0a1b2c3d", "acme", "time", Instant.parse("2026-11-28T10:00:00Z"), SyncRun.Mode.FULL,
                null, LAST.minusWeeks(2), LAST.plusYears(1));
        run.countPage(2500, 3);
        run.countPage(2500, 0);
        run.position("work date 2026-11-17");
        assertThat(ProgressLine.text(run, Instant.parse("2026-11-28T10:00:02Z")))
                .isEqualTo("acme: full pass, page 2, 5,000 records, 2,500 records/s, at work date 2026-11-17");
    }

    @Test
    void aTerminalSeesTheLineRedrawnWhileThePassRuns(@TempDir Path dir) throws Exception {
        try (SimulatedDitio ditio = SimulatedDitio.start(SimulatorConfig.defaults().seed(4).workers(10).weeks(1)
                .lastWorkDate(LAST), 0)) {
            ditio.faults().pageDelayMillis(120); // a pass long enough to watch
            TestDatabase db = TestDatabase.h2(dir.resolve("data/state"));
            Map<String, String> settings = TestSettings.simulator(ditio, "acme", LAST.minusWeeks(1), dir);
            settings.put("ditio.chunk-limit", "10");
            settings.putAll(db.settings("state-db"));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int exit;
            try (SyncApplication app = new SyncApplication(settings).start()) {
                exit = DitioPayrollSync.syncCompanies(app, List.of("acme"), new PrintStream(out, true, StandardCharsets.UTF_8),
                        System.err, true);
            }
            String text = out.toString(StandardCharsets.UTF_8);
            assertThat(exit).isZero();
            assertThat(text).containsPattern("\racme: full pass, page \\d+, [\\d,]+ records, [\\d,]+ records/s, at work date 2026-11-\\d\\d ");
            // wiped before the summary, which starts on a clean line
            assertThat(text).contains("\r" + " ".repeat(100) + "\rRun ");
        }
    }
}
