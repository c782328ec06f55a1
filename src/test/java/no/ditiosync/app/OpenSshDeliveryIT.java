package no.ditiosync.app;

import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.testing.AppProcess;
import no.ditiosync.testing.DeliveredPayroll;
import no.ditiosync.testing.OpenSshServer;
import no.ditiosync.testing.PayrollTruth;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * SFTP delivery to a real OpenSSH server (Debian's sshd and sftp-server on loopback, a stock server's
 * three host keys) by the packaged application, {@code java -jar target/ditio-payroll-sync.jar sync
 * --once}: the fat jar is where the JSch classes for ed25519 (Java 15+ multi-release classes) can get
 * lost, and the tests' own class path would not show it. So this is an integration test, run by
 * maven-failsafe after the package phase of {@code mvn -B verify}.
 * <p>
 * known_hosts is what {@code ssh-keyscan -t TYPE} (and the OpenSSH client on first contact) writes:
 * one key of one type. Everything the provider received (the files on the server, each created
 * under its final name once, as sftp-server's log shows) must equal what Ditio holds.
 */
class OpenSshDeliveryIT {

    private static final LocalDate LAST = LocalDate.of(2026, 11, 27);
    private static final LocalDate START = LAST.minusWeeks(2);
    private static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(120);
    private static Path jar;

    @BeforeAll
    static void packagedJar() throws Exception {
        jar = Path.of(System.getProperty("app.jar", "target/ditio-payroll-sync.jar")).toAbsolutePath();
        assertThat(jar).as("the packaged application (mvn -B verify builds it before this test)").isRegularFile();
        try (JarFile j = new JarFile(jar.toFile())) {
            assertThat(j.getManifest().getMainAttributes().getValue("Multi-Release"))
                    .as("the fat jar's Multi-Release attribute: without it Java ignores the libraries' META-INF/versions/ classes")
                    .isEqualTo("true");
        }
    }

    @Test
    void ed25519HostKeyAndEd25519LoginKeyDeliverEveryDropOnce(@TempDir Path dir) throws Exception {
        try (OpenSshServer server = new OpenSshServer(dir.resolve("sshd"));
             App app = new App(dir.resolve("app"), server, "ed25519", server.knownHosts("ed25519"))) {
            app.run(0, "full");
            app.ditio.data().randomMutations(new Random(21), 30);
            // the same with a passphrase on the key (ssh-keygen's default format: bcrypt KDF, AES)
            Path encrypted = server.userKeyWithPassphrase("ed25519", "key-passphrase-9");
            app.env.put("PAYROLL_SFTP_PRIVATE_KEY_FILE", encrypted.toString());
            app.env.put("PAYROLL_SFTP_PRIVATE_KEY_PASSPHRASE", "key-passphrase-9");
            app.run(0, "incremental");

            assertThat(server.sshdLog()).as("sshd's log of the logins")
                    .contains("Accepted publickey for " + server.user() + " from 127.0.0.1")
                    .contains("ssh2: ED25519 " + OpenSshServer.fingerprint(server.userKey("ed25519")))
                    .contains("ssh2: ED25519 " + OpenSshServer.fingerprint(encrypted))
                    .doesNotContainPattern("ssh2: (RSA|ECDSA) SHA256:");
            app.assertDeliveredOnceAndEqualToTruth(2);
        }
    }

    @ParameterizedTest(name = "{0} host key and {0} login key")
    @ValueSource(strings = {"rsa", "ecdsa"})
    void rsaAndEcdsaKeysStillWork(String type, @TempDir Path dir) throws Exception {
        try (OpenSshServer server = new OpenSshServer(dir.resolve("sshd"));
             App app = new App(dir.resolve("app"), server, type, server.knownHosts(type))) {
            app.run(0, "full");

            assertThat(server.sshdLog()).containsPattern("Accepted publickey for " + server.user()
                    + " from 127\\.0\\.0\\.1 port \\d+ ssh2: " + type.toUpperCase() + " SHA256:");
            app.assertDeliveredOnceAndEqualToTruth(1);
        }
    }

    @Test
    void aChangedHostKeyIsRefusedWithNothingUploaded(@TempDir Path dir) throws Exception {
        try (OpenSshServer server = new OpenSshServer(dir.resolve("sshd"));
             App app = new App(dir.resolve("app"), server, "ed25519", server.knownHostsWithAnotherKey())) {
            String out = app.run(1, "changed-host-key");
            assertThat(out).contains("the host key of SFTP server 127.0.0.1:" + server.port()
                    + " does not match the one in the known_hosts file " + app.knownHosts
                    + " (PAYROLL_SFTP_KNOWN_HOSTS): connection refused, nothing uploaded");
            assertThat(server.files("")).as("files on the server").isEmpty();
            assertThat(server.sshdLog()).as("no login").doesNotContain("Accepted publickey");

            Files.copy(server.knownHosts("ed25519"), app.knownHosts, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            app.run(0, "right-host-key");
            app.assertDeliveredOnceAndEqualToTruth(1);
        }
    }

    @Test
    void aServerOutageAfterTheFirstUploadIsSurvivedAndTheNextRunDeliversTheRestOnce(@TempDir Path dir) throws Exception {
        try (OpenSshServer server = new OpenSshServer(dir.resolve("sshd"));
             App app = new App(dir.resolve("app"), server, "ed25519", server.knownHosts("ed25519"))) {
            app.run(0, "full");
            app.ditio.data().randomMutations(new Random(22), 30);

            // the run's first drop goes through; the server dies while the second drop's session starts
            server.holdSessionsAfter(1);
            Process run = app.start("outage");
            await().atMost(PROCESS_TIMEOUT).pollInterval(Duration.ofMillis(20))
                    .failFast("the run ended before its second SFTP session", () -> !run.isAlive())
                    .until(server::sessionHeld);
            List<String> finalsBefore = server.finalsCreated();
            server.stop();
            String out = app.awaitExit(run, 1, "outage");
            assertThat(out).contains("is committed but could not be published (SFTP server 127.0.0.1:" + server.port())
                    .contains("gave up after 2 attempts").contains("it is published by the next run");
            assertThat(server.finalsCreated()).as("the drop published before the outage, and none since")
                    .hasSize(3).isEqualTo(finalsBefore);

            server.releaseHold();
            server.start();
            app.run(0, "after-outage");
            app.assertDeliveredOnceAndEqualToTruth(2);
        }
    }

    /** The simulator in this JVM and the packaged application, as separate processes, delivering over SFTP. */
    private static final class App implements AutoCloseable {
        final SimulatedDitio ditio;
        final Path dir;
        final OpenSshServer server;
        final Path knownHosts;
        final Map<String, String> env = new LinkedHashMap<>();
        private final List<Process> started = new ArrayList<>();
        private int runs;

        App(Path dir, OpenSshServer server, String keyType, Path knownHosts) throws Exception {
            this.ditio = SimulatedDitio.start(SimulatorConfig.defaults().seed(17).workers(30).weeks(2), 0);
            this.dir = Files.createDirectories(dir);
            this.server = server;
            this.knownHosts = Files.copy(knownHosts, dir.resolve("known_hosts"));
            env.put("DITIO_IDENTITY_BASE", ditio.identityBase());
            env.put("DITIO_REPORTING_BASE", ditio.reportingBase());
            env.put("DITIO_CLIENT_ID", ditio.clientId());
            env.put("DITIO_CLIENT_SECRET", ditio.clientSecret());
            env.put("PAYROLL_COMPANY", "acme");
            env.put("PAYROLL_START_DATE", START.toString());
            env.put("PAYROLL_DROP_DIR", dir.resolve("out").toString());
            env.put("PAYROLL_STATE_DB_URL", stateDbUrl());
            env.put("PAYROLL_SFTP_URL", server.url("/payroll"));
            env.put("PAYROLL_SFTP_USER", server.user());
            env.put("PAYROLL_SFTP_PRIVATE_KEY_FILE", server.userKey(keyType).toString());
            env.put("PAYROLL_SFTP_KNOWN_HOSTS", this.knownHosts.toString());
            env.put("PAYROLL_SFTP_MAX_ATTEMPTS", "2");
            env.put("PAYROLL_SFTP_RETRY_DELAY", "200ms");
            env.put("LOG_LEVEL", "INFO");
        }

        String stateDbUrl() {
            return "jdbc:h2:file:" + dir.resolve("data/state").toAbsolutePath();
        }

        Process start(String label) throws Exception {
            Path log = dir.resolve(String.format("%02d-%s.log", ++runs, label));
            Process p = AppProcess.jarBuilder(jar, env, "sync", "--once")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            started.add(p);
            return p;
        }

        /** Runs {@code sync --once} to its end; returns its output. */
        String run(int expectedExit, String label) throws Exception {
            return awaitExit(start(label), expectedExit, label);
        }

        String awaitExit(Process p, int expectedExit, String label) throws Exception {
            Path log = dir.resolve(String.format("%02d-%s.log", started.indexOf(p) + 1, label));
            if (!p.waitFor(PROCESS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                fail("sync --once (%s) did not end within %s:%n%s", label, PROCESS_TIMEOUT, Files.readString(log));
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as("exit status of sync --once (%s):%n%s%nsshd:%n%s", label, out, server.sshdLog())
                    .isEqualTo(expectedExit);
            return out;
        }

        /**
         * Each target's drops on the server (oldest run first, by the time in their names): the
         * expected number, complete, created once each under the final name, nothing hidden left
         * over, and summing to Ditio's truth; so does payroll_line.
         */
        void assertDeliveredOnceAndEqualToTruth(int dropsPerTarget) throws Exception {
            List<String> all = new ArrayList<>();
            Map<String, List<Path>> byTarget = new LinkedHashMap<>();
            for (String target : List.of("visma", "sap")) {
                List<String> drops = server.files("payroll/" + target);
                assertThat(drops).as("%s drops on the server", target).hasSize(dropsPerTarget)
                        .allMatch(f -> Path.of(f).getFileName().toString()
                                .matches(target + "_acme_\\d{8}T\\d{6}Z_[0-9a-f]{8}\\.csv"));
                all.addAll(drops);
                byTarget.put(target, drops.stream().map(server.root()::resolve).toList());
            }
            assertThat(server.finalsCreated()).as("every drop created under its final name once (sftp-server's log)")
                    .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all);
            DeliveredPayroll.assertSums("Visma totals on the server", DeliveredPayroll.vismaTotals(byTarget.get("visma")),
                    PayrollTruth.perEmployeeAndWageType(ditio.data(), START));
            DeliveredPayroll.assertSums("SAP totals on the server", DeliveredPayroll.sapTotals(byTarget.get("sap")),
                    PayrollTruth.perEmployeeDayAndWageType(ditio.data(), START));
            DeliveredPayroll.assertSums("payroll_line totals", DeliveredPayroll.jdbcTotals(stateDbUrl()),
                    PayrollTruth.perEmployeeDayAndWageType(ditio.data(), START));
        }

        @Override
        public void close() {
            for (Process p : started) {
                p.destroyForcibly();
            }
            ditio.close();
        }
    }
}
