package no.ditiosync.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.LocalDate;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Every run, succeeded or failed, leaves a JSON report beside the state DB; status shows the newest. */
class RunReportTest {

    static final LocalDate LAST = LocalDate.of(2026, 11, 27);
    static final LocalDate START = LAST.minusWeeks(2);
    static final ObjectMapper JSON = new ObjectMapper();

    static SimulatorConfig company() {
        return SimulatorConfig.defaults().seed(11).workers(15).weeks(2).lastWorkDate(LAST);
    }

    @Test
    void aSucceededAndAFailedRunEachLeaveAReportWithExactFields(@TempDir Path dir) throws Exception {
        try (SyncHarness h = new SyncHarness(company(), dir, START, Map.of())) {
            SyncRun run = h.runOnce();
            h.ditio.faults().failNext(403, 1);
            assertThatThrownBy(h::runOnce).hasMessageContaining("HTTP 403");

            Path folder = dir.resolve("data/runs");
            List<Path> reports = RunReports.list(folder);
            assertThat(reports).hasSize(2);
            try (Stream<Path> all = Files.list(folder)) {
                assertThat(all.toList()).hasSize(2); // no temporary file left
            }
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder))).isEqualTo("rwx------");
            for (Path report : reports) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(report))).isEqualTo("rw-------");
            }

            // newest first: the failed run, then the one that succeeded
            Path ok = reports.get(1);
            assertThat(ok.getFileName().toString()).isEqualTo("acme-time-" + stamp(run) + "-" + run.runId() + ".json");
            Map<String, Object> expected = new LinkedHashMap<>();
            expected.put("runId", run.runId());
            expected.put("company", "acme");
            expected.put("feed", "time");
            expected.put("mode", "full");
            expected.put("startedAt", run.startedAt().toString());
            expected.put("endedAt", run.endedAt().toString());
            expected.put("outcome", "succeeded");
            expected.put("committed", true);
            expected.put("modifiedSince", null);
            expected.put("pages", 3);
            expected.put("recordsRead", 300);
            expected.put("deletedRead", 0);
            expected.put("usersRead", h.ditio.data().users().size());
            expected.put("retries", 0);
            Map<String, Object> lines = new LinkedHashMap<>();
            lines.put("visma", h.lineCount(h.filesOf("visma").get(0)));
            lines.put("sap", h.lineCount(h.filesOf("sap").get(0)));
            lines.put("jdbc", 133);
            expected.put("linesByTarget", lines);
            expected.put("files", List.of(h.filesOf("visma").get(0).toString(), h.filesOf("sap").get(0).toString()));
            expected.put("quarantined", 8);
            Map<String, Object> kinds = new LinkedHashMap<>();
            lines.forEach((target, n) -> kinds.put(target, Map.of("inDrop", n, "new", 133, "corrected", 0, "reversed", 0,
                    "released", 0)));
            expected.put("lines", kinds);
            Map<String, Integer> byReason = new LinkedHashMap<>();
            for (String[] q : h.quarantine()) {
                byReason.merge(no.ditiosync.state.QuarantineStore.reasonKind(q[1]), 1, Integer::sum);
            }
            Map<String, Object> quarantine = new LinkedHashMap<>();
            quarantine.put("newlyQuarantined", 8);
            quarantine.put("released", 0);
            quarantine.put("stillOpen", 8);
            quarantine.put("newlyQuarantinedByReason", byReason);
            quarantine.put("releasedByReason", Map.of());
            quarantine.put("stillOpenByReason", byReason);
            expected.put("quarantine", quarantine);
            expected.put("feedsNotDelivered", Map.of());
            expected.put("message", null);
            List<Map<String, String>> quarantined = new ArrayList<>();
            for (String[] q : h.quarantine()) {
                quarantined.add(Map.of("recordId", q[0], "reason", q[1]));
            }
            Map<String, Object> actual = JSON.readValue(ok.toFile(), LinkedHashMap.class);
            // the time each step took, in the order the run went through them
            Map<String, Object> steps = (Map<String, Object>) actual.remove("stepSeconds");
            assertThat(steps).containsOnlyKeys("read", "delta", "commit", "deliver");
            assertThat(new ArrayList<>(steps.keySet())).containsExactly("read", "delta", "commit", "deliver");
            assertThat(steps.values()).allSatisfy(s -> assertThat(((Number) s).doubleValue()).isGreaterThanOrEqualTo(0.0));
            assertThat((List<Object>) actual.remove("quarantinedFirst")).containsExactlyInAnyOrderElementsOf(new ArrayList<Object>(quarantined));
            assertThat(actual).containsExactlyEntriesOf(expected);

            Path bad = reports.get(0);
            JsonNode failed = JSON.readTree(bad.toFile());
            String[] logged = runLog(h, failed.get("runId").asText());
            assertThat(bad.getFileName().toString()).matches("acme-time-\\d{8}T\\d{9}Z-" + failed.get("runId").asText() + "\\.json");
            Map<String, Object> expectedFailure = new LinkedHashMap<>();
            expectedFailure.put("runId", failed.get("runId").asText());
            expectedFailure.put("company", "acme");
            expectedFailure.put("feed", "time");
            expectedFailure.put("mode", "incremental");
            // the run log keeps microseconds, the report the instants themselves
            expectedFailure.put("startedAt", failed.get("startedAt").asText());
            assertThat(Instant.parse(failed.get("startedAt").asText())).isCloseTo(Instant.parse(logged[0]), within(1, ChronoUnit.MICROS));
            expectedFailure.put("endedAt", failed.get("endedAt").asText());
            assertThat(Instant.parse(failed.get("endedAt").asText())).isCloseTo(Instant.parse(logged[1]), within(1, ChronoUnit.MICROS));
            expectedFailure.put("outcome", "failed");
            expectedFailure.put("committed", false);
            // the watermark (the first run's start, as the state DB keeps it) minus SYNC_OVERLAP
            expectedFailure.put("modifiedSince", watermark(h).minus(Duration.ofMinutes(10)).toString());
            expectedFailure.put("pages", 0);
            expectedFailure.put("recordsRead", 0);
            expectedFailure.put("deletedRead", 0);
            expectedFailure.put("usersRead", 0);
            expectedFailure.put("retries", 0);
            expectedFailure.put("linesByTarget", Map.of());
            expectedFailure.put("files", List.of());
            expectedFailure.put("quarantined", 0);
            expectedFailure.put("quarantinedFirst", List.of());
            expectedFailure.put("lines", Map.of());
            expectedFailure.put("quarantine", Map.of("newlyQuarantined", 0, "released", 0, "stillOpen", 0,
                    "newlyQuarantinedByReason", Map.of(), "releasedByReason", Map.of(), "stillOpenByReason", Map.of()));
            expectedFailure.put("feedsNotDelivered", Map.of());
            expectedFailure.put("message", logged[2]);
            // it failed while reading: no step ended
            expectedFailure.put("stepSeconds", Map.of());
            assertThat(logged[2]).startsWith("Ditio refused access (HTTP 403) on page 1 of /v1/user");
            assertThat(JSON.readValue(bad.toFile(), LinkedHashMap.class)).containsExactlyEntriesOf(expectedFailure);

            // status shows them, newest first (SecretScanTest runs the status command itself on reports)
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            StatusCommand.printReports(RunReports.folder("", h.stateDb().url()), new java.io.PrintStream(out, true, "UTF-8"));
            assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(
                    "Run reports in " + folder.toAbsolutePath() + " (newest 2 of 2):\n"
                    + "  " + bad.getFileName() + "  failed     incremental       0 records  lines none                          0 quarantined\n"
                    + "      " + logged[2] + "\n"
                    + "  " + ok.getFileName() + "  succeeded  full            300 records  lines visma=133,sap=133,jdbc=133    8 quarantined\n");
        }
    }

    @Test
    void onlyTheNewestReportsAreKept(@TempDir Path dir) throws Exception {
        try (SyncHarness h = new SyncHarness(company(), dir, START, Map.of("sync.report-keep", "2"))) {
            h.runOnce();
            SyncRun second = h.runOnce();
            SyncRun third = h.runOnce();
            assertThat(RunReports.list(dir.resolve("data/runs"))).extracting(p -> p.getFileName().toString()).containsExactly(
                    "acme-time-" + stamp(third) + "-" + third.runId() + ".json",
                    "acme-time-" + stamp(second) + "-" + second.runId() + ".json");
        }
    }

    @Test
    void theFolderIsBesideAnH2FileStateDbElseDataRunsUnlessSet() {
        assertThat(RunReports.folder("", "jdbc:h2:file:/srv/sync/data/state;AUTO_SERVER=TRUE"))
                .isEqualTo(Path.of("/srv/sync/data/runs"));
        assertThat(RunReports.folder("", "jdbc:postgresql://db:5432/sync")).isEqualTo(Path.of("data", "runs"));
        assertThat(RunReports.folder(" /var/lib/sync/runs ", "jdbc:postgresql://db:5432/sync"))
                .isEqualTo(Path.of("/var/lib/sync/runs"));
    }

    private static String stamp(SyncRun run) {
        return java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(java.time.ZoneOffset.UTC)
                .format(run.startedAt());
    }

    private static Instant watermark(SyncHarness h) throws Exception {
        try (Connection c = h.stateDb().connect();
             ResultSet rs = c.createStatement().executeQuery("SELECT watermark FROM sync_watermark")) {
            assertThat(rs.next()).isTrue();
            return rs.getObject(1, OffsetDateTime.class).toInstant();
        }
    }

    /** started_at, ended_at and message of a run as the run log holds them. */
    private static String[] runLog(SyncHarness h, String runId) throws Exception {
        try (Connection c = h.stateDb().connect();
             PreparedStatement ps = c.prepareStatement("SELECT started_at, ended_at, message FROM sync_run WHERE run_id = ?")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return new String[]{rs.getObject(1, OffsetDateTime.class).toInstant().toString(),
                        rs.getObject(2, OffsetDateTime.class).toInstant().toString(), rs.getString(3)};
            }
        }
    }
}
