package no.ditiosync.app.crash;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The page loop fetches the next page of a pass while the one before is mapped and stored (its
 * stage, on a thread of its own), at most two pages ahead. Shown on the application as a separate
 * process: with the stage held after the first page of registrations, Ditio serves the next pages
 * and then no more; and a stage that fails in the middle of a pass (the state DB refuses a page's
 * quarantined records) stops the fetch and fails the run with nothing delivered, after which the
 * next run delivers everything once.
 */
class FetchAheadTest {

    private static final long SEED = 12;
    private static final Pattern TIME_PAGE_STORED = Pattern.compile("Run [0-9a-f]{8}: page (\\d+) of time read");

    @Test
    void theNextPagesAreFetchedWhileAPageIsStagedAndNoFurther(@TempDir Path dir) throws Exception {
        try (CrashHarness h = new CrashHarness(SEED, dir).readOnlyReads().chunkLimit(40)) {
            long metadataCalls = metadataCallsOfAFullPass(h);
            long before = h.ditio.faults().dataCalls();
            Path pause = dir.resolve("stage-held");
            CrashHarness.SyncProcess sync = h.startWith(List.of("-Dditio.pause-at=after-page-1",
                    "-Dditio.pause-file=" + pause), "stage-held");
            await("the stage held after page 1").atMost(CrashHarness.PROCESS_TIMEOUT)
                    .until(() -> Files.exists(pause) || !sync.process().isAlive());
            assertThat(sync.process().isAlive()).as("held, not ended\n%s", sync.output()).isTrue();

            // page 1 is in the stage, page 2 waits for it, page 3 is read and waits for room: 3 pages, then no more
            await("pages 2 and 3 fetched while page 1 is staged").atMost(CrashHarness.PROCESS_TIMEOUT)
                    .until(() -> h.ditio.faults().dataCalls() - before - metadataCalls >= 3);
            await("no page beyond the hand-off's two").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                    .until(() -> h.ditio.faults().dataCalls() - before - metadataCalls == 3);

            Files.delete(pause);
            assertThat(sync.awaitExit()).as(sync.output()).isZero();
            h.assertPayrollEqualsTruth("after a run whose stage was held while it fetched ahead");
            assertThat(h.published("visma")).hasSize(1);
        }
    }

    @Test
    void aStageThatFailsMidPassStopsTheFetchAndTheRunDeliversNothing(@TempDir Path dir) throws Exception {
        try (CrashHarness h = new CrashHarness(SEED, dir).readOnlyReads().chunkLimit(40)) {
            // the state DB's tables, made by a preview (it commits nothing, quarantines nothing)
            long metadataCalls = metadataCallsOfAFullPass(h);
            // the state DB refuses to quarantine a record of the pass's second half: the stage of that page fails
            execute(h, "ALTER TABLE quarantine ADD CONSTRAINT stage_fails_mid_pass CHECK (work_date < DATE '"
                    + h.startDate.plusWeeks(2) + "')");

            long before = h.ditio.faults().dataCalls();
            CrashHarness.SyncProcess failed = h.run(null, 1, "stage-fails");
            long failedCalls = h.ditio.faults().dataCalls() - before;
            String failedLog = Files.readString(failed.stderr(), StandardCharsets.UTF_8);
            assertThat(failedLog).as(failed.output()).containsPattern("Run " + failed.runId()
                    + " failed, watermark and ledger unchanged: .*(?i)stage_fails_mid_pass");
            int stored = storedPages(failed);
            assertThat(stored).as("pages stored before the page whose stage failed\n%s", failed.output()).isPositive();

            assertThat(h.query("SELECT outcome FROM sync_run")).containsExactly(List.of("failed"));
            h.assertNothingDelivered();

            execute(h, "ALTER TABLE quarantine DROP CONSTRAINT stage_fails_mid_pass");
            CrashHarness.SyncProcess next = h.run(null, 0, "next");
            h.assertPayrollEqualsTruth("after a run whose stage failed mid-pass, and the next run");
            assertThat(h.published("visma")).hasSize(1);
            assertThat(h.published("sap")).hasSize(1);

            int allPages = storedPages(next);
            long fetchedByTheFailedRun = failedCalls - metadataCalls;
            // the page that failed (stored + 1), the one waiting behind it, and the one being read then
            assertThat(fetchedByTheFailedRun).as("time pages fetched by the failed run, of %d", allPages)
                    .isBetween(stored + 1L, stored + 3L).isLessThan(allPages);
        }
    }

    /**
     * A preview (a full pass that commits nothing; it makes the state DB's tables): the calls it made
     * for users and projects, which every full pass makes.
     */
    private static long metadataCallsOfAFullPass(CrashHarness h) throws Exception {
        long before = h.ditio.faults().dataCalls();
        CrashHarness.SyncProcess preview = h.command("preview", "preview");
        assertThat(preview.process().exitValue()).as(preview.output()).isZero();
        int timePages = storedPages(preview);
        assertThat(timePages).as("a pass of many pages\n%s", preview.output()).isGreaterThan(10);
        return h.ditio.faults().dataCalls() - before - timePages;
    }

    /** The last page of registrations the process logged as stored. */
    private static int storedPages(CrashHarness.SyncProcess p) throws Exception {
        Matcher m = TIME_PAGE_STORED.matcher(Files.readString(p.stderr(), StandardCharsets.UTF_8));
        int last = 0;
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
        }
        return last;
    }

    private static void execute(CrashHarness h, String sql) throws Exception {
        try (Connection c = h.stateDb().connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
