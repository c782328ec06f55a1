package no.ditiosync.run;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a run's lines were, per target (in target order): new, corrections, reversals, released from
 * quarantine; and those of work dates in the closed payroll period, booked on its first open day.
 */
public final class LineCounts {

    /** Indexes of a target's counts ({@link #byTarget()}). */
    public static final int NEW = 0;
    public static final int CORRECTED = 1;
    public static final int REVERSED = 2;
    public static final int RELEASED = 3;

    private final Map<String, long[]> byTarget = new LinkedHashMap<>();
    private final Map<String, Long> bookedLater = new LinkedHashMap<>();

    /** @param kind {@link #NEW}, {@link #CORRECTED}, {@link #REVERSED} or {@link #RELEASED} */
    void count(String target, int kind) {
        byTarget.computeIfAbsent(target, t -> new long[4])[kind]++;
    }

    /** A line of a work date in the closed period changed for the target: booked on the first open day. */
    void countBookedLater(String target) {
        bookedLater.merge(target, 1L, Long::sum);
    }

    public Map<String, long[]> byTarget() {
        return Collections.unmodifiableMap(byTarget);
    }

    public Map<String, Long> bookedLater() {
        return Collections.unmodifiableMap(bookedLater);
    }

    /** Per target: new, corrected, reversed, released, e.g. {@code visma=10/1/1/0,sap=...}; empty when no line changed. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        byTarget.forEach((t, n) -> s.append(s.length() == 0 ? "" : ",").append(t).append('=').append(n[NEW]).append('/')
                .append(n[CORRECTED]).append('/').append(n[REVERSED]).append('/').append(n[RELEASED]));
        return s.toString();
    }
}
