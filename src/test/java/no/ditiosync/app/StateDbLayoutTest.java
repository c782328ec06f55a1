package no.ditiosync.app;

import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.state.StateDbLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A node left running while a later version brings the state DB to a newer layout (a rolling upgrade
 * of the other nodes): its next run is refused before it changes anything, naming the version to run,
 * as a start of it would be.
 */
class StateDbLayoutTest {

    @Test
    void aRunningNodeRefusesItsNextRunOnceALaterVersionRaisedTheLayout(@TempDir Path dir) throws Exception {
        try (SyncHarness h = new SyncHarness(SimulatorConfig.defaults().seed(21).workers(12).weeks(2),
                dir, LocalDate.of(2026, 11, 2), Map.of())) {
            h.runOnce();
            try (Connection c = h.stateDb().connect(); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE state_db_layout SET layout = layout + 1, written_by = 'ditio-payroll-sync 9.9.9'");
            }
            h.ditio.data().randomMutations(new Random(21), 20);
            Map<String, String> watermarks = h.watermarks();
            assertThatThrownBy(h::runOnce).hasMessageContaining("The state DB was brought to a newer layout ("
                    + (StateDbLayout.LAYOUT + 1) + ") by ditio-payroll-sync 9.9.9 at ")
                    .hasMessageContaining("Run that version or a later one, on every machine that shares this state DB");
            assertThat(h.watermarks()).as("nothing committed").isEqualTo(watermarks);
            assertThat(h.deliveredFiles()).as("the first run's drops only").hasSize(2);
        }
    }
}
