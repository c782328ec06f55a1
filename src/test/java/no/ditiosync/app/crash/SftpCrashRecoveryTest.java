package no.ditiosync.app.crash;

import no.ditiosync.testing.DeliveredPayroll;
import no.ditiosync.testing.SftpTestServer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SFTP delivery killed between the upload and the outbox saying 'published': the application runs
 * as a separate JVM ({@code sync --once}) and dies ({@code Runtime.halt}, like {@code kill -9}) at
 * each remote step of a drop, then is started again. After every restart each drop is on the
 * server exactly once and complete, never twice and none missing, also when the payroll provider
 * took the final files away while the application was down; what payroll received sums to Ditio.
 */
class SftpCrashRecoveryTest {

    private static final long SEED = 7;
    private static final String PASSWORD = "crash-test-sftp-password";

    @ParameterizedTest(name = "provider takes the drops away while the application is down: {0}")
    @ValueSource(booleans = {false, true})
    void killedAtEachRemoteStepAndRestartedDeliversEachDropOnce(boolean providerTakesDrops, @TempDir Path dir) throws Exception {
        Path taken = dir.resolve("taken-by-provider");
        try (SftpTestServer server = new SftpTestServer(dir.resolve("sftp"), PASSWORD);
             CrashHarness h = new CrashHarness(SEED, dir.resolve("app"))) {
            h.env("PAYROLL_SFTP_URL", server.url("/payroll"))
                    .env("PAYROLL_SFTP_USER", SftpTestServer.USER)
                    .env("PAYROLL_SFTP_PASSWORD", PASSWORD)
                    .env("PAYROLL_SFTP_KNOWN_HOSTS", server.knownHosts().toString());
            h.run(null, 0, "full");
            Random random = new Random(SEED);
            int drops = 1;
            for (String point : List.of("after-upload", "before-remote-rename", "after-remote-rename", "after-first-publish")) {
                h.ditio.data().randomMutations(random, 30);
                CrashHarness.SyncProcess crashed = h.run(point, CrashHarness.CRASHED, "crash-" + point);
                assertCrashedWhereIntended(h, server, crashed.runId(), point, drops);
                if (providerTakesDrops) {
                    takeFinalFiles(server, taken);
                }

                h.run(null, 0, "restart-" + point);
                drops++;
                assertEachDropOnceAndPayrollEqualsTruth(h, server, taken, drops, "after a crash at " + point + " and a restart");
            }
        }
    }

    /** The traces of the step the run died at: its SAP drop (the first file drop it publishes) and the outbox. */
    private static void assertCrashedWhereIntended(CrashHarness h, SftpTestServer server, String runId, String point,
                                                   int publishedBefore) throws Exception {
        String sap = single(h.query("SELECT final_path FROM drop_outbox WHERE run_id = ? AND target = 'sap'", runId));
        String name = Path.of(sap).getFileName().toString();
        Path remoteTemp = server.root().resolve("payroll/sap/." + name + ".tmp");
        Path remoteFinal = server.root().resolve("payroll/sap/" + name);
        String status = single(h.query("SELECT status FROM drop_outbox WHERE run_id = ? AND target = 'sap'", runId));
        String at = "after a crash at " + point;
        switch (point) {
            case "after-upload" -> {
                assertThat(status).as("outbox state %s", at).isEqualTo("uploading");
                assertThat(remoteTemp).as("remote temp %s", at).isRegularFile();
                assertThat(remoteFinal).as("remote final %s", at).doesNotExist();
            }
            case "before-remote-rename" -> {
                assertThat(status).as("outbox state %s", at).isEqualTo("renaming");
                assertThat(remoteTemp).as("remote temp %s", at).isRegularFile();
                assertThat(remoteFinal).as("remote final %s", at).doesNotExist();
            }
            case "after-remote-rename" -> {
                assertThat(status).as("outbox state %s", at).isEqualTo("renaming");
                assertThat(remoteTemp).as("remote temp %s", at).doesNotExist();
                assertThat(remoteFinal).as("remote final %s", at).isRegularFile();
            }
            default -> {
                // after-first-publish: the JDBC rows (first in the outbox) written but not yet marked, the files untouched
                assertThat(status).as("outbox state %s", at).isEqualTo("committed");
                assertThat(remoteTemp).doesNotExist();
                assertThat(remoteFinal).doesNotExist();
            }
        }
        assertThat(h.published("sap")).as("local finals: with SFTP the local folder only stages").isEmpty();
        assertThat(server.finalsCreated()).as("final names created %s", at)
                .hasSize(2 * publishedBefore + (point.equals("after-remote-rename") ? 1 : 0));
    }

    /** The provider picks up every complete drop: moved off the server (hidden temps are not drops). */
    private static void takeFinalFiles(SftpTestServer server, Path taken) throws Exception {
        for (String f : server.files("payroll")) {
            Path p = server.root().resolve(f);
            if (!p.getFileName().toString().startsWith(".")) {
                Path to = taken.resolve(f);
                Files.createDirectories(to.getParent());
                Files.move(p, to);
            }
        }
    }

    private static void assertEachDropOnceAndPayrollEqualsTruth(CrashHarness h, SftpTestServer server, Path taken,
                                                                int dropsPerTarget, String when) throws Exception {
        List<String> delivered = new ArrayList<>();
        Map<String, List<Path>> byTarget = new HashMap<>();
        for (String target : List.of("visma", "sap")) {
            List<Path> files = new ArrayList<>();
            for (Path folder : List.of(server.root().resolve("payroll/" + target), taken.resolve("payroll/" + target))) {
                if (Files.isDirectory(folder)) {
                    try (Stream<Path> list = Files.list(folder)) {
                        files.addAll(list.toList());
                    }
                }
            }
            assertThat(files).as("%s drops on the server or taken by the provider %s", target, when)
                    .hasSize(dropsPerTarget)
                    .allMatch(p -> p.getFileName().toString().matches(target + "_acme_\\d{8}T\\d{6}Z_[0-9a-f]{8}\\.csv"));
            for (Path f : files) {
                byte[] bytes = Files.readAllBytes(f);
                assertThat(new String(bytes, bytes.length - 2, 2, java.nio.charset.StandardCharsets.ISO_8859_1))
                        .as("%s %s ends with a whole line", f.getFileName(), when).isEqualTo("\r\n");
                delivered.add("payroll/" + target + "/" + f.getFileName());
            }
            byTarget.put(target, byRun(h, files));
        }
        assertThat(server.finalsCreated()).as("every drop created under its final name once %s", when)
                .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(delivered);
        DeliveredPayroll.assertSums("Visma totals " + when, DeliveredPayroll.vismaTotals(byTarget.get("visma")),
                h.truthPerEmployeeAndWageType());
        DeliveredPayroll.assertSums("SAP totals " + when, DeliveredPayroll.sapTotals(byTarget.get("sap")),
                h.truthPerEmployeeDayAndWageType());
        DeliveredPayroll.assertSums("payroll_line totals " + when, h.jdbcTotals(), h.truthPerEmployeeDayAndWageType());
        assertThat(h.query("SELECT run_id, target, status FROM drop_outbox WHERE status <> 'published'"))
                .as("drops not published %s", when).isEmpty();
        assertThat(h.temporaryFiles()).as("local staging files %s", when).isEmpty();
    }

    /** Drops in the order of the runs that wrote them. */
    private static List<Path> byRun(CrashHarness h, List<Path> files) throws Exception {
        Map<String, String> started = new HashMap<>();
        for (List<String> row : h.query("SELECT run_id, started_at FROM sync_run")) {
            started.put(row.get(0), row.get(1));
        }
        return files.stream().sorted(Comparator.comparing((Path p) -> {
            String name = p.getFileName().toString();
            return started.get(name.substring(name.lastIndexOf('_') + 1, name.length() - ".csv".length()));
        })).toList();
    }

    private static String single(List<List<String>> rows) {
        assertThat(rows).hasSize(1);
        return rows.get(0).get(0);
    }
}
