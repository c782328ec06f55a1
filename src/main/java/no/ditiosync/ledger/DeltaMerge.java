package no.ditiosync.ledger;

import no.ditiosync.drops.CorrectionRule;
import no.ditiosync.drops.DropLine;
import no.ditiosync.payroll.MappingResult;
import no.ditiosync.payroll.PayrollLine;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The difference between what payroll should hold after a run and what each target holds: the run's
 * desired states of one feed, in line-id order, merged against the ledger in the same order. Each
 * changed line gives its targets their lines ({@link Sink}) and the ledger its new row, written in
 * place in key order ({@link LedgerWriter}).
 *
 * <ul>
 *   <li>A full pass is a snapshot of its work-date window: the feed's ledger rows are read in order
 *       beside the run's lines, and a line the pass did not return is gone (reversed where held).
 *       A record mapped again but not returned is gone too.</li>
 *   <li>An incremental pass reads only the rows of its own lines (and of the parts of the payroll
 *       lines it saw), so it costs what changed, not what the ledger holds.</li>
 * </ul>
 */
public final class DeltaMerge {

    /** Where a run's delta goes: the targets' drops, and the counts of the run. */
    public interface Sink {
        /** Lines for target number {@code target}, in line-id order. */
        void lines(int target, List<DropLine> lines) throws Exception;

        /**
         * What a target holds of a line changed.
         *
         * @param before   what it held (null: never received the line)
         * @param released whether the line's record left the quarantine in this run
         */
        void changed(int target, LedgerEntry before, LedgerEntry after, boolean released);
    }

    /**
     * One feed's pass as the merge needs it.
     *
     * @param startDate PAYROLL_START_DATE: a line a target holds for an earlier day (the start date was
     *                  moved later) stays as delivered when its record no longer gives it a line
     */
    public record Pass(String feed, boolean full, LocalDate from, LocalDate to, LocalDate startDate) {
        boolean inWindow(LedgerRow row) {
            LocalDate day = row.line().workDate();
            return day != null && !day.isBefore(from) && !day.isAfter(to);
        }

        boolean keptAsDelivered(LedgerEntry held) {
            return held != null && held.line() != null && held.line().workDate() != null
                    && held.line().workDate().isBefore(startDate);
        }
    }

    private static final int BATCH = LedgerStore.CHUNK;

    private final LedgerStore store;
    private final String company;
    private final String runId;
    private final List<String> targets;
    private final List<CorrectionRule> rules;
    private final CatchUp catchUp;
    /** A reconcile's: the feed's quarantined line ids whose version lies outside the pass's window. */
    private Set<String> quarantinedOutsideWindow = Set.of();
    /** The feed's quarantined line ids in order, made when a payroll line of the merge first asks (null till then). */
    private java.util.NavigableSet<String> quarantinedInOrder;

    public DeltaMerge(LedgerStore store, String company, String runId, List<String> targets, List<CorrectionRule> rules,
                      CatchUp catchUp) {
        this.store = store;
        this.catchUp = catchUp;
        this.company = company;
        this.runId = runId;
        this.targets = List.copyOf(targets);
        this.rules = List.copyOf(rules);
    }

    /** What came of one feed's merge. */
    public static final class Outcome {
        /** Line ids of quarantined records that left the quarantine: mapped to something else now, or gone. */
        public final Set<String> released = new java.util.LinkedHashSet<>();
        public long linesChanged;
    }

    /**
     * @param desired     the run's desired states of the feed, each line id once, in order
     * @param quarantined the line ids of the feed's records in quarantine when the run began (a reconcile: those
     *                    whose version lies in its window)
     * @param quarantinedOutsideWindow a reconcile's: the feed's other quarantined line ids
     */
    public Outcome merge(Pass pass, Iterator<Desired> desired, Set<String> quarantined, Set<String> quarantinedOutsideWindow,
                         LedgerWriter writer, Sink sink) throws Exception {
        Outcome outcome = new Outcome();
        quarantinedInOrder = null; // another feed, another quarantine
        this.quarantinedOutsideWindow = quarantinedOutsideWindow;
        if (pass.full()) {
            mergeFull(pass, new Ordered(desired), quarantined, writer, sink, outcome);
        } else {
            mergeChanges(pass, new Ordered(desired), quarantined, writer, sink, outcome);
        }
        writer.flush();
        return outcome;
    }

    private void mergeFull(Pass pass, Ordered desired, Set<String> quarantined, LedgerWriter writer, Sink sink,
                           Outcome outcome) throws Exception {
        // every line id of the feed lies between "feed:" and "feed;" (';' follows ':')
        LedgerStore.Scan scan = store.scan(writer.connection(), company, pass.feed() + ":", pass.feed() + ";");
        Desired d = desired.nextLine();
        LedgerRow r = scan.next();
        while (d != null || r != null) {
            int cmp = d == null ? 1 : r == null ? -1 : d.lineId().compareTo(r.lineId());
            if (cmp < 0) {
                decide(pass, d.lineId(), d.fetched() ? d : null, null, quarantined, writer, sink, outcome);
                d = desired.nextLine();
            } else if (cmp > 0) {
                // not returned by the snapshot of its window: gone from Ditio (but a part of a day sent unreadable)
                if (pass.inWindow(r) && !desired.ofDayHeld(r.lineId())) {
                    decide(pass, r.lineId(), null, r, quarantined, writer, sink, outcome);
                }
                r = scan.next();
            } else {
                decide(pass, d.lineId(), d.fetched() ? d : null, r, quarantined, writer, sink, outcome);
                d = desired.nextLine();
                r = scan.next();
            }
        }
        // quarantined records the pass did not return (and that were not mapped again above) are gone too
        for (String id : quarantined) {
            if (!desired.kept.contains(id)) {
                outcome.released.add(id);
            }
        }
    }

    /** Incremental: batches of the run's lines, each looked up by key; a payroll line's parts by its prefix. */
    private void mergeChanges(Pass pass, Ordered desired, Set<String> quarantined, LedgerWriter writer, Sink sink,
                              Outcome outcome) throws Exception {
        List<Desired> batch = new ArrayList<>(BATCH);
        Desired d;
        while ((d = desired.next()) != null) {
            batch.add(d);
            if (batch.size() >= BATCH && d.kind() == Desired.Kind.LINE && !desired.peekIsPartOf(d)) {
                resolve(pass, batch, quarantined, writer, sink, outcome);
                batch.clear();
            }
        }
        resolve(pass, batch, quarantined, writer, sink, outcome);
    }

    private void resolve(Pass pass, List<Desired> batch, Set<String> quarantined, LedgerWriter writer, Sink sink,
                         Outcome outcome) throws Exception {
        if (batch.isEmpty()) {
            return;
        }
        List<String> keys = new ArrayList<>(batch.size());
        for (Desired d : batch) {
            if (d.kind() == Desired.Kind.LINE) {
                keys.add(d.lineId());
            }
        }
        Map<String, LedgerRow> rows = store.lookup(writer.connection(), company, keys);
        for (int i = 0; i < batch.size(); i++) {
            Desired d = batch.get(i);
            if (d.kind() == Desired.Kind.LINE) {
                decide(pass, d.lineId(), d, rows.get(d.lineId()), quarantined, writer, sink, outcome);
                continue;
            }
            // a payroll line seen (or deleted): its parts this run does not name are gone. The parts
            // follow their marker; named and unnamed are decided together in line-id order. A part
            // rebuilt from the ledger or the quarantine (its worker's number changed, or mapped again)
            // but not made from the day as Ditio sent it now is not named: the day no longer has it
            String prefix = d.lineId();
            java.util.TreeMap<String, Desired> named = new java.util.TreeMap<>();
            while (i + 1 < batch.size() && batch.get(i + 1).lineId().startsWith(prefix)) {
                Desired part = batch.get(++i);
                if (part.fetched()) {
                    named.put(part.lineId(), part);
                }
            }
            java.util.TreeMap<String, LedgerRow> held = new java.util.TreeMap<>();
            for (LedgerRow part : partsOf(writer.connection(), prefix)) {
                held.put(part.lineId(), part);
            }
            if (held.values().stream().anyMatch(d::staleDeletionOf)) {
                continue; // a deletion of the day older than the version the ledger holds (sent again): no part goes
            }
            if (d.status() == MappingResult.Status.QUARANTINED) {
                // the day sent unreadable: its one quarantined part, and the parts paid for it stay as paid
                for (Desired part : named.values()) {
                    decide(pass, part.lineId(), part, held.get(part.lineId()), quarantined, writer, sink, outcome);
                }
                continue;
            }
            java.util.TreeSet<String> all = new java.util.TreeSet<>(named.keySet());
            all.addAll(held.keySet());
            // and its parts only the quarantine holds (never delivered): left out of the day, they leave it
            all.addAll(inOrder(quarantined).subSet(prefix, prefix + Character.MAX_VALUE));
            for (String key : all) {
                decide(pass, key, named.get(key), held.get(key), quarantined, writer, sink, outcome);
            }
        }
    }

    /** {@code quarantined} in line-id order, sorted once per merge, when a payroll line first asks for its parts. */
    private java.util.NavigableSet<String> inOrder(Set<String> quarantined) {
        if (quarantinedInOrder == null) {
            quarantinedInOrder = new java.util.TreeSet<>(quarantined);
        }
        return quarantinedInOrder;
    }

    private List<LedgerRow> partsOf(Connection c, String prefix) throws SQLException {
        List<LedgerRow> all = new ArrayList<>();
        store.scan(c, company, prefix, prefix + Character.MAX_VALUE, all::add);
        return all;
    }

    /**
     * @param d   what the run wants for the line (null: nothing, the record is gone)
     * @param row the ledger's row (null: no target ever received the line)
     */
    private void decide(Pass pass, String lineId, Desired d, LedgerRow row, Set<String> quarantined, LedgerWriter writer,
                        Sink sink, Outcome outcome) throws Exception {
        if (!pass.full() && d != null && d.staleDeletionOf(row)) {
            return; // Ditio's truth is the newer version the ledger holds
        }
        PayrollLine wanted = d == null ? null : d.wanted();
        boolean inQuarantine = quarantined.contains(lineId);
        if (inQuarantine && (d == null || d.status() != MappingResult.Status.QUARANTINED)) {
            outcome.released.add(lineId);
        }
        if (d != null && d.status() == MappingResult.Status.QUARANTINED) {
            // a version that cannot become a line (unreadable, no employee number, no wage type, ...) is no change in
            // what was worked: what the targets hold stays until a version maps, or the record is deleted or taken
            // back by the approval gate. Reversing would take paid hours back for a glitch in the data
            return;
        }
        if (d == null && quarantinedOutsideWindow.contains(lineId)) {
            return; // not in the window's snapshot, but not gone: its version in quarantine lies on another day
        }
        // a line rebuilt from the ledger (its worker moved, or as the other targets hold it for one switched on
        // again), not read from Ditio nor out of the quarantine: each target's line follows the worker, and no
        // target gets one it does not hold (a line the rules took back while another target was off, which still
        // holds it, is no approved line); but for a target behind on the row, which gets what the others hold
        boolean movesWhatTargetsHold = d != null && !d.fetched() && !inQuarantine;
        Map<String, LedgerEntry> changed = null;
        for (int t = 0; t < targets.size(); t++) {
            String target = targets.get(t);
            LedgerEntry current = row == null ? null : row.entry(target);
            if (wanted == null && pass.keptAsDelivered(current)) {
                continue; // docs/export-ledger.md: what was delivered before a start date moved later stays
            }
            if (movesWhatTargetsHold && (current == null || !current.holdsHours()) && !catchUp.behind(target, row)) {
                continue;
            }
            if (movesWhatTargetsHold && catchUp.cannotCarry(target, row, wanted)) {
                continue; // switched on again: a line its format cannot carry stays as it holds it
            }
            LedgerDelta.Result delta = LedgerDelta.of(rules.get(t), wanted, current);
            if (!delta.changed()) {
                continue;
            }
            if (changed == null) {
                changed = new LinkedHashMap<>();
            }
            changed.put(target, delta.newEntry());
            if (!delta.lines().isEmpty()) {
                sink.lines(t, delta.lines());
            }
            sink.changed(t, current, delta.newEntry(), inQuarantine && wanted != null);
        }
        if (changed != null) {
            outcome.linesChanged++;
            writer.write(LedgerRow.next(lineId, row, changed, wanted == null ? null : d.inputs(), runId), row);
        } else if (row != null && (wanted == null || !LedgerRow.samePayrollLine(wanted, row.line())) && heldOff(row)
                && !(inQuarantine && d != null && !d.fetched())) { // a quarantined record mapped again as before: decided then
            writer.write(LedgerRow.decided(row, wanted, wanted == null ? null : d.inputs(), runId, targets), row);
        }
    }

    /** Whether a target not in this run (switched off) holds hours of the row's line. */
    private boolean heldOff(LedgerRow row) {
        for (String target : row.targets().keySet()) {
            if (!targets.contains(target) && row.entry(target).holdsHours()) {
                return true;
            }
        }
        return false;
    }

    /** The run's desired states, checked to come in order, remembering which quarantined ones it kept. */
    private static final class Ordered {
        private final Iterator<Desired> in;
        private Desired peeked;
        private String last;
        final Set<String> kept = new java.util.HashSet<>();
        private String dayPrefix;
        private long daySeq;
        /** Prefixes of the payroll lines (days) sent unreadable: their parts are held, not gone. */
        private final Set<String> daysHeld = new java.util.HashSet<>();

        Ordered(Iterator<Desired> in) {
            this.in = in;
        }

        /**
         * The next state from the spill, without the parts of an earlier copy of a payroll line Ditio sent
         * twice in the pass: the spill keeps the last copy's marker (its line id is the day's), but parts
         * only the earlier copy had have line ids of their own and were paid too (its overtime line's 3 h).
         * A part is the earlier copy's when it was mapped from Ditio before the marker kept.
         */
        private Desired pull() {
            while (in.hasNext()) {
                Desired d = in.next();
                if (d.kind() == Desired.Kind.PARENT) {
                    dayPrefix = d.lineId();
                    daySeq = d.seq();
                    if (d.status() == MappingResult.Status.QUARANTINED) {
                        daysHeld.add(d.lineId());
                    }
                } else if (d.fetched() && dayPrefix != null && d.seq() < daySeq && d.lineId().startsWith(dayPrefix)) {
                    continue;
                }
                return d;
            }
            return null;
        }

        Desired next() {
            Desired d = peeked != null ? peeked : pull();
            peeked = null;
            if (d != null) {
                if (last != null && d.lineId().compareTo(last) <= 0) {
                    throw new IllegalStateException("run lines out of order: " + d.lineId() + " after " + last);
                }
                last = d.lineId();
                if (d.status() == MappingResult.Status.QUARANTINED && d.fetched() && d.kind() == Desired.Kind.LINE) {
                    kept.add(d.lineId());
                }
            }
            return d;
        }

        /** The next line state, payroll-line markers skipped (a full pass finds gone parts by its scan). */
        Desired nextLine() {
            Desired d;
            do {
                d = next();
            } while (d != null && d.kind() != Desired.Kind.LINE);
            return d;
        }

        /** Whether a line is a part of a day sent unreadable in this pass (its marker came before the line's key). */
        boolean ofDayHeld(String lineId) {
            return !daysHeld.isEmpty() && daysHeld.contains(parentPrefix(lineId));
        }

        boolean peekIsPartOf(Desired d) {
            if (peeked == null) {
                peeked = pull();
            }
            // a part of the same payroll line follows: keep the group in one batch
            return peeked != null && d.lineId().indexOf(':') > 0 && peeked.lineId().startsWith(parentPrefix(d.lineId()));
        }

        private static String parentPrefix(String lineId) {
            // payroll:<day id>:<part>: the prefix up to the second ':'
            int first = lineId.indexOf(':');
            int second = first < 0 ? -1 : lineId.indexOf(':', first + 1);
            return second < 0 ? lineId + "\u0000" : lineId.substring(0, second + 1);
        }
    }
}
