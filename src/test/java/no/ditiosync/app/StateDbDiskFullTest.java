package no.ditiosync.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import no.ditiosync.run.SyncRun;
import no.ditiosync.state.CrashPoints;
import no.ditiosync.testing.DiskWithRoom;
import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static no.ditiosync.app.SyncEndToEndTest.LAST;
import static no.ditiosync.app.SyncEndToEndTest.company;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The disk under the H2 state DB (here also the JDBC target) fills up during a run: the run fails
 * at once and says why, and once the disk has room again and the application is started again, its
 * next run delivers every change exactly once.
 */
class StateDbDiskFullTest {

    private static final String AT_START = "at-start";

    /** The disk has room again, and no run is held at a point any more. */
    @AfterEach
    void roomAgain() {
        System.clearProperty(CrashPoints.PAUSE_PROPERTY);
        System.clearProperty(CrashPoints.PAUSE_FILE_PROPERTY);
        DiskWithRoom.room(Long.MAX_VALUE);
    }

    /** @param when where in the run the disk fills: before it starts, or at one of its crash points */
    @ParameterizedTest(name = "the disk fills {0}")
    @ValueSource(strings = {AT_START, CrashPoints.AFTER_PAGE + "1", CrashPoints.BEFORE_COMMIT, CrashPoints.AFTER_COMMIT})
    void aFullDiskFailsTheRunAtOnceAndTheNextRunDeliversEveryChangeOnce(String when, @TempDir Path dir) throws Exception {
        DiskWithRoom.register();
        TestDatabase stateDb = new TestDatabase("H2", "jdbc:h2:room:" + dir.resolve("data/state").toAbsolutePath(), "sa", "");
        try (SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), stateDb, Map.of())) {
            h.runOnce();
            h.ditio.data().randomMutations(new Random(5), 300);
            Thread filler = fillTheDisk(when, dir.resolve("paused"));

            // H2 2.4.240 could wait forever here, on a statement after its failed write
            Throwable failure = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> catchThrowable(h::runOnce),
                    "the run ends when the state DB cannot be written");
            filler.join(10_000);
            roomAgain();

            assertThat(failure).as("the run fails").isNotNull()
                    .hasMessageContaining("the state DB jdbc:h2:room:")
                    .hasMessageContaining("can no longer be written")
                    .hasMessageContaining("No space left on device")
                    .hasMessageContaining("make room and start the application again");

            // the operator made room (roomAgain) and starts the application again
            h.restartWith(Map.of());
            assertTheNextRunDeliversEveryChangeOnce(h, dir);
        }
    }

    /**
     * The run service: its scheduled run meets the full disk, and the service stops with exit status 1
     * (every later run of the process would fail), for its supervisor to start it again; started again
     * with room, it delivers every change once.
     */
    @Test
    void theRunServiceStopsForItsSupervisorAndStartedAgainDeliversEveryChangeOnce(@TempDir Path dir) throws Exception {
        DiskWithRoom.register();
        TestDatabase stateDb = new TestDatabase("H2", "jdbc:h2:room:" + dir.resolve("data/state").toAbsolutePath(), "sa", "");
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger serviceLog = (Logger) LoggerFactory.getLogger(SyncApplication.class);
        serviceLog.addAppender(log);
        try (SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), stateDb,
                Map.of("sync.scheduled", "true", "sync.cron", "* * * * * ?"))) {
            h.runOnce();
            h.ditio.data().randomMutations(new Random(5), 300);
            DiskWithRoom.room(0);
            SyncApplication service = h.app().startSchedules();

            int exit = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> service.serveUntil(new CompletableFuture<>()),
                    "the service stops once the state DB cannot be written");
            roomAgain();

            assertThat(exit).as("exit status").isEqualTo(1);
            assertThat(service.context().isStopped()).as("Camel stopped").isTrue();
            assertThat(log.list).as("the service's log").filteredOn(e -> e.getLevel() == Level.ERROR)
                    .extracting(ILoggingEvent::getFormattedMessage).singleElement().asString()
                    .startsWith("Stopping with exit status 1, to be started again: the state DB jdbc:h2:room:")
                    .contains("No space left on device", "make room and start the application again");

            // the supervisor starts it again, once there is room
            h.restartWith(Map.of("sync.scheduled", "false"));
            assertTheNextRunDeliversEveryChangeOnce(h, dir);
        } finally {
            serviceLog.detachAppender(log);
        }
    }

    /**
     * The disk is full before the application starts (a supervisor starting it again too soon): the start
     * fails as a full disk, exit status 1 (not 2, a wrong setting), naming it. (The next start, in a new
     * process, opens the file from what H2 wrote, as after the failures above; within this JVM H2 keeps
     * the database it could not open.)
     */
    @Test
    void aDiskFullAtStartIsNoWrongSetting(@TempDir Path dir) throws Exception {
        DiskWithRoom.register();
        TestDatabase stateDb = new TestDatabase("H2", "jdbc:h2:room:" + dir.resolve("data/state").toAbsolutePath(), "sa", "");
        try (SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), stateDb, Map.of())) {
            h.runOnce();
            h.ditio.data().randomMutations(new Random(5), 300);
            h.restartWith(Map.of());
            DiskWithRoom.room(0);

            Throwable failure = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> catchThrowable(h::app));
            roomAgain();

            assertThat(failure).as("the start fails").isInstanceOf(StateDbUnwritableException.class)
                    .hasMessageStartingWith("the state DB jdbc:h2:room:")
                    .hasMessageContaining("can no longer be written", "No space left on device");
            assertThat(DitioPayrollSync.exitStatus(failure)).as("exit status").isEqualTo(1);
        }
    }

    /** Fills the disk now, or when the run reaches the point {@code when} (holding it there meanwhile). */
    private static Thread fillTheDisk(String when, Path pauseFile) {
        if (when.equals(AT_START)) {
            DiskWithRoom.room(0);
            return new Thread(() -> { });
        }
        System.setProperty(CrashPoints.PAUSE_FILE_PROPERTY, pauseFile.toString());
        System.setProperty(CrashPoints.PAUSE_PROPERTY, when);
        Thread filler = new Thread(() -> {
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(pauseFile));
            DiskWithRoom.room(0);
            try {
                Files.delete(pauseFile);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "disk-filler");
        filler.start();
        return filler;
    }

    /** The next run is incremental and leaves every target holding Ditio's truth; the run after it delivers nothing. */
    private static void assertTheNextRunDeliversEveryChangeOnce(SyncHarness h, Path dir) throws Exception {
        SyncRun next = h.runOnce();
        assertThat(next.mode()).isEqualTo(SyncRun.Mode.INCREMENTAL);
        assertThat(h.vismaTotals()).as("Visma").isEqualTo(h.truth(k -> k[0] + "|" + k[2]));
        assertThat(h.sapTotals()).as("SAP").isEqualTo(h.truth(k -> k[0] + "|" + k[1] + "|" + k[2]));
        assertThat(h.jdbcTotals()).as("payroll_line").isEqualTo(h.truth(k -> k[0] + "|" + k[1] + "|" + k[2]));
        assertThat(h.runOnce().files()).as("a run after that finds nothing left to deliver").isEmpty();
        assertThat(temporaryDrops(dir)).as("drops left unpublished").isEmpty();
    }

    private static List<Path> temporaryDrops(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir.resolve("out"))) {
            return files.filter(f -> f.getFileName().toString().startsWith(".")).toList();
        }
    }
}
