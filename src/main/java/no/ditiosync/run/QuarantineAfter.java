package no.ditiosync.run;

import java.util.Map;

/**
 * The quarantine after a run committed: records newly held, released, and held in all (still open),
 * and the same per reason (ids and values left out), most first.
 */
public record QuarantineAfter(int newlyHeld, int released, int open, Map<String, Integer> newlyHeldByReason,
                              Map<String, Integer> releasedByReason, Map<String, Integer> openByReason) {

    static final QuarantineAfter NONE = new QuarantineAfter(0, 0, 0, Map.of(), Map.of(), Map.of());

    /** Newly held/released/still open, e.g. {@code 4/2/60}. */
    public String counts() {
        return newlyHeld + "/" + released + "/" + open;
    }
}
