package no.ditiosync.app;

import no.ditiosync.app.page.ObservePage;
import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The operator's page and its API over a PostgreSQL state DB: the same checks as on H2. */
class OperatorPageOnPostgresTest {

    @Test
    void pageAndApiShowTheRunsTheLedgerAndTheQuarantine(@TempDir Path dir) throws Exception {
        int port = ObserveClient.freePort();
        try (SyncHarness h = new SyncHarness(OperatorPageTest.company(), dir, OperatorPageTest.START, TestDatabase.postgres(),
                OperatorPageTest.serverOn(port))) {
            OperatorPageTest.pageAndApiShowTheRunsTheLedgerAndTheQuarantine(h, port);
        }
    }

    /**
     * The state DB gone under the running service: liveness and readiness answer at once, however many
     * page requests and metrics scrapes wait for it. The page answers the requests beyond a few 503 at
     * once, a scrape says what the gauges last knew; a probe that timed out would have the pod restarted.
     */
    @Test
    void healthAnswersAtOnceWhilePageRequestsAndAScrapeWaitForAStateDbThatIsDown(@TempDir Path dir) throws Exception {
        int port = ObserveClient.freePort();
        io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().start();
        try (SyncHarness h = new SyncHarness(OperatorPageTest.company(), dir, OperatorPageTest.START,
                new TestDatabase("PostgreSQL", "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres", "postgres", ""),
                OperatorPageTest.serverOn(port))) {
            h.runOnce();
            pg.close(); // before any scrape: the first one reads the state DB for the gauges

            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            List<java.util.concurrent.CompletableFuture<long[]>> waiting = new java.util.ArrayList<>();
            waiting.add(timed(http, port, "/observe/metrics"));
            for (int i = 0; i < 40; i++) {
                waiting.add(timed(http, port, "/api/companies"));
            }
            // the server has taken them all: the requests beyond those reading the state DB are answered already
            org.awaitility.Awaitility.await("the page requests beyond " + ObservePage.READS_AT_ONCE + " answered")
                    .atMost(java.time.Duration.ofSeconds(10)).until(() -> waiting.subList(1, waiting.size()).stream()
                            .filter(java.util.concurrent.CompletableFuture::isDone).count() >= 40 - ObservePage.READS_AT_ONCE);
            long[] live = timed(http, port, "/observe/health/live").join();
            long[] ready = timed(http, port, "/observe/health/ready").join();
            long[] scrape = waiting.get(0).join();

            assertThat(live).as("liveness: status, ms").satisfies(r -> {
                assertThat(r[0]).isEqualTo(200);
                assertThat(r[1]).isLessThan(4000);
            });
            assertThat(ready).as("readiness: status, ms").satisfies(r -> {
                assertThat(r[0]).isEqualTo(503);
                assertThat(r[1]).isLessThan(4000);
            });
            assertThat(scrape).as("the metrics scrape: status, ms").satisfies(r -> {
                assertThat(r[0]).isEqualTo(200);
                assertThat(r[1]).isLessThan(4000);
            });
            List<long[]> page = waiting.subList(1, waiting.size()).stream().map(java.util.concurrent.CompletableFuture::join).toList();
            assertThat(page).as("the page's answers").allSatisfy(r -> assertThat(r[0]).isEqualTo(503));
            assertThat(page.stream().filter(r -> r[1] < 4000).count()).as("page requests answered 503 at once")
                    .isGreaterThanOrEqualTo(40 - ObservePage.READS_AT_ONCE);
        } finally {
            pg.close();
        }
    }

    /** A GET's status and milliseconds. */
    private static java.util.concurrent.CompletableFuture<long[]> timed(java.net.http.HttpClient http, int port, String path) {
        long start = System.nanoTime();
        return http.sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
                        .timeout(java.time.Duration.ofSeconds(60)).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> new long[]{r.statusCode(), (System.nanoTime() - start) / 1_000_000});
    }
}
