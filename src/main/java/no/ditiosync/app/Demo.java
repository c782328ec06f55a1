package no.ditiosync.app;

import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorConfig;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The demo command: a generated company in the built-in simulator, a full sync into ./demo-out and
 * ./demo-data, then changes in Ditio and an incremental sync that delivers only the corrections.
 * It never touches a real Ditio nor the folders real runs use (./out, ./data), and says so first.
 */
final class Demo {

    static final String COMPANY = "demo";
    private static final Path STATE = Path.of("demo-data");
    private static final Path DROPS = Path.of("demo-out");
    private static final String STATE_DB_URL = "jdbc:h2:file:./" + STATE.resolve(COMPANY);

    private Demo() {
    }

    static int run() throws Exception {
        PrintStream out = System.out;
        SimulatorConfig config = SimulatorConfig.defaults();
        try (SimulatedDitio ditio = SimulatedDitio.start(config, 0)) {
            out.println("DEMO: using the built-in Ditio simulator at " + ditio.reportingBase()
                    + " (generated company, not a real Ditio)");
            out.println("      drops go to ./" + DROPS + ", the state DB and run reports to ./" + STATE
                    + " (real runs use ./out and ./data)");
            java.util.Set<String> variables = java.util.Arrays.stream(SettingKey.values()).map(k -> k.env)
                    .filter(java.util.Objects::nonNull).collect(java.util.stream.Collectors.toSet());
            List<String> ignored = System.getenv().keySet().stream()
                    .filter(v -> variables.contains(v) || v.startsWith("COMPANY_") || v.startsWith("PAYROLL_TARGET_")).sorted().toList();
            if (!ignored.isEmpty()) {
                out.println("      the environment's " + String.join(", ", ignored) + " are not read: the demo has settings of its own");
            }
            startFromScratch(out);
            var firstWorkDate = ditio.data().firstWorkDate();
            Map<String, String> settings = Map.ofEntries(
                    Map.entry("ditio.identity-base", ditio.identityBase()),
                    Map.entry("ditio.reporting-base", ditio.reportingBase()),
                    Map.entry("ditio.client-id", ditio.clientId()),
                    Map.entry("ditio.client-secret", ditio.clientSecret()),
                    Map.entry("payroll.company", COMPANY),
                    // one company, local drops, whatever the working directory's application.properties says
                    Map.entry("payroll.companies", ""),
                    Map.entry("payroll.sftp.url", ""),
                    Map.entry("payroll.start-date", firstWorkDate.toString()),
                    Map.entry("payroll.drop-dir", DROPS.toString()),
                    Map.entry("payroll.state-db-url", STATE_DB_URL),
                    // beside the demo's state DB, whatever SYNC_REPORT_DIR says
                    Map.entry("sync.report-dir", STATE.resolve("runs").toString()),
                    Map.entry("payroll.jdbc-url", ""),
                    // the demo shows every feed: absences and overtime beside the time registrations
                    Map.entry("payroll.absences", "true"),
                    Map.entry("payroll.source", "time+overtime"),
                    Map.entry("payroll.wage-types", wageTypes().toString()));
            try (SyncApplication app = SyncApplication.withoutEnvironment(settings).start()) {
                out.printf(Locale.ROOT, "%nFull sync of %d workers, work dates %s to %s:%n", config.workers(), firstWorkDate,
                        config.lastWorkDate());
                SyncRun first = app.runOnce();
                RunSummary.print(first, out);

                List<String> changes = ditio.data().randomMutations(new Random(config.seed()), 25);
                out.printf(Locale.ROOT, "%nMeanwhile in Ditio: %d changes (edits, deletions, approvals, late registrations), e.g.%n",
                        changes.size());
                changes.stream().limit(6).forEach(c -> out.println("  " + c));
                out.printf(Locale.ROOT, "%nIncremental sync:%n");
                SyncRun second = app.runOnce();
                RunSummary.print(second, out);
                for (Path file : second.files()) {
                    printFile(file, out);
                }
            }
        }
        out.printf(Locale.ROOT, "%nDrop files are under ./%s, the state DB and table payroll_line in ./%s/%s.mv.db.%n", DROPS, STATE,
                COMPANY);
        out.printf(Locale.ROOT, "The demo's status:  PAYROLL_STATE_DB_URL=%s %s status%n", STATE_DB_URL, Launcher.command());
        out.printf(Locale.ROOT, "Its open quarantine:  PAYROLL_STATE_DB_URL=%s %s status --quarantine%n", STATE_DB_URL, Launcher.command());
        return 0;
    }

    /** The working directory's mapping, or (run outside the project) the packaged example. */
    private static Path wageTypes() throws IOException {
        Path local = Path.of("mappings", "wage-types.csv");
        if (Files.isReadable(local)) {
            return local;
        }
        Path copy = Files.createTempFile("demo-wage-types", ".csv");
        copy.toFile().deleteOnExit();
        try (var in = Demo.class.getResourceAsStream("/mappings/wage-types.csv")) {
            Files.copy(in, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return copy;
    }

    /** The demo starts from scratch every time: its own state DB, run reports and drop files only. */
    private static void startFromScratch(PrintStream out) throws IOException {
        boolean removed = false;
        for (String suffix : List.of(".mv.db", ".trace.db")) {
            removed |= Files.deleteIfExists(STATE.resolve(COMPANY + suffix));
        }
        removed |= deleteMatching(STATE.resolve("runs"), COMPANY + "-*.json");
        for (String target : List.of("visma", "sap")) {
            removed |= deleteMatching(DROPS.resolve(target), "*_" + COMPANY + "_*");
        }
        if (removed) {
            out.println("Removed the previous demo's state and drop files: the demo starts from scratch.");
        }
    }

    private static boolean deleteMatching(Path folder, String glob) throws IOException {
        boolean removed = false;
        if (Files.isDirectory(folder)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, glob)) {
                for (Path f : files) {
                    removed |= Files.deleteIfExists(f);
                }
            }
        }
        return removed;
    }

    private static void printFile(Path file, PrintStream out) throws IOException {
        Charset charset = file.getParent().getFileName().toString().equals("visma")
                ? Charset.forName("windows-1252") : StandardCharsets.UTF_8;
        List<String> lines = Files.readAllLines(file, charset);
        out.printf(Locale.ROOT, "%n%s (%d lines):%n", file, lines.size());
        lines.stream().limit(12).forEach(l -> out.println("  " + l));
        if (lines.size() > 12) {
            out.println("  …");
        }
    }
}
