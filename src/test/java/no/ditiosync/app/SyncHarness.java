package no.ditiosync.app;

import no.ditiosync.ledger.SyncRun;
import no.ditiosync.simulator.DitioUser;
import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.simulator.TimeRegistration;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The application against the built-in simulator over loopback, in a folder of its own, plus the
 * two sides a test compares: what Ditio holds now (the truth) and what payroll received (files
 * on disk and rows in payroll_line).
 */
final class SyncHarness implements AutoCloseable {

    final SimulatedDitio ditio;
    final Path dir;
    final LocalDate startDate;
    private final Map<String, String> settings;
    private final List<Path> deliveredFiles = new ArrayList<>();
    private SyncApplication app;

    SyncHarness(SimulatorConfig config, Path dir, LocalDate startDate, Map<String, String> extra) {
        this.ditio = SimulatedDitio.start(config, 0);
        this.dir = dir;
        this.startDate = startDate;
        Map<String, String> s = new LinkedHashMap<>();
        s.put("ditio.identity-base", ditio.identityBase());
        s.put("ditio.reporting-base", ditio.reportingBase());
        s.put("ditio.client-id", ditio.clientId());
        s.put("ditio.client-secret", ditio.clientSecret());
        s.put("payroll.company", "acme");
        s.put("payroll.start-date", startDate.toString());
        s.put("payroll.drop-dir", dir.resolve("out").toString());
        s.put("payroll.state-db-url", stateDbUrl());
        s.put("payroll.jdbc-url", "");
        s.put("ditio.chunk-limit", "100");
        s.putAll(extra);
        this.settings = s;
    }

    String stateDbUrl() {
        return "jdbc:h2:file:" + dir.resolve("data/state").toAbsolutePath();
    }

    SyncRun runOnce() {
        if (app == null) {
            app = new SyncApplication(settings).start();
        }
        SyncRun run = app.runOnce();
        deliveredFiles.addAll(run.files());
        return run;
    }

    List<Path> deliveredFiles() {
        return deliveredFiles;
    }

    // ---- the truth, from the simulator ---------------------------------------------------------

    /** Ditio's payroll-ready registrations that can become lines, as the wage-type mapping maps them. */
    List<TimeRegistration> payrollReady() {
        Map<String, String> employeeByUser = new HashMap<>();
        for (DitioUser u : ditio.data().users()) {
            employeeByUser.put(u.identityUserId(), u.employeeNumber());
        }
        List<TimeRegistration> ready = new ArrayList<>();
        for (TimeRegistration r : ditio.data().liveTimeRegistrations()) {
            if (r.payrollApproved() && !r.workDate().isBefore(startDate) && employee(r, employeeByUser) != null
                    && r.qty().signum() != 0) {
                ready.add(r);
            }
        }
        return ready;
    }

    String employee(TimeRegistration r, Map<String, String> employeeByUser) {
        String e = r.userEmployeeNumber();
        if (e == null || e.isBlank()) {
            e = employeeByUser.get(r.userId());
        }
        return e == null || e.isBlank() ? null : e;
    }

    Map<String, String> employeesByUser() {
        Map<String, String> m = new HashMap<>();
        ditio.data().users().forEach(u -> m.put(u.identityUserId(), u.employeeNumber()));
        return m;
    }

    static String wageType(TimeRegistration r) {
        return "9001".equals(r.taskWbsNumber()) ? "1100" : "1000";
    }

    /** Truth summed by a key built from employee number, work date and wage type. */
    Map<String, BigDecimal> truth(Function<String[], String> key) {
        Map<String, String> users = employeesByUser();
        Map<String, BigDecimal> sums = new TreeMap<>();
        for (TimeRegistration r : payrollReady()) {
            String k = key.apply(new String[]{employee(r, users), r.workDate().toString(), wageType(r)});
            sums.merge(k, r.qty().setScale(2, RoundingMode.HALF_UP), BigDecimal::add);
        }
        return normalise(sums);
    }

    // ---- what payroll received ------------------------------------------------------------------

    /** Every Visma line ever delivered, summed per employee and wage type. */
    Map<String, BigDecimal> vismaTotals() throws IOException {
        Map<String, BigDecimal> sums = new TreeMap<>();
        for (Path f : filesOf("visma")) {
            for (String line : Files.readAllLines(f, Charset.forName("windows-1252"))) {
                String[] c = line.split(";", -1);
                sums.merge(c[2] + "|" + c[3], new BigDecimal(c[5]), BigDecimal::add);
            }
        }
        return normalise(sums);
    }

    /** SAP documents still standing after every cancellation, summed per employee, day and wage type. */
    Map<String, BigDecimal> sapTotals() throws IOException {
        Map<String, String[]> standing = new LinkedHashMap<>();
        for (Path f : filesOf("sap")) {
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            for (String line : lines.subList(1, lines.size())) {
                String[] c = line.split(";", -1);
                if ("X".equals(c[2])) {
                    if (standing.remove(c[1]) == null) {
                        throw new AssertionError("SAP cancellation of unknown document " + c[1]);
                    }
                } else if (standing.put(c[1], c) != null) {
                    throw new AssertionError("SAP document " + c[1] + " delivered twice");
                }
            }
        }
        Map<String, BigDecimal> sums = new TreeMap<>();
        for (String[] c : standing.values()) {
            String date = c[4].substring(0, 4) + "-" + c[4].substring(4, 6) + "-" + c[4].substring(6);
            sums.merge(Integer.parseInt(c[3]) + "|" + date + "|" + c[5], new BigDecimal(c[6]), BigDecimal::add);
        }
        return normalise(sums);
    }

    /** Active rows of payroll_line, summed per employee, day and wage type. */
    Map<String, BigDecimal> jdbcTotals() throws SQLException {
        Map<String, BigDecimal> sums = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(stateDbUrl(), "sa", "");
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT employee_number, work_date, wage_type, quantity FROM payroll_line WHERE status = 'active'")) {
            while (rs.next()) {
                sums.merge(rs.getString(1) + "|" + rs.getDate(2).toLocalDate() + "|" + rs.getString(3),
                        rs.getBigDecimal(4), BigDecimal::add);
            }
        }
        return normalise(sums);
    }

    List<String[]> quarantine() throws SQLException {
        List<String[]> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(stateDbUrl(), "sa", "");
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
        try (Connection c = DriverManager.getConnection(stateDbUrl(), "sa", "");
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
        int n = Files.readAllLines(file, file.toString().contains("visma") ? Charset.forName("windows-1252")
                : StandardCharsets.UTF_8).size();
        return file.getParent().getFileName().toString().equals("sap") ? n - 1 : n;
    }

    private static Map<String, BigDecimal> normalise(Map<String, BigDecimal> sums) {
        Map<String, BigDecimal> out = new TreeMap<>();
        sums.forEach((k, v) -> {
            if (v.signum() != 0) {
                out.put(k, v.setScale(2, RoundingMode.HALF_UP));
            }
        });
        return out;
    }

    @Override
    public void close() {
        if (app != null) {
            app.close();
        }
        ditio.close();
    }
}
