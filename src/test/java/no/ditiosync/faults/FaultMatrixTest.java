package no.ditiosync.faults;

import no.ditiosync.ditio.DitioApiException;
import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorFaults;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Every transient fault of docs/ditio-contract.md, "Errors", injected at a random data call (seeded) of a
 * multi-page full pass: the run retries that one call, goes on from the same continuation token,
 * and delivers exactly the truth; each retry is one WARN naming the page, the failure and the
 * delay. Then the bounds: a storm within them succeeds, a call or a run out of retries fails
 * clearly without moving the watermark.
 */
class FaultMatrixTest {

    private static final Random RANDOM = new Random(20261127);
    private static final Pattern DELAY = Pattern.compile(" in (\\d+) ms ");

    /** Data calls of a clean pass, and how many of them are user pages and project pages (asked for before the registrations). */
    static int cleanCalls;
    static int userPages;
    static int projectPages;

    @BeforeAll
    static void measureACleanPass(@TempDir Path dir) {
        try (FaultHarness h = new FaultHarness(FaultHarness.company(), dir, Map.of())) {
            SyncRun run = h.runOnce();
            cleanCalls = (int) h.ditio.faults().dataCalls();
            userPages = run.userPages();
            projectPages = run.projectPages();
            assertThat(run.pages()).as("a multi-page pass").isGreaterThanOrEqualTo(6);
            assertThat(run.recordsRead()).isBetween(600L, 1000L);
            assertThat(cleanCalls).isEqualTo(run.pages() + run.userPages() + run.projectPages());
        }
    }

    /** A fault, how to inject it at a data call, and what its one retry looks like in the log. */
    record Fault(String name, Consumer<SimulatorFaults.At> inject, String logged, long minDelay, long maxDelay,
                 boolean pageServedTwice) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> transientFaults() {
        return Stream.of(
                new Fault("429 without Retry-After", at -> at.failNext(429, 1), "Ditio answered HTTP 429 on ", 1, 250, false),
                new Fault("429 with Retry-After in seconds", at -> at.failNext(429, 1, "1"),
                        "Ditio answered HTTP 429 (Retry-After: 1) on ", 1000, 1000, false),
                new Fault("429 with Retry-After as an HTTP date", at -> at.failNext(429, 1, httpDate(Instant.now().plusSeconds(2))),
                        "Ditio answered HTTP 429 (Retry-After: ", 0, 2000, false),
                new Fault("500", at -> at.failNext(500, 1), "Ditio answered HTTP 500 on ", 1, 250, false),
                new Fault("502", at -> at.failNext(502, 1), "Ditio answered HTTP 502 on ", 1, 250, false),
                new Fault("503", at -> at.failNext(503, 1), "Ditio answered HTTP 503 on ", 1, 250, false),
                new Fault("504", at -> at.failNext(504, 1), "Ditio answered HTTP 504 on ", 1, 250, false),
                new Fault("connection dropped without an answer", at -> at.dropConnectionNext(1),
                        "Ditio closed the connection without an answer on ", 1, 250, false),
                // the simulator still serves the page after its pause, to a client that has stopped listening
                new Fault("read timeout", at -> at.slowNext(3000, 1), "Ditio did not answer in time (read timeout) on ",
                        1, 250, true),
                // the page is read as it streams in: a connection lost half-way is retried like one lost before
                new Fault("connection dropped in the middle of a page", at -> at.cutOffNext(1),
                        "Ditio closed the connection in the middle of its answer on ", 1, 250, true)
        ).map(f -> Arguments.of(f, 1 + RANDOM.nextInt(cleanCalls)));
    }

    @ParameterizedTest(name = "{0} at data call {1}")
    @MethodSource("transientFaults")
    void aTransientFaultAtAnyPageIsRetriedOnceAndTheRunDeliversTheTruth(Fault fault, int call, @TempDir Path dir)
            throws Exception {
        try (FaultHarness h = new FaultHarness(FaultHarness.company(), dir, Map.of())) {
            fault.inject().accept(h.ditio.faults().atCall(call));

            SyncRun run = h.runOnce();

            assertDeliveredTheTruth(h);
            List<String> retries = h.retryWarnings();
            assertThat(retries).as("one WARN per retry").hasSize(1);
            String warning = retries.get(0);
            assertThat(warning).startsWith(fault.logged()).contains(" on " + page(call) + ": retry 1 of 5 in ");
            assertThat(delayOf(warning)).isBetween(fault.minDelay(), fault.maxDelay());
            // the pass went on from the page that failed: every page asked for once more at most, never page one again
            assertThat(h.ditio.faults().dataCalls()).isEqualTo(cleanCalls + 1);
            int served = run.pages() + run.userPages() + run.projectPages() + (fault.pageServedTwice() ? 1 : 0);
            await().atMost(Duration.ofSeconds(5)).until(() -> h.ditio.pagesServed() == served);
            assertThat(h.ditio.tokensIssued()).as("no token request per page or per retry").isEqualTo(1);
        }
    }

    @Test
    void a401OnATokenThatLookedValidGetsOneNewTokenAndOneRetry(@TempDir Path dir) throws Exception {
        int call = 1 + RANDOM.nextInt(cleanCalls);
        try (FaultHarness h = new FaultHarness(FaultHarness.company(), dir, Map.of())) {
            h.ditio.faults().atCall(call).reject401Once();

            SyncRun run = h.runOnce();

            assertDeliveredTheTruth(h);
            assertThat(h.warnings()).containsOnlyOnce(
                    "no.ditiosync.route.ditio-page Ditio answered 401 on " + page(call) + ": fetching a new token and retrying once");
            assertThat(h.retryWarnings()).isEmpty();
            assertThat(h.ditio.tokensIssued()).isEqualTo(2);
            assertThat(h.ditio.pagesServed()).isEqualTo(run.pages() + run.userPages() + run.projectPages());
        }
    }

    @Test
    void aTokenThatExpiresWhileARetryWaitsTakesThe401Path(@TempDir Path dir) throws Exception {
        // a 1 s token, and a Retry-After of 1 s on the first call right after it was issued: the
        // retry goes out with the Authorization it was first sent with, which has expired by then
        try (FaultHarness h = new FaultHarness(FaultHarness.company().tokenExpiresInSeconds(1), dir, Map.of())) {
            h.ditio.faults().atCall(1).failNext(429, 1, "1");

            h.runOnce();

            assertDeliveredTheTruth(h);
            assertThat(h.retryWarnings()).containsExactly(
                    "Ditio answered HTTP 429 (Retry-After: 1) on page 1 of /v1/user: retry 1 of 5 in 1000 ms (1 of 50 retries of this run)");
            assertThat(h.warnings()).contains(
                    "no.ditiosync.route.ditio-page Ditio answered 401 on page 1 of /v1/user: fetching a new token and retrying once");
        }
    }

    @Test
    void aRetryAfterLongerThanTheCapWaitsOnlyTheCap(@TempDir Path dir) throws Exception {
        int call = 1 + RANDOM.nextInt(cleanCalls);
        try (FaultHarness h = new FaultHarness(FaultHarness.company(), dir, Map.of("ditio.retry-after-max", "300ms"))) {
            h.ditio.faults().atCall(call).failNext(503, 1, "3600");

            h.runOnce();

            assertDeliveredTheTruth(h);
            assertThat(h.retryWarnings()).containsExactly("Ditio answered HTTP 503 (Retry-After: 3600) on " + page(call)
                    + ": retry 1 of 5 in 300 ms (Retry-After capped) (1 of 50 retries of this run)");
        }
    }

    @Test
    void theTokenRequestIsRetriedOn5xxToo(@TempDir Path dir) throws Exception {
        try (FaultHarness h = new FaultHarness(FaultHarness.company(), dir, Map.of())) {
            h.ditio.faults().tokenFailNext(503, 2);

            h.runOnce();

            assertDeliveredTheTruth(h);
            assertThat(h.retryWarnings()).hasSize(2).allSatisfy(w ->
                    assertThat(w).startsWith("Ditio answered HTTP 503 on the token request: retry "));
            assertThat(h.ditio.tokensIssued()).isEqualTo(1);
        }
    }

    @Test
    void aFaultStormWithinTheBoundsEndsInACompleteRun(@TempDir Path dir) throws Exception {
        try (FaultHarness h = new FaultHarness(FaultHarness.company(), dir, Map.of())) {
            // from the first call on, every second of 20 data calls fails, 429 and 503 by turns
            h.ditio.faults().storm(2, 429, 503, 20);

            SyncRun run = h.runOnce();

            assertDeliveredTheTruth(h);
            List<String> retries = h.retryWarnings();
            // one failure per page until the storm is over: 10 failures, or one on every page of a shorter pass
            int failedCalls = Math.min(10, cleanCalls);
            assertThat(h.ditio.faults().dataCalls()).isEqualTo(cleanCalls + failedCalls);
            assertThat(retries).hasSize(failedCalls);
            for (int i = 0; i < retries.size(); i++) {
                assertThat(retries.get(i)).startsWith("Ditio answered HTTP " + (i % 2 == 0 ? 429 : 503) + " on page ")
                        .contains(": retry 1 of 5 in ").endsWith("(" + (i + 1) + " of 50 retries of this run)");
            }
            assertThat(h.ditio.pagesServed()).isEqualTo(run.pages() + run.userPages() + run.projectPages());
        }
    }

    @Test
    void aCallOutOfRetriesFailsTheRunAndTheNextRunDeliversEverythingOnce(@TempDir Path dir) throws Exception {
        try (FaultHarness h = new FaultHarness(FaultHarness.company(), dir, Map.of())) {
            h.runOnce();
            Instant watermark = h.watermark();
            int filesBefore = h.filesOnDisk().size();
            h.ditio.data().randomMutations(new Random(5), 40);
            int page = 1;
            long call = h.ditio.faults().dataCalls() + userPages + projectPages + page;
            h.ditio.faults().atCall((int) call).failNext(502, 6);

            assertThatThrownBy(h::runOnce).isInstanceOf(DitioApiException.class).hasMessage(
                    "Ditio answered HTTP 502 on page " + page + " of /v1/time-registrations, 6 times in a row: "
                            + "giving up after 6 attempts (DITIO_RETRY_MAX_ATTEMPTS)");

            assertThat(h.retryWarnings()).hasSize(5);
            assertThat(h.watermark()).isEqualTo(watermark);
            assertThat(h.filesOnDisk()).hasSize(filesBefore);
            assertThat(h.runLog()).last().satisfies(r -> assertThat(r).containsExactly("failed",
                    "Ditio answered HTTP 502 on page " + page + " of /v1/time-registrations, 6 times in a row: "
                            + "giving up after 6 attempts (DITIO_RETRY_MAX_ATTEMPTS)"));

            SyncRun next = h.runOnce();

            assertThat(next.mode()).isEqualTo(SyncRun.Mode.INCREMENTAL);
            assertDeliveredTheTruth(h);
            assertThat(h.watermark()).isAfter(watermark);
        }
    }

    @Test
    void aRunOutOfRetriesFailsWithTheRunBudgetNamed(@TempDir Path dir) throws Exception {
        try (FaultHarness h = new FaultHarness(FaultHarness.company(), dir, Map.of("ditio.retry.max-per-run", "4"))) {
            // calls 1, 3, 5, ... fail: one failure on each page; the fifth, on the fifth page, is one too many
            h.ditio.faults().storm(2, 429, 503, 40);

            assertThatThrownBy(h::runOnce).isInstanceOf(DitioApiException.class)
                    .hasMessage("Ditio answered HTTP 429 on " + page(5) + ", and this run has used all its "
                            + "4 retries: giving up (DITIO_RETRY_MAX_PER_RUN)");

            assertThat(h.retryWarnings()).hasSize(4);
            assertThat(h.watermark()).isNull();
            assertThat(h.filesOnDisk()).isEmpty();
            assertThat(h.payrollLineRows()).isZero();

            h.ditio.faults().clear();
            SyncRun next = h.runOnce();
            assertThat(next.mode()).isEqualTo(SyncRun.Mode.FULL);
            assertDeliveredTheTruth(h);
        }
    }

    @Test
    void refusedConnectionsAreRetriedThenTheRunFailsNamingThePage(@TempDir Path dir) throws Exception {
        int closedPort;
        try (SimulatedDitio gone = SimulatedDitio.start(FaultHarness.company().workers(1).weeks(1))) {
            closedPort = gone.port();
        }
        try (FaultHarness h = new FaultHarness(FaultHarness.company(), dir,
                Map.of("ditio.reporting-base", "http://127.0.0.1:" + closedPort + "/reporting", "ditio.retry.max-attempts", "3"))) {
            assertThatThrownBy(h::runOnce).isInstanceOf(DitioApiException.class).hasMessage(
                    "Ditio at http://127.0.0.1:" + closedPort + "/reporting/v1/user (DITIO_REPORTING_BASE) refused the "
                            + "connection on page 1 of /v1/user, 3 times in a row: giving up after 3 attempts "
                            + "(DITIO_RETRY_MAX_ATTEMPTS)");
            assertThat(h.retryWarnings()).hasSize(2).allSatisfy(w -> assertThat(w).startsWith("Ditio at http://127.0.0.1:"
                    + closedPort + "/reporting/v1/user (DITIO_REPORTING_BASE) refused the connection on page 1 of /v1/user: retry "));
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static void assertDeliveredTheTruth(FaultHarness h) throws Exception {
        assertThat(h.vismaTotals()).as("Visma per employee and wage type").isEqualTo(h.vismaTruth());
        assertThat(h.sapTotals()).as("SAP per employee, day and wage type").isEqualTo(h.dayTruth());
        assertThat(h.jdbcTotals()).as("payroll_line per employee, day and wage type").isEqualTo(h.dayTruth());
    }

    /** The page a data call of a clean pass asks for, as PageCursor.describe() names it. */
    private static String page(int call) {
        return call <= userPages ? "page " + call + " of /v1/user"
                : call <= userPages + projectPages ? "page " + (call - userPages) + " of /v1/project"
                : "page " + (call - userPages - projectPages) + " of /v1/time-registrations";
    }

    private static long delayOf(String warning) {
        Matcher m = DELAY.matcher(warning);
        assertThat(m.find()).as("a delay in: " + warning).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static String httpDate(Instant at) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(at.atZone(ZoneOffset.UTC));
    }
}
