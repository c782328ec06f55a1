package no.ditiosync.ledger;

import no.ditiosync.ditio.DitioApiException;
import no.ditiosync.ditio.DitioPager;
import no.ditiosync.ditio.FeedNotDeployedException;
import no.ditiosync.ditio.PageCursor;
import no.ditiosync.ditio.DitioProject;
import no.ditiosync.ditio.DitioUser;
import no.ditiosync.ditio.TimeRegistration;
import no.ditiosync.payroll.EmployeeDirectory;
import no.ditiosync.payroll.MappingResult;
import no.ditiosync.ditio.PayrollLineRecord;
import no.ditiosync.payroll.PayrollDaySplitter;
import no.ditiosync.payroll.PayrollLineMapper;
import no.ditiosync.payroll.PayrollSource;
import no.ditiosync.payroll.ProjectDirectory;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.Variable;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The steps of one run of the time-registration feed, as the sync route calls them: begin (lock,
 * recover, choose full or incremental), stage what the pages bring, deliver, end.
 */
public final class FeedSync {

    public static final String FEED = "time";
    private static final Logger LOG = LoggerFactory.getLogger(FeedSync.class);
    private static final SecureRandom RUN_IDS = new SecureRandom();

    /** Where each run of this process is logged as having run (several nodes may share one state DB). */
    public static final String NODE = hostName() + "/" + ProcessHandle.current().pid();

    private volatile RunObserver observer = RunObserver.NONE;

    /** One company's part of the feed: its targets, its mapping, its start date, the registration feeds it delivers. */
    public static final class Company {
        private final String key;
        private final Delivery delivery;
        private final PayrollLineMapper mapper;
        private final LocalDate startDate;
        private final Duration overlap;
        private final List<String> feeds;
        private final PayrollSource source;
        /** what a target shortens of the users' departments, as a line for the log, or null */
        private final Function<Collection<String>, String> departmentsShortened;
        // employees as of the running pass; one run per company at a time (the feed lock)
        private volatile EmployeeDirectory employees = id -> null;
        private volatile ProjectDirectory projects = ProjectDirectory.NONE;

        public Company(String key, Delivery delivery, PayrollLineMapper mapper, LocalDate startDate, Duration overlap) {
            this(key, delivery, mapper, startDate, overlap, List.of(TimeRegistration.TIME), PayrollSource.TIME);
        }

        /**
         * @param feeds  the registration feeds delivered, in order: {@code time}, {@code payroll}, {@code absence}
         * @param source how the payroll lines of the {@code payroll} feed are split (PAYROLL_SOURCE)
         */
        public Company(String key, Delivery delivery, PayrollLineMapper mapper, LocalDate startDate, Duration overlap,
                       List<String> feeds, PayrollSource source) {
            this(key, delivery, mapper, startDate, overlap, feeds, source, departments -> null);
        }

        /**
         * @param departmentsShortened what one of the company's targets shortens of these departments
         *                             (Visma cuts them to 30 characters), as a line for the log; null when none
         */
        public Company(String key, Delivery delivery, PayrollLineMapper mapper, LocalDate startDate, Duration overlap,
                       List<String> feeds, PayrollSource source, Function<Collection<String>, String> departmentsShortened) {
            this.departmentsShortened = departmentsShortened;
            this.key = key;
            this.delivery = delivery;
            this.mapper = mapper;
            this.startDate = startDate;
            this.overlap = overlap;
            this.feeds = List.copyOf(feeds);
            this.source = source;
        }
    }

    private final StateStore store;
    private final Map<String, Company> companies = new LinkedHashMap<>();
    private final Map<String, SyncRun> running = new java.util.concurrent.ConcurrentHashMap<>();
    private final Clock clock;

    public FeedSync(StateStore store, List<Company> companies, Clock clock) {
        this.store = store;
        companies.forEach(c -> this.companies.put(c.key, c));
        this.clock = clock;
    }

    /** Told about every run that ends (metrics, run reports). */
    public void setRunObserver(RunObserver observer) {
        this.observer = observer;
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

    private Company of(SyncRun run) {
        return companies.get(run.company());
    }

    /**
     * Takes the feed lock, finishes what a crashed run left, and plans this run.
     *
     * @param scheduledFor the Quartz firing this run answers, or null when started by hand
     */
    public SyncRun begin(@Variable("company") String companyKey, @Header("scheduledFireTime") java.util.Date scheduledFor,
                         Exchange exchange) throws Exception {
        // noted before the first request: the next incremental pass starts here (minus the overlap)
        Instant startedAt = clock.instant();
        Company c = companies.get(company(companyKey));
        String company = c.key;
        String runId = runId(startedAt, RUN_IDS);
        Instant firing = scheduledFor == null ? null : scheduledFor.toInstant();
        StateStore.FeedLock lock;
        try {
            lock = store.tryLock(company, FEED);
        } catch (Exception e) {
            throw notStarted(new SyncRun(runId, company, FEED, startedAt, null, null, null, null), firing, e);
        }
        if (lock == null) {
            observer.runSkipped(company, FEED);
            throw new FeedBusyException(company, FEED);
        }
        SyncRun planned = null;
        try {
            store.markAbandonedRuns(company);
            List<SyncRun.Pass> passes = new ArrayList<>();
            for (String feed : c.feeds) {
                passes.add(plan(c, feed, startedAt, true));
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
            planned = run;
            c.delivery.recover(company);
            if (firing != null && store.firingSucceeded(company, FEED, firing)) {
                // Quartz recovers a job whose node died before it recorded the job's end, even when the
                // run itself had finished: the firing is answered already. So is one whose run left out
                // a feed not deployed on this environment: it delivered the rest, and again would not help
                throw new FiringAlreadyRunException(company, firing);
            }
            run.holdLock(lock);
            store.startRun(run, NODE);
            running.put(company, run);
            // a run whose exchange ends without reaching deliver or the error handler's fail: Camel's
            // forced shutdown (camel.main.shutdown-timeout passed) rejects the error handler too
            exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                @Override
                public void onDone(Exchange done) {
                    endedUnfinished(run, done);
                }
            });
            for (SyncRun.Pass p : passes) {
                LOG.info("Run {} of feed {} for company {}: {} pass{}", runId, p.feed(), company,
                        p.mode().name().toLowerCase(),
                        p.mode() == SyncRun.Mode.FULL ? " from " + p.fromDate() : " of changes since " + p.modifiedSince());
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
     * A run that failed before it read anything from Ditio (finishing an earlier run's drops, the
     * state DB): recorded like any failed run, in the run log, the run report and the metrics. When
     * the state DB cannot take the run log row, the report and the log say so.
     *
     * @return {@code cause}, to be thrown on
     */
    private Exception notStarted(SyncRun run, Instant firing, Exception cause) {
        run.scheduledFor(firing);
        run.markFailed();
        run.ended(clock.instant());
        String reason = "failed before reading Ditio: " + (cause instanceof java.sql.SQLException
                ? "the state DB cannot be used (" + cause.getMessage() + ")" : cause.getMessage());
        try {
            store.recordFailedRun(run, NODE, reason);
        } catch (Exception e) {
            reason += "; this attempt is not in the run log: the state DB could not record it (" + e.getMessage() + ")";
        }
        LOG.error("Run {} of company {} failed, watermark and ledger unchanged: {}", run.runId(), run.company(), reason);
        observer.runFailed(run, reason);
        return cause;
    }

    /**
     * A feed's pass: full over work dates from the start date while the feed has no watermark (its
     * first run, or the first run after it was switched on), else the changes since its watermark
     * minus the overlap. Each feed keeps its own watermark row, so switching a feed on later gives
     * that feed a full pass without repeating the others'.
     */
    private SyncRun.Pass plan(Company c, String feed, Instant startedAt, boolean delivers) throws Exception {
        Instant watermark = store.watermark(c.key, feed);
        return watermark == null
                ? new SyncRun.Pass(feed, SyncRun.Mode.FULL, null, c.startDate,
                LocalDate.ofInstant(startedAt, ZoneOffset.UTC).plusYears(1), delivers)
                : new SyncRun.Pass(feed, SyncRun.Mode.INCREMENTAL, watermark.minus(c.overlap), null, null, delivers);
    }

    public void stageUsers(@Body List<DitioUser> users, @Variable("run") SyncRun run) throws Exception {
        store.upsertUsers(run.company(), users);
        run.countUserPage(users.size());
    }

    public void stageProjects(@Body List<DitioProject> projects, @Variable("run") SyncRun run) throws Exception {
        store.upsertProjects(run.company(), projects);
        run.countProjectPage();
    }

    /**
     * Before a feed's registrations: employees as now known; the feed's quarantined records, and the
     * records of users whose employee number or department changed, are mapped again (a changed
     * employee number moves the hours already delivered: reversed under the old number, booked under the new).
     */
    public void startPass(@Variable("feed") String feed, @Variable("run") SyncRun run) throws Exception {
        run.startPass(feed);
        Company c = of(run);
        String company = c.key;
        Map<String, EmployeeDirectory.Employee> now = store.employees(company);
        EmployeeDirectory employees = now::get;
        c.employees = employees;
        if (feed.equals(run.deliveredFeeds().get(0))) {
            // once a run, as long as it lasts: a department cut short is no reason to hold back pay, but no secret either
            String shortened = c.departmentsShortened.apply(now.values().stream()
                    .map(EmployeeDirectory.Employee::department).filter(Objects::nonNull).distinct().toList());
            if (shortened != null) {
                LOG.warn("Run {} of company {}: {}", run.runId(), company, shortened);
            }
        }
        Map<String, String> projectNumbers = store.projectNumbers(company);
        ProjectDirectory projects = projectNumbers::get;
        c.projects = projects;
        int released = 0;
        for (TimeRegistration r : store.quarantinedRecords(company, feed)) {
            MappingResult result = c.mapper.map(withProjectNumber(r, projects), employees);
            if (result.status() != MappingResult.Status.QUARANTINED) {
                released++;
            }
            store.remapped(company, feed, r.id, result);
        }
        List<TimeRegistration> ofChangedUsers = store.recordsOfChangedUsers(company, feed);
        for (TimeRegistration r : ofChangedUsers) {
            store.remapped(company, feed, r.id, c.mapper.map(withProjectNumber(r, projects), employees));
        }
        if (released > 0 || !ofChangedUsers.isEmpty()) {
            LOG.info("Run {}: {} quarantined registration(s) can now be delivered; {} registration(s) mapped again "
                    + "after their user's employee number or department changed", run.runId(), released, ofChangedUsers.size());
        }
    }

    /** One record of a page: mapped now, stored with the page. */
    public void stage(@Body TimeRegistration record, @Variable("run") SyncRun run) {
        if (record.id == null || record.id.isBlank()) {
            // kept, under a name made from its content, so the quarantine shows it and a re-run does not add it twice
            record.id = PayrollLineMapper.missingIdKey(record);
        }
        Company c = of(run);
        if (record instanceof PayrollLineRecord day) {
            // a user's day: stored as its parts, each a line of its own
            run.pageParents().add(day.id);
            for (TimeRegistration part : PayrollDaySplitter.split(day, c.source)) {
                RecordLimits.fit(part);
                run.pageBatch().add(new StagedRecord(part, c.mapper.map(part, c.employees)));
            }
            return;
        }
        RecordLimits.fit(record);
        run.pageBatch().add(new StagedRecord(withProjectNumber(record, c.projects), c.mapper.map(record, c.employees)));
    }

    /**
     * Fills the project number of a record that names only its projectId (absences always; ditio-api.md
     * section 6) from the projects as last seen. Stored so with the record, it is the number the
     * record's line keeps: as Ditio's own registrations, a snapshot, not renamed with the project later.
     */
    static TimeRegistration withProjectNumber(TimeRegistration r, ProjectDirectory projects) {
        if ((r.projectNumber == null || r.projectNumber.isBlank()) && r.projectId != null) {
            String number = projects.numberOf(r.projectId);
            if (number != null && !number.isBlank()) {
                r.projectNumber = number;
            }
        }
        return r;
    }

    public void flushPage(@Variable("run") SyncRun run, @Variable("cursor") PageCursor cursor) throws Exception {
        List<StagedRecord> batch = run.pageBatch();
        int deleted = (int) batch.stream().filter(s -> s.record().isDeleted).count();
        String position = batch.isEmpty() ? "-" : position(run, batch.get(batch.size() - 1).record());
        store.stageRecords(run.fence(), run.current().feed(), run.runId(), lastCopies(run, cursor, batch));
        if (!run.pageParents().isEmpty()) {
            store.markPartsNotSeenDeleted(run.fence(), run.current().feed(), run.runId(), run.pageParents());
            run.pageParents().clear();
        }
        run.countPage(batch.size(), deleted);
        run.position(position);
        batch.clear();
        CrashPoints.reached(CrashPoints.AFTER_PAGE + run.pages());
        double seconds = Math.max(0.001, Duration.between(run.startedAt(), clock.instant()).toMillis() / 1000.0);
        LOG.info("Run {}: page {} stored, {} records so far, {} records/s, at {}", run.runId(), run.pages(),
                run.recordsRead(), Math.round(run.recordsRead() / seconds), position);
    }

    /**
     * The page's records, each id once: a record Ditio sent twice on one page is kept as its last copy
     * (the later one in Ditio's order, as a later page's copy replaces an earlier page's), with one
     * WARN for the page. Without this the state DB's batches would decide, a tombstone before its live
     * copy winning because tombstones are written last.
     */
    private static List<StagedRecord> lastCopies(SyncRun run, PageCursor cursor, List<StagedRecord> batch) {
        Map<String, StagedRecord> byId = new LinkedHashMap<>();
        for (StagedRecord staged : batch) {
            byId.remove(staged.record().id);
            byId.put(staged.record().id, staged);
        }
        if (byId.size() == batch.size()) {
            return batch;
        }
        Map<String, Integer> copies = new LinkedHashMap<>();
        batch.forEach(staged -> copies.merge(staged.record().id, 1, Integer::sum));
        List<String> repeated = copies.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
        LOG.warn("Run {}: {} holds {} record id(s) more than once ({}{}); the last copy of each is kept",
                run.runId(), cursor == null ? "a page" : cursor.describeRead(), repeated.size(),
                String.join(", ", repeated.subList(0, Math.min(3, repeated.size()))), repeated.size() > 3 ? ", …" : "");
        return new ArrayList<>(byId.values());
    }

    /** Where a pass stands: the work date of a full pass, the modification time of an incremental one. */
    private static String position(SyncRun run, TimeRegistration last) {
        boolean full = run.current().mode() == SyncRun.Mode.FULL;
        String at = full ? last.workDate : last.modifiedDateTime;
        return (full ? "work date " : "modified ") + (at == null ? "?" : at.length() > 10 && full ? at.substring(0, 10) : at);
    }

    public void finishPass(@Variable("run") SyncRun run) throws Exception {
        SyncRun.Pass pass = run.current();
        if (pass.mode() == SyncRun.Mode.FULL) {
            int gone = store.markUnseenDeleted(run.fence(), pass.feed(), run.runId(), pass.fromDate(), pass.toDate());
            if (gone > 0) {
                LOG.info("Run {}: {} {} record(s) known from earlier runs are gone from Ditio", run.runId(), gone, pass.feed());
            }
        }
    }

    /**
     * The first page of a feed's pass answered 404: the endpoint is not deployed on this environment.
     * That feed is left out of the run (nothing of it staged, no unseen-deletion marking, its watermark
     * stays) and the others go on; the records startPass mapped again stay pending for the feed's
     * next run, as after a failed run. Users or projects left out: the run maps with those already
     * known. When no feed of registrations is left, the run fails as before.
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

    /** Commits the run's deltas with the ledger and watermark, then publishes the drops. */
    public SyncRun deliver(@Variable("run") SyncRun run) throws Exception {
        Delivery delivery = of(run).delivery;
        delivery.commit(run);
        delivery.publish(run.company());
        run.releaseLock();
        ended(run);
        if (run.failedFeeds().isEmpty()) {
            LOG.info("Run {} succeeded: {} records on {} pages, lines {}, {} quarantined", run.runId(), run.recordsRead(),
                    run.pages(), run.linesSummary(), run.quarantinedCount());
        } else {
            LOG.warn("Run {} succeeded without feed(s) {}: {} records on {} pages, lines {}, {} quarantined; {}",
                    run.runId(), String.join(", ", run.failedFeeds().keySet()), run.recordsRead(), run.pages(),
                    run.linesSummary(), run.quarantinedCount(), run.notDelivered());
        }
        observer.runSucceeded(run);
        return run;
    }

    /** Called by the error handler: the run is logged as failed, its lock released, nothing moved. */
    public void fail(@Variable("run") SyncRun run, Exception cause) {
        if (run == null || !run.markFailed()) {
            return;
        }
        String reason = cause == null ? "unknown" : cause.getMessage();
        LOG.error("Run {} failed, {}: {}", run.runId(), run.committed()
                ? "its deltas are committed (the next run publishes what is left)"
                : run.isCommitOutcomeUnknown() ? "whether its deltas committed is unknown (the next run finds out)"
                : "watermark and ledger unchanged", reason);
        try {
            run.ended(clock.instant());
            store.failRun(run, reason);
        } catch (Exception e) {
            LOG.warn("Could not log the failure of run {}: {}", run.runId(), e.getMessage());
        } finally {
            run.releaseLock();
            ended(run);
        }
        observer.runFailed(run, reason);
    }

    private void endedUnfinished(SyncRun run, Exchange done) {
        if (running.get(run.company()) != run) {
            return; // delivered or failed already
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
    }

    /** The company's run in progress in this process, or null. */
    public SyncRun running(String company) {
        return running.get(company);
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
