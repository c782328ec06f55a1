package no.ditiosync.app;

import no.ditiosync.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static no.ditiosync.app.IncrementalLedgerTest.assertEveryTargetHoldsTheTruth;
import static no.ditiosync.app.SyncEndToEndTest.LAST;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An H2 state DB in a service that runs for long: its file stops growing with the runs (within 5 times
 * what it holds here), and every target still holds the truth. Before the app took free space back after each run, the
 * file of a service grew by about what each run wrote, for as long as the service ran.
 */
class StateDbFileSizeTest {

    @Test
    void theFileOfAServiceStaysNearWhatItHoldsOverManyIncrementalRuns(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data/state.mv.db");
        // H2 leaves space written less than RETENTION_TIME (45 s) ago alone; runs here come seconds apart,
        // in a service minutes apart: 0 lets each run take back what the runs before it left
        String url = "jdbc:h2:file:" + dir.resolve("data/state").toAbsolutePath() + ";RETENTION_TIME=0";
        SimulatorConfig company = SimulatorConfig.defaults().seed(5).workers(80).weeks(4).lastWorkDate(LAST);
        List<Long> sizes = new ArrayList<>();
        try (SyncHarness h = new SyncHarness(company, dir, LAST.minusWeeks(4),
                Map.of("payroll.state-db-url", url, "payroll.targets", IncrementalLedgerTest.ALL_TARGETS))) {
            h.runOnce();
            Random random = new Random(2027);
            for (int round = 0; round < 10; round++) {
                // about a fifth of the registrations edited, deleted, unapproved or added between two runs
                h.ditio.data().randomMutations(random, 700);
                h.runOnce();
                sizes.add(Files.size(file));
            }
            assertEveryTargetHoldsTheTruth(h, "after 10 incremental runs");
        }
        // what the file holds: the same database written out anew by H2, with no free space in it
        Path copy = dir.resolve("compacted/state.mv.db");
        Files.createDirectories(copy.getParent());
        Files.copy(file, copy);
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("compacted/state").toAbsolutePath(),
                "sa", ""); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN COMPACT");
        }
        long held = Files.size(copy);
        // without the space taken back after each run the file grew by about what each run wrote: 3.1 MB
        // after the full pass, 12.8 MB after the tenth run, more than 7 times what it held, and growing;
        // with it, 4.9 to 7.0 MB
        assertThat(sizes).as("the file after each run (bytes), holding %d bytes at the end", held)
                .allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(5 * held));
        assertThat(sizes.get(sizes.size() - 1)).as("the file after the last run against after the fifth: %s", sizes)
                .isLessThanOrEqualTo(sizes.get(4) * 5 / 4);
    }
}
