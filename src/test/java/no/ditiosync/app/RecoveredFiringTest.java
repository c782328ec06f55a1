package no.ditiosync.app;

import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

import static no.ditiosync.app.SyncEndToEndTest.LAST;
import static no.ditiosync.app.SyncEndToEndTest.company;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A firing Quartz runs again after its node died (the job's end was not recorded, though its run had
 * succeeded) is answered already: no second run. A new firing runs as usual.
 */
class RecoveredFiringTest {

    @Test
    void aFiringWithASucceededRunIsNotRunAgain(@TempDir Path dir) throws Exception {
        try (SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), Map.of())) {
            Instant firing = Instant.parse("2026-11-28T12:00:00Z");
            assertThat(fire(h, firing).getException()).isNull();
            assertThat(runs(h)).isEqualTo(1);

            Exchange again = fire(h, firing);
            assertThat(again.getException()).as("logged, not failed").isNull();
            assertThat(runs(h)).as("no second run of one firing").isEqualTo(1);

            fire(h, firing.plusSeconds(60));
            assertThat(runs(h)).as("the next firing runs").isEqualTo(2);
        }
    }

    /**
     * Recovered while another run holds the feed lock (the survivor's own next run, say): still answered
     * as run already, not as a firing skipped because a run is busy, which would answer it twice.
     */
    @Test
    void aFiringWithASucceededRunIsAnsweredAsRunWhileAnotherRunIsBusy(@TempDir Path dir) throws Exception {
        ch.qos.logback.classic.Logger app = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("no.ditiosync");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log =
                new ch.qos.logback.core.read.ListAppender<>();
        log.start();
        app.addAppender(log);
        try (SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), Map.of())) {
            Instant firing = Instant.parse("2026-11-28T12:00:00Z");
            assertThat(fire(h, firing).getException()).isNull();
            no.ditiosync.state.RunStore store = new no.ditiosync.state.RunStore(h.app().context().getRegistry()
                    .lookupByNameAndType("stateDb", no.ditiosync.state.StateDb.class));
            try (no.ditiosync.state.RunStore.FeedLock busy = store.tryLock("acme", "time")) {
                assertThat(busy).as("the feed lock, as a run in progress holds it").isNotNull();
                fire(h, firing);
                fire(h, firing.plusSeconds(60));
            }
            java.util.List<String> said = log.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.startsWith("Scheduled run of company")).toList();
            assertThat(said).as("what each firing got").satisfiesExactly(
                    m -> assertThat(m).startsWith("Scheduled run of company " + "acme" + " for " + firing
                            + " already ran: "),
                    m -> assertThat(m).startsWith("Scheduled run of company " + "acme" + " for "
                            + firing.plusSeconds(60) + " skipped: "));
            assertThat(runs(h)).isEqualTo(1);
        } finally {
            app.detachAppender(log);
        }
    }

    /**
     * Recovered after its node died between the run's commit and the publishing of its drops: the run is
     * recorded as succeeded, yet payroll has nothing of it. The recovered firing publishes them, rather than
     * leaving them to the next firing (outside audit).
     */
    @Test
    void aRecoveredFiringPublishesTheDropsItsRunCommittedButDidNotPublish(@TempDir Path dir) throws Exception {
        try (SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), Map.of("payroll.targets", "visma"))) {
            Instant firing = Instant.parse("2026-11-28T12:00:00Z");
            assertThat(fire(h, firing).getException()).isNull();
            Map<String, java.math.BigDecimal> paid = h.vismaTotals();
            // what the node's death after the commit leaves: the run succeeded, its drop waits in the outbox
            try (Connection c = h.stateDb().connect();
                 ResultSet rs = c.createStatement().executeQuery("SELECT temp_path, final_path FROM drop_outbox")) {
                assertThat(rs.next()).isTrue();
                java.nio.file.Files.move(Path.of(rs.getString(2)), Path.of(rs.getString(1)));
                assertThat(rs.next()).isFalse();
                c.createStatement().executeUpdate("UPDATE drop_outbox SET status = 'committed', published_at = NULL");
            }
            assertThat(h.filesOf("visma")).isEmpty();

            Exchange recovered = fire(h, firing);
            assertThat(recovered.getException()).isNull();
            assertThat(h.filesOf("visma")).as("the drop published by the recovered firing").hasSize(1);
            assertThat(h.vismaTotals()).isEqualTo(paid);
        }
    }

    static Exchange fire(SyncHarness h, Instant firing) {
        return h.app().context().createProducerTemplate().send("direct:scheduled-sync",
                e -> e.getMessage().setHeader("scheduledFireTime", Date.from(firing)));
    }

    static int runs(SyncHarness h) throws Exception {
        try (Connection c = h.stateDb().connect();
             ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM sync_run WHERE outcome = 'succeeded'")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
