package no.ditiosync.run;

import no.ditiosync.drops.DropTarget;
import no.ditiosync.drops.DropWriter;
import no.ditiosync.ledger.DeltaMerge;
import no.ditiosync.ledger.LedgerStore;
import no.ditiosync.ledger.LedgerWriter;
import no.ditiosync.ledger.RunDelta;
import no.ditiosync.state.ClosedPeriodStore;
import no.ditiosync.state.CrashPoints;
import no.ditiosync.state.DirectoryStore;
import no.ditiosync.state.FeedLockLostException;
import no.ditiosync.state.OutboxStore;
import no.ditiosync.state.QuarantineStore;
import no.ditiosync.state.RunStore;
import no.ditiosync.state.StateDb;
import org.apache.camel.Exchange;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The finish of a run, as the routes call it (bean {@code runFinish}): the ledger delta, the one
 * commit, and the end (delivered, dry, or failed), each releasing the feed lock and telling the
 * observers. Nothing is delivered until the commit; what the run delivers is published by the
 * deliver route between the commit and the end.
 */
public final class RunFinish {

    private static final Logger LOG = LoggerFactory.getLogger(RunFinish.class);
    /** Every feed that gives payroll lines, whichever the settings read now. */
    static final List<String> LINE_FEEDS = java.util.stream.Stream.concat(
            no.ditiosync.payroll.LineRules.SOURCE_FEEDS.stream(), java.util.stream.Stream.of(
                    no.ditiosync.ditio.AbsenceRegistration.ABSENCE)).toList();

    private final StateDb db;
    private final RunStore runs;
    private final DirectoryStore directory;
    private final QuarantineStore quarantine;
    private final OutboxStore outbox;
    private final LedgerStore ledger;
    private final Companies companies;
    private final RunsInProgress inProgress;
    private final Clock clock;

    public RunFinish(StateDb db, Companies companies, RunsInProgress inProgress, Clock clock) {
        this.db = db;
        this.runs = new RunStore(db);
        this.directory = new DirectoryStore(db);
        this.quarantine = new QuarantineStore(db);
        this.outbox = new OutboxStore(db);
        this.ledger = new LedgerStore(db.dataSource(), db.dialect());
        this.companies = companies;
        this.inProgress = inProgress;
        this.clock = clock;
    }

    /** What a preview's summary and a reconcile's report read after the run: employees' names. */
    public DirectoryStore directory() {
        return directory;
    }

    /** What a preview's summary reads after the run: the drops committed but not published yet. */
    public OutboxStore outbox() {
        return outbox;
    }

    /** A configured company, or null. */
    public Company companyNamed(String key) {
        return companies.named(key);
    }

    /**
     * The ledger delta: every feed the run read, merged against the ledger in key order. The targets'
     * lines go to their temporary drops; the ledger's changed rows are written in place (undone if
     * the run does not commit).
     */
    public void delta(@Variable("run") SyncRun run) throws Exception {
        run.stepEnded("read");
        Company c = companies.of(run);
        List<DeltaMerge.Pass> passes = new ArrayList<>();
        for (String feed : run.deliveredFeeds()) {
            SyncRun.Pass pass = run.pass(feed);
            if (pass != null && pass.delivers()) {
                passes.add(new DeltaMerge.Pass(feed, pass.mode() == SyncRun.Mode.FULL, pass.fromDate(), pass.toDate(),
                        c.startDate()));
            }
        }
        retire(run, c, passes);
        catchUp(run, c, passes);
        RunStore.Fence fence = run.fence();
        // the later of PAYROLL_CLOSED_THROUGH and the latest closing kept (close-period, or a setting an earlier run
        // applied): a closing made while the run reads counts, one made after this point counts from the next run
        LocalDate closedThrough;
        ClosedPeriodStore.Closing kept;
        try (Connection conn = db.connection()) {
            kept = ClosedPeriodStore.latest(conn, run.company());
            closedThrough = ClosedPeriodStore.effective(c.closedThrough(), kept);
        }
        // only a setting a run applied and that is lower or gone now: a close-period later than the setting is the
        // ordinary "the later date counts"
        if (kept != null && kept.setting() != null
                && (c.closedThrough() == null || c.closedThrough().isBefore(kept.through()))) {
            // lines of those days were booked as closed: opening them again would book changes into a paid period
            LOG.warn("Run {} of company {}: {} {}, but the payroll stays closed through {} ({} at {}): a closed period is "
                    + "never opened again", run.runId(), run.company(), c.closedThroughVariable(),
                    c.closedThrough() == null ? "is not set" : "is " + c.closedThrough(), kept.through(), kept.origin(),
                    kept.closedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        }
        run.closedThrough(closedThrough);
        List<String> targetNames = c.targetNames();
        if (run.purpose().reconciles()) {
            // what the ledger says each target holds, read before the merge changes it
            run.hoursCompared().heldBefore(ledger.heldHours(run.company(), passes.stream().map(DeltaMerge.Pass::feed).toList(),
                    targetNames, passes.get(0).from(), passes.get(0).to()));
        }
        try (LedgerWriter writer = run.dry() ? ledger.dryWriter(run.company(), run.runId())
                : ledger.writer(run.company(), run.runId(), fence.epoch(), fence::hold);
             DropWriter drops = dropWriter(run, c)) {
            RunDrops sink = new RunDrops(drops, c.targets(), run, closedThrough);
            RunDelta.Outcome outcome = run.delta().merge(ledger, run.company(), targetNames,
                    c.targets().stream().map(DropTarget::correctionRule).toList(), run.catchUp(), passes, writer, sink);
            run.delivery(outcome.released, drops == null ? List.of() : drops.finish(), sink.hours());
            run.stepEnded("delta");
        } catch (Exception e) {
            throw lockLostOr(run, e);
        }
    }

    /**
     * A feed PAYROLL_SOURCE no longer reads is merged as a full pass that returned nothing: every line it
     * delivered (in a reconcile: in its window) is reversed, and its quarantine released. Only in a run
     * that read every feed of the source now: else the hours would be taken back before they come from
     * the other feed.
     */
    private void retire(SyncRun run, Company c, List<DeltaMerge.Pass> passes) throws Exception {
        if (run.retiring().isEmpty()) {
            return;
        }
        if (run.reversalWaits()) {
            LOG.warn("Run {} of company {}: the lines of feed {} are not reversed in this run, as it could not read every "
                    + "feed of PAYROLL_SOURCE {}; the next run tries again", run.runId(), run.company(),
                    String.join(" and feed ", run.retiring()), c.lineRules().source().setting());
            return;
        }
        // from the start date: what was delivered before a start date moved later stays as it was
        LocalDate from = run.purpose().reconciles() ? passes.get(0).from() : c.startDate();
        LocalDate to = run.purpose().reconciles() ? passes.get(0).to() : LocalDate.MAX;
        for (String feed : run.retiring()) {
            run.delta().quarantinedAtStart(feed, run.purpose().reconciles()
                    ? quarantine.lineIds(run.company(), feed, from, to) : quarantine.lineIds(run.company(), feed));
            passes.add(new DeltaMerge.Pass(feed, true, from, to, c.startDate()));
        }
    }

    /**
     * The lines a target switched on again is behind on, in a feed the run does not read (the old source's,
     * absences switched off), merged as a pass that read nothing else. The targets switched on again are up to
     * date once every feed they were behind on is merged; until then they are left behind, and the next run
     * catches them up again.
     */
    private static void catchUp(SyncRun run, Company c, List<DeltaMerge.Pass> passes) {
        List<String> merged = new ArrayList<>(passes.stream().map(DeltaMerge.Pass::feed).toList());
        boolean caughtUp = run.feedsBehind() != null;
        for (String feed : run.feedsBehind() == null ? java.util.Set.<String>of() : run.feedsBehind()) {
            if (!merged.contains(feed) && run.pass(feed) == null && !run.failedFeeds().containsKey(feed)) {
                passes.add(new DeltaMerge.Pass(feed, false, c.startDate(), LocalDate.MAX, c.startDate()));
                merged.add(feed);
            }
            caughtUp &= merged.contains(feed);
        }
        run.targetsBehind(caughtUp ? java.util.Set.of() : run.catchUp().targets());
    }

    /**
     * Where a run's delta goes: each target's drop folder; for a preview, the preview folder; a
     * reconcile without delivery writes no drop.
     */
    private static DropWriter dropWriter(SyncRun run, Company c) throws IOException {
        return switch (run.purpose()) {
            case RECONCILE -> null;
            case PREVIEW -> Previews.writer(run, c);
            default -> new DropWriter(c.targets(), run.company(), run.startedAt(), run.runId());
        };
    }

    /** A write that failed because another run took the feed lock says so, whatever the database said. */
    private Exception lockLostOr(SyncRun run, Exception e) {
        if (!(e instanceof FeedLockLostException) && run.fence() != null && !runs.fenceHolds(run.fence())) {
            return new FeedLockLostException(e);
        }
        return e;
    }

    /**
     * The run's one commit: the drops into the outbox, the quarantine released, the watermarks moved,
     * the delivered hours, and the run log, in one small transaction that holds only while the run
     * holds its feed lock. From here the run's ledger rows are the ledger.
     */
    public void commit(@Variable("run") SyncRun run) throws Exception {
        CrashPoints.reached(CrashPoints.BEFORE_COMMIT);
        try {
            Instant committedAt = clock.instant();
            db.inTransaction(c -> {
                run.fence().hold(c);
                db.durable(c);
                for (DropWriter.Drop drop : run.drops()) {
                    if (drop.tempPath() != null) {
                        outbox.add(c, run.runId(), run.company(), drop.target(), drop.tempPath().toString(),
                                drop.finalPath() == null ? null : drop.finalPath().toString(), drop.lines(), committedAt);
                    }
                    run.delivered(drop.target(), drop.lines(), drop.finalPath(),
                            drop.finalPath() == null ? null : companies.of(run).placeOf(drop.target(), drop.finalPath()));
                }
                Map<String, Integer> releasedReasons = quarantine.releasedReasons(c, run.company(), run.released());
                int released = 0;
                for (Map.Entry<String, Set<String>> feed : run.released().entrySet()) {
                    quarantine.release(c, run.company(), feed.getKey(), feed.getValue());
                    released += feed.getValue().size();
                }
                // a reconcile read a window, not the changes since the watermark: the next sync still reads
                // those (and maps the flagged users' lines outside the window); what it finds delivered it leaves
                if (run.purpose() != SyncRun.Purpose.RECONCILE_DELIVER) {
                    List<String> leftOut = run.failedFeeds().keySet().stream().filter(companies.of(run).feeds()::contains).toList();
                    // a feed left out did not map the flagged workers' lines again, and its next pass reads only what
                    // changed: they stay flagged until a run reads every feed
                    boolean usersMappedAgain = leftOut.isEmpty() && directory.mappedAgain(c, run.company());
                    for (SyncRun.Pass pass : run.passes()) {
                        if (!run.keepsWatermark(pass.feed())) {
                            runs.moveWatermark(c, run.company(), pass.feed(), run.startedAt(), run.runId());
                        }
                    }
                    // the delivered lines are the settings' lines now; unless the old feed's lines still wait to
                    // be reversed (the new source's feeds could not be read): the next run tries again
                    if (!run.reversalWaits()) {
                        // a feed this run did not read still has lines of the old settings, or of the workers' old
                        // numbers and departments: it is read in full when it is read again (one PAYROLL_SOURCE no
                        // longer reads, its lines reversed now; one switched off, absences; one left out, not
                        // deployed, once it answers: that one keeps the workers flagged instead)
                        for (String feed : LINE_FEEDS) {
                            boolean notRead = run.pass(feed) == null;
                            if (run.rulesChanged() && (notRead || leftOut.contains(feed)) || usersMappedAgain && notRead) {
                                runs.dropWatermark(c, run.company(), feed);
                            }
                        }
                        runs.keepLineRules(c, run.company(), companies.of(run).lineRules(), run.runId());
                    }
                }
                ledger.addHours(c, run.company(), run.hours());
                if (run.targetsBehind() != null) {
                    runs.keepTargets(c, run.runId(), companies.of(run).targetNames(), run.targetsBehind());
                }
                // what this run booked as closed stays closed, whatever the setting says later
                ClosedPeriodStore.keepApplied(c, run.company(), companies.of(run).closedThrough(),
                        companies.of(run).closedThroughVariable(), run.runId(), committedAt);
                run.quarantineAfter(new QuarantineAfter(quarantine.heldFirstBy(c, run.company(), run.runId()), released,
                        quarantine.open(c, run.company()), quarantine.reasons(c, run.company(), run.runId()),
                        releasedReasons, quarantine.reasons(c, run.company(), null)));
                run.ended(clock.instant());
                // a run that left out a feed whose endpoint is not deployed still succeeded: it delivered the
                // others, and running it again would not help; the message says what it left out
                runs.updateRun(c, run.runId(), RunLogRows.outcome(run, "succeeded", run.notDelivered(), true));
            });
        } catch (SQLException e) {
            afterFailedCommit(run, e);
        }
        run.markCommitted();
        db.syncToDisk();
        run.stepEnded("commit");
        CrashPoints.reached(CrashPoints.AFTER_COMMIT);
    }

    /**
     * The COMMIT failed, and may still have taken: a connection lost during it may only have lost the
     * server's answer. The run's temporary drops are only removed when it certainly did not commit;
     * if it did, its ledger says its lines are delivered, so its drops must be published, or they are lost.
     */
    private void afterFailedCommit(SyncRun run, SQLException e) throws Exception {
        switch (runs.commitOutcome(run.runId())) {
            case COMMITTED -> LOG.warn("Run {}: the state DB reported an error on commit ({}), but it shows it committed: "
                    + "its drops are published", run.runId(), e.getMessage());
            case NOT_COMMITTED -> throw lockLostOr(run, e);
            case UNKNOWN -> {
                run.commitOutcomeUnknown();
                throw new SQLException("the state DB failed while committing run " + run.runId() + " (" + e.getMessage()
                        + ") and whether the commit took cannot be told now; its drops are kept: the next run publishes "
                        + "them if it did, or writes them again if not", e);
            }
        }
    }

    /**
     * The run's lines as new/corrected/reversed/released per target, and its quarantine as newly
     * quarantined, released and still open with the reasons of the new and released ones, for the log line.
     */
    private static String kinds(SyncRun run) {
        StringBuilder s = new StringBuilder("new/corrected/reversed/released ")
                .append(run.lineCounts().isEmpty() ? "none" : run.lineCounts())
                .append(", quarantine ").append(run.quarantineNew()).append(" newly quarantined, ")
                .append(run.quarantineReleased()).append(" released, ").append(run.quarantineOpen()).append(" still open");
        reasons(s, "newly quarantined", run.quarantineNewByReason());
        reasons(s, "released", run.quarantineReleasedByReason());
        if (!run.bookedLater().isEmpty()) {
            s.append("; booked on ").append(run.closedThrough().plusDays(1)).append(" (closed through ")
                    .append(run.closedThrough()).append("): ");
            // as the summary says it ("visma 4, sap 4"), not as a map prints
            s.append(run.bookedLater().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                    .collect(java.util.stream.Collectors.joining(", ")));
        }
        return s.toString();
    }

    private static void reasons(StringBuilder s, String what, Map<String, Integer> reasons) {
        if (!reasons.isEmpty()) {
            s.append("; ").append(what).append(": ");
            reasons.forEach((reason, n) -> s.append(n).append(" ").append(reason).append(", "));
            s.setLength(s.length() - 2);
        }
    }

    /**
     * The run committed: the before-images of its ledger rows are deleted (LedgerStore.forgetUndo), still
     * under its feed lock. A failure here only leaves them to the next run of the company, which forgets them.
     */
    public void forgetUndo(@Variable("run") SyncRun run) {
        try {
            ledger.forgetUndo(run.company(), run.runId());
        } catch (SQLException e) {
            LOG.warn("Run {}: its ledger undo is left to the next run of company {} to delete: {}", run.runId(),
                    run.company(), e.getMessage());
        }
    }

    /** The run delivered: its lock released, its summary logged, the observers told. */
    public SyncRun end(@Variable("run") SyncRun run) {
        run.stepEnded("deliver");
        run.releaseLock();
        inProgress.ended(run);
        if (run.failedFeeds().isEmpty()) {
            LOG.info("Run {} succeeded: {} records on {} pages, lines {}, {}", run.runId(), run.recordsRead(),
                    run.pages(), run.linesSummary(), kinds(run));
        } else {
            List<String> without = run.feedsLeftOut();
            LOG.warn("Run {} succeeded{}: {} records on {} pages, lines {}, {}; {}", run.runId(),
                    without.isEmpty() ? ", not reading every row" : " without feed(s) " + String.join(", ", without),
                    run.recordsRead(), run.pages(), run.linesSummary(), kinds(run), run.notDelivered());
        }
        inProgress.observer().runSucceeded(run);
        return run;
    }

    /**
     * The end of a preview or of a reconcile without delivery: nothing was committed. A preview's files
     * get their names; the lock is released.
     */
    public SyncRun endDry(@Variable("run") SyncRun run) throws Exception {
        try {
            if (run.purpose() == SyncRun.Purpose.PREVIEW) {
                Previews.show(run);
            }
            run.ended(clock.instant());
            LOG.info("{} {} of company {} ended, nothing committed: lines {}", run.purpose().logName(), run.runId(),
                    run.company(), run.lineCounts().isEmpty() ? "none" : run.lineCounts());
        } catch (Exception e) {
            discardDrops(run);
            throw e;
        } finally {
            run.releaseLock();
            inProgress.ended(run);
        }
        return run;
    }

    /** Called by the error handler: the run is logged as failed, its lock released; before its commit nothing moved. */
    public void fail(@Variable("run") SyncRun run, Exception cause) {
        if (run == null || !run.markFailed()) {
            return;
        }
        String reason = FailureReason.of(cause);
        if (!run.readingStarted()) {
            // an earlier run's drops that cannot be published, say: this run never got to Ditio
            reason = "failed before reading Ditio: " + reason;
        }
        if (run.dry()) {
            // nothing of it was written: no run log row, no metric, only what it left in its folder
            LOG.error("{} {} of company {} failed: {}", run.purpose().logName(), run.runId(), run.company(), reason);
            discardDrops(run);
            run.releaseLock();
            inProgress.ended(run);
            return;
        }
        if (!run.readingStarted()) {
            LOG.error("Run {} of company {} failed, watermark and ledger unchanged: {}", run.runId(), run.company(), reason);
        } else {
            LOG.error("Run {} failed, {}: {}", run.runId(), run.committed()
                    ? "its deltas are committed (the next run publishes what is left)" : "watermark and ledger unchanged", reason);
        }
        try {
            // what it left is put right now rather than at the next run (another holder of the lock does it)
            boolean undoesItself = false;
            if (!run.committed() && !run.isCommitOutcomeUnknown()) {
                discardDrops(run);
                undoesItself = runs.fenceHolds(run.fence());
                if (undoesItself) {
                    // its ledger lines as they were
                    ledger.restoreUncommitted(run.company());
                }
            }
            run.ended(clock.instant());
            runs.endRun(run.runId(), RunLogRows.outcome(run, "failed", reason, run.committed()));
            if (undoesItself) {
                // what it first quarantined (once logged failed): status would count it open
                quarantine.forgetUncommitted(run.company());
            }
        } catch (Exception e) {
            LOG.warn("Could not log the failure of run {}: {}", run.runId(), e.getMessage());
        } finally {
            run.releaseLock();
            inProgress.ended(run);
        }
        inProgress.observer().runFailed(run, reason);
    }

    /** A run whose exchange ended without reaching its end or its failure (see {@link RunStart#begin}). */
    void endedUnfinished(SyncRun run, Exchange done) {
        if (!inProgress.inProgress(run)) {
            return; // ended or failed already
        }
        boolean stopping = done.getContext().getShutdownStrategy().isTimeoutOccurred();
        Exception cause = done.getException();
        String why = cause == null ? "it ended without delivering" : FailureReason.of(cause);
        // cut short: what Camel's forced shutdown broke (a closed socket, a rejected step) says nothing more
        fail(run, new IllegalStateException(stopping ? "the application was asked to stop and the run did not end within "
                + "camel.main.shutdown-timeout" : why, cause));
    }

    private static void discardDrops(SyncRun run) {
        for (DropWriter.Drop drop : run.drops()) {
            if (drop.tempPath() != null) {
                try {
                    Files.deleteIfExists(drop.tempPath());
                } catch (IOException ignored) {
                    // the next run deletes temporary drops no outbox row names
                }
            }
        }
    }
}
