package no.ditiosync.app.crash;

import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.testing.AppProcess;
import no.ditiosync.testing.DeliveredPayroll;
import no.ditiosync.testing.PayrollTruth;
import no.ditiosync.testing.TestDatabase;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The simulator in this JVM, the application as a separate JVM ({@code DitioPayrollSync sync --once})
 * against it, in a folder of its own; plus the two sides the crash tests compare: what Ditio holds now
 * (the truth) and what payroll can see (published drop files on disk, active rows of payroll_line).
 * Small helpers are adapted from {@code no.ditiosync.app.SyncHarness}; this one reads the drop
 * folders themselves, since the runs it starts are other processes.
 */
final class CrashHarness implements AutoCloseable {

    /** Exit status of a deliberate crash ({@code no.ditiosync.state.CrashPoints.EXIT_STATUS}). */
    static final int CRASHED = 86;
    static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(60);
    static final LocalDate LAST = LocalDate.of(2026, 11, 27);
    static final String COMPANY = "acme";


    final SimulatedDitio ditio;
    final Path dir;
    final LocalDate startDate;
    private final Map<String, String> extraEnv = new LinkedHashMap<>();
    /** The state DB as the tests read it; the processes reach it at {@link #appStateDbUrl}. */
    private TestDatabase stateDb;
    private String appStateDbUrl;
    private List<String> targets = List.of("visma", "sap", "jdbc");
    private final List<Process> started = new ArrayList<>();
    private boolean readOnlyReads;
    private int processes;

    CrashHarness(long seed, Path dir) {
        this.ditio = SimulatedDitio.start(SimulatorConfig.defaults().seed(seed).workers(40).weeks(3), 0);
        this.dir = dir;
        this.startDate = LAST.minusWeeks(3);
        this.stateDb = TestDatabase.h2(dir.resolve("data/state"));
        this.appStateDbUrl = stateDb.url();
    }

    /**
     * The state DB of every process started from now on (and of the table payroll_line), instead of
     * the H2 file; {@code appUrl} is where the processes reach it (a proxy in front of it, say).
     */
    CrashHarness stateDb(TestDatabase db, String appUrl) {
        this.stateDb = db;
        this.appStateDbUrl = appUrl;
        return this;
    }

    TestDatabase stateDb() {
        return stateDb;
    }

    /** PAYROLL_TARGETS of every process started from now on. */
    CrashHarness targets(String commaSeparated) {
        extraEnv.put("PAYROLL_TARGETS", commaSeparated);
        targets = List.of(commaSeparated.split(","));
        return this;
    }

    /** Another setting (environment variable) of every process started from now on. */
    CrashHarness env(String name, String value) {
        extraEnv.put(name, value);
        return this;
    }

    List<String> targets() {
        return targets;
    }

    /** DITIO_CHUNK_LIMIT of every process started from now on (default 100). */
    CrashHarness chunkLimit(int limit) {
        extraEnv.put("DITIO_CHUNK_LIMIT", Integer.toString(limit));
        return this;
    }

    Path dropDir() {
        return dir.resolve("out");
    }

    /** Where the payroll side takes drops to (as a poller moves them out of the drop folder): see {@link #takeDrops}. */
    Path takenDir() {
        return dir.resolve("taken");
    }

    /**
     * Reads of an H2 state DB from this JVM ({@link #query}, {@link #jdbcTotals}) open it read-only
     * from now on, so the test observes the file without writing to it between the application's
     * runs. H2 (2.3.232) writes on every close of a writable open; with some histories of runs cut
     * short and such reads in between, the next open failed with "File corrupted … Double mark".
     */
    CrashHarness readOnlyReads() {
        readOnlyReads = true;
        return this;
    }

    private TestDatabase readDb() {
        return readOnlyReads && !stateDb.isPostgres()
                ? new TestDatabase(stateDb.kind(), stateDb.url() + ";ACCESS_MODE_DATA=r", stateDb.user(), stateDb.password())
                : stateDb;
    }

    // ---- the application, as another process --------------------------------------------------

    /** One started {@code sync --once} process and where its output goes. */
    record SyncProcess(String label, Process process, Path stdout, Path stderr, long startedNanos) {

        long elapsedMillis() {
            return (System.nanoTime() - startedNanos) / 1_000_000;
        }

        String output() {
            return "--- " + label + " stdout (" + stdout + "):\n" + tail(stdout) + "\n--- stderr (" + stderr + "):\n"
                    + tail(stderr);
        }

        private static String tail(Path file) {
            try {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
            } catch (IOException | UncheckedIOException e) {
                return "(unreadable: " + e.getMessage() + ")";
            }
        }

        /** The run id the process logged ("Run 1a2b3c4d of feed time ..."). */
        String runId() throws IOException {
            String runId = runIdIfLogged();
            assertThat(runId).as("a run id in the log of %s\n%s", label, output()).isNotNull();
            return runId;
        }

        String runIdIfLogged() throws IOException {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Run ([0-9a-f]{8}) of feed")
                    .matcher(Files.readString(stderr, StandardCharsets.UTF_8));
            return m.find() ? m.group(1) : null;
        }

        /** Waits for the end within {@link #PROCESS_TIMEOUT}; a process that hangs is killed and the test fails. */
        int awaitExit() throws InterruptedException {
            if (!process.waitFor(PROCESS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                fail("%s did not finish within %s\n%s", label, PROCESS_TIMEOUT, output());
            }
            return process.exitValue();
        }

        /** SIGKILL, no shutdown hooks; returns the exit status once it is gone. */
        int kill() throws InterruptedException {
            process.destroyForcibly();
            if (!process.waitFor(PROCESS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("%s did not die after SIGKILL", label);
            }
            return process.exitValue();
        }
    }

    /** Starts {@code sync --once}; {@code crashAt} names a crash point or is null for a normal run. */
    SyncProcess start(String crashAt, String label) throws IOException {
        return start(crashAt, label, false, List.of());
    }

    /** Starts {@code sync --once} with more JVM options (e.g. a pause point, see CrashPoints). */
    SyncProcess startWith(List<String> jvmOptions, String label) throws IOException {
        return start(null, label, false, jvmOptions);
    }

    /** Starts the {@code run} service (its SYNC_CRON set with {@link #env}). */
    SyncProcess startService(String label) throws IOException {
        return start(null, label, false, List.of(), "run");
    }

    /** Runs another command ({@code status}, say) with the same settings, to its end. */
    SyncProcess command(String label, String... args) throws Exception {
        SyncProcess p = start(null, label, false, List.of(), args);
        p.awaitExit();
        return p;
    }

    private SyncProcess start(String crashAt, String label, boolean mayWriteArchive, List<String> jvmOptions)
            throws IOException {
        return start(crashAt, label, mayWriteArchive, jvmOptions, "sync", "--once");
    }

    private SyncProcess start(String crashAt, String label, boolean mayWriteArchive, List<String> jvmOptions,
                              String... command) throws IOException {
        Path logs = Files.createDirectories(dir.resolve("logs"));
        String name = String.format("%02d-%s", ++processes, label);
        Path stdout = logs.resolve(name + ".out");
        Path stderr = logs.resolve(name + ".err");

        Map<String, String> env = new LinkedHashMap<>();
        env.put("DITIO_IDENTITY_BASE", ditio.identityBase());
        env.put("DITIO_REPORTING_BASE", ditio.reportingBase());
        env.put("DITIO_CLIENT_ID", ditio.clientId());
        env.put("DITIO_CLIENT_SECRET", ditio.clientSecret());
        env.put("DITIO_CHUNK_LIMIT", "100");
        env.put("PAYROLL_COMPANY", COMPANY);
        env.put("PAYROLL_START_DATE", startDate.toString());
        env.put("PAYROLL_DROP_DIR", dropDir().toAbsolutePath().toString());
        env.put("PAYROLL_STATE_DB_URL", appStateDbUrl);
        if (stateDb.isPostgres()) {
            env.put("PAYROLL_STATE_DB_USER", stateDb.user());
            // in the test's folder (with an H2 file the default is beside it; with PostgreSQL, ./data/runs)
            env.put("SYNC_REPORT_DIR", dir.resolve("data/runs").toString());
        }
        env.put("LOG_LEVEL", "INFO"); // the run id is read from the log
        env.putAll(extraEnv);
        List<String> options = new ArrayList<>(jvmOptions);
        if (crashAt != null) {
            options.add("-Dditio.crash-at=" + crashAt);
        }
        ProcessBuilder pb = AppProcess.builder(env, options, mayWriteArchive && crashAt == null && jvmOptions.isEmpty(),
                        command)
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        long startedNanos = System.nanoTime();
        Process process = pb.start();
        started.add(process);
        return new SyncProcess(name + (crashAt == null ? "" : " (crash at " + crashAt + ")"), process, stdout, stderr,
                startedNanos);
    }

    /** Runs {@code sync --once} to its end and checks its exit status. */
    SyncProcess run(String crashAt, int expectedExit, String label) throws Exception {
        SyncProcess p = start(crashAt, label, true, List.of());
        int exit = p.awaitExit();
        System.out.printf("CrashHarness: %s exited %d after %d ms%n", p.label(), exit, p.elapsedMillis());
        assertThat(exit).as("exit status of %s\n%s", p.label(), p.output()).isEqualTo(expectedExit);
        return p;
    }

    // ---- the truth, from the simulator ---------------------------------------------------------

    Map<String, BigDecimal> truthPerEmployeeAndWageType() {
        return PayrollTruth.perEmployeeAndWageType(ditio.data(), startDate);
    }

    Map<String, BigDecimal> truthPerEmployeeDayAndWageType() {
        return PayrollTruth.perEmployeeDayAndWageType(ditio.data(), startDate);
    }

    // ---- what payroll can see -------------------------------------------------------------------

    /** Published drops of a target still in its drop folder (hidden temporary files and .done markers excluded), oldest run first. */
    List<Path> published(String target) throws IOException {
        return drops(dropDir().resolve(target));
    }

    /** The drops of a target the payroll side received: those it took away ({@link #takeDrops}) and those still there, oldest run first. */
    List<Path> received(String target) throws IOException {
        List<Path> all = new ArrayList<>(drops(takenDir().resolve(target)));
        all.addAll(published(target));
        // a drop's name starts with its run's start, to the second, then its run id in start order
        all.sort(java.util.Comparator.comparing((Path p) -> p.getFileName().toString()));
        return all;
    }

    private static List<Path> drops(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> !p.getFileName().toString().startsWith(".") && p.getFileName().toString().endsWith(".csv"))
                    .sorted().toList();
        }
    }

    /** The .done markers in a target's drop folder. */
    List<Path> doneMarkers(String target) throws IOException {
        Path folder = dropDir().resolve(target);
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".done")).sorted().toList();
        }
    }

    /**
     * The payroll side picks up every published drop, as a poller of the drop folder does: each file
     * (and its .done marker) is moved out of the drop folder, to {@link #takenDir}.
     */
    void takeDrops() throws IOException {
        for (String target : List.of("visma", "sap")) {
            Path folder = dropDir().resolve(target);
            if (!Files.isDirectory(folder)) {
                continue;
            }
            Path to = Files.createDirectories(takenDir().resolve(target));
            try (Stream<Path> files = Files.list(folder)) {
                for (Path f : files.filter(p -> !p.getFileName().toString().startsWith(".")).toList()) {
                    Files.move(f, to.resolve(f.getFileName()));
                }
            }
        }
    }

    /** Everything in the drop folders whose name ends with .tmp. */
    List<Path> temporaryFiles() throws IOException {
        if (!Files.isDirectory(dropDir())) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dropDir())) {
            return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).sorted().toList();
        }
    }

    List<String> body(Path file) throws IOException {
        return DeliveredPayroll.body(file);
    }

    Map<String, BigDecimal> vismaTotals() throws IOException {
        return DeliveredPayroll.vismaTotals(received("visma"));
    }

    Map<String, BigDecimal> sapTotals() throws IOException {
        return DeliveredPayroll.sapTotals(received("sap"));
    }

    /** Only with no process running (H2). */
    Map<String, BigDecimal> jdbcTotals() throws SQLException {
        return DeliveredPayroll.jdbcTotals(readDb());
    }

    /** Rows of a query on the state DB, each as a list of strings. Only with no process running. */
    List<List<String>> query(String sql, Object... args) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        try (Connection c = readDb().connect();
             PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<String> row = new ArrayList<>(n);
                    for (int i = 1; i <= n; i++) {
                        row.add(rs.getString(i));
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    /**
     * The invariants after a successful run: every published drop sums to the truth per target,
     * payroll_line too, no temporary file is left, no drop repeats another, every committed drop
     * is published.
     */
    /** What a run that did not commit must leave: no watermark, ledger line, outbox row, temporary or published drop. */
    void assertNothingDelivered() throws Exception {
        assertThat(query("SELECT feed FROM sync_watermark WHERE company = 'acme'")).isEmpty();
        assertThat(query("SELECT COUNT(*) FROM ledger_line")).containsExactly(List.of("0"));
        assertThat(query("SELECT COUNT(*) FROM drop_outbox")).containsExactly(List.of("0"));
        assertThat(temporaryFiles()).isEmpty();
        assertThat(published("visma")).isEmpty();
        assertThat(published("sap")).isEmpty();
    }

    void assertPayrollEqualsTruth(String when) throws Exception {
        assertThat(temporaryFiles()).as("temporary files left in the drop folders %s", when).isEmpty();

        Map<String, BigDecimal> perEmployeeAndWageType = truthPerEmployeeAndWageType();
        Map<String, BigDecimal> perDay = truthPerEmployeeDayAndWageType();
        assertThat(perDay).as("the truth has payroll-ready hours").hasSizeGreaterThan(100);
        assertSums("Visma totals per employee|wage type " + when, vismaTotals(), perEmployeeAndWageType);
        assertSums("SAP totals per employee|day|wage type " + when, sapTotals(), perDay);
        if (targets.contains("jdbc")) {
            assertSums("payroll_line totals per employee|day|wage type " + when, jdbcTotals(), perDay);
        }

        for (String target : List.of("visma", "sap")) {
            Map<List<String>, Path> seen = new HashMap<>();
            for (Path f : received(target)) {
                assertThat(f.getFileName().toString()).as("name of a published %s drop %s", target, when)
                        .matches(target + "_" + COMPANY + "_\\d{8}T\\d{6}Z_[0-9a-f]{8}\\.csv");
                List<String> body = body(f);
                assertThat(body).as("lines of %s %s (a run with nothing to deliver writes no file)", f.getFileName(), when)
                        .isNotEmpty();
                Path earlier = seen.put(body, f);
                assertThat(earlier).as("%s repeats the content of %s %s", f.getFileName(), earlier, when).isNull();
            }
        }

        assertThat(query("SELECT run_id, target, status FROM drop_outbox WHERE status <> 'published'"))
                .as("committed drops not published %s", when).isEmpty();
        for (List<String> row : query("SELECT target, final_path FROM drop_outbox WHERE final_path IS NOT NULL")) {
            Path drop = Path.of(row.get(1));
            Path taken = takenDir().resolve(row.get(0)).resolve(drop.getFileName());
            assertThat(Files.isRegularFile(drop) || Files.isRegularFile(taken))
                    .as("a committed drop %s %s: in the drop folder or taken by the payroll side", drop.getFileName(), when)
                    .isTrue();
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------

    static void assertSums(String what, Map<String, BigDecimal> delivered, Map<String, BigDecimal> truth) {
        DeliveredPayroll.assertSums(what, delivered, truth);
    }

    /** Stops the simulator; a process a failed test left running is killed (and waited for) first. */
    @Override
    public void close() {
        for (Process p : started) {
            if (p.isAlive()) {
                p.destroyForcibly();
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        ditio.close();
    }
}
