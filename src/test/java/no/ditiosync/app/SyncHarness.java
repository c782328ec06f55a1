package no.ditiosync.app;

import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.simulator.TimeRegistration;
import no.ditiosync.testing.DeliveredPayroll;
import no.ditiosync.testing.PayrollTruth;
import no.ditiosync.testing.TestDatabase;
import no.ditiosync.testing.TestSettings;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The application against the built-in simulator over loopback, in a folder of its own, plus the
 * two sides a test compares: what Ditio holds now (the truth) and what payroll received (files
 * on disk and rows in payroll_line). The state DB, which is also the JDBC target unless
 * {@code payroll.jdbc-url} says otherwise, is an H2 file in the folder or a {@link TestDatabase} given.
 */
final class SyncHarness implements AutoCloseable {

    final SimulatedDitio ditio;
    final Path dir;
    final LocalDate startDate;
    private final TestDatabase stateDb;
    private final Map<String, String> settings;
    private final List<Path> deliveredFiles = new ArrayList<>();
    private SyncApplication app;

    SyncHarness(SimulatorConfig config, Path dir, LocalDate startDate, Map<String, String> extra) {
        this(config, dir, startDate, TestDatabase.h2(dir.resolve("data/state")), extra);
    }

    SyncHarness(SimulatorConfig config, Path dir, LocalDate startDate, TestDatabase stateDb, Map<String, String> extra) {
        this.ditio = SimulatedDitio.start(config, 0);
        this.dir = dir;
        this.startDate = startDate;
        this.stateDb = stateDb;
        Map<String, String> s = TestSettings.simulator(ditio, "acme", startDate, dir);
        s.putAll(stateDb.settings("state-db"));
        s.put("payroll.jdbc-url", "");
        s.putAll(extra);
        this.settings = s;
    }

    TestDatabase stateDb() {
        return stateDb;
    }

    /** The application, started on first use. */
    SyncApplication app() {
        if (app == null) {
            app = new SyncApplication(settings).start();
        }
        return app;
    }

    SyncRun runOnce() {
        SyncRun run = app().runOnce();
        deliveredFiles.addAll(run.files());
        return run;
    }

    List<Path> deliveredFiles() {
        return deliveredFiles;
    }

    // ---- the truth, from the simulator ---------------------------------------------------------

    /** Ditio's payroll-ready registrations that can become lines, as the wage-type mapping maps them. */
    List<TimeRegistration> payrollReady() {
        return PayrollTruth.payrollReady(ditio.data(), startDate);
    }

    String employee(TimeRegistration r, Map<String, String> employeeByUser) {
        return PayrollTruth.employee(r, employeeByUser);
    }

    Map<String, String> employeesByUser() {
        return PayrollTruth.employeesByUser(ditio.data());
    }

    static String wageType(TimeRegistration r) {
        return PayrollTruth.wageType(r);
    }

    /** Truth summed by a key built from employee number, work date and wage type. */
    Map<String, BigDecimal> truth(Function<String[], String> key) {
        return PayrollTruth.sums(ditio.data(), startDate, key, scope());
    }

    /** What the harness's settings deliver besides time registrations. */
    PayrollTruth.Scope scope() {
        return new PayrollTruth.Scope(Boolean.parseBoolean(settings.get("payroll.absences")),
                settings.getOrDefault("payroll.source", "time"));
    }

    /** The lines payroll should hold now, for the harness's settings. */
    List<PayrollTruth.Line> truthLines() {
        return PayrollTruth.lines(ditio.data(), startDate, scope());
    }

    /** The line payroll should hold under this line id. */
    PayrollTruth.Line truthLine(String lineId) {
        return truthLines().stream().filter(l -> l.lineId().equals(lineId)).findFirst().orElseThrow();
    }

    /** The state DB's watermark per feed ("time", "absence", ...), as text. */
    Map<String, String> watermarks() throws SQLException {
        Map<String, String> rows = new java.util.TreeMap<>();
        try (Connection c = stateDb.connect();
             ResultSet rs = c.createStatement().executeQuery("SELECT feed, watermark FROM sync_watermark")) {
            while (rs.next()) {
                rows.put(rs.getString(1), rs.getObject(2, java.time.OffsetDateTime.class).toInstant().toString());
            }
        }
        return rows;
    }

    /** Stops the application; the next run starts it again with these settings changed (same state DB and folders). */
    void restartWith(Map<String, String> changed) {
        if (app != null) {
            app.close();
            app = null;
        }
        settings.putAll(changed);
    }

    // ---- what payroll received ------------------------------------------------------------------

    /** Every Visma line ever delivered, summed per employee and wage type. */
    Map<String, BigDecimal> vismaTotals() throws IOException {
        return DeliveredPayroll.vismaTotals(filesOf("visma"));
    }

    /** SAP documents still standing after every cancellation, summed per employee, day and wage type. */
    Map<String, BigDecimal> sapTotals() throws IOException {
        return DeliveredPayroll.sapTotals(filesOf("sap"));
    }

    /** Every Tripletex line ever delivered, summed per employee and wage type. */
    Map<String, BigDecimal> tripletexTotals() throws IOException {
        return DeliveredPayroll.tripletexTotals(filesOf("tripletex"), tripletexCharset());
    }

    /** Every Tripletex line ever delivered, summed per employee, payroll period (yyyy-MM) and wage type. */
    Map<String, BigDecimal> tripletexMonthTotals() throws IOException {
        return DeliveredPayroll.tripletexMonthTotals(filesOf("tripletex"), tripletexCharset());
    }

    /** Every generic CSV line ever delivered, summed per employee, day and wage type. */
    Map<String, BigDecimal> csvTotals() throws IOException {
        return DeliveredPayroll.csvTotals(filesOf("csv"));
    }

    /** Every generic CSV line ever delivered, summed per lineId, employee, day and wage type. */
    Map<String, BigDecimal> csvLineTotals() throws IOException {
        return DeliveredPayroll.csvLineTotals(filesOf("csv"));
    }

    /** The encoding the Tripletex drops are written in: the setting given, else the default (UTF-8). */
    Charset tripletexCharset() {
        return Charset.forName(settings.getOrDefault("payroll.tripletex.encoding", "UTF-8"));
    }

    /** Active rows of payroll_line in the state DB, summed per employee, day and wage type. */
    Map<String, BigDecimal> jdbcTotals() throws SQLException {
        return DeliveredPayroll.jdbcTotals(stateDb);
    }

    List<String[]> quarantine() throws SQLException {
        List<String[]> rows = new ArrayList<>();
        try (Connection c = stateDb.connect();
             ResultSet rs = c.createStatement().executeQuery("SELECT record_id, reason FROM quarantine ORDER BY record_id")) {
            while (rs.next()) {
                rows.add(new String[]{rs.getString(1), rs.getString(2)});
            }
        }
        return rows;
    }

    /** The published drops of a target, in the order of the runs that wrote them. */
    List<Path> filesOf(String target) throws IOException {
        Map<String, String> runStart = new HashMap<>();
        try (Connection c = stateDb.connect();
             ResultSet rs = c.createStatement().executeQuery("SELECT run_id, started_at FROM sync_run")) {
            while (rs.next()) {
                runStart.put(rs.getString(1), rs.getObject(2, java.time.OffsetDateTime.class).toInstant().toString());
            }
        } catch (SQLException e) {
            throw new IOException(e);
        }
        Path folder = dir.resolve("out").resolve(target);
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (var files = Files.list(folder)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".csv") && !p.getFileName().toString().startsWith("."))
                    .sorted(java.util.Comparator.comparing(p -> runStart.get(runIdOf(p)))).toList();
        }
    }

    /** The drop one run published for a target, or null when it wrote none. */
    static Path fileOf(SyncRun run, String target) {
        List<Path> files = run.files().stream().filter(f -> f.getParent().getFileName().toString().equals(target)).toList();
        if (files.size() > 1) {
            throw new AssertionError("run " + run.runId() + " published " + files.size() + " " + target + " drops: " + files);
        }
        return files.isEmpty() ? null : files.get(0);
    }

    private static String runIdOf(Path file) {
        String name = file.getFileName().toString();
        return name.substring(name.lastIndexOf('_') + 1, name.length() - ".csv".length());
    }

    int lineCount(Path file) throws IOException {
        boolean tripletex = file.getParent().getFileName().toString().equals("tripletex");
        return (tripletex ? DeliveredPayroll.body(file, tripletexCharset()) : DeliveredPayroll.body(file)).size();
    }

    @Override
    public void close() {
        if (app != null) {
            app.close();
        }
        ditio.close();
    }
}
