package no.ditiosync.run;

import no.ditiosync.ditio.DitioPager;
import no.ditiosync.ditio.RunLogFields;
import no.ditiosync.drops.AtomicDropFile;
import no.ditiosync.drops.DropTarget;
import no.ditiosync.ledger.CatchUp;
import no.ditiosync.ledger.Desired;
import no.ditiosync.ledger.LedgerRow;
import no.ditiosync.ledger.LedgerStore;
import no.ditiosync.ledger.RunDelta;
import no.ditiosync.payroll.LineRules;
import no.ditiosync.payroll.PayrollSource;
import no.ditiosync.state.OutboxStore;
import no.ditiosync.state.RunStore;
import no.ditiosync.state.StateDb;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.Variable;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * The start of a run, as the routes call it (bean {@code runStart}): which company, then the feed
 * lock and its fencing token, what a run that never committed left behind put back, and the plan of
 * the run's passes. A run that cannot start is recorded as failed like any other.
 */
public final class RunStart {

    /** The feed a company's runs are logged under in the run log (their passes read every feed). */
    public static final String FEED = "time";
    /** The exchange variable naming a run's purpose ({@link SyncRun.Purpose}); none is a sync. */
    public static final String PURPOSE = "purpose";
    /** Where each run of this process is logged as having run (several nodes may share one state DB). */
    public static final String NODE = hostName() + "/" + ProcessHandle.current().pid();

    private static final Logger LOG = LoggerFactory.getLogger(RunStart.class);
    private static final SecureRandom RUN_IDS = new SecureRandom();

    /**
     * The last work date a full pass reads: every record a run may deliver (PAYROLL_MAX_FUTURE_DAYS goes to
     * 10 years), and one whose year is a typo (2206 for 2026) read and quarantined with its reason, not
     * left unread. A date rather than none, as the API wants both ends of a window; a year short of
     * 9999-12-31, which a server that makes the end exclusive by adding a day (or a month) cannot take.
     */
    static final LocalDate FULL_PASS_END = LocalDate.of(9998, 12, 31);

    private final StateDb db;
    private final RunStore runs;
    private final no.ditiosync.state.QuarantineStore quarantine;
    private final OutboxStore outbox;
    private final LedgerStore ledger;
    private final Companies companies;
    private final RunsInProgress inProgress;
    private final RunFinish finish;
    private final Clock clock;
    private final Path scratch;

    /**
     * @param finish fails a run whose exchange ends without reaching its end
     * @param scratch where runs keep what they read until it is merged against the ledger (a private folder each)
     */
    public RunStart(StateDb db, Companies companies, RunsInProgress inProgress, RunFinish finish, Clock clock, Path scratch) {
        this.db = db;
        this.runs = new RunStore(db);
        this.outbox = new OutboxStore(db);
        this.ledger = new LedgerStore(db.dataSource(), db.dialect());
        this.quarantine = new no.ditiosync.state.QuarantineStore(db);
        this.companies = companies;
        this.inProgress = inProgress;
        this.finish = finish;
        this.clock = clock;
        this.scratch = scratch;
    }

    /**
     * Whether a Quartz firing already has its run: one that succeeded, and no committed drop waits to be
     * published. A node that died between its run's commit and the publishing leaves the run succeeded and
     * payroll without its drops: its recovered firing runs, and so publishes them first, instead of leaving
     * them to the next firing.
     */
    private boolean answered(String company, Instant firing) throws Exception {
        return firing != null && runs.firingSucceeded(company, FEED, firing) && outbox.unpublished(company).isEmpty();
    }

    /** The company a run is asked for: the one named, or the first one configured. */
    public String company(@Variable("company") String requested) {
        return companies.resolve(requested).key();
    }

    /**
     * Takes the feed lock (and its fencing token), puts back what a run that never committed changed
     * in the ledger, removes its temporary drops, and plans this run. The drops an earlier run
     * committed but did not publish are published by the route next, before anything is read.
     *
     * @param scheduledFor the Quartz firing this run answers, or null when started by hand
     */
    public SyncRun begin(@Variable("company") String companyKey, @Header("scheduledFireTime") Date scheduledFor,
                         Exchange exchange) throws Exception {
        // noted before the first request: the next incremental pass starts here (minus the overlap)
        Instant startedAt = clock.instant();
        Company c = companies.resolve(companyKey);
        String company = c.key();
        SyncRun.Purpose purpose = exchange.getVariable(PURPOSE, SyncRun.Purpose.SYNC, SyncRun.Purpose.class);
        LocalDate[] window = purpose.reconciles() ? window(c, exchange) : null;
        String runId = runId(startedAt, RUN_IDS);
        Instant firing = scheduledFor == null ? null : scheduledFor.toInstant();
        RunStore.FeedLock lock;
        try {
            // a firing Quartz recovered after its run succeeded is answered already, whoever holds the lock now
            // (asked again below, under the lock, for a run that ends meanwhile)
            if (answered(company, firing)) {
                throw new FiringAlreadyRunException(company, firing);
            }
            lock = runs.tryLock(company, FEED);
        } catch (FiringAlreadyRunException e) {
            throw e;
        } catch (Exception e) {
            throw notStarted(new SyncRun(runId, company, FEED, startedAt, null, null, null, null), firing, e);
        }
        if (lock == null) {
            if (!purpose.dry()) {
                inProgress.observer().runSkipped(company, FEED);
            }
            throw new FeedBusyException(company, FEED);
        }
        SyncRun planned = null;
        try {
            db.refuseNewerLayout();
            if (!purpose.dry()) {
                List<String> abandoned = runs.markAbandonedRuns(company);
                if (!abandoned.isEmpty()) {
                    LOG.warn("Run {} of company {}: run(s) {} never finished (their process ended, or lost the feed's lock, "
                            + "before they committed); marked abandoned, nothing of them delivered", runId, company,
                            String.join(", ", abandoned));
                }
                quarantine.forgetUncommitted(company);
            }
            RuleChange change = ruleChange(c);
            List<SyncRun.Pass> passes = new ArrayList<>();
            for (String feed : c.feeds()) {
                // a reconcile reads its whole window, whatever the watermark says; after a change of the rules
                // every feed is read in full, so the lines delivered before follow it
                passes.add(window != null ? new SyncRun.Pass(feed, SyncRun.Mode.FULL, null, window[0], window[1], true)
                        : change.changed() == null ? plan(c, feed, true) : fullPass(c, feed, true));
            }
            // a reconcile reads the users and projects in full too: a worker's new employee number or department
            // that Ditio stamped with an older modification time is the kind of drift it is there to find
            List<SyncRun.Pass> metadata = window != null
                    ? List.of(fullPass(c, DitioPager.USER_FEED, false), fullPass(c, DitioPager.PROJECT_FEED, false))
                    : List.of(plan(c, DitioPager.USER_FEED, false), plan(c, DitioPager.PROJECT_FEED, false));
            // the run is logged as full when any of its passes is (a feed newly switched on starts with one)
            SyncRun.Pass first = passes.stream().filter(p -> p.mode() == SyncRun.Mode.FULL).findFirst().orElse(passes.get(0));
            SyncRun run = new SyncRun(runId, company, FEED, startedAt, first.mode(), first.modifiedSince(),
                    first.fromDate(), first.toDate());
            passes.forEach(run::plan);
            metadata.forEach(run::plan);
            if (change.changed() != null) {
                run.rulesChanged(change.retired());
            } else if (window != null) {
                run.retire(stillHeld(c, window));
            }
            run.scheduledFor(firing);
            run.purpose(purpose);
            planned = run;
            List<String> putBack = ledger.restoreUncommitted(company);
            if (!putBack.isEmpty()) {
                LOG.info("Run {}: the ledger lines of run(s) {} that never committed are put back as they were", runId,
                        String.join(", ", putBack));
            }
            if (!purpose.dry()) {
                removeUncommittedDrops(c);
            }
            if (answered(company, firing)) {
                // Quartz recovers a job whose node died before it recorded the job's end, even when the
                // run itself had finished: the firing is answered already. So is one whose run left out
                // a feed not deployed on this environment: it delivered the rest, and again would not help
                throw new FiringAlreadyRunException(company, firing);
            }
            run.holdLock(lock);
            if (!purpose.dry()) {
                runs.startRun(RunLogRows.row(run), NODE);
            }
            run.delta(new RunDelta(RunDelta.folder(scratch, runId), runId));
            catchUp(c, run);
            inProgress.started(run);
            // a run whose exchange ends without reaching its end or the error handler's fail: Camel's
            // forced shutdown (camel.main.shutdown-timeout passed) rejects the error handler too
            exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                @Override
                public void onDone(Exchange done) {
                    finish.endedUnfinished(run, done);
                }
            });
            // the run exists from here: its first lines carry its id too
            try (RunLogFields fields = RunLogFields.of(company, runId)) {
                if (change.changed() != null) {
                    LOG.warn("{} {} of company {}: {}. {}{}", purpose.logName(), runId, company,
                            change.changed(), window != null ? "The window's lines are compared as the settings make them now"
                                    : "Every feed is read in full, so the lines delivered before follow the settings as they are now",
                            change.retired().isEmpty() ? "" : "; the lines of feed " + String.join(" and feed ", change.retired())
                                    + (purpose.dry() ? " would be" : " are") + " reversed, as PAYROLL_SOURCE "
                                    + c.lineRules().source().setting() + " does not read it");
                }
                for (SyncRun.Pass p : passes) {
                    LOG.info("{} {} of feed {} for company {}: {} pass{}", purpose.logName(), runId, p.feed(), company,
                            p.mode().name().toLowerCase(java.util.Locale.ROOT),
                            p.mode() == SyncRun.Mode.FULL ? " from " + p.fromDate() + (window != null ? " to " + p.toDate() : "")
                                    : " of changes since " + p.modifiedSince());
                }
            }
            return run;
        } catch (FiringAlreadyRunException e) {
            lock.close();
            throw e;
        } catch (Exception e) {
            try {
                throw notStarted(planned != null ? planned
                        : new SyncRun(runId, company, FEED, startedAt, null, null, null, null), firing, e);
            } finally {
                lock.close();
            }
        }
    }

    /**
     * A feed's pass: full over work dates from the start date while the feed has no watermark (its
     * first run, or the first run after it was switched on), else the changes since its watermark
     * minus the overlap. Each feed keeps its own watermark row, so switching a feed on later gives
     * that feed a full pass without repeating the others'.
     */
    private SyncRun.Pass plan(Company c, String feed, boolean delivers) throws Exception {
        Instant watermark = runs.watermark(c.key(), feed);
        return watermark == null ? fullPass(c, feed, delivers)
                : new SyncRun.Pass(feed, SyncRun.Mode.INCREMENTAL, watermark.minus(c.overlap()), null, null, delivers);
    }

    private static SyncRun.Pass fullPass(Company c, String feed, boolean delivers) {
        return new SyncRun.Pass(feed, SyncRun.Mode.FULL, null, c.startDate(), FULL_PASS_END, delivers);
    }

    /**
     * What changed in the settings that decide the lines since the delivered lines were made.
     *
     * @param changed what changed, as the log says it; null when nothing did
     * @param retired the feeds the source read then and does not now: their lines are reversed
     */
    private record RuleChange(String changed, List<String> retired) {
    }

    private RuleChange ruleChange(Company c) throws Exception {
        LineRules now = c.lineRules();
        LineRules kept = runs.lineRules(c.key());
        PayrollSource before;
        String changed;
        if (kept != null) {
            before = kept.source();
            String changes = now.changesFrom(kept);
            changed = changes.isEmpty() ? null : "changed since the last run: " + changes;
        } else {
            // no run kept them yet: a first run, or a state DB of a version that did not keep them, whose
            // watermarks still say which feeds were read; the mapping it used is not known, so it is read in full once
            List<String> watermarked = new ArrayList<>();
            for (String feed : LineRules.SOURCE_FEEDS) {
                if (runs.watermark(c.key(), feed) != null) {
                    watermarked.add(feed);
                }
            }
            before = PayrollSource.reading(watermarked);
            changed = before == null ? null : "the settings the delivered lines were made by are not kept yet (a state DB "
                    + "of an earlier version)" + (before == now.source() ? ""
                    : "; its feeds were those of PAYROLL_SOURCE " + before.setting() + ", now " + now.source().setting());
        }
        List<String> retired = new ArrayList<>();
        for (String feed : LineRules.SOURCE_FEEDS) {
            // the feeds the source read and does not now; after any change also a feed an earlier switch retired only
            // from a later start date (the start date moved back since): its lines of the days between still stand
            if (!c.feeds().contains(feed) && (before != null && before.feeds().contains(feed)
                    || changed != null && ledger.holdsLinesFrom(c.key(), feed, c.startDate()))) {
                retired.add(feed);
            }
        }
        return new RuleChange(changed, retired);
    }

    /**
     * The targets of this run that the last committed run did not have (or left behind), and that an earlier
     * run left up to date: switched off and on again. A sync (and its preview) gives each of them, first of all
     * its lines, what the targets of the run that last decided a line hold of it, on every line decided by a run
     * it missed; a feed the run reads in full does that by itself. A reconcile leaves them to the next sync.
     */
    private void catchUp(Company c, SyncRun run) throws Exception {
        List<String> targets = c.targetNames();
        List<RunStore.RunTargets> newest = runs.committedTargets(c.key(), FEED, 1);
        if (newest.isEmpty() || targets.stream().allMatch(newest.get(0)::upToDate)) {
            return; // the first run that records its targets, or none switched on again: the common case, one row read
        }
        Map<String, Set<String>> missed = new LinkedHashMap<>();
        Map<String, List<String>> runTargets = new HashMap<>();
        Set<String> lastRunNotFound = new HashSet<>(targets);
        lastRunNotFound.removeIf(newest.get(0)::upToDate);
        lastRunNotFound.forEach(t -> missed.put(t, new HashSet<>()));
        // the run log back to the last run that left each up to date: read once, by the run that finds it on again.
        // A run that had it on but left it behind elsewhere is not missed: what it changed, it changed there too
        for (RunStore.RunTargets had : runs.committedTargets(c.key(), FEED, Integer.MAX_VALUE)) {
            runTargets.put(had.runId(), had.targets());
            lastRunNotFound.removeIf(had::upToDate);
            if (lastRunNotFound.isEmpty()) {
                break;
            }
            lastRunNotFound.stream().filter(t -> !had.targets().contains(t)).forEach(t -> missed.get(t).add(had.runId()));
        }
        missed.keySet().removeAll(lastRunNotFound); // on for the first time: no history
        if (missed.isEmpty()) {
            return;
        }
        CatchUp catchUp = new CatchUp(missed, runTargets, (name, line) -> c.targets().stream()
                .anyMatch(t -> t.name().equals(name) && DropTarget.refusal(List.of(t), line) != null));
        run.catchUp(catchUp);
        if (run.purpose() != SyncRun.Purpose.SYNC && run.purpose() != SyncRun.Purpose.PREVIEW) {
            return;
        }
        Set<String> behind = new TreeSet<>();
        long lines = 0;
        long refused = 0;
        try (Connection conn = db.connection()) {
            for (String feed : RunFinish.LINE_FEEDS) {
                SyncRun.Pass pass = run.pass(feed);
                boolean readInFull = pass != null && pass.mode() == SyncRun.Mode.FULL || run.retiring().contains(feed);
                LedgerStore.Scan scan = ledger.scan(conn, c.key(), feed + ":", feed + ";");
                LedgerRow next;
                while ((next = scan.next()) != null) {
                    LedgerRow row = next;
                    LocalDate day = row.line() == null ? null : row.line().workDate();
                    Desired d = day == null || day.isBefore(c.startDate()) ? null
                            : catchUp.desired(row, run.delta().nextSeq());
                    if (d != null) {
                        behind.add(feed);
                        lines++;
                        if (catchUp.targets().stream().anyMatch(t -> catchUp.cannotCarry(t, row, d.wanted()))) {
                            refused++;
                        }
                        if (!readInFull) {
                            run.delta().add(feed, d);
                        }
                    }
                }
            }
        }
        run.catchesUp(behind);
        LOG.info("{} {} of company {}: target(s) {} switched on again; {} line(s) changed while off are brought to what "
                + "the other targets hold{}", run.purpose().logName(), run.runId(), c.key(),
                String.join(", ", catchUp.targets()), lines, refused == 0 ? ""
                        : "; " + refused + " of them stay as held in a target whose format cannot carry them (as a "
                        + "quarantined line would)");
    }

    /**
     * The feeds PAYROLL_SOURCE no longer reads of which a target of the company still holds lines in a
     * reconcile's window: one switched off when the source changed kept them (that run reversed them in the
     * targets it had), and the reconcile that brings it up to date takes them back with the rest.
     */
    private List<String> stillHeld(Company c, LocalDate[] window) throws Exception {
        List<String> held = new ArrayList<>();
        for (String feed : LineRules.SOURCE_FEEDS) {
            if (!c.feeds().contains(feed) && ledger.holdsLines(c.key(), feed, c.targetNames(), window[0], window[1])) {
                held.add(feed);
            }
        }
        return held;
    }

    /**
     * Why {@code from} cannot begin a reconcile of company {@code c}, or null when it can: runs read no
     * work date before the start date (lines delivered before it was moved later stay as delivered,
     * and no pass reads their days again), so there is nothing to compare them with.
     */
    public static String beforeStartDate(Company c, LocalDate from) {
        return from == null || !from.isBefore(c.startDate()) ? null : "--from " + from + " is before " + c.startDateVariable() + " "
                + c.startDate() + " of company " + c.key() + ": runs read no work date before it, so reconcile compares "
                + "from it on";
    }

    /**
     * A reconcile's work dates: variables {@code from} and {@code to}, by default from the start date
     * to as far ahead as a full pass reads.
     */
    private static LocalDate[] window(Company c, Exchange exchange) {
        LocalDate from = exchange.getVariable("from", LocalDate.class);
        LocalDate to = exchange.getVariable("to", LocalDate.class);
        from = from == null ? c.startDate() : from;
        to = to == null ? FULL_PASS_END : to;
        String early = beforeStartDate(c, from);
        if (early != null) {
            throw new IllegalArgumentException(early);
        }
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("--to " + to + " is before --from " + from);
        }
        return new LocalDate[] {from, to};
    }

    /** Temporary drops no outbox row names: written by a run that stopped before committing. */
    private void removeUncommittedDrops(Company c) throws Exception {
        for (DropTarget target : c.targets()) {
            if (target.folder() == null || !Files.isDirectory(target.folder())) {
                continue;
            }
            String prefix = "." + AtomicDropFile.namePrefix(target.name(), c.key());
            try (DirectoryStream<Path> temps = Files.newDirectoryStream(target.folder(), prefix + "*.tmp")) {
                for (Path temp : temps) {
                    if (!outbox.knows(temp.toString())) {
                        Files.deleteIfExists(temp);
                        LOG.info("Deleted {}: written by a run that stopped before committing", temp.getFileName());
                    }
                }
            } catch (IOException e) {
                throw new IOException("cannot clean up temporary drops in " + target.folder() + ": "
                        + AtomicDropFile.plainReason(e), e);
            }
        }
    }

    /**
     * A run that failed before it read anything from Ditio (finishing an earlier run, the state DB):
     * recorded like any failed run, in the run log, the run report and the metrics. When the state
     * DB cannot take the run log row, the report and the log say so.
     *
     * @return {@code cause}, to be thrown on
     */
    private Exception notStarted(SyncRun run, Instant firing, Exception cause) {
        run.scheduledFor(firing);
        run.markFailed();
        run.ended(clock.instant());
        String reason = "failed before reading Ditio: " + (cause instanceof SQLException
                ? "the state DB cannot be used (" + cause.getMessage() + ")" : FailureReason.of(cause));
        try {
            runs.recordFailedRun(RunLogRows.row(run), NODE, RunLogRows.outcome(run, "failed", reason, false));
        } catch (Exception e) {
            reason += "; this attempt is not in the run log: the state DB could not record it (" + e.getMessage() + ")";
        }
        LOG.error("Run {} of company {} failed, watermark and ledger unchanged: {}", run.runId(), run.company(), reason);
        inProgress.observer().runFailed(run, reason);
        return cause;
    }

    /**
     * Eight hex digits: the start's millisecond within its second, then random ones. Drop names carry
     * the start to the second and then the run id, so two runs of a company started in the same second
     * (they never overlap) still sort in the order they ran: a SAP cancellation never sorts before the
     * document it cancels.
     */
    static String runId(Instant startedAt, Random random) {
        return String.format("%03x%05x", startedAt.getNano() / 1_000_000, random.nextInt(1 << 20));
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
