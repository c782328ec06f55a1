package no.ditiosync.app;

import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.testing.TestDatabase;
import org.h2.tools.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;

import static no.ditiosync.app.SyncEndToEndTest.LAST;
import static no.ditiosync.app.SyncEndToEndTest.company;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A drop folder or a JDBC target that fails: the run fails, nothing is half-delivered, the next run delivers once. */
class DeliveryFaultTest {

    /** The state DB (and JDBC target) of each test: an H2 file here, PostgreSQL in {@link DeliveryFaultOnPostgresTest}. */
    TestDatabase stateDb(Path dir) {
        return TestDatabase.h2(dir.resolve("data/state"));
    }

    SyncHarness harness(SimulatorConfig config, Path dir, LocalDate start, Map<String, String> extra) {
        return new SyncHarness(config, dir, start, stateDb(dir), extra);
    }

    @Test
    void unwritableDropFolderFailsTheRunAndTheNextRunDeliversEverythingOnce(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of())) {
            Files.createDirectories(dir.resolve("out"));
            Files.writeString(dir.resolve("out/sap"), "not a folder"); // where the SAP drops should go

            assertThatThrownBy(h::runOnce).hasMessageStartingWith("cannot write the sap drop in " + dir.resolve("out/sap"));

            try (var visma = Files.list(dir.resolve("out/visma"))) {
                assertThat(visma.toList()).as("the Visma drop of the failed run was not published").isEmpty();
            }
            try (Connection c = h.stateDb().connect();
                 ResultSet rs = c.createStatement().executeQuery("SELECT (SELECT COUNT(*) FROM ledger_line), "
                         + "(SELECT COUNT(*) FROM sync_watermark), (SELECT outcome FROM sync_run)")) {
                rs.next();
                assertThat(rs.getInt(1)).as("ledger rows").isZero();
                assertThat(rs.getInt(2)).as("watermarks").isZero();
                assertThat(rs.getString(3)).isEqualTo("failed");
            }

            Files.delete(dir.resolve("out/sap"));
            SyncRun run = h.runOnce();
            assertThat(run.mode()).isEqualTo(SyncRun.Mode.FULL);
            assertThat(h.vismaTotals()).isEqualTo(h.truth(k -> k[0] + "|" + k[2]));
            assertThat(h.sapTotals()).isEqualTo(h.truth(k -> k[0] + "|" + k[1] + "|" + k[2]));
        }
    }

    @Test
    void jdbcTargetDownIsDeliveredByTheNextRunExactlyOnce(@TempDir Path dir) throws Exception {
        Server server = Server.createTcpServer("-tcpPort", "0", "-baseDir", dir.resolve("target-db").toString(), "-ifNotExists").start();
        int port = server.getPort();
        String targetUrl = "jdbc:h2:tcp://127.0.0.1:" + port + "/payroll";
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of("payroll.jdbc-url", targetUrl))) {
            h.runOnce();
            h.ditio.data().randomMutations(new java.util.Random(3), 25);
            server.stop();

            assertThatThrownBy(h::runOnce).hasMessageContaining("the jdbc drop of run")
                    .hasMessageContaining("is committed but could not be published");

            server = Server.createTcpServer("-tcpPort", Integer.toString(port), "-baseDir",
                    dir.resolve("target-db").toString(), "-ifNotExists").start();
            SyncRun next = h.runOnce();
            assertThat(next.files()).isEmpty(); // the changes were committed by the failed run; only publishing was left
            assertThat(activeRows(targetUrl)).isEqualTo(h.truth(k -> k[0] + "|" + k[1] + "|" + k[2]));
            assertThat(h.vismaTotals()).isEqualTo(h.truth(k -> k[0] + "|" + k[2]));
        } finally {
            server.stop();
        }
    }

    static Map<String, BigDecimal> activeRows(String url) throws Exception {
        Map<String, BigDecimal> sums = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(url, "sa", "");
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT employee_number, work_date, wage_type, quantity FROM payroll_line WHERE status = 'active'")) {
            while (rs.next()) {
                sums.merge(rs.getString(1) + "|" + rs.getDate(2).toLocalDate() + "|" + rs.getString(3), rs.getBigDecimal(4),
                        BigDecimal::add);
            }
        }
        Map<String, BigDecimal> out = new TreeMap<>();
        sums.forEach((k, v) -> out.put(k, v.setScale(2)));
        return out;
    }
}
