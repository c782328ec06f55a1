package no.ditiosync.simulator;

/**
 * One planned fault of the data calls and how far it is used: from data call {@code from} on, for
 * {@code calls} calls, every {@code everyNth} of them fails. Not thread-safe: {@link SimulatorFaults}
 * uses it under its lock.
 */
final class PageFault {

    /** What a faulty data call gets instead of (or before) its page. */
    enum Kind {
        /** an HTTP error status with a JSON error body (and a Retry-After header when set) */
        STATUS,
        /** 401 even with a valid token */
        REJECT_401,
        /** the connection is closed without any answer */
        DROP_CONNECTION,
        /** the answer waits {@link Injected#delayMillis()}, then the call goes on normally */
        SLOW,
        /** 200, JSON content type, a body cut off in the middle */
        MALFORMED_JSON,
        /** 200, a JSON object without 'data' */
        PAGE_WITHOUT_DATA,
        /** 200, an HTML error page with content type text/html */
        WRONG_CONTENT_TYPE,
        /** the page starts, and the connection is closed with half of it sent */
        CUT_OFF
    }

    /** A fault for one data call. */
    record Injected(Kind kind, int status, String retryAfter, String error, String message, long delayMillis) {
    }

    /** What to inject, from which data call on, for how many calls, how often among them, with which statuses. */
    record Plan(Kind kind, long from, int calls, int everyNth, int statusA, int statusB, String retryAfter,
                long delayMillis) {
    }

    private final Plan plan;
    private int used;

    PageFault(Plan plan) {
        this.plan = plan;
    }

    /** The first data call number this fault is for. */
    long from() {
        return plan.from();
    }

    /** Uses one call of the plan: the fault for it, or null for a storm's calls in between. */
    Injected use() {
        int index = used++;
        if (index % plan.everyNth() != 0) {
            return null;
        }
        // a storm alternates its two statuses over the calls that fail
        int status = (index / plan.everyNth()) % 2 == 0 ? plan.statusA() : plan.statusB();
        Kind kind = plan.kind();
        return switch (kind) {
            case STATUS -> new Injected(kind, status, plan.retryAfter(), errorName(status),
                    "Simulated fault: HTTP " + status + ".", 0);
            case REJECT_401 -> new Injected(kind, 401, null, "invalid_token", "Simulated 401: the token was rejected.", 0);
            default -> new Injected(kind, 0, null, null, null, plan.delayMillis());
        };
    }

    boolean usedUp() {
        return used >= plan.calls();
    }

    /** The {@code error} of a simulated error status's JSON body. */
    static String errorName(int status) {
        return status == 429 ? "TooManyRequests" : status >= 500 ? "ServerError" : "SimulatedFault";
    }
}
