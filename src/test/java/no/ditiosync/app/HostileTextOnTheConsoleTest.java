package no.ditiosync.app;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import no.ditiosync.ditio.DitioPager;
import no.ditiosync.run.FailureReason;
import no.ditiosync.run.SyncRun;
import no.ditiosync.testing.ScriptedDitio;
import no.ditiosync.testing.ScriptedDitio.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Anyone who can type into Ditio (a worker's description, an id a client made up, Ditio's own error
 * text) reaches the operator's terminal and log through this program. What they type must neither
 * speak to the terminal (escape sequences that retitle it, clear it or move the cursor; a right-to-left
 * override) nor forge lines (a line break that starts a made-up ERROR line, a carriage return that
 * writes over the start of the real one): each such character is shown escaped.
 */
class HostileTextOnTheConsoleTest {

    static final LocalDate START = LocalDate.of(2026, 11, 16);
    static final String FORGED = "dup\\n2026-12-07 21:00:00.000Z ERROR [Forged] payroll file deleted";

    @TempDir
    Path dir;
    final ScriptedDitio ditio = new ScriptedDitio();
    SyncApplication app;
    /** What the application logged during the test, as logged (the text log lays it out: {@link #logLines}). */
    final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void captureTheLog() {
        logged.setContext(context());
        logged.start();
        context().getLogger("no.ditiosync").addAppender(logged);
    }

    @AfterEach
    void stop() {
        context().getLogger("no.ditiosync").detachAppender(logged);
        if (app != null) {
            app.close();
        }
        ditio.close();
    }

    private static LoggerContext context() {
        return (LoggerContext) LoggerFactory.getILoggerFactory();
    }

    /** The logged events as the text log writes them (LOG_FORMAT=text, logback.xml's pattern), line ends cut off. */
    List<String> logLines() {
        LogLayout layout = new LogLayout();
        layout.setContext(context());
        layout.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS'Z',UTC} %-5level [%logger{0}] %msg%n");
        layout.start();
        return logged.list.stream().map(layout::doLayout)
                .map(line -> line.substring(0, line.length() - System.lineSeparator().length())).toList();
    }

    /** A registration; the arguments are JSON string contents, so {@code \\u001b} is an ESC once parsed. */
    static String registration(String id, String userId, String employee, String workDate) {
        return "{\"id\":\"" + id + "\",\"userId\":\"" + userId + "\""
                + (employee == null ? "" : ",\"userEmployeeNumber\":\"" + employee + "\"")
                + ",\"workDate\":\"" + workDate + "\",\"qty\":7.5,\"approved\":true,\"payrollApproved\":true,"
                + "\"modifiedDateTime\":\"2026-11-20T07:00:00Z\",\"isDeleted\":false}";
    }

    @Test
    void whatDitioSendsReachesTheTerminalAndTheLogEscaped() throws Exception {
        String page = "{\"data\":["
                + registration("q1", "u-\\u001b]0;PWNED\\u0007\\u001b[2J", null, "2026-11-17T00:00:00Z") + ","
                + registration("q3\\u001b[1A\\u001b[2K\\u202efdp.exe", "u-nobody", null, "2026-11-18T00:00:00Z") + ","
                + registration(FORGED, "u-101", "101", "2026-11-19T00:00:00Z") + ","
                + registration(FORGED, "u-101", "101", "2026-11-19T00:00:00Z") + ","
                + registration("cr\\rOVERWRITTEN", "u-101", "101", "2026-11-19T00:00:00Z") + ","
                + registration("cr\\rOVERWRITTEN", "u-101", "101", "2026-11-19T00:00:00Z") + ","
                + registration("q4", "u-101", "101", "\\u001b[2J\\u001b[H\\nFAKE")
                + "],\"continuationToken\":\"\"}";
        AtomicBoolean rejected = new AtomicBoolean();
        ditio.on(DitioPager.TIME_REGISTRATIONS, request -> rejected.get()
                ? Answer.json(400, "{\"error\":\"Bad\\u001b]0;PWNED-BY-DITIO\\u0007\",\"message\":\"\\u001b[2Jcleared\"}")
                : Answer.json(page));
        List<String> consoleAndLog = new ArrayList<>();
        Map<String, String> settings = ditio.settings("acme", START, dir);
        app = new SyncApplication(settings).start();
        SyncRun run = app.runOnce();
        assertThat(run.quarantineNew()).as("q1, q3 and q4").isEqualTo(3);

        ByteArrayOutputStream summary = new ByteArrayOutputStream();
        RunSummary.print(run, new PrintStream(summary, true, StandardCharsets.UTF_8));
        consoleAndLog.add(summary.toString(StandardCharsets.UTF_8));
        consoleAndLog.add(ProgressLine.text(run, Instant.now()));

        rejected.set(true);
        assertThatThrownBy(app::runOnce).satisfies(e -> consoleAndLog.add("Sync failed: " + FailureReason.of(e)));

        ByteArrayOutputStream status = new ByteArrayOutputStream();
        try (Connection c = DriverManager.getConnection(settings.get("payroll.state-db-url"), "sa", "");
             PrintStream out = new PrintStream(status, true, StandardCharsets.UTF_8)) {
            StatusCommand.print(c, out);
            StatusCommand.printReports(dir.resolve("data/runs"), out);
        }
        consoleAndLog.add(status.toString(StandardCharsets.UTF_8));
        assertThat(consoleAndLog.get(consoleAndLog.size() - 1)).as("status shows the records, escaped")
                .contains("time:q3\\u001b[1A\\u001b[2K\\u202efdp.exe").contains("u-\\u001b]0;PWNED\\u0007\\u001b[2J");
        List<String> logLines = logLines();
        assertThat(logLines).anyMatch(line -> line.contains("dup\\n2026-12-07 21:00:00.000Z ERROR [Forged]"));
        consoleAndLog.addAll(logLines);

        assertThat(consoleAndLog).allSatisfy(text -> assertThat(text)
                .doesNotContain("\u001b", "\u0007", "\u202e", "\r", "\nFAKE", "\n2026-12-07 21:00:00.000Z ERROR [Forged]"));
    }

    /** A feed left out (its first page a 404) for a reason in Ditio's own words: the summary and the log show it escaped. */
    @Test
    void theReasonAFeedWasLeftOutIsShownEscaped() throws Exception {
        ditio.on(DitioPager.TIME_REGISTRATIONS, request -> Answer.json("{\"data\":["
                + registration("dup\\u202etxt.exe", "u-101", "101", "2026-11-19T00:00:00Z") + ","
                + registration("dup\\u202etxt.exe", "u-101", "101", "2026-11-19T00:00:00Z") + "]}"));
        ditio.on(DitioPager.ABSENCES, request -> Answer.json(404,
                "{\"error\":\"NotFound\\u001b]0;PWNED\\u0007\",\"message\":\"\\u001b[2Jgone\\u202e\"}"));
        Map<String, String> settings = ditio.settings("acme", START, dir);
        settings.put("payroll.absences", "true");
        app = new SyncApplication(settings).start();
        SyncRun run = app.runOnce();
        ByteArrayOutputStream summary = new ByteArrayOutputStream();
        RunSummary.print(run, new PrintStream(summary, true, StandardCharsets.UTF_8));
        assertThat(summary.toString(StandardCharsets.UTF_8)).contains("NOT DELIVERED", "NotFound\\u001b]0;PWNED\\u0007")
                .doesNotContain("\u001b", "\u0007", "\u202e");
        assertThat(run.notDelivered()).doesNotContain("\u001b", "\u0007", "\u202e");
        assertThat(logLines()).anyMatch(line -> line.contains("dup\\u202etxt.exe")).anyMatch(line -> line.contains("PWNED"))
                .allSatisfy(line -> assertThat(line).doesNotContain("\u001b", "\u0007", "\u202e"));
    }

    /** An employee number Ditio sent with a right-to-left override in it, in the preview's net hours. */
    @Test
    void thePreviewShowsAnEmployeeNumberEscaped() throws Exception {
        ditio.on(DitioPager.TIME_REGISTRATIONS, request -> Answer.json("{\"data\":["
                + registration("r1", "u-101", "10\\u202e1", "2026-11-19T00:00:00Z") + "]}"));
        app = new SyncApplication(ditio.settings("acme", START, dir)).start();

        SyncRun run = app.preview("acme");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PreviewSummary.print(run, Map.of(), List.of(), new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("10\\u202e1").doesNotContain("\u202e");
    }
}
