package no.ditiosync.app;

import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.testing.AppProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a new user meets first, through the command line as they type it (a separate JVM, settings
 * from the environment): the demo's own folders, which state DB status reads, messages in plain
 * words that name what to change, the simulator's ready-to-paste settings, help for every command,
 * and a progress line that log lines do not write over.
 */
class NewUserTest {

    static SimulatedDitio ditio;

    @BeforeAll
    static void startDitio() {
        ditio = SimulatedDitio.start(SimulatorConfig.defaults().seed(5).workers(20).weeks(2), 0);
    }

    @AfterAll
    static void stopDitio() {
        ditio.close();
    }

    /** The application started in {@code workDir} (not the project folder), its output in {@code dir}. */
    static CommandLineTest.Result runIn(Path workDir, Path dir, Map<String, String> env, String... args) throws Exception {
        Process p = AppProcess.builder(env, List.of(), false, args).directory(workDir.toFile())
                .redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile())
                .start();
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("finished in time").isTrue();
        return new CommandLineTest.Result(p.exitValue(), Files.readString(dir.resolve("stdout.txt")),
                Files.readString(dir.resolve("stderr.txt")));
    }

    /**
     * Also in a shell set up for a real deployment: its SFTP server (here a port nothing listens on), its
     * companies and targets do not reach the demo's generated lines.
     */
    @Test
    void theDemoKeepsToItsOwnFoldersAndPrintsTheCommandThatShowsItsStatus(@TempDir Path dir) throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        Map<String, String> deployment = Map.of("PAYROLL_SFTP_URL", "sftp://127.0.0.1:" + AppProcess.freePort() + "/payroll",
                "PAYROLL_SFTP_USER", "payroll", "PAYROLL_SFTP_PASSWORD", "secret", "PAYROLL_COMPANIES", "acme,bygg",
                "PAYROLL_TARGETS", "jdbc", "COMPANY_BYG_DITIO_CLIENT_ID", "bygg-client");
        CommandLineTest.Result demo = runIn(work, dir, deployment, "demo");
        assertThat(demo.exit()).as(demo.err()).isZero();
        assertThat(demo.out()).contains(" (full pass, company demo) succeeded");
        String notRead = demo.out().lines().filter(l -> l.contains("the environment's")).findFirst().orElseThrow();
        assertThat(notRead).contains("COMPANY_BYG_DITIO_CLIENT_ID", "PAYROLL_SFTP_URL", "PAYROLL_TARGETS")
                .endsWith(" are not read: the demo has settings of its own");
        assertThat(work.resolve("out")).as("the production drop folder").doesNotExist();
        assertThat(work.resolve("data")).as("the production state DB folder").doesNotExist();
        try (var files = Files.list(work.resolve("demo-out/visma"))) {
            assertThat(files.map(f -> f.getFileName().toString()).toList()).hasSize(2)
                    .allSatisfy(name -> assertThat(name).startsWith("visma_demo_"));
        }
        assertThat(work.resolve("demo-data/demo.mv.db")).exists();
        assertThat(demo.out()).contains("drops go to ./demo-out, the state DB and run reports to ./demo-data");
        String statusLine = demo.out().lines().filter(l -> l.startsWith("The demo's status:")).findFirst().orElseThrow();
        assertThat(statusLine).isEqualTo("The demo's status:  PAYROLL_STATE_DB_URL=jdbc:h2:file:./demo-data/demo "
                + "java -jar target/ditio-payroll-sync.jar status");

        // the command it printed, as a shell would run it: the variable, then the command
        Map<String, String> printed = Map.of("PAYROLL_STATE_DB_URL", "jdbc:h2:file:./demo-data/demo");
        CommandLineTest.Result status = runIn(work, dir, printed, "status");
        assertThat(status.exit()).as(status.err()).isZero();
        assertThat(status.out()).startsWith("State DB: jdbc:h2:file:./demo-data/demo  (set by PAYROLL_STATE_DB_URL)\n")
                .contains("Company demo, feed time", "incremental", "Run reports in " + work.resolve("demo-data/runs") + " (newest 2 of 2)");

        // and plain status says which state DB it reads: not the demo's
        CommandLineTest.Result plain = runIn(work, dir, Map.of(), "status");
        assertThat(plain.exit()).as(plain.err()).isZero();
        assertThat(plain.out()).isEqualTo("State DB: jdbc:h2:file:./data/ditio-payroll-sync  (PAYROLL_STATE_DB_URL not set: "
                + "from application.properties)\n"
                + "No state DB at jdbc:h2:file:./data/ditio-payroll-sync yet: no sync has run.\n");
    }

    @Test
    void aRefusedConnectionNamesTheUrlAndItsSettingFirstAndTheRetrySettingLast(@TempDir Path dir) throws Exception {
        int closed = AppProcess.freePort();
        Map<String, String> env = CommandLineTest.envFor(ditio, dir);
        env.put("DITIO_IDENTITY_BASE", "http://127.0.0.1:" + closed);
        env.put("DITIO_RETRY_MAX_ATTEMPTS", "2");
        env.put("DITIO_RETRY_INITIAL_DELAY", "10ms");
        CommandLineTest.Result r = CommandLineTest.run(dir, env, "sync", "--once");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("\nSync failed: Ditio at http://127.0.0.1:" + closed + "/connect/token "
                + "(DITIO_IDENTITY_BASE) refused the connection on the token request, 2 times in a row: giving up after "
                + "2 attempts (DITIO_RETRY_MAX_ATTEMPTS)\n");
    }

    @Test
    void aFileInTheWayOfTheDropFolderIsSaidInPlainWords(@TempDir Path dir) throws Exception {
        Path inTheWay = Files.writeString(dir.resolve("drops"), "not a folder");
        Map<String, String> env = CommandLineTest.envFor(ditio, dir);
        env.put("PAYROLL_DROP_DIR", inTheWay.toString());
        CommandLineTest.Result r = CommandLineTest.run(dir, env, "sync", "--once");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("Setting PAYROLL_DROP_DIR (payroll.drop-dir): cannot create folder '"
                + inTheWay + "' (a file of that name is in the way: " + inTheWay + ")");
    }

    /** sync, preview and reconcile alike: a --company that names no company is a bad setting, nothing is read. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"sync --once", "preview", "reconcile"})
    void aCompanyThatIsNotConfiguredIsAWrongOptionThatListsTheCompanies(String command, @TempDir Path dir) throws Exception {
        Map<String, String> env = CommandLineTest.envFor(ditio, dir);
        env.put("PAYROLL_COMPANIES", "acme,bygg");
        env.remove("PAYROLL_COMPANY"); // read only without PAYROLL_COMPANIES
        List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.addAll(List.of("--company", "nope"));
        CommandLineTest.Result r = CommandLineTest.run(dir, env, args.toArray(String[]::new));
        assertThat(r.exit()).as("a wrong option, as for every command").isEqualTo(64);
        assertThat(r.err().strip()).isEqualTo("Setting --company: 'nope' is not a configured company; configured: acme, "
                + "bygg (PAYROLL_COMPANIES)");
        try (var files = Files.walk(dir.resolve("out"))) {
            assertThat(files.filter(Files::isRegularFile)).as("nothing fetched, nothing delivered").isEmpty();
        }
    }

    /** sync takes --once and --company KEY in either order; either without the other's part is a wrong option. */
    @Test
    void syncTakesItsOptionsInEitherOrder(@TempDir Path dir) throws Exception {
        Map<String, String> env = CommandLineTest.envFor(ditio, dir);
        env.put("PAYROLL_COMPANIES", "acme,bygg");
        env.remove("PAYROLL_COMPANY"); // read only without PAYROLL_COMPANIES
        CommandLineTest.Result r = CommandLineTest.run(dir, env, "sync", "--company", "nope", "--once");
        assertThat(r.exit()).as(r.err()).isEqualTo(64);
        assertThat(r.err().strip()).isEqualTo("Setting --company: 'nope' is not a configured company; configured: acme, "
                + "bygg (PAYROLL_COMPANIES)");
        for (List<String> wrong : List.of(List.of("sync", "--company", "acme"), List.of("sync", "--once", "--company"),
                List.of("sync", "--once", "--once"))) {
            CommandLineTest.Result w = CommandLineTest.run(dir, env, wrong.toArray(String[]::new));
            assertThat(w.exit()).as(wrong + ": " + w.err()).isEqualTo(64);
        }
    }

    @Test
    void aMissingStartDateSaysWhereItMayBeSet(@TempDir Path dir) throws Exception {
        Map<String, String> env = CommandLineTest.envFor(ditio, dir);
        env.remove("PAYROLL_START_DATE");
        CommandLineTest.Result r = CommandLineTest.run(dir, env, "sync", "--once");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("Missing setting PAYROLL_START_DATE (payroll.start-date): set it in the "
                + "environment, or in application.properties; the built-in simulator is only used by the demo command");
    }

    @Test
    void theSimulatorPrintsSettingsThatPasteIntoAShellAndSync(@TempDir Path dir) throws Exception {
        Process simulator = AppProcess.builder(Map.of(), List.of(), false, "simulator", "--port", "0", "--workers", "5",
                "--weeks", "1").redirectErrorStream(true).start();
        try (BufferedReader banner = new BufferedReader(new InputStreamReader(simulator.getInputStream(),
                StandardCharsets.UTF_8))) {
            Map<String, String> exported = new HashMap<>();
            Pattern export = Pattern.compile("export ([A-Z_]+)=(\\S+)");
            for (String line = banner.readLine(); line != null && !line.startsWith("Stop with Ctrl+C"); line = banner.readLine()) {
                Matcher m = export.matcher(line);
                if (m.matches()) {
                    exported.put(m.group(1), m.group(2));
                }
            }
            assertThat(exported).containsOnlyKeys("DITIO_IDENTITY_BASE", "DITIO_REPORTING_BASE", "DITIO_CLIENT_ID",
                    "DITIO_CLIENT_SECRET", "PAYROLL_START_DATE");

            Map<String, String> env = new HashMap<>(exported);
            env.put("PAYROLL_DROP_DIR", dir.resolve("out").toString());
            env.put("PAYROLL_STATE_DB_URL", "jdbc:h2:file:" + dir.resolve("data/state").toAbsolutePath());
            CommandLineTest.Result sync = CommandLineTest.run(dir, env, "sync", "--once");
            assertThat(sync.exit()).as(sync.err()).isZero();
            assertThat(sync.out()).contains("(full pass) succeeded", "files written:");
        } finally {
            simulator.destroy();
            assertThat(simulator.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void theSummaryOfTheUnnamedCompanyDoesNotSayCompanyCompany(@TempDir Path dir) throws Exception {
        Map<String, String> env = CommandLineTest.envFor(ditio, dir);
        env.remove("PAYROLL_COMPANY");
        CommandLineTest.Result r = CommandLineTest.run(dir, env, "sync", "--once");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("^Run [0-9a-f]{8} \\(full pass\\) succeeded in ").doesNotContain("company company");
    }

    @Test
    void everyCommandAnswersHelpAndDoesNothingElse(@TempDir Path dir) throws Exception {
        for (String command : List.of("demo", "sync", "run", "status", "check", "--version")) {
            CommandLineTest.Result r = runIn(dir, dir, Map.of(), command, "--help");
            assertThat(r.exit()).as(command + ": " + r.err()).isZero();
            assertThat(r.out()).as(command).startsWith("Usage: java -jar target/ditio-payroll-sync.jar " + command);
            assertThat(r.err()).as(command).isEmpty();
        }
        CommandLineTest.Result simulator = runIn(dir, dir, Map.of(), "simulator", "--help");
        assertThat(simulator.exit()).isZero();
        assertThat(simulator.out()).startsWith("Usage: simulator");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString()).collect(Collectors.toSet()))
                    .as("no state DB, no drop folder, no demo").containsOnly("stdout.txt", "stderr.txt");
        }

        CommandLineTest.Result wrong = runIn(dir, dir, Map.of(), "status", "--all");
        assertThat(wrong.exit()).isEqualTo(64);
        assertThat(wrong.err()).startsWith("status takes no option '--all'.\nUsage: java -jar target/ditio-payroll-sync.jar status");
    }

    /** A wrong option or date is exit 64 for every command, as each one's --help says; nothing is made. */
    @Test
    void aWrongOptionIsExit64AsEveryHelpSays(@TempDir Path dir) throws Exception {
        for (List<String> wrong : List.of(List.of("sync", "--bogus"), List.of("preview", "--bogus"),
                List.of("reconcile", "--bogus"), List.of("reconcile", "--from", "2026-13-01"),
                List.of("reconcile", "--from", "2026-11-25", "--to", "2026-11-20"), List.of("check", "--bogus"),
                List.of("status", "--bogus"), List.of("close-period", "--bogus"))) {
            CommandLineTest.Result r = runIn(dir, dir, Map.of(), wrong.toArray(String[]::new));
            assertThat(r.exit()).as(wrong + ": " + r.err()).isEqualTo(64);
            assertThat(r.err()).as(String.valueOf(wrong)).isNotBlank();
            CommandLineTest.Result help = runIn(dir, dir, Map.of(), wrong.get(0), "--help");
            assertThat(help.out()).as(wrong.get(0) + " --help").contains("64 a wrong option");
        }
        // the first line names what is wrong (it said "sync needs --once" of each)
        for (List<String> wrong : List.<List<String>>of(List.of("--once", "--bogus"), List.of("--once", "--once"),
                List.of("--once", "--company"), List.of("--company", "a", "--once", "--company", "a"), List.of())) {
            List<String> args = new ArrayList<>(List.of("sync"));
            args.addAll(wrong);
            CommandLineTest.Result r = runIn(dir, dir, Map.of(), args.toArray(String[]::new));
            assertThat(r.exit()).isEqualTo(64);
            assertThat(r.err().lines().findFirst().orElse("")).as(String.valueOf(wrong)).isEqualTo(switch (wrong.size()) {
                case 0 -> "sync needs --once, optionally with --company KEY (for the schedule use: run)";
                case 5 -> "sync takes --company once.";
                default -> wrong.get(1).equals("--bogus") ? "sync takes no option '--bogus'."
                        : wrong.get(1).equals("--once") ? "sync takes --once once." : "sync --company needs a company KEY.";
            });
        }
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString()).collect(Collectors.toSet()))
                    .as("no state DB, no drop folder").containsOnly("stdout.txt", "stderr.txt");
        }
    }

    /**
     * On a terminal (a pseudo-terminal from util-linux's script, as a user's shell has), sync --once
     * redraws a progress line on stdout while the log writes a line per page to stderr: every line on
     * the screen is either the one or the other, never a log line written after a progress line.
     */
    @Test
    void onATerminalNoLogLineIsWrittenOverTheProgressLine(@TempDir Path dir) throws Exception {
        Map<String, String> env = CommandLineTest.envFor(ditio, dir);
        env.put("DITIO_CHUNK_LIMIT", "60");
        ditio.faults().pageDelayMillis(400);
        try {
            List<String> java = AppProcess.builder(env, List.of(), false, "sync", "--once").command();
            String line = java.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
            ProcessBuilder pb = new ProcessBuilder("script", "-qefc", line, "/dev/null")
                    .directory(AppProcess.projectRoot().toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("screen.txt").toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("DITIO_") || k.startsWith("PAYROLL_"));
            pb.environment().putAll(env);
            Process p = pb.start();
            assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
            String screen = Files.readString(dir.resolve("screen.txt"), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(screen).isZero();

            List<String> shown = new ArrayList<>();
            for (String row : screen.split("\n")) {
                String r = row.endsWith("\r") ? row.substring(0, row.length() - 1) : row;
                shown.add(r.substring(r.lastIndexOf('\r') + 1)); // what stays on the row: the text after the last return
            }
            // the progress line starts with the company; a log line with the time of day
            String progress = "cli: full pass, page ";
            assertThat(screen).as("the progress line was drawn").contains(progress);
            List<String> pageLines = shown.stream().filter(r -> r.contains("INFO  [SyncSteps] Run ")
                    && r.contains(": page ")).toList();
            assertThat(pageLines).as("a log line per page").hasSizeGreaterThan(5);
            assertThat(shown).as("no row holds the progress line and a log line")
                    .noneMatch(r -> r.contains(progress) && r.contains(" INFO "));
            assertThat(pageLines).allSatisfy(r -> assertThat(r).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO .*"));
        } finally {
            ditio.faults().clear();
        }
    }

    @Test
    void versionNamesTheVersionTheCommitAndCamel(@TempDir Path dir) throws Exception {
        CommandLineTest.Result r = CommandLineTest.run(dir, Map.of(), "--version");
        assertThat(r.exit()).as(r.err()).isZero();
        String head = new String(new ProcessBuilder("git", "rev-parse", "HEAD").directory(AppProcess.projectRoot().toFile())
                .start().getInputStream().readAllBytes()).strip();
        assertThat(head).matches("[0-9a-f]{40}");
        assertThat(r.out()).matches("ditio-payroll-sync 0\\.1\\.0-SNAPSHOT \\(git commit " + head + ", Camel 4\\.18\\.\\d+\\)\n");
    }
}
