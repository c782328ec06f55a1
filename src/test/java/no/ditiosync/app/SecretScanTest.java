package no.ditiosync.app;

import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.ditio.DitioPager;
import no.ditiosync.testing.ScriptedDitio;
import no.ditiosync.testing.ScriptedDitio.Answer;
import no.ditiosync.testing.SftpTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A full sync with every logger at TRACE, a failing sync and the status command: nothing any of
 * them writes (output, logs, run reports, drop files, the state DB file) holds the client secret or a
 * token the simulator issued.
 */
class SecretScanTest {

    static final String SECRET = "Zx9-very-secret-client-secret-Qw7";
    /** The simulator's tokens: "sim." and 43 base64url characters. */
    static final Pattern TOKEN = Pattern.compile("sim\\.[A-Za-z0-9_-]{20,}");

    @Test
    void neitherSecretNorTokenIsWrittenAnywhere(@TempDir Path dir) throws Exception {
        SimulatorConfig config = SimulatorConfig.defaults().seed(5).workers(15).weeks(2).clientSecret(SECRET)
                .tokenExpiresInSeconds(3);
        try (SimulatedDitio ditio = SimulatedDitio.start(config, 0)) {
            Map<String, String> env = CommandLineTest.envFor(ditio, dir);
            env.put("ROOT_LOG_LEVEL", "TRACE");
            env.put("CAMEL_LOG_LEVEL", "TRACE");
            env.put("LOG_LEVEL", "TRACE");
            env.put("DITIO_CHUNK_LIMIT", "20");
            ditio.faults().expireTokensAfterPages(3).pageDelayMillis(40);

            List<String> written = new ArrayList<>();
            CommandLineTest.Result sync = CommandLineTest.run(dir, env, "sync", "--once");
            assertThat(sync.exit()).as(sync.err()).isZero();
            assertThat(ditio.tokensIssued()).isGreaterThan(1);
            assertThat(sync.err()).contains("TRACE"); // the scan below reads real trace output
            written.add(sync.out() + sync.err());

            env.put("DITIO_CLIENT_SECRET", SECRET + "-but-wrong");
            CommandLineTest.Result failed = CommandLineTest.run(dir, env, "sync", "--once");
            assertThat(failed.exit()).isEqualTo(1);
            written.add(failed.out() + failed.err());

            CommandLineTest.Result status = CommandLineTest.run(dir, env, "status");
            written.add(status.out() + status.err());
            // the run reports of both runs are among the files scanned below, and status lists them
            assertThat(RunReports.list(dir.resolve("data/runs"))).hasSize(2);
            assertThat(status.out()).contains("Run reports in " + dir.resolve("data/runs").toAbsolutePath() + " (newest 2 of 2):");

            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    written.add(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
                }
            }
            assertClean(written);
            assertNoneOf(ditio.issuedTokens(), written);
        }
    }

    /**
     * Every other secret setting, given with every logger at TRACE (Camel's start-up summary of the
     * settings included): none of them is written anywhere.
     */
    @Test
    void everySecretSettingIsWrittenNowhere(@TempDir Path dir) throws Exception {
        try (SimulatedDitio ditio = SimulatedDitio.start(SimulatorConfig.defaults().seed(5).workers(5).weeks(1), 0)) {
            Map<String, String> env = CommandLineTest.envFor(ditio, dir);
            env.put("ROOT_LOG_LEVEL", "TRACE");
            env.put("CAMEL_LOG_LEVEL", "TRACE");
            env.put("LOG_LEVEL", "TRACE");
            Map<String, String> secrets = Map.of(
                    "PAYROLL_STATE_DB_PASSWORD", "Sd4-state-db-secret-Hy6",
                    "PAYROLL_JDBC_PASSWORD", "Jd5-jdbc-target-secret-Mn2",
                    "PAYROLL_SFTP_PRIVATE_KEY_PASSPHRASE", "Pp8-key-passphrase-secret-Rt1",
                    "OBSERVE_PASSWORD", "Ob3-observe-page-secret-Wq9");
            env.putAll(secrets);
            env.put("OBSERVE_USER", "operator");

            CommandLineTest.Result sync = CommandLineTest.run(dir, env, "sync", "--once");
            assertThat(sync.exit()).as(sync.err()).isZero();
            assertThat(sync.err()).contains("TRACE", "payroll.start-date"); // Camel's summary of the settings is there
            List<String> written = new ArrayList<>(List.of(sync.out() + sync.err()));
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    written.add(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
                }
            }
            for (String text : written) {
                for (Map.Entry<String, String> secret : secrets.entrySet()) {
                    assertThat(text.contains(secret.getValue())).as("%s in what was written", secret.getKey()).isFalse();
                }
            }
        }
    }

    /**
     * Servers that echo in their errors what they were sent (the identity server its form, with the client
     * secret; Ditio a page's Authorization header), and a state DB URL that holds its password, with Camel's
     * start-up summary of the settings on: a failing sync, status and check write none of them anywhere.
     */
    @Test
    void whatServersEchoBackInTheirErrorsIsWrittenNowhere(@TempDir Path dir) throws Exception {
        String token = "Tk4-echoed-access-token-Zp8";
        String urlPassword = "Up6-password-in-the-url-Vc3";
        try (ScriptedDitio ditio = new ScriptedDitio()) {
            Map<String, String> env = new java.util.HashMap<>(Map.of(
                    "DITIO_IDENTITY_BASE", ditio.identityBase(), "DITIO_REPORTING_BASE", ditio.reportingBase(),
                    "DITIO_CLIENT_ID", "echo-client", "DITIO_CLIENT_SECRET", SECRET,
                    "PAYROLL_START_DATE", "2026-11-01", "PAYROLL_COMPANY", "cli",
                    "PAYROLL_DROP_DIR", dir.resolve("out").toString(),
                    "PAYROLL_STATE_DB_URL", "jdbc:h2:file:" + dir.resolve("data/state").toAbsolutePath()
                            + ";PASSWORD=" + urlPassword,
                    "SYNC_REPORT_DIR", dir.resolve("data/runs").toString(),
                    "CAMEL_LOG_LEVEL", "INFO"));
            List<String> written = new ArrayList<>();

            ditio.token(request -> Answer.json(400, "{\"error\":\"invalid_request " + request.body() + "\"}"));
            CommandLineTest.Result tokenRefused = CommandLineTest.run(dir, env, "sync", "--once");
            assertThat(tokenRefused.exit()).isEqualTo(1);
            assertThat(tokenRefused.err()).contains("Sync failed: Ditio identity answered HTTP 400 (invalid_request "
                    + "grant_type=client_credentials&client_id=echo-client&client_secret=***&scope=reportingapiv1)");
            assertThat(tokenRefused.err()).contains("payroll.state-db-url"); // Camel's summary of the settings is there
            written.add(tokenRefused.out() + tokenRefused.err());
            CommandLineTest.Result checked = CommandLineTest.run(dir, env, "check");
            assertThat(checked.out()).contains("client_secret=***");
            written.add(checked.out() + checked.err());

            ditio.token(request -> Answer.json("{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\","
                    + "\"expires_in\":1800}"));
            ditio.on(DitioPager.USERS, request -> Answer.json(403, "{\"message\":\"forbidden for "
                    + request.authorization() + "\"}"));
            CommandLineTest.Result pageRefused = CommandLineTest.run(dir, env, "sync", "--once");
            assertThat(pageRefused.exit()).isEqualTo(1);
            assertThat(pageRefused.err()).contains("forbidden for Bearer ***");
            written.add(pageRefused.out() + pageRefused.err());
            CommandLineTest.Result status = CommandLineTest.run(dir, env, "status");
            assertThat(status.out()).contains("forbidden for Bearer ***");
            written.add(status.out() + status.err());

            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    written.add(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
                }
            }
            for (String text : written) {
                assertThat(text).doesNotContain(SECRET).doesNotContain(token).doesNotContain(urlPassword);
            }
        }
    }

    /** Each token the simulator issued, by its exact value, in nothing that was written. */
    private static void assertNoneOf(List<String> tokens, List<String> written) {
        assertThat(tokens).as("tokens issued").isNotEmpty();
        for (String text : written) {
            for (String token : tokens) {
                assertThat(text.contains(token)).as("an issued token in what was written").isFalse();
            }
        }
    }

    @Test
    void neitherSecretNorTokenInMetricsOrHealth(@TempDir Path dir) throws Exception {
        SimulatorConfig config = SimulatorConfig.defaults().seed(5).workers(15).weeks(2).clientSecret(SECRET);
        int port = ObserveClient.freePort();
        try (SyncHarness h = new SyncHarness(config, dir, java.time.LocalDate.of(2026, 11, 1),
                Map.of("observe.server", "true", "observe.port", Integer.toString(port)))) {
            h.runOnce();
            h.ditio.faults().failNext(401, 2); // a failed run too: its message is in the report and the health data
            org.assertj.core.api.Assertions.assertThatThrownBy(h::runOnce).isInstanceOf(RuntimeException.class);
            ObserveClient web = new ObserveClient(port);
            List<String> written = new ArrayList<>();
            ObserveClient.Response metrics = web.get("/observe/metrics");
            assertThat(metrics.body()).contains("ditio_sync_runs_total{company=\"acme\",feed=\"time\",outcome=\"failed\"} 1.0");
            written.add(metrics.body());
            written.add(web.get("/observe/health?exposureLevel=full&stackTrace=true&data=true").body());
            written.add(web.get("/observe/health/ready?exposureLevel=full&stackTrace=true&data=true").body());
            List<Path> reports = RunReports.list(dir.resolve("data/runs"));
            assertThat(reports).hasSize(2);
            for (Path report : reports) {
                written.add(Files.readString(report));
            }
            assertClean(written);
        }
    }

    private static void assertClean(List<String> written) {
        for (String text : written) {
            assertThat(text).doesNotContain(SECRET);
            Matcher token = TOKEN.matcher(text);
            assertThat(token.find()).as("a token in: %s", token.find(0) ? token.group() : "").isFalse();
        }
    }

    /**
     * Delivery over SFTP with every logger at TRACE, then a run whose SFTP password is wrong: neither
     * the password nor the wrong one is written anywhere, and the failure names the setting to check.
     */
    @Test
    void sftpPasswordIsWrittenNowhere(@TempDir Path dir) throws Exception {
        String password = "Pw7-very-secret-sftp-password-Lq2";
        try (SimulatedDitio ditio = SimulatedDitio.start(SimulatorConfig.defaults().seed(5).workers(15).weeks(2), 0);
             SftpTestServer server = new SftpTestServer(dir.resolve("sftp"), password)) {
            Map<String, String> env = CommandLineTest.envFor(ditio, dir);
            env.put("ROOT_LOG_LEVEL", "TRACE");
            env.put("CAMEL_LOG_LEVEL", "TRACE");
            env.put("LOG_LEVEL", "TRACE");
            env.put("PAYROLL_SFTP_URL", server.url("/in"));
            env.put("PAYROLL_SFTP_USER", SftpTestServer.USER);
            env.put("PAYROLL_SFTP_PASSWORD", password);
            env.put("PAYROLL_SFTP_KNOWN_HOSTS", server.knownHosts().toString());

            List<String> written = new ArrayList<>();
            CommandLineTest.Result sync = CommandLineTest.run(dir, env, "sync", "--once");
            assertThat(sync.exit()).as(sync.err()).isZero();
            assertThat(sync.err()).contains("TRACE", "Delivered visma_cli_", "Delivered sap_cli_");
            assertThat(server.finalsCreated()).hasSize(2);
            written.add(sync.out() + sync.err());

            ditio.data().randomMutations(new Random(1), 10);
            env.put("PAYROLL_SFTP_PASSWORD", password + "-but-wrong");
            CommandLineTest.Result failed = CommandLineTest.run(dir, env, "sync", "--once");
            assertThat(failed.exit()).isEqualTo(1);
            assertThat(failed.out() + failed.err()).contains("login to SFTP server 127.0.0.1:" + server.port()
                    + " as 'payroll' refused: check PAYROLL_SFTP_USER and PAYROLL_SFTP_PASSWORD or PAYROLL_SFTP_PRIVATE_KEY_FILE");
            assertThat(server.finalsCreated()).hasSize(2);
            written.add(failed.out() + failed.err());

            CommandLineTest.Result status = CommandLineTest.run(dir, env, "status");
            written.add(status.out() + status.err());

            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    written.add(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
                }
            }
            for (String text : written) {
                assertThat(text).doesNotContain(password); // the wrong one starts with it
            }
        }
    }
}
