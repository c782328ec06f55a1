package no.ditiosync.badinput;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import no.ditiosync.run.SyncSteps;
import no.ditiosync.testing.TestSettings;
import org.slf4j.LoggerFactory;
import no.ditiosync.app.SyncApplication;
import no.ditiosync.ledger.LedgerDelta;
import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.simulator.TimeRegistration;
import no.ditiosync.testing.DeliveredPayroll;
import no.ditiosync.testing.PayrollTruth;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The application against the simulator over loopback (real H2 state DB and JDBC target, real
 * drop files) in a folder of its own, small enough to start once per table row; plus the truth
 * (what Ditio holds, minus what a test says must not arrive) and what payroll received.
 */
final class BadInputHarness implements AutoCloseable {

    static final LocalDate LAST = LocalDate.of(2026, 11, 27);

    /** About 12 workers over two weeks: three full-pass pages of 100, one page of users. */
    static SimulatorConfig company() {
        return SimulatorConfig.defaults().seed(7).workers(12).weeks(2).lastWorkDate(LAST);
    }

    final SimulatedDitio ditio;
    final Path dir;
    final LocalDate startDate = LAST.minusWeeks(2);
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final List<Path> deliveredFiles = new ArrayList<>();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger feedSyncLog = (Logger) LoggerFactory.getLogger(SyncSteps.class);
    private final Logger mappingLog = (Logger) LoggerFactory.getLogger(no.ditiosync.run.PayrollMapping.class);
    private SyncApplication app;

    BadInputHarness(Path dir) {
        this.ditio = SimulatedDitio.start(company(), 0);
        this.dir = dir;
        settings.putAll(TestSettings.simulator(ditio, "acme", startDate, dir));
        settings.put("payroll.state-db-url", stateDbUrl());
        log.start();
        feedSyncLog.addAppender(log);
        mappingLog.addAppender(log);
    }

    /** The WARN lines the runs logged so far (the run's and the mapping's: repeated records, departments cut short). */
    List<String> warnings() {
        synchronized (log) {
            return log.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    /** A setting for the application; only before the first run. */
    void set(String key, String value) {
        if (app != null) {
            throw new IllegalStateException("the application has started");
        }
        settings.put(key, value);
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

    // ---- the truth, from the simulator (the shared oracle, with what a row takes out) ----------

    /** Live, payroll-approved registrations from the start date on. */
    Stream<TimeRegistration> approvedInWindow() {
        return ditio.data().liveTimeRegistrations().stream()
                .filter(r -> r.payrollApproved() && !r.workDate().isBefore(startDate));
    }

    /** Registrations that become payroll lines when nothing is corrupted. */
    List<TimeRegistration> payrollReady() {
        return PayrollTruth.payrollReady(ditio.data(), startDate);
    }

    /** Ids the dataset itself quarantines: payroll-approved with no employee number anywhere. */
    List<String> withoutEmployeeNumber() {
        Map<String, String> users = PayrollTruth.employeesByUser(ditio.data());
        return approvedInWindow().filter(r -> PayrollTruth.employee(r, users) == null).map(TimeRegistration::id)
                .sorted().toList();
    }

    /**
     * What payroll should hold, summed by a key of {employee, work date, wage type}: the ready
     * registrations except {@code left}, with {@code hours} instead of Ditio's qty where given.
     */
    Map<String, BigDecimal> truth(Function<String[], String> key, Set<String> left, Map<String, BigDecimal> hours) {
        Map<String, String> users = PayrollTruth.employeesByUser(ditio.data());
        Map<String, BigDecimal> sums = new TreeMap<>();
        for (TimeRegistration r : payrollReady()) {
            if (left.contains(r.id())) {
                continue;
            }
            String k = key.apply(new String[]{DeliveredPayroll.normalEmployee(PayrollTruth.employee(r, users)),
                    r.workDate().toString(), PayrollTruth.wageType(r)});
            sums.merge(k, hours.getOrDefault(r.id(), r.qty()).setScale(2, RoundingMode.HALF_UP), BigDecimal::add);
        }
        return DeliveredPayroll.normalise(sums);
    }

    static String visma(String[] k) {
        return k[0] + "|" + k[2];
    }

    static String day(String[] k) {
        return k[0] + "|" + k[1] + "|" + k[2];
    }

    // ---- what payroll received ------------------------------------------------------------------

    List<Path> filesOf(String target) {
        return deliveredFiles.stream().filter(p -> p.getParent().getFileName().toString().equals(target)).toList();
    }

    Map<String, BigDecimal> vismaTotals() throws IOException {
        return DeliveredPayroll.vismaTotals(filesOf("visma"));
    }

    Map<String, BigDecimal> sapTotals() throws IOException {
        return DeliveredPayroll.sapTotals(filesOf("sap"));
    }

    Map<String, BigDecimal> jdbcTotals() throws SQLException {
        return DeliveredPayroll.jdbcTotals(stateDbUrl());
    }

    /**
     * The standing SAP documents of one registration (its document numbers of versions 1-20),
     * fields unquoted; {@link #sapTotals()} has already checked cancellations and repeats.
     */
    List<List<String>> sapDocumentsOf(String registrationId) throws IOException {
        Set<String> numbers = new HashSet<>();
        for (int version = 1; version <= 20; version++) {
            numbers.add(LedgerDelta.documentNumber("time:" + registrationId, version));
        }
        Map<String, List<String>> standing = new LinkedHashMap<>();
        for (Path f : filesOf("sap")) {
            for (String line : DeliveredPayroll.body(f)) {
                List<String> c = DeliveredPayroll.fields(line);
                if (numbers.contains(c.get(1))) {
                    if ("X".equals(c.get(2))) {
                        standing.remove(c.get(1));
                    } else {
                        standing.put(c.get(1), c);
                    }
                }
            }
        }
        return List.copyOf(standing.values());
    }

    /** The fields of every Visma line delivered for one employee number. */
    List<List<String>> vismaLinesOf(String employeeNumber) throws IOException {
        List<List<String>> lines = new ArrayList<>();
        for (Path f : filesOf("visma")) {
            for (String line : DeliveredPayroll.body(f)) {
                List<String> c = DeliveredPayroll.fields(line);
                if (c.get(2).equals(employeeNumber)) {
                    lines.add(c);
                }
            }
        }
        return lines;
    }

    /** Active payroll_line rows of one registration: quantity and text. */
    List<String[]> jdbcRowsOf(String registrationId) throws SQLException {
        List<String[]> rows = new ArrayList<>();
        try (Connection c = db();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT quantity, text FROM payroll_line WHERE status = 'active' AND source_id = ?")) {
            ps.setString(1, registrationId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new String[]{rs.getBigDecimal(1).toPlainString(), rs.getString(2)});
                }
            }
        }
        return rows;
    }

    /** The quarantine table: record id → reason. */
    Map<String, String> quarantine() throws SQLException {
        Map<String, String> rows = new TreeMap<>();
        try (Connection c = db();
             ResultSet rs = c.createStatement().executeQuery("SELECT record_id, reason FROM quarantine")) {
            while (rs.next()) {
                rows.put(rs.getString(1), rs.getString(2));
            }
        }
        return rows;
    }

    boolean hasWatermark() throws SQLException {
        try (Connection c = db();
             ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM sync_watermark")) {
            rs.next();
            return rs.getInt(1) > 0;
        }
    }

    List<Path> filesOnDisk() throws IOException {
        Path out = dir.resolve("out");
        if (!Files.isDirectory(out)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(out)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    private Connection db() throws SQLException {
        return DriverManager.getConnection(stateDbUrl(), "sa", "");
    }

    @Override
    public void close() {
        try {
            if (app != null) {
                app.close();
            }
        } finally {
            feedSyncLog.detachAppender(log);
            mappingLog.detachAppender(log);
            ditio.close();
        }
    }
}
