package no.ditiosync.run;

import no.ditiosync.ditio.DitioApiException;
import no.ditiosync.ditio.DitioDates;
import no.ditiosync.ditio.DitioPager;
import no.ditiosync.ditio.DitioProject;
import no.ditiosync.ditio.DitioUser;
import no.ditiosync.ditio.FeedNotDeployedException;
import no.ditiosync.ditio.PageCursor;
import no.ditiosync.ditio.TimeRegistration;
import no.ditiosync.drops.TextCleaner;
import no.ditiosync.ledger.LedgerRow;
import no.ditiosync.ledger.LedgerStore;
import no.ditiosync.ledger.RunDelta;
import no.ditiosync.payroll.PayrollLine;
import no.ditiosync.state.CrashPoints;
import no.ditiosync.state.DirectoryStore;
import no.ditiosync.state.QuarantineStore;
import no.ditiosync.state.RecordLimits;
import no.ditiosync.state.StateDb;
import org.apache.camel.Body;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Each feed's pass of a run, as the routes call it (bean {@code syncRun}): start the pass (its
 * cursor), map again what waits for it, store the users and projects, hold the quarantined records,
 * stage each mapped page in the run's delta. The run's start is {@link RunStart}, its delta, commit
 * and end {@link RunFinish}.
 */
public final class SyncSteps {

    private static final Logger LOG = LoggerFactory.getLogger(SyncSteps.class);

    private final DirectoryStore directory;
    private final QuarantineStore quarantine;
    private final LedgerStore ledger;
    private final DitioPager pager;
    private final Companies companies;
    private final Clock clock;

    public SyncSteps(StateDb db, DitioPager pager, Companies companies, Clock clock) {
        this.directory = new DirectoryStore(db);
        this.quarantine = new QuarantineStore(db);
        this.ledger = new LedgerStore(db.dataSource(), db.dialect());
        this.pager = pager;
        this.companies = companies;
        this.clock = clock;
    }

    Company of(SyncRun run) {
        return companies.of(run);
    }

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
            Set<String> quarantined = quarantine.lineIds(run.company(), feed);
            // a reconcile of every work date a sync reads decides on the whole quarantine, as a sync's full pass does:
            // one whose version has no readable date that its pass did not return is gone too
            if (run.purpose().reconciles() && (pass.fromDate().isAfter(of(run).startDate())
                    || pass.toDate().isBefore(RunStart.FULL_PASS_END))) {
                Set<String> inWindow = quarantine.lineIds(run.company(), feed, pass.fromDate(), pass.toDate());
                run.delta().quarantinedAtStart(feed, inWindow);
                quarantined.removeAll(inWindow);
                run.delta().quarantinedOutsideWindow(feed, quarantined);
            } else {
                run.delta().quarantinedAtStart(feed, quarantined);
            }
        }
        PageCursor cursor = pass.mode() == SyncRun.Mode.FULL
                ? pager.cursor(run.company(), feed, null, pass.delivers() ? pass.readFrom() : null,
                        pass.delivers() ? pass.readTo() : null)
                : pager.cursor(run.company(), feed, pass.modifiedSince(), null, null);
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
            // held by the targets of this run, so its rules delivered it: a line they took back that a target
            // switched off then still holds is not rebuilt as approved (it would reach the others again, also
            // through the quarantine, should the worker have no number for a while)
            List<String> targets = of(run).targetNames();
            // a line whose record is in quarantine is not rebuilt from what was paid: the quarantine holds the record
            // as Ditio sent it last (mapped again above, or waiting for Ditio to send it readable), and that version
            // decides, not an older one (the quarantine as startPass read it just now)
            for (LedgerRow row : ledger.ofUsers(run.company(), feed, users)) {
                if (!run.delta().wasQuarantined(feed, row.lineId()) && row.standsIn(run.catchUp().upToDate(row, targets))) {
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
        // a target of the run holds it, so it passed the approval gate; its approval is not what changed
        r.approved = true;
        r.payrollApproved = true;
        r.modifiedDateTime = l.sourceModified() == null ? null : DitioDates.format(l.sourceModified());
        r.restoreFields(row.sourceFields());
        r.mappedAgain = true;
        return r;
    }

    public void storeUsers(@Body List<DitioUser> page, @Variable("run") SyncRun run) throws Exception {
        page.forEach(RecordLimits::fit);
        page.stream().filter(u -> u.unreadable != null).forEach(u -> run.userRowUnreadable(u.identityUserId));
        List<DitioUser> users = readable(page, u -> u.unreadable, u -> "profile " + u.id + " (user " + u.identityUserId + ")",
                DitioPager.USER_FEED, DitioPager.USERS, run);
        List<String> cut = directory.upsertUsers(run.company(), users);
        if (!cut.isEmpty()) {
            LOG.warn("Run {} of company {}: {} department(s) longer than {} characters, kept and delivered cut to that "
                            + "(every target): {}; give them shorter names in Ditio", run.runId(), run.company(), cut.size(),
                    DirectoryStore.DEPARTMENT_WIDTH, String.join(", ", cut.stream().limit(3)
                            .map(d -> "'" + TextCleaner.clean(d, 40) + "…'").toList())
                            + (cut.size() > 3 ? " and " + (cut.size() - 3) + " more" : ""));
        }
        run.countUserPage(page.size());
    }

    public void storeProjects(@Body List<DitioProject> page, @Variable("run") SyncRun run) throws Exception {
        page.forEach(RecordLimits::fit);
        directory.upsertProjects(run.company(), readable(page, p -> p.unreadable, p -> "project " + p.id,
                DitioPager.PROJECT_FEED, DitioPager.PROJECTS, run));
        run.countProjectPage();
    }

    /**
     * The rows of a user or project page that bound. One that did not (a field of the wrong type) is left
     * as last known, said in a WARN, and the feed's watermark stays for this run, so the next run reads it
     * again: the change it brings (a new employee number) waits for Ditio to send it readable, not lost.
     */
    private static <T> List<T> readable(List<T> page, Function<T, String> unreadable, Function<T, String> name,
                                        String feed, String endpoint, SyncRun run) {
        List<T> bad = page.stream().filter(row -> unreadable.apply(row) != null).toList();
        if (bad.isEmpty()) {
            return page;
        }
        String why = bad.size() + " row(s) of " + endpoint + " could not be read, left as last known and read again by the "
                + "next run: " + String.join("; ", bad.stream().limit(3).map(row -> TextCleaner.shown(name.apply(row) + ": "
                        + unreadable.apply(row))).toList()) + (bad.size() > 3 ? "; and " + (bad.size() - 3) + " more" : "");
        run.readInPart(feed, why);
        LOG.warn("Run {} of company {}: {}", run.runId(), run.company(), why);
        return page.stream().filter(row -> unreadable.apply(row) == null).toList();
    }

    /** Whether the map step goes down its quarantine branch: some records of the page cannot become a line. */
    public boolean hasQuarantined(@Body MappedPage page) {
        return !page.quarantined().isEmpty();
    }

    /** The quarantine branch of the map step: the page's records that cannot become a line, with why. */
    public void holdQuarantined(@Body MappedPage page, @Variable("run") SyncRun run) throws Exception {
        if (!run.dry()) {
            quarantine.hold(run.company(), page.feed(), run.runId(), page.quarantined());
        }
        for (QuarantineStore.Held h : page.quarantined()) {
            run.quarantined(h.record().id, h.reason());
            run.delta().heldInRun(page.feed(), page.feed() + ":" + h.record().id);
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
}
