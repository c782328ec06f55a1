package no.ditiosync.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.testing.AppProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The log as an operator and a log collector see it, through the command line: LOG_FORMAT=json gives
 * one JSON object per line with the run's company and id; a {@code log:} step an engineer adds to a
 * route shows at INFO with ROOT_LOG_LEVEL left alone.
 */
class LogFormatTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static SimulatedDitio ditio;

    @BeforeAll
    static void startDitio() {
        ditio = SimulatedDitio.start(SimulatorConfig.defaults().seed(3).workers(10).weeks(1), 0);
    }

    @AfterAll
    static void stopDitio() {
        ditio.close();
    }

    /**
     * The project's routes and mappings in {@code work}, as an engineer's copy of the project has
     * them, with a log: step added to route sync after the run begins.
     */
    private static void routesWithAnAddedLogStep(Path work) throws Exception {
        for (String folder : List.of("routes", "mappings")) {
            Path copy = Files.createDirectories(work.resolve(folder));
            try (Stream<Path> files = Files.list(AppProcess.projectRoot().resolve(folder))) {
                for (Path f : files.toList()) {
                    Files.copy(f, copy.resolve(f.getFileName()));
                }
            }
        }
        Path routes = work.resolve("routes");
        Path sync = routes.resolve("sync.camel.yaml");
        String begin = """
                              ref: runStart
                              method: begin
                """;
        String yaml = Files.readString(sync);
        assertThat(yaml).contains(begin);
        Files.writeString(sync, yaml.replace(begin, begin + """
                        - log:
                            message: "an added step: company ${variable.company}"
                """));
    }

    @Test
    void jsonLogIsOneObjectPerLineWithTheCompanyAndRunId(@TempDir Path dir) throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        routesWithAnAddedLogStep(work);
        Map<String, String> env = CommandLineTest.envFor(ditio, dir);
        env.put("LOG_FORMAT", "json");
        env.put("DITIO_CHUNK_LIMIT", "30");
        env.put("DITIO_RETRY_INITIAL_DELAY", "100ms");
        // one 503: the retry's WARN comes from the error handler, outside the route step that failed
        ditio.faults().failNext(503, 1);
        CommandLineTest.Result r = NewUserTest.runIn(work, dir, env, "sync", "--once");
        assertThat(r.exit()).as(r.err()).isZero();
        Matcher summary = Pattern.compile("^Run ([0-9a-f]{8}) \\(full pass, company cli\\) succeeded").matcher(r.out());
        assertThat(summary.find()).as(r.out()).isTrue();
        String runId = summary.group(1);

        List<JsonNode> lines = new ArrayList<>();
        for (String line : r.err().lines().toList()) {
            JsonNode json = JSON.readTree(line);
            assertThat(json.isObject()).as(line).isTrue();
            assertThat(json.path("timestamp").asText()).as(line).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
            assertThat(json.has("level") && json.has("logger") && json.has("company") && json.has("runId")
                    && json.has("message")).as(line).isTrue();
            lines.add(json);
        }
        List<JsonNode> pages = lines.stream().filter(j -> j.path("message").asText().matches("Run " + runId
                + ": page \\d+ of time read, .*")).toList();
        assertThat(pages).as(r.err()).hasSizeGreaterThan(1).allSatisfy(j -> {
            assertThat(j.path("level").asText()).isEqualTo("INFO");
            assertThat(j.path("logger").asText()).isEqualTo("no.ditiosync.run.SyncSteps");
            assertThat(j.path("company").asText()).isEqualTo("cli");
            assertThat(j.path("runId").asText()).isEqualTo(runId);
        });
        // the run's first line, and the retry's, carry the run too
        assertThat(lines).filteredOn(j -> j.path("message").asText().startsWith("Run " + runId + " of feed time for company cli"))
                .singleElement().satisfies(j -> assertThat(j.path("runId").asText()).isEqualTo(runId));
        assertThat(lines).filteredOn(j -> j.path("logger").asText().equals("no.ditiosync.ditio.DitioRetries"))
                .singleElement().satisfies(j -> {
                    assertThat(j.path("message").asText()).contains("HTTP 503", "retry 1 of");
                    assertThat(j.path("company").asText()).isEqualTo("cli");
                    assertThat(j.path("runId").asText()).isEqualTo(runId);
                });
        JsonNode added = lines.stream().filter(j -> j.path("message").asText().equals("an added step: company cli"))
                .findFirst().orElseThrow(() -> new AssertionError("the added log: step\n" + r.err()));
        assertThat(added.path("level").asText()).isEqualTo("INFO");
        assertThat(added.path("logger").asText()).isEqualTo("no.ditiosync.route.sync");
        assertThat(added.path("company").asText()).isEqualTo("cli");
        assertThat(added.path("runId").asText()).isEqualTo(runId);
    }

    @Test
    void anAddedLogStepShowsInTheTextLogAtTheDefaultLevels(@TempDir Path dir) throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        routesWithAnAddedLogStep(work);
        Map<String, String> env = CommandLineTest.envFor(ditio, dir);
        CommandLineTest.Result r = NewUserTest.runIn(work, dir, env, "sync", "--once");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).containsPattern("(?m)^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  \\[sync\\] an added step: company cli$");
    }

    @Test
    void anUnknownLogFormatStopsStartUpNamingTheSetting(@TempDir Path dir) throws Exception {
        Map<String, String> env = CommandLineTest.envFor(ditio, dir);
        env.put("LOG_FORMAT", "xml");
        CommandLineTest.Result r = CommandLineTest.run(dir, env, "sync", "--once");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("Setting LOG_FORMAT: 'xml' is neither text nor json");
    }

    /** A log level logback does not know stopped nothing: logback took it as DEBUG and flooded the log. */
    @ParameterizedTest
    @ValueSource(strings = {"LOG_LEVEL", "CAMEL_LOG_LEVEL", "ROOT_LOG_LEVEL"})
    void anUnknownLogLevelStopsStartUpNamingTheSetting(String setting, @TempDir Path dir) throws Exception {
        Map<String, String> env = CommandLineTest.envFor(ditio, dir);
        env.put(setting, "WARNING");
        CommandLineTest.Result r = CommandLineTest.run(dir, env, "sync", "--once");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("Setting " + setting + ": 'WARNING' is not a log level (TRACE, DEBUG, "
                + "INFO, WARN, ERROR or OFF)");
        // set but empty: logback took it as no level at all (LOG_LEVEL= silenced every INFO line)
        env.put(setting, "");
        assertThat(CommandLineTest.run(dir, env, "sync", "--once").err().strip()).isEqualTo("Setting " + setting
                + ": '' is not a log level (TRACE, DEBUG, INFO, WARN, ERROR or OFF)");
        env.put(setting, "warn");
        CommandLineTest.Result lower = CommandLineTest.run(dir, env, "sync", "--once");
        assertThat(lower.exit()).as(lower.err()).isZero();
        assertThat(lower.err()).doesNotContain("DEBUG");
        // as a JVM property, which logback reads first
        Process p = AppProcess.builder(env, List.of("-D" + setting + "=WARNING"), false, "sync", "--once")
                .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile()).start();
        assertThat(p.waitFor(90, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(Files.readString(dir.resolve("stderr.txt")).strip()).isEqualTo("Setting " + setting
                + ": 'WARNING' is not a log level (TRACE, DEBUG, INFO, WARN, ERROR or OFF)");
    }

    /** A value from Ditio in a log message reaches a terminal harmless: its escape sequences shown, not obeyed. */
    @Test
    void aControlCharacterInATextLogLineIsShownEscaped() {
        LogLayout layout = new LogLayout();
        layout.setContext(new ch.qos.logback.classic.LoggerContext());
        layout.setPattern("%-5level %msg%n");
        layout.start();
        ch.qos.logback.classic.Logger logger = new ch.qos.logback.classic.LoggerContext().getLogger("no.ditiosync.test");
        String line = layout.doLayout(new ch.qos.logback.classic.spi.LoggingEvent("x", logger,
                ch.qos.logback.classic.Level.WARN, "record {} twice", null, new Object[]{"a\u001b[2J\u0007b\tc"}));
        assertThat(line).isEqualTo("WARN  record a\\u001b[2J\\u0007b\tc twice" + System.lineSeparator());
    }

    /**
     * In the JSON log too: a collector undoes JSON's escapes, so a right-to-left override or an escape
     * sequence from Ditio must reach it as its code, shown, not as the character it would obey.
     */
    @Test
    void whatHidesOrReordersTextInAJsonLogLineIsShownAsItsCode() throws Exception {
        // the running context: an event reads the MDC through it
        ch.qos.logback.classic.Logger logger = ((ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory
                .getILoggerFactory()).getLogger("no.ditiosync.test");
        String line = LogLayout.json(new ch.qos.logback.classic.spi.LoggingEvent("x", logger,
                ch.qos.logback.classic.Level.WARN, "record {} twice", new IllegalStateException("bad \u202eid"),
                new Object[]{"P-1\u202e7001\u001b[2J\rERROR forged\n"}));

        JsonNode json = JSON.readTree(line);
        assertThat(json.path("message").asText()).isEqualTo("record P-1\\u202e7001\\u001b[2J\\rERROR forged\\n twice");
        assertThat(json.path("exception").asText()).contains("bad \\u202eid").doesNotContain("\u202e");
    }
}
