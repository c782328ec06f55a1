package no.ditiosync.app;

import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import no.ditiosync.testing.TestDatabase;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The run command's schedule on one node: the cron read in its time zone, and a missed firing run once. */
class ScheduleTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // 06:00 in Oslo is 05:00 UTC in November
            "0 0 6 * * ?  | Europe/Oslo | 2026-11-27T04:00:00Z | 2026-11-27T06:00:00Z | true",
            "0 0 6 * * ?  | Europe/Oslo | 2026-11-27T05:00:01Z | 2026-11-28T04:59:59Z | false",
            "0 0 6 * * ?  | UTC         | 2026-11-27T04:00:00Z | 2026-11-27T05:30:00Z | false",
            "0 0 6 * * ?  | UTC         | 2026-11-27T04:00:00Z | 2026-11-27T06:00:01Z | true",
            // summer time: 06:00 in Oslo is 04:00 UTC
            "0 0 6 * * ?  | Europe/Oslo | 2026-07-01T03:00:00Z | 2026-07-01T04:30:00Z | true",
            // missed many times over is still one run (the caller fires once)
            "0 0/30 * * * ? | Europe/Oslo | 2026-11-20T04:00:00Z | 2026-11-27T06:00:00Z | true",
            // a zone given as an offset, in either form Java takes: 12:00 there is 11:00 UTC
            "0 0 12 * * ?  | UTC+01:00   | 2026-11-27T10:00:00Z | 2026-11-27T11:00:01Z | true",
            "0 0 12 * * ?  | +01:00      | 2026-11-27T10:00:00Z | 2026-11-27T11:00:01Z | true",
    })
    void aFiringBetweenTheLastRunAndNowWasMissed(String cron, String zone, String lastRun, String now, boolean missed)
            throws Exception {
        assertThat(SyncSchedules.missedFiring(cron.strip(), ZoneId.of(zone.strip()), Instant.parse(lastRun.strip()),
                Instant.parse(now.strip()))).isEqualTo(missed);
    }

    /**
     * camel-quartz takes the schedule's zone by its id, through TimeZone.getTimeZone(String), which reads an id it
     * does not know as GMT without a word: SYNC_TIME_ZONE=+01:00 fired its cron an hour late. The id the
     * schedules give it must be one it reads as the same zone.
     */
    @ParameterizedTest
    @CsvSource({"+01:00, 3600000", "UTC+01:00, 3600000", "GMT+1, 3600000", "-03:30, -12600000", "Europe/Oslo, 3600000", "UTC, 0"})
    void theZoneIsNamedToQuartzAsOneItReads(String zone, int rawOffsetMillis) {
        String named = SyncSchedules.quartzZone(ZoneId.of(zone)).getID();
        assertThat(java.util.TimeZone.getTimeZone(named).getRawOffset()).as(zone + " named as " + named).isEqualTo(rawOffsetMillis);
    }

    @Test
    void beforeTheFirstRunNothingWasMissed() throws Exception {
        assertThat(SyncSchedules.missedFiring("0 0 6 * * ?", ZoneId.of("Europe/Oslo"), null, Instant.now())).isFalse();
    }

    /**
     * Alone, and as the first node of a new Quartz cluster (the service run alone before, then clustered:
     * the cluster's tables hold no trigger that could misfire, and the missed firing was not run: outside
     * audit).
     */
    @ParameterizedTest(name = "clustered={0}")
    @ValueSource(booleans = {false, true})
    void aFiringMissedWhileTheServiceWasDownRunsOnceWhenItStarts(boolean clustered, @TempDir Path dir) throws Exception {
        try (SimulatedDitio ditio = SimulatedDitio.start(SimulatorConfig.defaults().seed(3).workers(8).weeks(1), 0)) {
            Map<String, String> env = CommandLineTest.envFor(ditio, dir);
            env.put("LOG_LEVEL", "INFO");
            if (clustered) {
                TestDatabase db = TestDatabase.postgres();
                env.put("PAYROLL_STATE_DB_URL", db.url());
                env.put("PAYROLL_STATE_DB_USER", db.user());
                env.put("PAYROLL_STATE_DB_PASSWORD", db.password());
                env.put("SYNC_REPORT_DIR", dir.resolve("runs").toString());
            }
            CommandLineTest.Result first = CommandLineTest.run(dir, env, "sync", "--once");
            assertThat(first.exit()).as(first.err()).isZero();

            // a daily firing at a second that has passed since that run, in Oslo time: the service was "down" then
            ZoneId oslo = ZoneId.of("Europe/Oslo");
            LocalTime missed = ZonedDateTime.now(oslo).plusSeconds(2).toLocalTime();
            await().atMost(Duration.ofSeconds(10)).until(() -> ZonedDateTime.now(oslo).toLocalTime().isAfter(missed.plusSeconds(1)));
            env.put("SYNC_CRON", missed.getSecond() + " " + missed.getMinute() + " " + missed.getHour() + " * * ?");
            env.put("SYNC_TIME_ZONE", "Europe/Oslo");
            if (clustered) {
                env.put("SYNC_CLUSTERED", "true");
            }
            Process service = CommandLineTest.start(dir, env, "run");
            Path log = dir.resolve("stderr.txt");
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(log, StandardCharsets.UTF_8)
                        .contains("succeeded"));
                // a little longer: no second catch-up run, and the cron's next firing is tomorrow
                await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(service::isAlive);
            } finally {
                service.destroy();
                assertThat(service.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            String text = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(text).contains("Company cli: a scheduled run was missed while the service was down; running it once now");
            assertThat(text.split("incremental pass of changes", -1)).as(text).hasSize(2);
        }
    }
}
