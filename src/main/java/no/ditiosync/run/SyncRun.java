package no.ditiosync.run;

import no.ditiosync.ditio.RetryCounter;
import no.ditiosync.drops.DropWriter;
import no.ditiosync.ledger.DeliveredHours;
import no.ditiosync.ledger.RunDelta;
import no.ditiosync.payroll.EmployeeDirectory;
import no.ditiosync.payroll.ProjectDirectory;
import no.ditiosync.ledger.LedgerStore.HoursKey;
import no.ditiosync.state.RunStore;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** One run of one feed: what it asked Ditio for and what came of it. Lives in the exchange variable {@code run}. */
public final class SyncRun implements RetryCounter {

    public enum Mode { FULL, INCREMENTAL }

    /**
     * What a run is for. A preview and a reconcile without delivery read Ditio and merge against the
     * ledger exactly as a sync, and commit nothing; a reconcile with delivery commits like a sync.
     */
    public enum Purpose {
        SYNC, PREVIEW, RECONCILE, RECONCILE_DELIVER;

        /** Whether the run commits nothing (ledger, watermarks, outbox, quarantine, run log stay as they are). */
        public boolean dry() {
            return this == PREVIEW || this == RECONCILE;
        }

        public boolean reconciles() {
            return this == RECONCILE || this == RECONCILE_DELIVER;
        }

        /** What the log calls a run of this purpose: "Run", "Preview", "Reconcile", "Reconcile run". */
        public String logName() {
            return switch (this) {
                case SYNC -> "Run";
                case PREVIEW -> "Preview";
                case RECONCILE -> "Reconcile";
                case RECONCILE_DELIVER -> "Reconcile run";
            };
        }
    }

    /**
     * One pass of the run over one Ditio endpoint: full by date window when its feed has no
     * watermark yet, else incremental from that watermark minus the overlap. Every pass of a run
     * has its own watermark row, and all of them move together in the run's delivery transaction.
     *
     * @param delivers true for registrations that become payroll lines; false for metadata (users, projects)
     */
    public record Pass(String feed, Mode mode, Instant modifiedSince, LocalDate fromDate, LocalDate toDate,
                       boolean delivers) {

        /**
         * The work dates a full pass asks Ditio for: a day more on each side of its own. A work date
         * written with an offset ({@code 2026-03-29T00:00:00+02:00}) is the day written here, and may
         * be the day before to a server that reads it as a UTC instant: without the margin such a
         * record would be missing from a window that holds it, and its delivered line reversed.
         */
        public LocalDate readFrom() {
            return fromDate.minusDays(1);
        }

        /** See {@link #readFrom()}; a pass that reads as far ahead as any asks no further. */
        public LocalDate readTo() {
            return toDate.isBefore(RunStart.FULL_PASS_END) ? toDate.plusDays(1) : toDate;
        }

        /** Whether Ditio is asked for days beside the pass's own: a full pass over registrations. */
        boolean readsMargin() {
            return mode == Mode.FULL && fromDate != null;
        }

        /**
         * Whether a record read by this pass is one it decides on. In a full pass, one that came with the
         * margin is left out, as a record the server did not return: its work date is outside the pass's
         * own dates by a day or two (the margin's day, and a day more where the server's reading and ours
         * differ). One dated further out is the server's answer to the window itself, and is decided on
         * as before (a date typed wrong is quarantined).
         */
        boolean decidesOn(LocalDate workDate) {
            if (!readsMargin() || workDate == null) {
                return true;
            }
            boolean justBefore = workDate.isBefore(fromDate) && !workDate.isBefore(fromDate.minusDays(2));
            boolean justAfter = toDate.isBefore(RunStart.FULL_PASS_END) && workDate.isAfter(toDate)
                    && !workDate.isAfter(toDate.plusDays(2));
            return !justBefore && !justAfter;
        }
    }

    /** A quarantined record as shown in the run summary. */
    public record Quarantined(String recordId, String reason) {
    }

    private static final int SUMMARY_QUARANTINE_LIMIT = 10;

    private final String runId;
    private final String company;
    private final String feed;
    private final Instant startedAt;
    private final Mode mode;
    private final Instant modifiedSince;
    private final LocalDate fromDate;
    private final LocalDate toDate;
    private final RunPasses passes = new RunPasses();
    private List<String> retiring = List.of();
    private boolean rulesChanged;
    private no.ditiosync.ledger.CatchUp catchUp = no.ditiosync.ledger.CatchUp.NONE;
    /** The feeds with lines a target switched on again is behind on (null: the run does not catch it up). */
    private Set<String> feedsBehind;
    private Set<String> targetsBehind;
    private final Map<String, Integer> linesByTarget = new LinkedHashMap<>();
    private final List<Path> files = new ArrayList<>();
    private final List<String> places = new ArrayList<>();
    private final List<Quarantined> quarantinedShown = new ArrayList<>();
    private int quarantinedCount;
    // read by the terminal's progress line from another thread
    private volatile int pages;
    private volatile long recordsRead;
    private volatile String position = "-";
    private long deletedRead;
    private int userPages;
    private long usersRead;
    private int projectPages;
    private int retries;
    private Instant endedAt;
    private Instant scheduledFor;
    private AutoCloseable lock;
    private RunStore.Fence fence;
    /** What the run read and mapped again, per feed, until it is merged against the ledger. */
    private RunDelta delta;
    /** Employees and projects as the running pass knows them (one run per company at a time: the feed lock). */
    private volatile EmployeeDirectory employees = id -> null;
    private volatile ProjectDirectory projects = ProjectDirectory.NONE;
    private boolean readingStarted;
    private final LineCounts lineCounts = new LineCounts();
    private final Set<String> quarantinedIds = new HashSet<>();
    /** Feeds whose watermark this run does not move: a row of theirs could not be read. */
    private final Set<String> watermarksKept = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** identityUserIds of /v1/user rows this run could not read */
    private final Set<String> unreadableUsers = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private Map<String, Set<String>> released = Map.of();
    private List<DropWriter.Drop> drops = List.of();
    private DeliveredHours hours = new DeliveredHours();
    /** The last work date of the closed payroll period when the run delivered (null: none closed). */
    private LocalDate closedThrough;
    private QuarantineAfter quarantineAfter = QuarantineAfter.NONE;
    private boolean failed;
    private Purpose purpose = Purpose.SYNC;
    /** Preview and reconcile: what they compare. */
    private final HoursCompared hoursCompared = new HoursCompared();
    private boolean committed;
    private boolean commitOutcomeUnknown;
    /** Seconds spent in each step of the run (read, delta, commit, deliver), for the run report and the bench. */
    private final Map<String, Double> stepSeconds = new LinkedHashMap<>();
    private long stepStartedNanos = System.nanoTime();

    public SyncRun(String runId, String company, String feed, Instant startedAt, Mode mode,
                   Instant modifiedSince, LocalDate fromDate, LocalDate toDate) {
        this.runId = runId;
        this.company = company;
        this.feed = feed;
        this.startedAt = startedAt;
        this.mode = mode;
        this.modifiedSince = modifiedSince;
        this.fromDate = fromDate;
        this.toDate = toDate;
    }

    public Purpose purpose() { return purpose; }

    public void purpose(Purpose purpose) { this.purpose = purpose; }

    /** Whether the run commits nothing: a preview, or a reconcile without delivery. */
    public boolean dry() { return purpose.dry(); }

    /** Whether the run keeps the net change of hours per target and key (preview, reconcile). */
    public boolean tracksHours() { return purpose != Purpose.SYNC; }

    /** Preview and reconcile: the hours the run's delta changes, and what the ledger held before (reconcile). */
    HoursCompared hoursCompared() { return hoursCompared; }

    /** Per target (in target order of the delta), the net change of hours per key; keys netting to zero included. */
    public Map<String, TreeMap<HoursKey, BigDecimal>> hoursChanged() { return hoursCompared.changed(); }

    /** Reconcile: per target, the hours the ledger said it held per key before the run (null for other runs). */
    public Map<String, TreeMap<HoursKey, BigDecimal>> heldBefore() { return hoursCompared.heldBefore(); }

    /** The employee numbers of the hours compared (a preview's or reconcile's rows). */
    public Set<String> employeeNumbers() {
        Set<String> numbers = new java.util.TreeSet<>();
        for (Map<String, TreeMap<HoursKey, BigDecimal>> hours : java.util.Arrays.asList(hoursChanged(), heldBefore())) {
            if (hours == null) {
                continue; // heldBefore: a reconcile's only
            }
            hours.values().forEach(byKey -> byKey.keySet().forEach(k -> {
                if (k.employeeNumber() != null) {
                    numbers.add(k.employeeNumber());
                }
            }));
        }
        return numbers;
    }

    /** Plans a pass; the order of planning is the order of delivery. */
    public void plan(Pass pass) { passes.plan(pass); }

    /** Whether this run makes a pass over the feed (routes ask before calling the feed's route). */
    public boolean syncs(String feed) { return passes.syncs(feed); }

    public Pass pass(String feed) { return passes.pass(feed); }

    public List<Pass> passes() { return passes.all(); }

    /** The feeds whose records this run delivers, in order; the run's own feed when none was planned. */
    public List<String> deliveredFeeds() { return passes.deliveredFeeds(feed); }

    /**
     * The feed's pass failed before it read anything (its endpoint is not deployed here): the pass is
     * dropped from the run, so the delivery neither delivers its records nor moves its watermark.
     *
     * @return whether the run still has a feed of registrations to deliver
     */
    public boolean failFeed(String failedFeed, String message) {
        // the reason may quote Ditio's error text: kept as an operator's terminal and the log can show it
        return passes.fail(failedFeed, no.ditiosync.drops.TextCleaner.shown(message));
    }

    /** The feeds this run could not read (feed → why), empty when it read every one it planned. */
    public Map<String, String> failedFeeds() { return passes.failed(); }

    /** Why each feed of registrations was not delivered, joined with "; " (users and projects left out). */
    public String registrationFeedsNotDelivered() { return passes.registrationFeedsNotDelivered(); }

    /** One line naming each feed not delivered (registrations) or not read (users, projects) and why; null when none. */
    public String notDelivered() { return passes.notDelivered(); }

    /**
     * The settings that decide the lines changed since the delivered lines were made: every feed is read
     * in full, and those of {@code retiring} (PAYROLL_SOURCE no longer reads them) have their lines
     * reversed, as their hours come from another feed now.
     */
    public void rulesChanged(List<String> retiring) {
        this.rulesChanged = true;
        retire(retiring);
    }

    /** The feeds PAYROLL_SOURCE no longer reads whose lines this run reverses (a reconcile: in its window). */
    public void retire(List<String> feeds) {
        this.retiring = List.copyOf(feeds);
    }

    public boolean rulesChanged() { return rulesChanged; }

    /** The run's targets switched on again, which it brings to what the others hold. */
    public void catchUp(no.ditiosync.ledger.CatchUp catchUp) { this.catchUp = catchUp; }

    public no.ditiosync.ledger.CatchUp catchUp() { return catchUp; }

    /** The feeds whose lines the run brings up to date for its targets switched on again; set only by a run that does. */
    public void catchesUp(Set<String> feeds) { this.feedsBehind = Set.copyOf(feeds); }

    /** The feeds the run brings up to date for its targets switched on again; null when it does not (a reconcile). */
    public Set<String> feedsBehind() { return feedsBehind; }

    /** Set by the delta: the targets switched on again that this run leaves behind (sync_run.targets_behind). */
    public void targetsBehind(Set<String> targets) { this.targetsBehind = Set.copyOf(targets); }

    public Set<String> targetsBehind() { return targetsBehind; }

    public List<String> retiring() { return retiring; }

    /**
     * Whether the lines of the feeds PAYROLL_SOURCE no longer reads must wait for a later run: a feed it
     * reads now was left out (not deployed), and their hours would be taken back before they come from it.
     */
    public boolean reversalWaits() {
        return !retiring.isEmpty()
                && passes.failed().keySet().stream().anyMatch(no.ditiosync.payroll.LineRules.SOURCE_FEEDS::contains);
    }

    /** The pass now running. */
    public Pass current() { return passes.current(); }

    public void startPass(String passFeed) { passes.start(passFeed, runId); }

    public String runId() { return runId; }
    public String company() { return company; }
    public String feed() { return feed; }
    public Instant startedAt() { return startedAt; }
    /** Full or incremental; null for a run that failed before it could plan its passes. */
    public Mode mode() { return mode; }

    /**
     * The mode as the run log and the run report name it: full or incremental, and reconcile for a
     * reconcile --deliver (a full pass of a window, not a sync's; its rows before this said full);
     * null before the passes are planned.
     */
    public String loggedMode() {
        if (mode == null) {
            return null;
        }
        return purpose == Purpose.RECONCILE_DELIVER ? "reconcile" : mode.name().toLowerCase(java.util.Locale.ROOT);
    }
    public Instant modifiedSince() { return modifiedSince; }
    public LocalDate fromDate() { return fromDate; }
    public LocalDate toDate() { return toDate; }
    public RunDelta delta() { return delta; }
    public void delta(RunDelta delta) { this.delta = delta; }
    public EmployeeDirectory employees() { return employees; }
    public ProjectDirectory projects() { return projects; }

    /** Employees and projects as known when a pass starts. */
    public void directories(EmployeeDirectory employees, ProjectDirectory projects) {
        this.employees = new EmployeeDirectory() {
            @Override
            public Employee byIdentityUserId(String identityUserId) {
                return employees.byIdentityUserId(identityUserId);
            }

            @Override
            public boolean rowUnreadable(String identityUserId) {
                return identityUserId != null && unreadableUsers.contains(identityUserId);
            }
        };
        this.projects = projects;
    }

    /** Whether the run has begun to read Ditio (its first pass started). */
    public boolean readingStarted() { return readingStarted; }

    public void readingStarted(boolean started) { this.readingStarted = started; }

    public Map<String, Integer> linesByTarget() { return linesByTarget; }
    public List<Path> files() { return files; }
    /** Where the run's drops were delivered, as a user finds them: the local files, or URLs on the SFTP server. */
    public List<String> places() { return places; }
    public List<Quarantined> quarantinedShown() { return quarantinedShown; }
    public int quarantinedCount() { return quarantinedCount; }
    public int pages() { return pages; }
    public long recordsRead() { return recordsRead; }
    public long deletedRead() { return deletedRead; }
    public int userPages() { return userPages; }
    public long usersRead() { return usersRead; }
    public int projectPages() { return projectPages; }
    public Instant endedAt() { return endedAt; }
    /** The Quartz firing the run answers; null when started by hand. */
    public Instant scheduledFor() { return scheduledFor; }

    public void scheduledFor(Instant firing) { this.scheduledFor = firing; }

    /** Where the pass stands after its last page: a work date (full) or a modification time (incremental). */
    public String position() { return position; }

    public void position(String where) { this.position = where; }

    /** The step that just ended took the time since the previous one ended (or the run began). */
    public synchronized void stepEnded(String step) {
        long now = System.nanoTime();
        stepSeconds.merge(step, (now - stepStartedNanos) / 1e9, Double::sum);
        stepStartedNanos = now;
    }

    public synchronized Map<String, Double> stepSeconds() { return new LinkedHashMap<>(stepSeconds); }

    /** Ditio calls retried in this run (all calls together). */
    public int retries() { return retries; }

    @Override
    public void countRetry() { retries++; }

    public void countPage(int records, int deleted) {
        pages++;
        recordsRead += records;
        deletedRead += deleted;
    }

    public void countProjectPage() { projectPages++; }

    /**
     * Some rows of a user or project feed could not be read: its watermark stays where it was when this run
     * commits, so the next run reads its changes again, and the run names the feed as read in part (why).
     */
    public void readInPart(String feed, String why) {
        watermarksKept.add(feed);
        passes.readInPart(feed, why);
    }

    /** A /v1/user row of the user could not be read: a registration waiting for his number says so. */
    public void userRowUnreadable(String identityUserId) {
        if (identityUserId != null) {
            unreadableUsers.add(identityUserId);
        }
    }

    /** Whether the feed is one of {@link #failedFeeds()} because some of its rows could not be read, not all of it. */
    public boolean isReadInPart(String feed) { return passes.isReadInPart(feed); }

    /** The feeds of {@link #failedFeeds()} the run left out (not deployed), not those it read in part. */
    public List<String> feedsLeftOut() {
        return failedFeeds().keySet().stream().filter(feed -> !isReadInPart(feed)).toList();
    }

    public boolean keepsWatermark(String feed) { return watermarksKept.contains(feed); }

    public void countUserPage(int users) {
        userPages++;
        usersRead += users;
    }

    /** A record this run holds in quarantine (counted once, whether read from Ditio or mapped again). */
    public void quarantined(String recordId, String reason) {
        if (!quarantinedIds.add(recordId)) {
            return;
        }
        quarantinedCount++;
        if (quarantinedShown.size() < SUMMARY_QUARANTINE_LIMIT) {
            quarantinedShown.add(new Quarantined(recordId, reason));
        }
    }

    public void delivered(String target, int lines, Path file, String place) {
        linesByTarget.merge(target, lines, Integer::sum);
        if (file != null) {
            files.add(file);
            places.add(place);
        }
    }

    /** What the ledger delta came to: quarantine released per feed, the drops to commit, the hours per day. */
    public void delivery(Map<String, Set<String>> released, List<DropWriter.Drop> drops, DeliveredHours hours) {
        this.released = released;
        this.drops = List.copyOf(drops);
        this.hours = hours;
    }

    public Map<String, Set<String>> released() { return released; }
    public List<DropWriter.Drop> drops() { return drops; }
    public DeliveredHours hours() { return hours; }

    /** What a target's lines of this run were: new, corrections, reversals, released; and booked later. */
    LineCounts lineTally() { return lineCounts; }

    /** Per target: new, corrected, reversed, released, e.g. {@code visma=10/1/1/0,sap=...}; empty when no line changed. */
    public String lineCounts() { return lineCounts.toString(); }

    /** Per target, indexed by {@link LineCounts#NEW} and the other kinds. */
    public Map<String, long[]> lineCountsByTarget() { return lineCounts.byTarget(); }

    /** Per target, the lines booked on the first open day because their work date lies in the closed period. */
    public Map<String, Long> bookedLater() { return lineCounts.bookedLater(); }

    /** The closed payroll period the run's delta was booked against (null: none). */
    public void closedThrough(LocalDate day) { this.closedThrough = day; }

    public LocalDate closedThrough() { return closedThrough; }

    /** The quarantine after the run committed. */
    void quarantineAfter(QuarantineAfter after) { this.quarantineAfter = after; }

    public Map<String, Integer> quarantineNewByReason() { return quarantineAfter.newlyHeldByReason(); }
    public Map<String, Integer> quarantineReleasedByReason() { return quarantineAfter.releasedByReason(); }
    public Map<String, Integer> quarantineOpenByReason() { return quarantineAfter.openByReason(); }
    public int quarantineNew() { return quarantineAfter.newlyHeld(); }
    public int quarantineReleased() { return quarantineAfter.released(); }
    public int quarantineOpen() { return quarantineAfter.open(); }

    /** Newly held/released/still open, e.g. {@code 4/2/60}. */
    public String quarantineCounts() { return quarantineAfter.counts(); }

    /** The feed lock this run holds until it ends, and the fencing token taken with it. */
    public void holdLock(RunStore.FeedLock feedLock) {
        this.lock = feedLock;
        this.fence = feedLock.fence();
    }

    /** The fencing token of the run's feed lock: every write of the run checks it ({@link RunStore.Fence#hold}). */
    public RunStore.Fence fence() {
        if (fence == null) {
            throw new IllegalStateException("run " + runId + " holds no feed lock");
        }
        return fence;
    }

    /** Releases the feed lock; harmless when called again. */
    public void releaseLock() {
        AutoCloseable held = lock;
        lock = null;
        if (held != null) {
            try {
                held.close();
            } catch (Exception ignored) {
                // a lock that cannot be closed is gone with its connection
            }
        }
    }

    /** The run's ledger, outbox and watermark are committed: it can no longer be undone, only published. */
    public void markCommitted() { committed = true; }

    public boolean committed() { return committed; }

    /** The commit failed and the state DB could not say whether it took: the next run's recovery finds out. */
    public void commitOutcomeUnknown() { commitOutcomeUnknown = true; }

    public boolean isCommitOutcomeUnknown() { return commitOutcomeUnknown; }

    /** @return false when the run was already marked failed */
    public boolean markFailed() {
        boolean first = !failed;
        failed = true;
        return first;
    }

    public void ended(Instant at) { endedAt = at; }

    public String linesSummary() {
        StringBuilder s = new StringBuilder();
        linesByTarget.forEach((t, n) -> s.append(s.length() == 0 ? "" : ",").append(t).append('=').append(n));
        return s.toString();
    }
}
