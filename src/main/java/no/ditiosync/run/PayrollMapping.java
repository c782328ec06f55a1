package no.ditiosync.run;

import no.ditiosync.ditio.DitioDates;
import no.ditiosync.ditio.PayrollLineRecord;
import no.ditiosync.ditio.TimeRegistration;
import no.ditiosync.ledger.Desired;
import no.ditiosync.ledger.LedgerRow;
import no.ditiosync.payroll.MappingResult;
import no.ditiosync.payroll.PayrollDaySplitter;
import no.ditiosync.payroll.PayrollLine;
import no.ditiosync.payroll.PayrollLineMapper;
import no.ditiosync.payroll.PayrollSource;
import no.ditiosync.payroll.ProjectDirectory;
import no.ditiosync.state.QuarantineStore;
import no.ditiosync.state.RecordLimits;
import org.apache.camel.Body;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The map step of the routes ({@code map-page}): one page of registrations becomes what payroll should
 * hold for each line ({@link Desired}), and the records that cannot become a line go to quarantine
 * with their reason. A Ditio payroll line (a user's day) becomes its parts, each a line of its own,
 * after a marker that says its other parts are gone. Pure apart from the run's counters.
 */
public final class PayrollMapping {

    private static final Logger LOG = LoggerFactory.getLogger(PayrollMapping.class);

    /** One company's mapping: its wage types, approval gate and start date, and how payroll lines split. */
    public record Company(PayrollLineMapper mapper, PayrollSource source) {
    }

    private final Map<String, Company> companies;

    public PayrollMapping(Map<String, Company> companies) {
        this.companies = Map.copyOf(companies);
    }

    /** @param page which page the records are (the page loop has moved on), for messages; null when mapped again */
    public MappedPage map(@Body List<TimeRegistration> records, @Variable("run") SyncRun run,
                          @Variable(PageHandOff.PAGE) String page) {
        Company company = companies.get(run.company());
        String feed = run.current().feed();
        boolean fetched = records.isEmpty() || !records.get(0).mappedAgain;
        List<Desired> desired = new ArrayList<>(records.size() + 8);
        List<QuarantineStore.Held> quarantined = new ArrayList<>();
        Set<String> onPage = new HashSet<>(records.size() * 2);
        Set<String> repeated = new java.util.LinkedHashSet<>();
        int deleted = 0;
        SyncRun.Pass pass = run.current();
        // only a full pass reads days beside its own; an incremental one reads no work date here
        boolean margin = fetched && pass.readsMargin();
        for (TimeRegistration r : records) {
            if (margin && !pass.decidesOn(readableDate(r))) {
                continue;
            }
            if (r.id == null || r.id.isBlank()) {
                // kept, under a name made from its content, so the quarantine shows it and a re-run does not add it twice
                r.id = PayrollLineMapper.missingIdKey(r);
            }
            if (r.isDeleted) {
                deleted++;
            }
            if (fetched && !onPage.add(r.id)) {
                repeated.add(r.id);
            }
            if (r instanceof PayrollLineRecord day) {
                // a user's day: its parts, each a line of its own; the parts it no longer has are gone
                RecordLimits.fitId(day);
                long daySeq = run.delta().nextSeq(); // before its parts': Ordered tells an earlier copy's parts by it
                int marker = desired.size();
                List<TimeRegistration> parts = PayrollDaySplitter.split(day, company.source());
                for (TimeRegistration part : parts) {
                    RecordLimits.fit(part);
                    add(feed, part, company, run, fetched, desired, quarantined);
                }
                // a deleted day says so, for the merge to tell its deletion sent again from the day made anew. A day that
                // cannot be read as a whole is one quarantined part: where payroll lines are the only source of hours,
                // the parts paid for it stay as paid. With time+overtime they are taken back, as the time registrations,
                // which may change meanwhile, pay its hours as ordinary: held, its deduction could outlive them
                boolean unreadable = company.source() == no.ditiosync.payroll.PayrollSource.PAYROLL_LINES
                        && parts.size() == 1 && parts.get(0).id.endsWith(":" + PayrollDaySplitter.UNREADABLE_PART)
                        && desired.get(marker).status() == MappingResult.Status.QUARANTINED;
                desired.add(marker, new Desired(feed + ":" + day.id + ":", daySeq, Desired.Kind.PARENT, fetched,
                        day.isDeleted ? MappingResult.Status.DELETED : unreadable ? MappingResult.Status.QUARANTINED : null,
                        null, null, fetched ? modified(day, null) : Desired.UNKNOWN));
                continue;
            }
            company.mapper().keepTestedFields(r);
            RecordLimits.fit(r);
            add(feed, withProjectNumber(r, run.projects()), company, run, fetched, desired, quarantined);
        }
        if (!repeated.isEmpty()) {
            // Ditio sends each record once per pass: a page that repeats one is said so; its last copy is kept
            // (but a deletion older than the record's copy before it: DesiredSpill)
            List<String> ids = new ArrayList<>(repeated);
            LOG.warn("Run {}: {} holds {} record id(s) more than once ({}{}); the last copy of each is kept",
                    run.runId(), page == null ? "a page" : page, ids.size(),
                    String.join(", ", ids.subList(0, Math.min(3, ids.size()))), ids.size() > 3 ? ", …" : "");
        }
        String position = records.isEmpty() ? "-" : position(run, records.get(records.size() - 1));
        return new MappedPage(feed, desired, quarantined, records.size(), deleted, fetched, position);
    }

    private static void add(String feed, TimeRegistration r, Company company, SyncRun run, boolean fetched,
                            List<Desired> desired, List<QuarantineStore.Held> quarantined) {
        MappingResult result = company.mapper().map(r, run.employees());
        String lineId = feed + ":" + r.id;
        long seq = run.delta().nextSeq();
        long modified = fetched ? modified(r, result.line()) : Desired.UNKNOWN;
        if (result.status() == MappingResult.Status.READY) {
            desired.add(new Desired(lineId, seq, Desired.Kind.LINE, fetched, result.status(), result.line(),
                    new LedgerRow.MappingInputs(r.userId, blankToNull(r.userEmployeeNumber), r.storedFields()), modified));
            return;
        }
        desired.add(new Desired(lineId, seq, Desired.Kind.LINE, fetched, result.status(), null, null, modified));
        if (result.status() == MappingResult.Status.QUARANTINED) {
            quarantined.add(new QuarantineStore.Held(r, result.reason()));
        }
    }

    /**
     * When Ditio last changed the record, for the merge to tell an older version sent again (a deletion
     * seen on two pages) from the record's newest: the line's own when mapped, else as sent.
     */
    private static long modified(TimeRegistration r, PayrollLine line) {
        try {
            Instant at = line != null ? line.sourceModified() : DitioDates.instant(r.modifiedDateTime);
            return at == null ? Desired.UNKNOWN : Math.max(Desired.UNKNOWN, at.toEpochMilli());
        } catch (DateTimeParseException | ArithmeticException e) {
            return Desired.UNKNOWN; // the mapping says what is wrong with it, where that matters
        }
    }

    /**
     * Fills the project number of a record that names only its projectId (absences always) from the
     * projects as last seen. Kept so with the line, it is the number the line keeps: as Ditio's own
     * registrations, a snapshot, not renamed with the project later.
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

    /**
     * The record's work date, or null when it has none that can be read (the mapping then says why); read
     * also when another field of the record is unreadable, which the date does not depend on.
     */
    private static java.time.LocalDate readableDate(TimeRegistration r) {
        try {
            return no.ditiosync.ditio.DitioDates.date(r.workDate);
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    /** Where a pass stands: the work date of a full pass, the modification time of an incremental one. */
    private static String position(SyncRun run, TimeRegistration last) {
        boolean full = run.current().mode() == SyncRun.Mode.FULL;
        String at = full ? last.workDate : last.modifiedDateTime;
        return (full ? "work date " : "modified ") + (at == null ? "?" : at.length() > 10 && full ? at.substring(0, 10) : at);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
