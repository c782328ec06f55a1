package no.ditiosync.run;

import no.ditiosync.ditio.DitioApiException;
import no.ditiosync.ditio.DitioDates;
import no.ditiosync.ditio.DitioPager;
import no.ditiosync.ditio.DitioProject;
import no.ditiosync.ditio.DitioUser;
import no.ditiosync.ditio.FeedNotDeployedException;
import no.ditiosync.ditio.PageCursor;
import no.ditiosync.ditio.TimeRegistration;
import no.ditiosync.drops.AtomicDropFile;
import no.ditiosync.drops.DropTarget;
import no.ditiosync.drops.DropWriter;
import no.ditiosync.ledger.DeltaMerge;
import no.ditiosync.ledger.LedgerRow;
import no.ditiosync.ledger.LedgerStore;
import no.ditiosync.ledger.LedgerWriter;
import no.ditiosync.ledger.RunDelta;
import no.ditiosync.payroll.PayrollLine;
import no.ditiosync.state.ClosedPeriodStore;
import no.ditiosync.state.CrashPoints;
import no.ditiosync.state.DirectoryStore;
import no.ditiosync.state.FeedLockLostException;
import no.ditiosync.state.OutboxStore;
import no.ditiosync.state.QuarantineStore;
import no.ditiosync.state.RunStore;
import no.ditiosync.state.StateDb;
import org.apache.camel.Body;
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
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The steps of one run of a company, as the routes call them (bean {@code syncRun}): begin (lock,
 * fence, put back what a run that never committed changed, plan), each feed's pass (start, map
 * again, store the pages), the ledger delta, the commit, the end. Nothing is delivered until the
 * commit; what the run delivers is published by the deliver route after it.
 */
public final class SyncSteps {

    public static final String FEED = "time";
    private static final Logger LOG = LoggerFactory.getLogger(SyncSteps.class);
    private static final SecureRandom RUN_IDS = new SecureRandom();

    /** Where each run of this process is logged as having run (several nodes may share one state DB). */
    public static final String NODE = hostName() + "/" + ProcessHandle.current().pid();

    /**
     * One company's runs: its start date and overlap, the registration feeds it delivers (in order:
     * {@code time}, {@code payroll}, {@code absence}) and its targets (in delivery order).
     */
    public record Company(String key, LocalDate startDate, Duration overlap, List<String> feeds, List<DropTarget> targets,
                          java.util.function.Function<java.util.Collection<String>, String> departmentsShortened,
                          Path dropDir,
                          LocalDate closedThrough) {
        public Company {
            feeds = List.copyOf(feeds);
            targets = List.copyOf(targets);
        }
    }

    private final StateDb db;
    private final RunStore runs;
    private final DirectoryStore directory;
    private final QuarantineStore quarantine;
    private final OutboxStore outbox;
    private final LedgerStore ledger;
    private final DitioPager pager;
    private final Map<String, Company> companies = new LinkedHashMap<>();
    private final Map<String, SyncRun> running = new java.util.concurrent.ConcurrentHashMap<>();
    private final Clock clock;
    private final Path scratch;
    private volatile RunObserver observer = RunObserver.NONE;

    /** @param scratch where runs keep what they read until it is merged against the ledger (a private folder each) */
    public SyncSteps(StateDb db, DitioPager pager, List<Company> companies, Clock clock, Path scratch) {
        this.db = db;
        this.runs = new RunStore(db);
        this.directory = new DirectoryStore(db);
        this.quarantine = new QuarantineStore(db);
        this.outbox = new OutboxStore(db);
        this.ledger = new LedgerStore(db.dataSource(), db.dialect());
        this.pager = pager;
        companies.forEach(c -> this.companies.put(c.key(), c));
        this.clock = clock;
        this.scratch = scratch;
    }

    /** Told about every run that ends (metrics, run reports). */
    public void setRunObserver(RunObserver observer) {
        this.observer = observer;
    }

    public RunStore runs() {
        return runs;
    }

    public QuarantineStore quarantine() {
        return quarantine;
    }

    public OutboxStore outbox() {
        return outbox;
    }

    public DirectoryStore directory() {
        return directory;
    }

    /** A configured company, or null. */
    public Company companyNamed(String key) {
        return companies.get(key);
    }

    /** The company a run is asked for: the one named, or the first one configured. */
    public String company(@Variable("company") String requested) {
        if (requested == null || requested.isEmpty()) {
            return companies.keySet().iterator().next();
        }
        if (!companies.containsKey(requested)) {
            throw new IllegalArgumentException("No company '" + requested + "' is configured (PAYROLL_COMPANIES)");
        }
        return requested;
    }

    Company of(SyncRun run) {
        return companies.get(run.company());
    }

    Company of(String company) {
        return companies.get(company);
    }

    // ---- begin --------------------------------------------------------------------------------

    /**
     * Takes the feed lock (and its fencing token), puts back what a run that never committed changed
     * in the ledger, removes its temporary drops, and plans this run. The drops an earlier run
     * committed but did not publish are published by the route next, before anything is read.
     *
     * @param scheduledFor the Quartz firing this run answers, or null when started by hand
     */
    public SyncRun begin(@Variable("company") String companyKey, @Header("scheduledFireTime") java.util.Date scheduledFor,
                         Exchange exchange) throws Exception {
        // noted before the first request: the next incremental pass starts here (minus the overlap)
        Instant startedAt = clock.instant();
        Company c = companies.get(company(companyKey));
        String company = c.key();
        SyncRun.Purpose purpose = exchange.getVariable(PURPOSE, SyncRun.Purpose.SYNC, SyncRun.Purpose.class);
        LocalDate[] window = purpose.reconciles() ? window(c, exchange, startedAt) : null;
        String runId = runId(startedAt, RUN_IDS);
        Instant firing = scheduledFor == null ? null : scheduledFor.toInstant();
        RunStore.FeedLock lock;
        try {
            lock = runs.tryLock(company, FEED);
        } catch (Exception e) {
            throw notStarted(new SyncRun(runId, company, FEED, startedAt, null, null, null, null), firing, e);
        }
        if (lock == null) {
            if (!purpose.dry()) {
                observer.runSkipped(company, FEED);
            }
            throw new FeedBusyException(company, FEED);
        }
        SyncRun planned = null;
        try {
            if (!purpose.dry()) {
                runs.markAbandonedRuns(company);
            }
            List<SyncRun.Pass> passes = new ArrayList<>();
            for (String feed : c.feeds()) {
                // a reconcile reads its whole window, whatever the watermark says
                passes.add(window != null ? new SyncRun.Pass(feed, SyncRun.Mode.FULL, null, window[0], window[1], true)
                        : plan(c, feed, startedAt, true));
            }
            List<SyncRun.Pass> metadata = List.of(plan(c, DitioPager.USER_FEED, startedAt, false),
                    plan(c, DitioPager.PROJECT_FEED, startedAt, false));
            // the run is logged as full when any of its passes is (a feed newly switched on starts with one)
            SyncRun.Pass first = passes.stream().filter(p -> p.mode() == SyncRun.Mode.FULL).findFirst().orElse(passes.get(0));
            SyncRun run = new SyncRun(runId, company, FEED, startedAt, first.mode(), first.modifiedSince(),
                    first.fromDate(), first.toDate());
            passes.forEach(run::plan);
            metadata.forEach(run::plan);
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
            if (firing != null && runs.firingSucceeded(company, FEED, firing)) {
                // Quartz recovers a job whose node died before it recorded the job's end, even when the
                // run itself had finished: the firing is answered already. So is one whose run left out
                // a feed not deployed on this environment: it delivered the rest, and again would not help
                throw new FiringAlreadyRunException(company, firing);
            }
            run.holdLock(lock);
            if (!purpose.dry()) {
                runs.startRun(row(run), NODE);
            }
            run.delta(new RunDelta(RunDelta.folder(scratch, runId), runId));
            running.put(company, run);
            // a run whose exchange ends without reaching its end or the error handler's fail: Camel's
            // forced shutdown (camel.main.shutdown-timeout passed) rejects the error handler too
            exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                @Override
                public void onDone(Exchange done) {
                    endedUnfinished(run, done);
                }
            });
            for (SyncRun.Pass p : passes) {
                LOG.info("{} {} of feed {} for company {}: {} pass{}", describe(purpose), runId, p.feed(), company,
                        p.mode().name().toLowerCase(),
                        p.mode() == SyncRun.Mode.FULL ? " from " + p.fromDate() + (window != null ? " to " + p.toDate() : "")
                                : " of changes since " + p.modifiedSince());
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
    private SyncRun.Pass plan(Company c, String feed, Instant startedAt, boolean delivers) throws Exception {
        Instant watermark = runs.watermark(c.key(), feed);
        return watermark == null
                ? new SyncRun.Pass(feed, SyncRun.Mode.FULL, null, c.startDate(),
                LocalDate.ofInstant(startedAt, ZoneOffset.UTC).plusYears(1), delivers)
                : new SyncRun.Pass(feed, SyncRun.Mode.INCREMENTAL, watermark.minus(c.overlap()), null, null, delivers);
    }

    /** The exchange variable naming a run's purpose ({@link SyncRun.Purpose}); none is a sync. */
    public static final String PURPOSE = "purpose";

    private static String describe(SyncRun.Purpose purpose) {
        return switch (purpose) {
            case SYNC -> "Run";
            case PREVIEW -> "Preview";
            case RECONCILE -> "Reconcile";
            case RECONCILE_DELIVER -> "Reconcile run";
        };
    }

    /**
     * A reconcile's work dates: variables {@code from} and {@code to}, by default from the start date
     * to as far ahead as a full pass reads. Nothing before the start date is ever delivered.
     */
    private static LocalDate[] window(Company c, Exchange exchange, Instant startedAt) {
        LocalDate from = exchange.getVariable("from", LocalDate.class);
        LocalDate to = exchange.getVariable("to", LocalDate.class);
        from = from == null ? c.startDate() : from;
        to = to == null ? LocalDate.ofInstant(startedAt, ZoneOffset.UTC).plusYears(1) : to;
        if (from.isBefore(c.startDate())) {
            throw new IllegalArgumentException("--from " + from + " is before PAYROLL_START_DATE " + c.startDate()
                    + " of company " + c.key() + ": nothing before it is ever delivered");
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
                ? "the state DB cannot be used (" + cause.getMessage() + ")" : cause.getMessage());
        try {
            runs.recordFailedRun(row(run), NODE, outcome(run, "failed", reason, false));
        } catch (Exception e) {
            reason += "; this attempt is not in the run log: the state DB could not record it (" + e.getMessage() + ")";
        }
        LOG.error("Run {} of company {} failed, watermark and ledger unchanged: {}", run.runId(), run.company(), reason);
        observer.runFailed(run, reason);
        return cause;
    }

    // ---- a feed's pass ------------------------------------------------------------------------

    /**
     * Starts a pass over a feed (the exchange variable {@code feed}): its cursor. A pass over
     * registrations maps with the employees and projects as now known, and remembers which of its
     * records are in quarantine (those that leave it this run are released at the commit).
     */
    public PageCursor startPass(@Variable("feed") String feed, @Variable("run") SyncRun run) throws Exception {
        SyncRun.Pass pass = run.pass(feed);
        if (pass == null) {
            throw new IllegalStateException("run " + run.runId() + " planned no pass over feed '" + feed + "'");
        }
        run.readingStarted(true);
        if (pass.delivers()) {
            run.startPass(feed);
            Map<String, no.ditiosync.payroll.EmployeeDirectory.Employee> employees = directory.employees(run.company());
            Map<String, String> projects = directory.projectNumbers(run.company());
            run.directories(employees::get, projects::get);
            // a department cut short is no reason to hold back pay, but no secret either: said once a pass
            String shortened = of(run).departmentsShortened().apply(employees.values().stream()
                    .map(no.ditiosync.payroll.EmployeeDirectory.Employee::department).filter(java.util.Objects::nonNull)
                    .distinct().toList());
            if (shortened != null) {
                LOG.warn("Run {} of company {}: {}", run.runId(), run.company(), shortened);
            }
            // a reconcile decides only on the records of its window (a full pass returns no other)
            run.delta().quarantinedAtStart(feed, run.purpose().reconciles()
                    ? quarantine.lineIds(run.company(), feed, pass.fromDate(), pass.toDate())
                    : quarantine.lineIds(run.company(), feed));
        }
        PageCursor cursor = pass.mode() == SyncRun.Mode.FULL
                ? pager.cursor(run.company(), feed, null, pass.delivers() ? pass.fromDate() : null, pass.toDate())
                : pager.cursor(run.company(), feed, pass.modifiedSince(), null, null);
        run.cursorDescription(cursor.describe());
        return cursor;
    }

    /**
     * What a pass over registrations maps again before it reads Ditio: the feed's quarantined records
     * (the mapping, the user or the date may be fixed by now), and the delivered lines of users whose
     * employee number or department changed. A record read from Ditio in this pass wins over these.
     */
    public List<TimeRegistration> mapAgain(@Variable("feed") String feed, @Variable("run") SyncRun run) throws Exception {
        if (!run.pass(feed).delivers()) {
            return List.of();
        }
        List<TimeRegistration> again = new ArrayList<>(quarantine.toMapAgain(run.company(), feed));
        Set<String> users = directory.usersToMapAgain(run.company());
        if (!users.isEmpty()) {
            int before = again.size();
            for (LedgerRow row : ledger.ofUsers(run.company(), feed, users)) {
                if (row.heldAnywhere()) {
                    again.add(record(feed, row));
                }
            }
            LOG.info("Run {}: {} delivered {} line(s) of {} user(s) whose employee number or department changed are "
                    + "mapped again", run.runId(), again.size() - before, feed, users.size());
        }
        if (run.purpose().reconciles()) {
            // the rest waits for the next sync: a reconcile leaves its users flagged and its quarantine alone
            SyncRun.Pass pass = run.pass(feed);
            again.removeIf(r -> !inWindow(r.workDate, pass.fromDate(), pass.toDate()));
        }
        return again;
    }

    private static boolean inWindow(String workDate, LocalDate from, LocalDate to) {
        try {
            LocalDate day = workDate == null ? null : LocalDate.parse(workDate.length() > 10 ? workDate.substring(0, 10) : workDate);
            return day != null && !day.isBefore(from) && !day.isAfter(to);
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }

    /** A delivered line as the record it was made from, to map it again. */
    private static TimeRegistration record(String feed, LedgerRow row) {
        PayrollLine l = row.line();
        TimeRegistration r = TimeRegistration.of(feed);
        r.id = l.sourceId();
        r.workDate = l.workDate() == null ? null : l.workDate().toString();
        r.qty = l.quantity();
        r.userId = row.userId();
        r.userEmployeeNumber = row.registrationEmployeeNumber();
        r.projectNumber = l.projectNumber();
        r.taskWbsNumber = l.taskNumber();
        r.description = l.text();
        // it was delivered, so it passed the approval gate; its approval is not what changed
        r.approved = true;
        r.payrollApproved = true;
        r.modifiedDateTime = l.sourceModified() == null ? null : DitioDates.format(l.sourceModified());
        r.restoreFields(row.sourceFields());
        r.mappedAgain = true;
        return r;
    }

    public void storeUsers(@Body List<DitioUser> users, @Variable("run") SyncRun run) throws Exception {
        directory.upsertUsers(run.company(), users);
        run.countUserPage(users.size());
    }

    public void storeProjects(@Body List<DitioProject> projects, @Variable("run") SyncRun run) throws Exception {
        directory.upsertProjects(run.company(), projects);
        run.countProjectPage();
    }

    /** The quarantine branch of the map step: the page's records that cannot become a line, with why. */
    public void holdQuarantined(@Body MappedPage page, @Variable("run") SyncRun run) throws Exception {
        if (!run.dry()) {
            quarantine.hold(run.company(), page.feed(), run.runId(), page.quarantined());
        }
        for (QuarantineStore.Held h : page.quarantined()) {
            run.quarantined(h.record().id, h.reason());
        }
    }

    /** A mapped page into the run's delta; a page read from Ditio is counted and logged. */
    public void stage(@Body MappedPage page, @Variable("run") SyncRun run) {
        RunDelta delta = run.delta();
        for (var d : page.desired()) {
            delta.add(page.feed(), d);
        }
        if (!page.fetched()) {
            return;
        }
        run.countPage(page.records(), page.deleted());
        run.position(page.position());
        CrashPoints.reached(CrashPoints.AFTER_PAGE + run.pages());
        double seconds = Math.max(0.001, Duration.between(run.startedAt(), clock.instant()).toMillis() / 1000.0);
        LOG.info("Run {}: page {} of {} read, {} records so far, {} records/s, at {}", run.runId(), run.pages(), page.feed(),
                run.recordsRead(), Math.round(run.recordsRead() / seconds), page.position());
    }

    public void finishPass(@Variable("feed") String feed, @Variable("run") SyncRun run) {
        // the pass is whole: its records wait in the run's delta for the merge against the ledger
    }

    /**
     * The first page of a feed's pass answered 404: the endpoint is not deployed on this environment.
     * That feed is left out of the run (nothing of it delivered, its watermark stays) and the others
     * go on. Users or projects left out: the run maps with those already known. When no feed of
     * registrations is left, the run fails as before.
     */
    public void feedNotDeployed(@Variable("run") SyncRun run, FeedNotDeployedException e) {
        String feed = e.feed();
        boolean goesOn = run.failFeed(feed, e.getMessage());
        if (!goesOn) {
            throw new DitioApiException(run.registrationFeedsNotDelivered(), e);
        }
        LOG.error("Run {}: feed {} ({}) not read, its watermark stays and the run goes on with the other feeds: {}",
                run.runId(), feed, e.endpoint(), e.getMessage());
    }

    // ---- delta, commit, end -------------------------------------------------------------------

    /**
     * The ledger delta: every feed the run read, merged against the ledger in key order. The targets'
     * lines go to their temporary drops; the ledger's changed rows are written in place (undone if
     * the run does not commit).
     */
    public void delta(@Variable("run") SyncRun run) throws Exception {
        run.stepEnded("read");
        Company c = of(run);
        List<DeltaMerge.Pass> passes = new ArrayList<>();
        for (String feed : run.deliveredFeeds()) {
            SyncRun.Pass pass = run.pass(feed);
            if (pass != null && pass.delivers()) {
                passes.add(new DeltaMerge.Pass(feed, pass.mode() == SyncRun.Mode.FULL, pass.fromDate(), pass.toDate()));
            }
        }
        RunStore.Fence fence = run.fence();
        // the later of PAYROLL_CLOSED_THROUGH and the latest close-period: a closing made while the run reads
        // counts, one made after this point counts from the next run
        LocalDate closedThrough;
        try (java.sql.Connection conn = db.connection()) {
            closedThrough = ClosedPeriodStore.effective(c.closedThrough(), ClosedPeriodStore.latest(conn, run.company()));
        }
        run.closedThrough(closedThrough);
        List<String> targetNames = c.targets().stream().map(DropTarget::name).toList();
        if (run.purpose().reconciles()) {
            // what the ledger says each target holds, read before the merge changes it
            run.heldBefore(ledger.heldHours(run.company(), passes.stream().map(DeltaMerge.Pass::feed).toList(),
                    targetNames, passes.get(0).from(), passes.get(0).to()));
        }
        try (LedgerWriter writer = run.dry() ? ledger.dryWriter(run.company(), run.runId())
                : ledger.writer(run.company(), run.runId(), fence::hold);
             DropWriter drops = dropWriter(run, c)) {
            RunDrops sink = new RunDrops(drops, c.targets(), run, closedThrough);
            RunDelta.Outcome outcome = run.delta().merge(ledger, run.company(), targetNames,
                    c.targets().stream().map(DropTarget::style).toList(), passes, writer, sink);
            run.delivery(outcome.released, drops == null ? List.of() : drops.finish(), sink.hours());
            run.stepEnded("delta");
        } catch (Exception e) {
            throw lockLostOr(run, e);
        }
    }

    /**
     * Where a run's delta goes: each target's drop folder; for a preview, the preview folder under
     * names no payroll system takes for a drop; a reconcile without delivery writes no drop.
     */
    private static DropWriter dropWriter(SyncRun run, Company c) throws IOException {
        return switch (run.purpose()) {
            case RECONCILE -> null;
            case PREVIEW -> {
                Path folder = previewFolder(c);
                clearPreviews(folder, c);
                yield new DropWriter(c.targets().stream().map(t -> new DropTarget(t.name(), t.style(), t.format(), folder,
                        AtomicDropFile.OWNER_ONLY, false, t.aggregation())).toList(), run.company(), run.startedAt(),
                        run.runId(), PREVIEW_PREFIX);
            }
            default -> new DropWriter(c.targets(), run.company(), run.startedAt(), run.runId());
        };
    }

    /** What every preview file's name starts with: never the name of a drop. */
    public static final String PREVIEW_PREFIX = "PREVIEW_";

    /** {@code <drop folder>/preview}: beside the targets' folders, never one a payroll system polls. */
    public static Path previewFolder(Company c) {
        return c.dropDir().resolve("preview");
    }

    /** The company's previous preview files: a preview shows only what the next run would deliver now. */
    private static void clearPreviews(Path folder, Company c) throws IOException {
        if (!Files.isDirectory(folder)) {
            return;
        }
        for (DropTarget t : c.targets()) {
            String prefix = PREVIEW_PREFIX + AtomicDropFile.namePrefix(t.name(), c.key());
            try (DirectoryStream<Path> old = Files.newDirectoryStream(folder, prefix + "*")) {
                for (Path f : old) {
                    Files.deleteIfExists(f);
                }
            }
            try (DirectoryStream<Path> old = Files.newDirectoryStream(folder, "." + prefix + "*")) {
                for (Path f : old) {
                    Files.deleteIfExists(f);
                }
            }
        }
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
                    run.delivered(drop.target(), drop.lines(), drop.finalPath());
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
                    directory.mappedAgain(c, run.company());
                    for (SyncRun.Pass pass : run.passes()) {
                        runs.moveWatermark(c, run.company(), pass.feed(), run.startedAt(), run.runId());
                    }
                }
                ledger.addHours(c, run.company(), run.hours());
                LedgerStore.forgetUndo(c, run.company(), run.runId());
                run.quarantine(quarantine.heldFirstBy(c, run.company(), run.runId()), released,
                        quarantine.open(c, run.company()));
                run.quarantineReasons(quarantine.reasons(c, run.company(), run.runId()), releasedReasons,
                        quarantine.reasons(c, run.company(), null));
                run.ended(clock.instant());
                // a run that left out a feed whose endpoint is not deployed still succeeded: it delivered the
                // others, and running it again would not help; the message says what it left out
                runs.updateRun(c, run.runId(), outcome(run, "succeeded", run.notDelivered(), true));
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
                    .append(run.closedThrough()).append("): ").append(run.bookedLater());
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

    /** The run delivered: its lock released, its summary logged, the observers told. */
    public SyncRun end(@Variable("run") SyncRun run) {
        run.stepEnded("deliver");
        run.releaseLock();
        ended(run);
        if (run.failedFeeds().isEmpty()) {
            LOG.info("Run {} succeeded: {} records on {} pages, lines {}, {}", run.runId(), run.recordsRead(),
                    run.pages(), run.linesSummary(), kinds(run));
        } else {
            LOG.warn("Run {} succeeded without feed(s) {}: {} records on {} pages, lines {}, {}; {}",
                    run.runId(), String.join(", ", run.failedFeeds().keySet()), run.recordsRead(), run.pages(),
                    run.linesSummary(), kinds(run), run.notDelivered());
        }
        observer.runSucceeded(run);
        return run;
    }

    /**
     * The end of a preview or of a reconcile without delivery: nothing was committed. A preview's files
     * get their names (JDBC rows as a CSV of the payroll_line rows to be); the lock is released.
     */
    public SyncRun endDry(@Variable("run") SyncRun run) throws Exception {
        try {
            if (run.purpose() == SyncRun.Purpose.PREVIEW) {
                for (DropWriter.Drop drop : run.drops()) {
                    Path shown = null;
                    if (drop.tempPath() != null && drop.finalPath() != null) {
                        AtomicDropFile.publish(drop.tempPath(), drop.finalPath());
                        shown = drop.finalPath();
                    } else if (drop.tempPath() != null) {
                        shown = PreviewRows.toCsv(drop.tempPath(), drop.tempPath().resolveSibling(PREVIEW_PREFIX
                                + AtomicDropFile.fileName(drop.target(), run.company(), run.startedAt(), run.runId())));
                    }
                    run.delivered(drop.target(), drop.lines(), shown);
                }
            }
            run.ended(clock.instant());
            LOG.info("{} {} of company {} ended, nothing committed: lines {}", describe(run.purpose()), run.runId(),
                    run.company(), run.lineCounts().isEmpty() ? "none" : run.lineCounts());
        } catch (Exception e) {
            discardDrops(run);
            throw e;
        } finally {
            run.releaseLock();
            ended(run);
        }
        return run;
    }

    /** Called by the error handler: the run is logged as failed, its lock released; before its commit nothing moved. */
    public void fail(@Variable("run") SyncRun run, Exception cause) {
        if (run == null || !run.markFailed()) {
            return;
        }
        String reason = cause == null ? "unknown" : cause.getMessage();
        if (!run.readingStarted()) {
            // an earlier run's drops that cannot be published, say: this run never got to Ditio
            reason = "failed before reading Ditio: " + reason;
        }
        if (run.dry()) {
            // nothing of it was written: no run log row, no metric, only what it left in its folder
            LOG.error("{} {} of company {} failed: {}", describe(run.purpose()), run.runId(), run.company(), reason);
            discardDrops(run);
            run.releaseLock();
            ended(run);
            return;
        }
        if (!run.readingStarted()) {
            LOG.error("Run {} of company {} failed, watermark and ledger unchanged: {}", run.runId(), run.company(), reason);
        } else {
            LOG.error("Run {} failed, {}: {}", run.runId(), run.committed()
                    ? "its deltas are committed (the next run publishes what is left)" : "watermark and ledger unchanged", reason);
        }
        try {
            if (!run.committed() && !run.isCommitOutcomeUnknown()) {
                discardDrops(run);
                if (runs.fenceHolds(run.fence())) {
                    // its ledger lines as they were, now rather than at the next run (another holder of the lock does it)
                    ledger.restoreUncommitted(run.company());
                }
            }
            run.ended(clock.instant());
            runs.endRun(run.runId(), outcome(run, "failed", reason, run.committed()));
        } catch (Exception e) {
            LOG.warn("Could not log the failure of run {}: {}", run.runId(), e.getMessage());
        } finally {
            run.releaseLock();
            ended(run);
        }
        observer.runFailed(run, reason);
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

    private void endedUnfinished(SyncRun run, Exchange done) {
        if (running.get(run.company()) != run) {
            return; // ended or failed already
        }
        boolean stopping = done.getContext().getShutdownStrategy().isTimeoutOccurred();
        Exception cause = done.getException();
        String why = cause == null ? "it ended without delivering" : cause.getMessage();
        // cut short: what Camel's forced shutdown broke (a closed socket, a rejected step) says nothing more
        fail(run, new IllegalStateException(stopping ? "the application was asked to stop and the run did not end within "
                + "camel.main.shutdown-timeout" : why, cause));
    }

    /**
     * Waits until no run of this process is in progress: the state DB must stay open until each has
     * delivered or recorded its failure (a stop cut short by camel.main.shutdown-timeout).
     *
     * @return whether none is left
     */
    public boolean awaitNoRunInProgress(Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        synchronized (running) {
            while (!running.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                running.wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }

    private void ended(SyncRun run) {
        synchronized (running) {
            running.remove(run.company(), run);
            running.notifyAll();
        }
        if (run.delta() != null) {
            run.delta().close();
        }
    }

    /** The company's run in progress in this process, or null. */
    public SyncRun running(String company) {
        return running.get(company);
    }

    private static RunStore.Run row(SyncRun run) {
        return new RunStore.Run(run.runId(), run.company(), run.feed(),
                run.mode() == null ? "-" : run.mode().name().toLowerCase(), run.startedAt(), run.scheduledFor());
    }

    private static RunStore.Outcome outcome(SyncRun run, String outcome, String message, boolean committed) {
        return new RunStore.Outcome(run.endedAt(), outcome, committed, run.pages(), run.recordsRead(),
                run.deletedRead(), run.linesSummary(), run.quarantinedCount(), committed ? run.lineCounts() : null,
                committed ? run.quarantineCounts() : null, message);
    }

    /**
     * Eight hex digits: the start's millisecond within its second, then random ones. Drop names carry
     * the start to the second and then the run id, so two runs of a company started in the same second
     * (they never overlap) still sort in the order they ran: a SAP cancellation never sorts before the
     * document it cancels.
     */
    static String runId(Instant startedAt, java.util.Random random) {
        return String.format("%03x%05x", startedAt.getNano() / 1_000_000, random.nextInt(1 << 20));
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
