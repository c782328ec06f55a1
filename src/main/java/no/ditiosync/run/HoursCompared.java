package no.ditiosync.run;

import no.ditiosync.ledger.LedgerEntry;
import no.ditiosync.ledger.LedgerStore.HoursKey;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a preview or a reconcile compares, per target and key (employee, work date, wage type): the
 * net change of hours the run's delta makes, and for a reconcile what the ledger said the target
 * held before the run.
 */
public final class HoursCompared {

    private final Map<String, TreeMap<HoursKey, BigDecimal>> changed = new LinkedHashMap<>();
    private Map<String, TreeMap<HoursKey, BigDecimal>> heldBefore;

    /** What a target holds of a line changed: its hours move from the key of {@code before} to that of {@code after}. */
    void changed(String target, LedgerEntry before, LedgerEntry after) {
        TreeMap<HoursKey, BigDecimal> byKey = changed.computeIfAbsent(target, t -> new TreeMap<>());
        if (before != null && before.holdsHours()) {
            byKey.merge(HoursKey.of(before.line()), before.line().quantity().negate(), BigDecimal::add);
        }
        if (after != null && after.holdsHours()) {
            byKey.merge(HoursKey.of(after.line()), after.line().quantity(), BigDecimal::add);
        }
    }

    /** Per target (in target order of the delta), the net change of hours per key; keys netting to zero included. */
    public Map<String, TreeMap<HoursKey, BigDecimal>> changed() {
        return Collections.unmodifiableMap(changed);
    }

    void heldBefore(Map<String, TreeMap<HoursKey, BigDecimal>> held) {
        this.heldBefore = held;
    }

    /** Reconcile: per target, the hours the ledger said it held per key before the run (null for other runs). */
    public Map<String, TreeMap<HoursKey, BigDecimal>> heldBefore() {
        return heldBefore;
    }
}
