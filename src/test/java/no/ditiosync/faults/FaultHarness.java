package no.ditiosync.faults;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import no.ditiosync.app.SyncApplication;
import no.ditiosync.ditio.DitioRetries;
import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.simulator.TimeRegistration;
import no.ditiosync.testing.DeliveredPayroll;
import no.ditiosync.testing.PayrollTruth;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.math.BigDecimal;
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
import java.util.LinkedHashMap;
import no.ditiosync.testing.TestSettings;
import java.util.List;
import java.util.Map;
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

    /**
     * Settings for fast fault tests: 20 ms first backoff, 1 s read timeout (a cold simulator's first
     * pages took over 300 ms on a busy two-core machine, and the retry moved the faults to other calls).
     */
    static Map<String, String> fast() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("ditio.retry.initial-delay", "20ms");
        s.put("ditio.retry.max-delay", "200ms");
        s.put("ditio.read-timeout", "1s");
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
        Map<String, String> s = TestSettings.simulator(ditio, "acme", startDate, dir);
        s.put("payroll.state-db-url", stateDbUrl());
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
        return count("payroll_line");
    }

    /** Rows in the quarantine: what status counts open. */
    int quarantineRows() throws SQLException {
        return count("quarantine");
    }

    private int count(String table) throws SQLException {
        try (Connection c = DriverManager.getConnection(stateDbUrl(), "sa", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
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
        return PayrollTruth.payrollReady(ditio.data(), startDate);
    }

    Map<String, BigDecimal> vismaTruth() {
        return PayrollTruth.perEmployeeAndWageType(ditio.data(), startDate);
    }

    Map<String, BigDecimal> dayTruth() {
        return PayrollTruth.perEmployeeDayAndWageType(ditio.data(), startDate);
    }

    // ---- what payroll received ---------------------------------------------------------------------

    Map<String, BigDecimal> vismaTotals() throws IOException {
        return DeliveredPayroll.vismaTotals(filesOf("visma"));
    }

    Map<String, BigDecimal> sapTotals() throws IOException {
        return DeliveredPayroll.sapTotals(filesOf("sap"));
    }

    Map<String, BigDecimal> jdbcTotals() throws SQLException {
        return DeliveredPayroll.jdbcTotals(stateDbUrl());
    }

    List<Path> filesOf(String target) {
        return deliveredFiles.stream().filter(p -> p.getParent().getFileName().toString().equals(target)).toList();
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
