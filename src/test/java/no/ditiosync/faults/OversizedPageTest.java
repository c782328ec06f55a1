package no.ditiosync.faults;

import no.ditiosync.app.SyncApplication;
import no.ditiosync.ditio.DitioApiException;
import no.ditiosync.ditio.DitioPager;
import no.ditiosync.run.SyncRun;
import no.ditiosync.testing.AppProcess;
import no.ditiosync.testing.DeliveredPayroll;
import no.ditiosync.testing.ScriptedDitio;
import no.ditiosync.testing.ScriptedDitio.Answer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What Ditio sends is bounded. A page is parsed as it streams in, never held whole in memory; a page
 * larger than DITIO_MAX_PAGE_BYTES, or a continuation token longer than a token can be, is a bad
 * page: the run fails naming the page and the limit, nothing of the run is delivered and the
 * watermark stays. The application runs as a separate JVM with AppProcess's 256 MB heap, so running
 * out of memory would show as what it is.
 */
class OversizedPageTest {

    static final LocalDate START = LocalDate.of(2026, 11, 16);
    static final String PAGE_ONE = "{\"data\":[" + registration("r1", "2026-11-16") + "," + registration("r2", "2026-11-17")
            + "],\"continuationToken\":\"p2\"}";
    /** 1 GiB of JSON whitespace inside a page, gzipped into about one megabyte. */
    static byte[] gzipBomb;

    @BeforeAll
    static void makeTheBomb() throws IOException {
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(zipped, 1 << 16) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        }) {
            gzip.write("{\"data\":[".getBytes(StandardCharsets.UTF_8));
            byte[] spaces = new byte[1 << 20];
            Arrays.fill(spaces, (byte) ' ');
            for (int i = 0; i < 1024; i++) {
                gzip.write(spaces);
            }
            gzip.write("],\"continuationToken\":null}".getBytes(StandardCharsets.UTF_8));
        }
        gzipBomb = zipped.toByteArray();
    }

    static String registration(String id, String workDate) {
        return "{\"id\":\"" + id + "\",\"userId\":\"u-101\",\"userEmployeeNumber\":\"101\",\"workDate\":\"" + workDate
                + "T00:00:00Z\",\"qty\":7.5,\"approved\":true,\"payrollApproved\":true,"
                + "\"modifiedDateTime\":\"2026-11-18T16:00:00Z\",\"isDeleted\":false}";
    }

    record Result(int exit, String out, String err) {
    }

    @Test
    void aGibibyteOfGzippedWhitespaceOnPageTwoFailsTheRunWithoutRunningOutOfMemory(@TempDir Path dir) throws Exception {
        assertThat(gzipBomb.length).as("a small download").isLessThan(2 << 20);
        try (ScriptedDitio ditio = new ScriptedDitio()) {
            ditio.on(DitioPager.TIME_REGISTRATIONS, request -> request.param("ContinuationToken") == null
                    ? Answer.json(PAGE_ONE) : Answer.gzippedJson(gzipBomb));

            Result r = syncOnce(ditio, dir, Map.of());

            assertThat(r.err()).doesNotContain("OutOfMemoryError", "Java heap space");
            assertThat(r.exit()).as(r.err()).isEqualTo(1);
            assertThat(r.err()).contains("Sync failed: Ditio sent more than 256MiB for page 2 of /v1/time-registrations: "
                    + "a page may hold at most DITIO_MAX_PAGE_BYTES (ditio.max-page-bytes) = 256MiB");
            assertThat(ditio.requests(DitioPager.TIME_REGISTRATIONS)).as("page 2 asked for once, not retried").hasSize(2);
            assertNothingDelivered(dir, "Ditio sent more than 256MiB for page 2 of /v1/time-registrations");
        }
    }

    @Test
    void aContinuationTokenLongerThanATokenCanBeFailsTheRunBeforeItIsSentBack(@TempDir Path dir) throws Exception {
        String longToken = "eyJ" + "x".repeat(9_997);
        try (ScriptedDitio ditio = new ScriptedDitio()) {
            ditio.on(DitioPager.TIME_REGISTRATIONS, request -> Answer.json("{\"data\":[" + registration("r1", "2026-11-16")
                    + "],\"continuationToken\":\"" + longToken + "\"}"));

            Result r = syncOnce(ditio, dir, Map.of());

            assertThat(r.exit()).as(r.err()).isEqualTo(1);
            assertThat(r.err()).contains("Sync failed: Ditio sent a continuation token of 10000 characters for page 1 of "
                    + "/v1/time-registrations: a token has at most 8192 (it goes back in the next page's address)")
                    .doesNotContain(longToken);
            assertThat(ditio.requests(DitioPager.TIME_REGISTRATIONS)).as("the token never sent back").hasSize(1);
            assertNothingDelivered(dir, "Ditio sent a continuation token of 10000 characters for page 1");
        }
    }

    /** The limit is a setting: a page a little over it fails the run; the same page is read once the limit allows it. */
    @Test
    void thePageLimitIsTheSetting(@TempDir Path dir) throws Exception {
        StringBuilder page = new StringBuilder("{\"data\":[");
        for (int i = 0; i < 6000; i++) {
            // many records sharing one timestamp make a large page: Ditio never splits a timestamp
            page.append(i == 0 ? "" : ",").append(registration("big-" + i, "2026-11-20"));
        }
        String body = page.append("]}").toString();
        assertThat(body.length()).isBetween(1 << 20, 2 << 20);
        try (ScriptedDitio ditio = new ScriptedDitio()) {
            ditio.on(DitioPager.TIME_REGISTRATIONS, request -> Answer.json(body));
            Map<String, String> settings = ditio.settings("acme", START, dir);
            settings.put("ditio.max-page-bytes", "1MiB");
            try (SyncApplication app = new SyncApplication(settings).start()) {
                assertThatThrownBy(app::runOnce).isInstanceOf(DitioApiException.class).hasMessage("Ditio sent more than "
                        + "1MiB for page 1 of /v1/time-registrations: a page may hold at most DITIO_MAX_PAGE_BYTES "
                        + "(ditio.max-page-bytes) = 1MiB; raise it only if Ditio's pages really are that large");
            }
            assertThat(DeliveredPayroll.jdbcTotals(stateDb(dir))).isEmpty();

            settings.put("ditio.max-page-bytes", "2MiB");
            try (SyncApplication app = new SyncApplication(settings).start()) {
                SyncRun run = app.runOnce();
                assertThat(run.recordsRead()).isEqualTo(6000);
            }
            assertThat(DeliveredPayroll.jdbcTotals(stateDb(dir))).hasSize(1).containsValue(new java.math.BigDecimal("45000.00"));
        }
    }

    // ---- the application as a separate JVM ---------------------------------------------------------

    static Result syncOnce(ScriptedDitio ditio, Path dir, Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("DITIO_IDENTITY_BASE", ditio.identityBase());
        env.put("DITIO_REPORTING_BASE", ditio.reportingBase());
        env.put("DITIO_CLIENT_ID", "scripted-client");
        env.put("DITIO_CLIENT_SECRET", "scripted-secret");
        env.put("DITIO_CHUNK_LIMIT", "100");
        env.put("DITIO_RETRY_INITIAL_DELAY", "20ms");
        env.put("PAYROLL_COMPANY", "acme");
        env.put("PAYROLL_START_DATE", START.toString());
        env.put("PAYROLL_TARGETS", "visma,jdbc");
        env.put("PAYROLL_DROP_DIR", dir.resolve("out").toString());
        env.put("PAYROLL_STATE_DB_URL", stateDb(dir));
        env.putAll(extra);
        Process p = AppProcess.builder(env, List.of(), false, "sync", "--once")
                .redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile())
                .start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("sync --once did not end within 180 s: "
                    + Files.readString(dir.resolve("stderr.txt"), StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), Files.readString(dir.resolve("stdout.txt"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("stderr.txt"), StandardCharsets.UTF_8));
    }

    static String stateDb(Path dir) {
        return "jdbc:h2:file:" + dir.resolve("data/state").toAbsolutePath();
    }

    /** No drop file, no payroll_line row, no watermark, no quarantine; the run logged as failed with the message. */
    static void assertNothingDelivered(Path dir, String message) throws IOException, SQLException {
        if (Files.exists(dir.resolve("out"))) {
            try (Stream<Path> files = Files.walk(dir.resolve("out"))) {
                assertThat(files.filter(Files::isRegularFile).toList()).as("drop files").isEmpty();
            }
        }
        assertThat(DeliveredPayroll.jdbcTotals(stateDb(dir))).as("payroll_line").isEmpty();
        try (Connection c = DriverManager.getConnection(stateDb(dir), "sa", "")) {
            assertThat(count(c, "SELECT COUNT(*) FROM sync_watermark")).as("watermarks").isZero();
            assertThat(count(c, "SELECT COUNT(*) FROM quarantine")).as("quarantine").isZero();
            List<String[]> runs = new ArrayList<>();
            try (ResultSet rs = c.createStatement().executeQuery("SELECT outcome, message FROM sync_run")) {
                while (rs.next()) {
                    runs.add(new String[]{rs.getString(1), rs.getString(2)});
                }
            }
            assertThat(runs).singleElement().satisfies(run -> {
                assertThat(run[0]).isEqualTo("failed");
                assertThat(run[1]).startsWith(message);
            });
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
