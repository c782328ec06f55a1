package no.ditiosync.ledger;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;

/**
 * A run's net change of the hours and lines each target holds, per work date: kept beside the
 * ledger ({@code delivered_hours}) in the run's commit, so the hours a target holds per day can be
 * read without reading the ledger.
 */
public final class DeliveredHours {

    /** Net change of one target on one work date. */
    public static final class Change {
        BigDecimal hours = BigDecimal.ZERO;
        long lines;

        public BigDecimal hours() {
            return hours;
        }

        public long lines() {
            return lines;
        }
    }

    private final Map<String, Map<LocalDate, Change>> byTarget = new TreeMap<>();

    /** What a target holds of a line changed: {@code before} no longer held, {@code after} held now (either may be null). */
    public void changed(String target, LedgerEntry before, LedgerEntry after) {
        if (before != null && before.holdsHours()) {
            add(target, before.line().workDate(), before.line().quantity().negate(), -1);
        }
        if (after != null && after.holdsHours()) {
            add(target, after.line().workDate(), after.line().quantity(), 1);
        }
    }

    private void add(String target, LocalDate day, BigDecimal hours, long lines) {
        if (day == null) {
            return;
        }
        Change c = byTarget.computeIfAbsent(target, t -> new TreeMap<>()).computeIfAbsent(day, d -> new Change());
        c.hours = c.hours.add(hours);
        c.lines += lines;
    }

    public Map<String, Map<LocalDate, Change>> byTarget() {
        return byTarget;
    }
}
