package no.ditiosync.faults;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import no.ditiosync.app.SyncApplication;
import no.ditiosync.ditio.DitioRetries;
import no.ditiosync.ledger.SyncRun;
import no.ditiosync.simulator.DitioUser;
import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.simulator.TimeRegistration;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The application against the simulator over loopback, in a folder of its own, with small retry
 * delays and a short read timeout so fault tests run fast; plus the truth (what Ditio holds), what
 * payroll received (files, rows), the state DB, and the log of the retries.
 */
final class FaultHarness implements AutoCloseable {

    static final LocalDate LAST = LocalDate.of(2026, 11, 27);

    /** About 800 registrations over two weeks: 8-9 pages of 100, plus one page of users. */
    static SimulatorConfig company() {
        return SimulatorConfig.defaults().seed(7).workers(40).weeks(2).lastWorkDate(LAST);
    }

    /** Settings for fast fault tests: 20 ms first backoff, 300 ms read timeout. */
    static Map<String, String> fast() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("ditio.retry.initial-delay", "20ms");
        s.put("ditio.retry.max-delay", "200ms");
        s.put("ditio.read-timeout", "300ms");
        s.put("ditio.connect-timeout", "1s");
        return s;
    }

    final SimulatedDitio ditio;
    final Path dir;
    final LocalDate startDate;
    private final Map<String, String> settings;
    private final List<Path> deliveredFiles = new ArrayList<>();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private SyncApplication app;

    FaultHarness(SimulatorConfig config, Path dir, Map<String, String> extra) {
        this(SimulatedDitio.start(config, 0), dir, extra);
    }

    FaultHarness(SimulatedDitio ditio, Path dir, Map<String, String> extra) {
        this.ditio = ditio;
        this.dir = dir;
        this.startDate = LAST.minusWeeks(2);
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
        s.putAll(fast());
        s.putAll(extra);
        this.settings = s;
        log.start();
        root.addAppender(log);
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

    // ---- the log -----------------------------------------------------------------------------------

    /** The WARN lines of {@link DitioRetries}: one per retry. */
    List<String> retryWarnings() {
        return events().stream()
                .filter(e -> e.getLevel() == Level.WARN && e.getLoggerName().equals(DitioRetries.class.getName()))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    List<String> warnings() {
        return events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(e -> e.getLoggerName() + " " + e.getFormattedMessage()).toList();
    }

    private List<ILoggingEvent> events() {
        synchronized (log) {
            return new ArrayList<>(log.list);
        }
    }

    // ---- the state DB ------------------------------------------------------------------------------

    Instant watermark() throws SQLException {
        try (Connection c = DriverManager.getConnection(stateDbUrl(), "sa", "");
             PreparedStatement ps = c.prepareStatement(
                     "SELECT watermark FROM sync_watermark WHERE company = 'acme' AND feed = 'time'");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getObject(1, OffsetDateTime.class).toInstant() : null;
        }
    }

    /** outcome and message of every run, oldest first */
    List<String[]> runLog() throws SQLException {
        List<String[]> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(stateDbUrl(), "sa", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT outcome, message FROM sync_run ORDER BY started_at")) {
            while (rs.next()) {
                rows.add(new String[]{rs.getString(1), rs.getString(2)});
            }
        }
        return rows;
    }

    int payrollLineRows() throws SQLException {
        try (Connection c = DriverManager.getConnection(stateDbUrl(), "sa", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM payroll_line")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Every file in the drop folders, published or not. */
    List<Path> filesOnDisk() throws IOException {
        Path out = dir.resolve("out");
        if (!Files.isDirectory(out)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(out)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    // ---- the truth, from the simulator -------------------------------------------------------------

    List<TimeRegistration> payrollReady() {
        Map<String, String> employeeByUser = employeesByUser();
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
        for (DitioUser u : ditio.data().users()) {
            m.put(u.identityUserId(), u.employeeNumber());
        }
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

    Map<String, BigDecimal> vismaTruth() {
        return truth(k -> k[0] + "|" + k[2]);
    }

    Map<String, BigDecimal> dayTruth() {
        return truth(k -> k[0] + "|" + k[1] + "|" + k[2]);
    }

    // ---- what payroll received ---------------------------------------------------------------------

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

    List<Path> filesOf(String target) {
        return deliveredFiles.stream().filter(p -> p.getParent().getFileName().toString().equals(target)).toList();
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
        root.detachAppender(log);
        try {
            if (app != null) {
                app.close();
            }
        } finally {
            ditio.close();
        }
    }
}
