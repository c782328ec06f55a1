package no.ditiosync.ledger;

import no.ditiosync.payroll.MappingResult;
import no.ditiosync.payroll.PayrollLine;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The targets of a run that were switched off and are on again, and the runs they missed. A target
 * switched off keeps what it held while the lines of the others change; its entry in a ledger row is
 * behind when the row last changed in a run it missed. Such a row is brought to what the targets of
 * that run hold (the reference): a line changed, given back or taken back, a new line, another source's
 * lines taken back. Only from the runs it missed since it was last on: a target never on before gets no
 * history (reconcile --deliver gives it the window its payroll wants).
 *
 * @param missedRuns per target switched on again, the committed runs since the last that had it
 * @param runTargets the targets each of those runs kept up to date
 * @param refuses    whether a target's format cannot carry a line (a run mapping it with that target on
 *                   would quarantine it): the target keeps what it holds of that line
 */
public record CatchUp(Map<String, Set<String>> missedRuns, Map<String, List<String>> runTargets,
                      java.util.function.BiPredicate<String, PayrollLine> refuses) {

    public static final CatchUp NONE = new CatchUp(Map.of(), Map.of(), (target, line) -> false);

    public CatchUp {
        missedRuns = Map.copyOf(missedRuns);
        runTargets = Map.copyOf(runTargets);
    }

    /** The targets switched on again. */
    public Set<String> targets() {
        return missedRuns.keySet();
    }

    /** Whether the target is behind on the row and cannot carry the line it would get. */
    public boolean cannotCarry(String target, LedgerRow row, PayrollLine line) {
        return line != null && behind(target, row) && refuses.test(target, line);
    }

    /** Whether the row last changed in a run the target missed. */
    public boolean behind(String target, LedgerRow row) {
        Set<String> missed = missedRuns.get(target);
        return missed != null && row != null && missed.contains(row.runId());
    }

    /**
     * The targets whose entries in the row say what payroll holds: {@code runTargets} when no target is behind
     * on it, else those of the run that last changed it.
     */
    public Collection<String> upToDate(LedgerRow row, Collection<String> runTargets) {
        for (String target : missedRuns.keySet()) {
            if (behind(target, row)) {
                return this.runTargets.getOrDefault(row.runId(), List.of());
            }
        }
        return runTargets;
    }

    /**
     * What brings the targets behind on the row to the reference: the line the targets of the run that last
     * changed it hold, else nothing; null when every target behind holds that already.
     */
    public Desired desired(LedgerRow row, long seq) {
        // the run that wrote the row last decided it for its targets: none of them holding it is that decision
        // too; none of them having an entry (they never had the line) leaves the row's line as its decision
        boolean entry = false;
        boolean held = false;
        for (String target : runTargets.getOrDefault(row.runId(), List.of())) {
            LedgerEntry e = row.entry(target);
            entry |= e != null;
            held |= e != null && e.holdsHours();
        }
        // the row's line is what that run wanted, whether or not each target's file shows all of it (SAP, a department)
        PayrollLine reference = held || !entry ? row.line() : null;
        boolean differs = false;
        for (String target : missedRuns.keySet()) {
            if (behind(target, row) && !holds(row.entry(target), reference)) {
                differs = true;
            }
        }
        if (!differs) {
            return null;
        }
        if (reference == null) {
            return new Desired(row.lineId(), seq, Desired.Kind.LINE, false, MappingResult.Status.HELD, null, null);
        }
        return new Desired(row.lineId(), seq, Desired.Kind.LINE, false, MappingResult.Status.READY, reference,
                new LedgerRow.MappingInputs(row.userId(), row.registrationEmployeeNumber(), row.sourceFields()));
    }

    /** Whether a target holding {@code held} pays what {@code reference} pays (null: nothing). */
    private static boolean holds(LedgerEntry held, PayrollLine reference) {
        boolean holdsHours = held != null && held.holdsHours();
        return reference == null ? !holdsHours : holdsHours && LedgerRow.samePayrollLine(held.line(), reference);
    }
}
