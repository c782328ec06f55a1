package no.ditiosync.app;

import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.testing.TestSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.time.LocalDate;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code check} through the command line, as an operator types it before the first run: one line per
 * check, OK or what to fix, exit 0 only when all pass; it delivers nothing and moves no watermark.
 */
class CheckCommandTest {

    static SimulatedDitio ditio;

    @BeforeAll
    static void startDitio() {
        ditio = SimulatedDitio.start(SimulatorConfig.defaults().seed(11).workers(10).weeks(1), 0);
    }

    @AfterAll
    static void stopDitio() {
        ditio.close();
    }

    @Test
    void againstTheSimulatorEveryCheckPassesAndNothingIsDeliveredNorRecorded(@TempDir Path dir) throws Exception {
        Map<String, String> env = CommandLineTest.envFor(ditio, dir);
        env.put("PAYROLL_ABSENCES", "true");
        // a JDBC target of its own, an H2 file not made yet (a fresh install)
        env.put("PAYROLL_TARGETS", "visma,sap,jdbc");
        env.put("PAYROLL_JDBC_URL", "jdbc:h2:file:" + dir.resolve("erp/payroll").toAbsolutePath());
        CommandLineTest.Result r = CommandLineTest.run(dir, env, "check");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        String token = ditio.identityBase() + "/connect/token";
        String reporting = ditio.reportingBase();
        assertThat(lines.subList(0, lines.size() - 1)).allSatisfy(l -> assertThat(l).startsWith("OK    "));
        assertThat(lines).contains(
                "OK    settings: 1 company (cli), read from application.properties and the environment",
                "OK    company cli, Ditio token from " + token + ": granted (scope reportingapiv1)",
                "OK    company cli, Ditio " + reporting + "/v1/user: answered with a record",
                "OK    company cli, Ditio " + reporting + "/v1/project: answered with a record",
                "OK    company cli, Ditio " + reporting + "/v1/time-registrations: answered with a record",
                "OK    company cli, Ditio " + reporting + "/v1/absence-registrations: answered with a record");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("OK    state DB jdbc:h2:file:"
                + dir.resolve("data/state").toAbsolutePath() + ": none yet; the first run makes it"));
        assertThat(lines).contains("OK    JDBC target jdbc:h2:file:" + dir.resolve("erp/payroll").toAbsolutePath()
                + ": none yet; the first delivery makes it (its folder " + dir.resolve("erp").toAbsolutePath() + " can be written)");
        assertThat(lines).contains("OK    company cli, visma drops in " + dir.resolve("out/visma") + ": not there yet; the first drop makes it");
        assertThat(lines).as("the room where a run writes, on this machine's disks").anySatisfy(l -> assertThat(l)
                .matches("OK    room for the state DB in " + Pattern.quote(dir.resolve("data").toAbsolutePath().toString())
                        + ": [0-9,]+ MB free"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("OK    room for drops in "
                + Pattern.quote(dir.resolve("out").toAbsolutePath().toString()) + ": [0-9,]+ MB free"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("OK    room for a run's scratch files (java.io.tmpdir) in "));
        assertThat(lines.get(lines.size() - 1)).isEqualTo("All " + (lines.size() - 1) + " checks passed.");

        assertThat(dir.resolve("data/state.mv.db")).as("no state DB made, no watermark").doesNotExist();
        // it only looks: no drop folder, no JDBC target made
        assertThat(dir.resolve("out")).doesNotExist();
        assertThat(dir.resolve("erp")).doesNotExist();
    }

    /**
     * A full disk cannot be made here without the right to mount one: the check is given the free
     * space of a disk that has 5 MB left under the test's folder (the state DB's and the drops').
     */
    @Test
    void tooLittleRoomWhereARunWritesFailsTheCheckAndSaysWhere(@TempDir Path dir) throws Exception {
        Map<String, String> settings = TestSettings.simulator(ditio, "cli", LocalDate.now().minusWeeks(1), dir);
        settings.put("payroll.state-db-url", "jdbc:h2:file:" + dir.resolve("data/state").toAbsolutePath());
        Files.createDirectories(dir.resolve("data"));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int exit;
        settings.forEach(System::setProperty);
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            exit = new CheckCommand(out, folder -> folder.startsWith(dir) ? 5L << 20 : 1L << 40).checkAll();
        } finally {
            settings.keySet().forEach(System::clearProperty);
        }
        List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();

        assertThat(exit).as(String.join("\n", lines)).isEqualTo(1);
        String tooLittle = ": 5 MB free, under the 64 MB a run may need; make room there: until then a run that meets the full disk fails";
        assertThat(lines).filteredOn(l -> l.startsWith("FAIL")).containsExactly(
                "FAIL  room for the state DB in " + dir.resolve("data").toAbsolutePath() + tooLittle,
                "FAIL  room for drops in " + dir.resolve("out").toAbsolutePath() + tooLittle);
        assertThat(lines).contains("OK    room for a run's scratch files (java.io.tmpdir) in "
                + Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath() + ": 1,048,576 MB free");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("2 of " + (lines.size() - 1) + " checks failed.");
    }

    @Test
    void afterASyncTheCheckLeavesTheWatermarkWhereItWas(@TempDir Path dir) throws Exception {
        Map<String, String> env = CommandLineTest.envFor(ditio, dir);
        CommandLineTest.Result sync = CommandLineTest.run(dir, env, "sync", "--once");
        assertThat(sync.exit()).as(sync.err()).isZero();
        String before = CommandLineTest.run(dir, env, "status").out();

        CommandLineTest.Result check = CommandLineTest.run(dir, env, "check");
        assertThat(check.exit()).as(check.out() + check.err()).isZero();
        assertThat(check.out()).contains("OK    state DB jdbc:h2:file:" + dir.resolve("data/state").toAbsolutePath()
                + ": reached, its tables are all there");

        assertThat(CommandLineTest.run(dir, env, "status").out()).as("watermarks, runs and ledger unchanged")
                .isEqualTo(before);
    }

    /** One line per mapping file, naming the targets of every company that uses it: each was checked against them. */
    @Test
    void theWageTypeMappingLineNamesTheTargetsOfEveryCompany(@TempDir Path dir) throws Exception {
        Map<String, String> env = CommandLineTest.envFor(ditio, dir);
        env.remove("PAYROLL_COMPANY");
        env.put("PAYROLL_COMPANIES", "acme,bygg");
        env.put("PAYROLL_TARGETS", "visma,sap,jdbc");
        env.put("COMPANY_BYGG_PAYROLL_TARGETS", "tripletex,jdbc");
        CommandLineTest.Result r = CommandLineTest.run(dir, env, "check");
        assertThat(r.out()).as(r.err()).containsPattern("\nOK    wage-type mapping \\S+: [0-9]+ wage type\\(s\\), each fit for "
                + "the targets visma, sap, jdbc, tripletex\n");
    }

    /** A start date ahead of today is allowed (set up before going live), and said: a typo of the year reads nothing. */
    @Test
    void aStartDateAfterTodayIsSaid(@TempDir Path dir) throws Exception {
        Map<String, String> env = CommandLineTest.envFor(ditio, dir);
        java.time.LocalDate ahead = java.time.LocalDate.now(java.time.ZoneId.of("Europe/Oslo")).plusYears(1);
        env.put("PAYROLL_START_DATE", ahead.toString());
        CommandLineTest.Result r = CommandLineTest.run(dir, env, "check");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneId.of("Europe/Oslo"));
        assertThat(r.out().lines()).contains("WARN  settings: company cli: PAYROLL_START_DATE " + ahead + " is after today ("
                + today + "): runs deliver nothing until then");
    }

    @Test
    void aWrongSecretIsOneFailedLineThatNamesTheSettingsToFix(@TempDir Path dir) throws Exception {
        Map<String, String> env = CommandLineTest.envFor(ditio, dir);
        env.put("DITIO_CLIENT_SECRET", "not-the-secret");
        CommandLineTest.Result r = CommandLineTest.run(dir, env, "check");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("\nFAIL  company cli, Ditio token from " + ditio.identityBase() + "/connect/token: "
                + "Ditio identity rejected the client credentials (invalid_client): check DITIO_CLIENT_ID and "
                + "DITIO_CLIENT_SECRET for this environment\n");
        assertThat(r.out()).doesNotContain("not-the-secret").endsWith(" checks failed.\n");
        assertThat(r.out().lines().filter(l -> l.startsWith("FAIL"))).hasSize(1);
    }

    @Test
    void aWrongReportingBaseNamesTheUrlAndItsSetting(@TempDir Path dir) throws Exception {
        Map<String, String> env = CommandLineTest.envFor(ditio, dir);
        int closed = no.ditiosync.testing.AppProcess.freePort();
        env.put("DITIO_REPORTING_BASE", "http://127.0.0.1:" + closed + "/reporting");
        CommandLineTest.Result r = CommandLineTest.run(dir, env, "check");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("\nFAIL  company cli, Ditio http://127.0.0.1:" + closed + "/reporting/v1/user: "
                + "Ditio at http://127.0.0.1:" + closed + "/reporting/v1/user (DITIO_REPORTING_BASE) refused the connection\n");
    }

    @Test
    void theSftpServerIsLoggedIntoWithItsHostKeyCheckedAndGetsNoFile(@TempDir Path dir) throws Exception {
        try (no.ditiosync.testing.SftpTestServer server = new no.ditiosync.testing.SftpTestServer(dir.resolve("sftp"), "pw-31")) {
            Map<String, String> env = CommandLineTest.envFor(ditio, dir);
            env.put("PAYROLL_SFTP_URL", server.url("/payroll"));
            env.put("PAYROLL_SFTP_USER", no.ditiosync.testing.SftpTestServer.USER);
            env.put("PAYROLL_SFTP_PASSWORD", "pw-31");
            env.put("PAYROLL_SFTP_KNOWN_HOSTS", server.knownHosts().toString());
            CommandLineTest.Result known = CommandLineTest.run(dir, env, "check");
            assertThat(known.exit()).as(known.out() + known.err()).isZero();
            assertThat(known.out()).contains("OK    company cli, SFTP server 127.0.0.1:" + server.port() + ": logged in as '"
                    + no.ditiosync.testing.SftpTestServer.USER + "', host key known; folder /payroll is not there yet "
                    + "(made at the first delivery)\n");

            Path unknownHosts = Files.writeString(dir.resolve("known_hosts_empty"), "");
            env.put("PAYROLL_SFTP_KNOWN_HOSTS", unknownHosts.toString());
            CommandLineTest.Result unknown = CommandLineTest.run(dir, env, "check");
            assertThat(unknown.exit()).isEqualTo(1);
            assertThat(unknown.out()).contains("FAIL  company cli, SFTP server 127.0.0.1:" + server.port() + ": ")
                    .contains("is not trusted: its host key is not in the known_hosts file " + unknownHosts
                            + " (PAYROLL_SFTP_KNOWN_HOSTS)")
                    .doesNotContain("pw-31");
            assertThat(server.files("")).as("nothing uploaded").isEmpty();
        }
    }

    @Test
    void aBadSettingIsNamedAndNothingElseIsChecked(@TempDir Path dir) throws Exception {
        Map<String, String> env = CommandLineTest.envFor(ditio, dir);
        env.put("PAYROLL_START_DATE", "last monday");
        CommandLineTest.Result r = CommandLineTest.run(dir, env, "check");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).startsWith("FAIL  settings: Setting PAYROLL_START_DATE (payroll.start-date): ")
                .endsWith("\nFix the setting and check again; nothing else was checked.\n");
    }
}
