package no.ditiosync.app;

import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.testing.AppProcess;
import no.ditiosync.simulator.SimulatorConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The program as an operator runs it: a separate JVM, settings from the environment, exit codes. */
class CommandLineTest {

    static SimulatedDitio ditio;

    @BeforeAll
    static void startDitio() {
        ditio = SimulatedDitio.start(SimulatorConfig.defaults().seed(3).workers(20).weeks(2), 0);
    }

    @AfterAll
    static void stopDitio() {
        ditio.close();
    }

    record Result(int exit, String out, String err) {
    }

    static Map<String, String> env(Path dir) {
        return envFor(ditio, dir);
    }

    static Map<String, String> envFor(SimulatedDitio ditio, Path dir) {
        Map<String, String> env = new HashMap<>();
        env.put("DITIO_IDENTITY_BASE", ditio.identityBase());
        env.put("DITIO_REPORTING_BASE", ditio.reportingBase());
        env.put("DITIO_CLIENT_ID", ditio.clientId());
        env.put("DITIO_CLIENT_SECRET", ditio.clientSecret());
        env.put("PAYROLL_START_DATE", "2026-11-01");
        env.put("PAYROLL_COMPANY", "cli");
        env.put("PAYROLL_DROP_DIR", dir.resolve("out").toString());
        env.put("PAYROLL_STATE_DB_URL", "jdbc:h2:file:" + dir.resolve("data/state").toAbsolutePath());
        // in the test's folder whatever the state DB a test sets (the default is beside an H2 file, else ./data/runs)
        env.put("SYNC_REPORT_DIR", dir.resolve("data/runs").toString());
        return env;
    }

    static Process start(Path dir, Map<String, String> env, String... args) throws IOException {
        // only what we give it: no DITIO_* from the machine running the tests
        return AppProcess.builder(env, List.of(), false, args)
                .redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile())
                .start();
    }

    static Result run(Path dir, Map<String, String> env, String... args) throws Exception {
        Process p = start(dir, env, args);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("finished in time").isTrue();
        return new Result(p.exitValue(), Files.readString(dir.resolve("stdout.txt"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("stderr.txt"), StandardCharsets.UTF_8));
    }

    /**
     * On a machine whose locale writes other digits (Arabic here), the run's summary, status and every drop
     * still write ASCII digits (the summary and status printed their counts in Arabic-Indic ones, and
     * Tripletex its month).
     */
    @Test
    void aMachineLocaleWithOtherDigitsChangesNoDigitPrintedOrDropped(@TempDir Path dir) throws Exception {
        try (SimulatedDitio ditio = SimulatedDitio.start(SimulatorConfig.defaults().seed(5).workers(6).weeks(3)
                .lastWorkDate(SyncEndToEndTest.LAST), 0)) {
            Map<String, String> env = envFor(ditio, dir);
            env.put("PAYROLL_TARGETS", "visma,sap,tripletex,csv,jdbc");
            env.put("PAYROLL_START_DATE", SyncEndToEndTest.LAST.minusWeeks(3).toString());
            StringBuilder printed = new StringBuilder();
            for (String[] args : List.of(new String[]{"sync", "--once"}, new String[]{"status"})) {
                Process p = AppProcess.builder(env, List.of("-Duser.language=ar", "-Duser.country=EG"), false, args)
                        .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile()).start();
                assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
                String out = Files.readString(dir.resolve("stdout.txt"), StandardCharsets.UTF_8);
                assertThat(p.exitValue()).as(out + Files.readString(dir.resolve("stderr.txt"), StandardCharsets.UTF_8)).isZero();
                printed.append(out).append(Files.readString(dir.resolve("stderr.txt"), StandardCharsets.UTF_8));
            }
            try (var files = Files.walk(dir.resolve("out"))) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    printed.append(Files.readString(f, f.toString().contains("visma") ? java.nio.charset.Charset.forName("windows-1252")
                            : StandardCharsets.UTF_8));
                }
            }
            assertThat(printed.toString()).contains("succeeded", "lines held")
                    .doesNotContainPattern("[\u0660-\u0669\u06F0-\u06F9\u066B\u066C]");
        }
    }

    /**
     * A malformed escape in the working folder's application.properties stops start-up with one line
     * naming the file and the line: Java's and Camel's own message named neither.
     */
    @Test
    void aMalformedEscapeInApplicationPropertiesStopsStartUpNamingTheFileAndLine(@TempDir Path dir) throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        Files.writeString(work.resolve("application.properties"), "# the company's settings\n"
                + "# drops, on Windows: C:\\users\\payroll\\out\n"
                + "payroll.company = acme\npayroll.visma.department = Anlegg \\u00G1\n");
        for (String[] command : List.of(new String[]{"sync", "--once"}, new String[]{"check"})) {
            Process p = AppProcess.builderIn(work, List.of(), envFor(ditio, dir), command)
                    .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile())
                    .start();
            assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
            String printed = (Files.readString(dir.resolve("stdout.txt")) + Files.readString(dir.resolve("stderr.txt"))).strip();
            assertThat(p.exitValue()).as(printed).isEqualTo(2);
            assertThat(printed).as(command[0]).contains("application.properties line 4: a backslash and 'u' must begin "
                    + "four hex digits").doesNotContain("Exception", "\tat ");
        }
    }

    @Test
    void helpListsTheCommands(@TempDir Path dir) throws Exception {
        Result r = run(dir, Map.of(), "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("demo", "sync --once", "run", "simulator", "status");
    }

    @Test
    void withoutCredentialsItRefusesAndNamesWhatIsMissing(@TempDir Path dir) throws Exception {
        Map<String, String> env = env(dir);
        env.remove("DITIO_CLIENT_ID");
        env.remove("DITIO_CLIENT_SECRET");
        Result r = run(dir, env, "sync", "--once");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("Missing settings DITIO_CLIENT_ID (ditio.client-id), DITIO_CLIENT_SECRET "
                + "(ditio.client-secret): set them in the environment (or in application.properties, all but the client "
                + "secret); the built-in simulator is only used by the demo command");
        assertThat(dir.resolve("out")).doesNotExist();
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void syncOnceSucceedsThenStatusShowsTheRun(@TempDir Path dir) throws Exception {
        Result sync = run(dir, env(dir), "sync", "--once");
        assertThat(sync.exit()).as(sync.err()).isZero();
        assertThat(sync.out()).contains("(full pass, company cli) succeeded", "visma", "sap", "jdbc", "files written:");
        try (var files = Files.list(dir.resolve("out/visma"))) {
            assertThat(files.toList()).hasSize(1);
        }

        Map<String, String> statusEnv = Map.of("PAYROLL_STATE_DB_URL", env(dir).get("PAYROLL_STATE_DB_URL"));
        Result status = run(dir, statusEnv, "status");
        assertThat(status.exit()).as(status.err()).isZero();
        assertThat(status.out()).contains("Company cli, feed time", "watermark:", "succeeded", "open quarantine:");
    }

    @Test
    void aFailedSyncExitsNonZeroWithOneLineReason(@TempDir Path dir) throws Exception {
        Map<String, String> env = env(dir);
        env.put("DITIO_CLIENT_SECRET", "wrong-secret");
        Result r = run(dir, env, "sync", "--once");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("Sync failed: Ditio identity rejected the client "
                + "credentials (invalid_client): check DITIO_CLIENT_ID and DITIO_CLIENT_SECRET for this environment");
        assertThat(r.err()).doesNotContain("wrong-secret");
    }

    /**
     * A PostgreSQL URL with its password before the host (as libpq writes it), or one the driver cannot
     * parse: no command shows the password, and the driver's own logging (java.util.logging, past
     * logback) adds no lines of its own.
     */
    @Test
    void aPasswordInAPostgresUrlIsShownNowhere(@TempDir Path dir) throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        // a password may hold / ? # and @ too
        for (String url : List.of("jdbc:postgresql://payroll:Sup3rS3cret@127.0.0.1:" + closedPort + "/payroll",
                "jdbc:postgresql://payroll:Sup3rS3cret/x?y#z@w@127.0.0.1:" + closedPort + "/payroll",
                "jdbc:postgresql://[bad?user=payroll&password=Sup3rS3cret")) {
            Map<String, String> env = env(dir);
            env.put("PAYROLL_STATE_DB_URL", url);
            Result sync = run(dir, env, "sync", "--once");
            assertThat(sync.exit()).as(sync.err()).isEqualTo(2);
            assertThat(sync.err().strip()).as("one line").doesNotContain("\n")
                    .startsWith("Setting PAYROLL_STATE_DB_URL (payroll.state-db-url): ");
            for (String command : List.of("check", "status")) {
                Result r = run(dir, env, command);
                assertThat(r.out() + r.err()).as(command).contains("***").doesNotContain("Sup3rS3cret")
                        .doesNotContain("x?y#z@w").doesNotContain("WARNING:");
            }
            assertThat(sync.out() + sync.err()).doesNotContain("Sup3rS3cret");
        }
    }

    /**
     * Drops opened to their group (PAYROLL_FILE_MODE=0640) go into 0750 folders also under a service's
     * umask of 077, which narrowed a mode given at creation: the folders were 0700, closed to the group.
     */
    @Test
    void groupReadableDropsGetGroupReadableFoldersWhateverTheUmask(@TempDir Path dir) throws Exception {
        Map<String, String> env = env(dir);
        env.put("PAYROLL_FILE_MODE", "0640");
        env.put("PAYROLL_TARGETS", "visma,csv,jdbc");
        ProcessBuilder app = AppProcess.builder(env, List.of(), false, "sync", "--once");
        List<String> command = new java.util.ArrayList<>(List.of("sh", "-c", "umask 077 && exec \"$@\"", "sh"));
        command.addAll(app.command());
        Process p = app.command(command).redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile()).start();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("stderr.txt"))).isZero();
        Path out = dir.resolve("out");
        for (Path folder : List.of(out, out.resolve("visma"), out.resolve("csv"))) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder))).as(folder.toString())
                    .isEqualTo("rwxr-x---");
        }
        try (java.util.stream.Stream<Path> files = Files.list(out.resolve("visma"))) {
            assertThat(files.filter(Files::isRegularFile).toList()).isNotEmpty().allSatisfy(f ->
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-r-----"));
        }
    }

    /**
     * A company's own variable for a company PAYROLL_COMPANIES does not list (here a typo, BYG for
     * bygg, whose shared credentials would then be used) stops start-up naming it; so do two company
     * keys that only case tells apart, which would read one set of variables.
     */
    @Test
    void aVariableOfACompanyNotListedAndKeysAlikeButForCaseStopStartUp(@TempDir Path dir) throws Exception {
        Map<String, String> env = env(dir);
        env.remove("PAYROLL_COMPANY");
        env.put("PAYROLL_COMPANIES", "acme,bygg");
        env.put("COMPANY_BYG_DITIO_CLIENT_ID", "bygg-client");
        Result r = run(dir, env, "sync", "--once");
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("Setting COMPANY_BYG_DITIO_CLIENT_ID: names company BYG, which "
                + "PAYROLL_COMPANIES (acme, bygg) does not list; its value would be ignored");
        assertThat(run(dir, env, "check").out()).contains("FAIL  settings: Setting COMPANY_BYG_DITIO_CLIENT_ID: names company BYG");
        env.remove("COMPANY_BYG_DITIO_CLIENT_ID");
        env.put("COMPANY_BYG_PAYROLL_TARGET_HOURS_FORMAT", "com.example.payroll.HoursFormat");
        assertThat(run(dir, env, "sync", "--once").err().strip()).isEqualTo("Setting COMPANY_BYG_PAYROLL_TARGET_HOURS_FORMAT: "
                + "names company BYG, which PAYROLL_COMPANIES (acme, bygg) does not list; its value would be ignored");
        env.remove("COMPANY_BYG_PAYROLL_TARGET_HOURS_FORMAT");
        env.put("COMPANY_BYGG_PAYROLL_STATE_DB_URL", "jdbc:h2:" + dir.resolve("bygg-state"));
        assertThat(run(dir, env, "sync", "--once").err().strip()).isEqualTo("Setting company.bygg.payroll.state-db-url: "
                + "PAYROLL_STATE_DB_URL (payroll.state-db-url) is shared by every company and cannot be set for one; its value would be ignored");
        env.remove("COMPANY_BYGG_PAYROLL_STATE_DB_URL");
        env.put("COMPANY_BYG_DITIO_CLIENT_ID", "bygg-client");
        env.remove("PAYROLL_COMPANIES");
        env.put("PAYROLL_COMPANY", "acme");
        assertThat(run(dir, env, "sync", "--once").err().strip()).isEqualTo("Setting COMPANY_BYG_DITIO_CLIENT_ID: names "
                + "company BYG, which is not one of PAYROLL_COMPANIES (not set: one company); its value would be ignored");

        env.remove("COMPANY_BYG_DITIO_CLIENT_ID");
        env.remove("PAYROLL_COMPANY");
        env.put("PAYROLL_COMPANIES", "acme,Acme");
        Result alike = run(dir, env, "sync", "--once");
        assertThat(alike.exit()).isEqualTo(2);
        assertThat(alike.err().strip()).isEqualTo("Setting PAYROLL_COMPANIES (payroll.companies): 'acme,Acme' lists "
                + "company keys that differ only in case; their environment variables (COMPANY_<KEY>_…) "
                + "would be one");
    }

    /** A company with a client secret of its own that Ditio rejects: the message names that company's variable. */
    @Test
    void aRejectedSecretOfOneCompanyIsNamedAsThatCompanysSetting(@TempDir Path dir) throws Exception {
        Map<String, String> env = env(dir);
        env.remove("PAYROLL_COMPANY");
        env.put("PAYROLL_COMPANIES", "acme,bygg");
        env.put("COMPANY_BYGG_DITIO_CLIENT_SECRET", "wrong-secret");
        Result r = run(dir, env, "sync", "--once");
        assertThat(r.exit()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("Ditio identity rejected the client credentials (invalid_client): check "
                + "DITIO_CLIENT_ID and COMPANY_BYGG_DITIO_CLIENT_SECRET for this environment");
        assertThat(r.out() + r.err()).doesNotContain("wrong-secret");
    }

    /** A reconcile from before a company's own start date names that company's variable, not the shared one. */
    @Test
    void aReconcileFromBeforeACompanysOwnStartDateNamesItsVariable(@TempDir Path dir) throws Exception {
        Map<String, String> env = env(dir);
        env.remove("PAYROLL_COMPANY");
        env.put("PAYROLL_COMPANIES", "acme,bygg");
        env.put("COMPANY_BYGG_PAYROLL_START_DATE", "2026-11-09");
        Result r = run(dir, env, "reconcile", "--company", "bygg", "--from", "2026-11-05");
        assertThat(r.exit()).as(r.err()).isEqualTo(64);
        assertThat(r.err()).contains("reconcile --from 2026-11-05 is before COMPANY_BYGG_PAYROLL_START_DATE 2026-11-09 of "
                + "company bygg");
        Result shared = run(dir, env, "reconcile", "--company", "acme", "--from", "2026-10-31");
        assertThat(shared.exit()).as(shared.err()).isEqualTo(64);
        assertThat(shared.err()).contains("reconcile --from 2026-10-31 is before PAYROLL_START_DATE 2026-11-01 of company acme");
    }

    /**
     * One company (PAYROLL_COMPANY): a COMPANY_<KEY>_… setting is not read by its runs, so a run refuses to
     * start with one (the closed period it sets would be ignored), and status does not show it as the
     * closed period either.
     */
    @Test
    void statusOfOneCompanyReadsNoCompanyOwnSetting(@TempDir Path dir) throws Exception {
        Map<String, String> env = env(dir);
        assertThat(run(dir, env, "sync", "--once").exit()).isZero();
        env.put("COMPANY_CLI_PAYROLL_CLOSED_THROUGH", "2026-11-05");
        Result sync = run(dir, env, "sync", "--once");
        assertThat(sync.exit()).as(sync.err()).isEqualTo(2);
        assertThat(sync.err().strip()).isEqualTo("Setting COMPANY_CLI_PAYROLL_CLOSED_THROUGH: names company CLI, which is "
                + "not one of PAYROLL_COMPANIES (not set: one company); its value would be ignored");
        Result status = run(dir, env, "status");
        assertThat(status.exit()).as(status.err()).isZero();
        assertThat(status.out()).contains("Company cli, feed time").doesNotContain("closed:", "COMPANY_CLI_PAYROLL_CLOSED_THROUGH");
        env.put("PAYROLL_CLOSED_THROUGH", "2026-11-04");
        assertThat(run(dir, env, "status").out()).contains("  closed:     through 2026-11-04 (setting PAYROLL_CLOSED_THROUGH)");
    }

    /**
     * A state DB a later version has brought to a layout this one does not know: every command that would
     * write it stops with one line saying which version to run, and changes nothing (an older version on
     * one node of several would deliver lines twice or lose corrections).
     */
    @Test
    void aStateDbOfANewerLayoutIsRefusedAndLeftAsItIs(@TempDir Path dir) throws Exception {
        Map<String, String> env = env(dir);
        Result first = run(dir, env, "sync", "--once");
        assertThat(first.exit()).as(first.err()).isZero();
        no.ditiosync.testing.TestDatabase db = no.ditiosync.testing.TestDatabase.h2(dir.resolve("data/state"));
        try (java.sql.Connection c = db.connect(); java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT layout, written_by FROM state_db_layout")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(no.ditiosync.state.StateDbLayout.LAYOUT);
            assertThat(rs.getString(2)).startsWith("ditio-payroll-sync ").contains("(git commit ");
            assertThat(rs.next()).isFalse();
            s.executeUpdate("UPDATE state_db_layout SET layout = layout + 1, written_by = 'ditio-payroll-sync 9.9.9 (git commit abc)'");
        }
        String ledger = ledgerRows(db);
        for (String[] command : List.of(new String[]{"sync", "--once"}, new String[]{"preview"}, new String[]{"reconcile"},
                new String[]{"close-period", "--through", "2026-11-02"})) {
            Result refused = run(dir, env, command);
            assertThat(refused.exit()).as(String.join(" ", command) + ": " + refused.err()).isEqualTo(2);
            assertThat(refused.err().strip()).as(String.join(" ", command)).doesNotContain("\n").startsWith("The state DB "
                    + "was brought to a newer layout (" + (no.ditiosync.state.StateDbLayout.LAYOUT + 1) + ") by ditio-payroll-sync "
                    + "9.9.9 (git commit abc) at ").contains("; this is ditio-payroll-sync ", "which would misread it and could "
                    + "deliver lines twice or lose corrections. Run that version or a later one, on every machine that shares "
                    + "this state DB");
        }
        assertThat(ledgerRows(db)).as("the ledger, runs and closings as they were").isEqualTo(ledger);
        Result check = run(dir, env, "check");
        assertThat(check.exit()).isNotZero();
        assertThat(check.out()).contains("FAIL  state DB jdbc:h2:file:").contains(": The state DB was brought to a newer layout");
        // status reads what it can, and says it may not be all
        Result status = run(dir, env, "status");
        assertThat(status.exit()).as(status.err()).isZero();
        assertThat(status.out()).contains("\nNOTE: the state DB was brought to a newer layout ("
                + (no.ditiosync.state.StateDbLayout.LAYOUT + 1) + ") by ditio-payroll-sync 9.9.9 (git commit abc) at ")
                .contains(": what follows is what this version can read of it; the status command of that version shows it all\n");
        Result quarantine = run(dir, env, "status", "--quarantine");
        assertThat(quarantine.exit()).as(quarantine.err()).isZero();
        assertThat(quarantine.out()).contains("\nNOTE: the state DB was brought to a newer layout (");
    }

    private static String ledgerRows(no.ditiosync.testing.TestDatabase db) throws Exception {
        StringBuilder rows = new StringBuilder();
        try (java.sql.Connection c = db.connect(); java.sql.Statement s = c.createStatement()) {
            for (String table : List.of("ledger_line", "sync_run", "closed_period", "sync_watermark", "drop_outbox")) {
                try (java.sql.ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        rows.append(table);
                        for (int i = 1; i <= columns; i++) {
                            rows.append('|').append(rs.getString(i));
                        }
                        rows.append('\n');
                    }
                }
            }
        }
        return rows.toString();
    }

    @Test
    void badSettingStopsStartUpNamingTheKey(@TempDir Path dir) throws Exception {
        Map<String, String> env = env(dir);
        env.put("SYNC_CRON", "every now and then");
        Result r = run(dir, env, "run");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("Setting SYNC_CRON (sync.cron): 'every now and then' is not a Quartz cron "
                + "expression (seconds minutes hours day month weekday)");
    }

    /**
     * The retry bounds are bound to a bean of the YAML routes, which Camel makes before the settings are read:
     * a bad one stops start-up with the setting's line too, not with Camel's "Error pre-parsing resource".
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "DITIO_RETRY_MAX_ATTEMPTS|abc|Setting DITIO_RETRY_MAX_ATTEMPTS (ditio.retry.max-attempts): 'abc' is not a whole number",
            "DITIO_RETRY_MAX_ATTEMPTS|0|Setting DITIO_RETRY_MAX_ATTEMPTS (ditio.retry.max-attempts): '0' is outside 1-100",
            "DITIO_RETRY_MAX_PER_RUN|-1|Setting DITIO_RETRY_MAX_PER_RUN (ditio.retry.max-per-run): '-1' is outside 0-100000",
    })
    void aBadRetryBoundStopsStartUpNamingTheKey(String key, String value, String message, @TempDir Path dir) throws Exception {
        Map<String, String> env = env(dir);
        env.put(key, value);
        Result r = run(dir, env, "sync", "--once");
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo(message);
    }

    /**
     * H2 lets one process at a time open its file: a sync, preview or reconcile started while another
     * process holds the state DB (here the test itself, as a run in progress would) is busy, exit 3 as
     * README promises, not a wrong setting (2); once it is free the sync runs.
     */
    @Test
    void whileAnotherProcessHoldsTheH2StateDbCommandsAreBusy(@TempDir Path dir) throws Exception {
        Map<String, String> env = env(dir);
        try (java.sql.Connection held = java.sql.DriverManager.getConnection(env.get("PAYROLL_STATE_DB_URL"), "sa", "")) {
            for (String[] command : new String[][]{{"sync", "--once"}, {"preview"}, {"reconcile"}, {"status"}}) {
                Result r = run(dir, env, command);
                assertThat(r.exit()).as(String.join(" ", command) + ": " + r.err()).isEqualTo(3);
                assertThat(r.err()).as(String.join(" ", command)).contains(
                        "The state DB " + env.get("PAYROLL_STATE_DB_URL") + " is in use by another process",
                        "try again once it has finished").doesNotContain("Setting ");
            }
        }
        Result free = run(dir, env, "sync", "--once");
        assertThat(free.exit()).as(free.err()).isZero();
    }

    @Test
    void statusOfAStateDbUrlOfAnotherKindNamesTheKey(@TempDir Path dir) throws Exception {
        Result r = run(dir, Map.of("PAYROLL_STATE_DB_URL", "jdbc:mysql://db/payroll"), "status");
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("Setting PAYROLL_STATE_DB_URL (payroll.state-db-url): 'jdbc:mysql://db/payroll' "
                + "is not an H2 (jdbc:h2:) or PostgreSQL (jdbc:postgresql:) JDBC URL");
    }

    /** A host name that starts like a loopback address is any host: the credentials would go out in plain text. */
    @Test
    void plainHttpToAHostNameThatLooksLikeLoopbackStopsStartUpNamingTheKey(@TempDir Path dir) throws Exception {
        Map<String, String> env = env(dir);
        env.put("DITIO_IDENTITY_BASE", "http://127.evil.test:" + ditio.identityBase().replaceAll(".*:", ""));
        Result r = run(dir, env, "sync", "--once");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("Setting DITIO_IDENTITY_BASE (ditio.identity-base): '"
                + env.get("DITIO_IDENTITY_BASE") + "' is plain http to a host that is not a loopback address "
                + "(127.0.0.0/8, [::1]) or localhost; use https, or set DITIO_ALLOW_INSECURE_HTTP "
                + "(ditio.allow-insecure-http)=true if you really mean it");
        assertThat(r.err()).doesNotContain(ditio.clientSecret());
        assertThat(dir.resolve("out")).doesNotExist();
        assertThat(dir.resolve("data")).doesNotExist();
    }

    /**
     * status --quarantine shows a value from Ditio as sent, but escaped: a terminal never gets its escape
     * sequences (a worker's number written with ESC [ 2 J would clear the operator's screen).
     */
    @Test
    void statusShowsControlCharactersFromDitioEscaped(@TempDir Path dir) throws Exception {
        String id = no.ditiosync.testing.PayrollTruth.payrollReady(ditio.data(), java.time.LocalDate.parse("2026-11-01"))
                .get(0).id();
        ditio.faults().corruptRecord(id, "userEmployeeNumber", "\"A\\u001b[2J\\u0007\"");
        try {
            Map<String, String> env = env(dir);
            Result sync = run(dir, env, "sync", "--once");
            assertThat(sync.exit()).as(sync.err()).isZero();
            Result status = run(dir, env, "status", "--quarantine");
            assertThat(status.exit()).as(status.err()).isZero();
            assertThat(status.out()).doesNotContain("\u001b").doesNotContain("\u0007")
                    .contains(" A\\u001b[2J\\u0007 ", "employee number 'A\\u001b[2J\\u0007' ");
        } finally {
            ditio.faults().clear();
        }
    }

    @Test
    void runSyncsOnTheQuartzSchedule(@TempDir Path dir) throws Exception {
        Map<String, String> env = env(dir);
        env.put("SYNC_CRON", "0/2 * * * * ?");
        env.put("TZ", "Pacific/Auckland"); // the log's times are UTC whatever the machine's zone
        Process service = start(dir, env, "run");
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.isDirectory(dir.resolve("out/visma"))
                    && Files.list(dir.resolve("out/visma")).findAny().isPresent());
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(dir.resolve("stderr.txt"))
                    .split("incremental pass", -1).length > 2);
            assertThat(service.isAlive()).isTrue();
        } finally {
            String threads = no.ditiosync.testing.AppProcess.stopOrDumpThreads(service, Duration.ofSeconds(30));
            assertThat(threads).as("the service exits on SIGTERM; its threads:%n%s", threads).isNull();
        }
        // the operator sees the signal arrive and the stop end
        assertThat(Files.readString(dir.resolve("stderr.txt")))
                .contains("Stopping: no new scheduled runs; runs in progress are let finish").contains("INFO  [SyncApplication] Stopped");
        // each line says when, date and time in UTC, as status and the run reports do
        java.util.regex.Matcher stopped = java.util.regex.Pattern.compile(
                "(?m)^(\\d{4}-\\d{2}-\\d{2}) (\\d{2}:\\d{2}:\\d{2}\\.\\d{3})Z INFO  \\[SyncApplication] Stopped")
                .matcher(Files.readString(dir.resolve("stderr.txt")));
        assertThat(stopped.find()).as("the Stopped line with its time").isTrue();
        assertThat(java.time.LocalDateTime.parse(stopped.group(1) + "T" + stopped.group(2)).toInstant(java.time.ZoneOffset.UTC))
                .isBetween(java.time.Instant.now().minusSeconds(300), java.time.Instant.now());
        try (var files = Files.list(dir.resolve("out/visma"))) {
            assertThat(files.toList()).as("later runs found nothing new").hasSize(1);
        }
    }
}
