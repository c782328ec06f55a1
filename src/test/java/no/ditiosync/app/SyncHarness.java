package no.ditiosync.app;

import no.ditiosync.ledger.SyncRun;
import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.simulator.TimeRegistration;
import no.ditiosync.testing.DeliveredPayroll;
import no.ditiosync.testing.PayrollTruth;
import no.ditiosync.testing.TestDatabase;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
        Map<String, String> s = new LinkedHashMap<>();
        s.put("ditio.identity-base", ditio.identityBase());
        s.put("ditio.reporting-base", ditio.reportingBase());
        s.put("ditio.client-id", ditio.clientId());
        s.put("ditio.client-secret", ditio.clientSecret());
        s.put("payroll.company", "acme");
        s.put("payroll.start-date", startDate.toString());
        s.put("payroll.drop-dir", dir.resolve("out").toString());
        s.putAll(stateDb.settings("state-db"));
        s.put("payroll.jdbc-url", "");
        s.put("ditio.chunk-limit", "100");
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
        return PayrollTruth.sums(ditio.data(), startDate, key);
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

    private static String runIdOf(Path file) {
        String name = file.getFileName().toString();
        return name.substring(name.lastIndexOf('_') + 1, name.length() - ".csv".length());
    }

    int lineCount(Path file) throws IOException {
        return DeliveredPayroll.body(file).size();
    }

    @Override
    public void close() {
        if (app != null) {
            app.close();
        }
        ditio.close();
    }
}
