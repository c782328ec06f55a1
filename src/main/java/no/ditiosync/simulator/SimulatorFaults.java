package no.ditiosync.simulator;

/**
 * Faults on demand for the data endpoints (not the token endpoint). Thread-safe; every setter
 * returns {@code this} for chaining; {@link #clear()} removes all.
 */
public final class SimulatorFaults {

    /** A fault answer for one data call. */
    record Injected(int status, String retryAfter, String error, String message) {
    }

    private final Runnable revokeAllTokens;
    private int pagesUntilTokensExpire = -1;
    private boolean reject401Once;
    private int failStatus;
    private int failTimes;
    private String failRetryAfter;
    private long pageDelayMillis;

    SimulatorFaults(Runnable revokeAllTokens) {
        this.revokeAllTokens = revokeAllTokens;
    }

    /** After {@code n} more data pages are served, every token issued so far is revoked (0: now). */
    public SimulatorFaults expireTokensAfterPages(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative");
        }
        synchronized (this) {
            pagesUntilTokensExpire = n == 0 ? -1 : n;
        }
        if (n == 0) {
            revokeAllTokens.run();
        }
        return this;
    }

    /** The next data call gets 401 even with a valid token. */
    public synchronized SimulatorFaults reject401Once() {
        reject401Once = true;
        return this;
    }

    /** The next {@code times} data calls answer {@code status} with a JSON error body. */
    public SimulatorFaults failNext(int status, int times) {
        return failNext(status, times, null);
    }

    /** As {@link #failNext(int, int)}, with a {@code Retry-After} header (seconds or HTTP date) when not null. */
    public synchronized SimulatorFaults failNext(int status, int times, String retryAfter) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be 4xx or 5xx, was " + status);
        }
        if (times < 0) {
            throw new IllegalArgumentException("times must not be negative");
        }
        failStatus = status;
        failTimes = times;
        failRetryAfter = retryAfter;
        return this;
    }

    /** Every data page waits this long before it is served. */
    public synchronized SimulatorFaults pageDelayMillis(long ms) {
        if (ms < 0) {
            throw new IllegalArgumentException("ms must not be negative");
        }
        pageDelayMillis = ms;
        return this;
    }

    public synchronized void clear() {
        pagesUntilTokensExpire = -1;
        reject401Once = false;
        failStatus = 0;
        failTimes = 0;
        failRetryAfter = null;
        pageDelayMillis = 0;
    }

    // ---- used by the server

    /** The fault for this data call, if any; consumes it. Checked before the token. */
    synchronized Injected nextDataCall() {
        if (failTimes > 0) {
            failTimes--;
            String error = failStatus == 429 ? "TooManyRequests" : failStatus >= 500 ? "ServerError" : "SimulatedFault";
            return new Injected(failStatus, failRetryAfter, error, "Simulated fault: HTTP " + failStatus + ".");
        }
        if (reject401Once) {
            reject401Once = false;
            return new Injected(401, null, "invalid_token", "Simulated 401: the token was rejected.");
        }
        return null;
    }

    synchronized long pageDelay() {
        return pageDelayMillis;
    }

    /** Called when a page is about to be sent; revokes the tokens when the countdown ends. */
    void pageServed() {
        boolean revoke;
        synchronized (this) {
            revoke = pagesUntilTokensExpire > 0 && --pagesUntilTokensExpire == 0;
            if (revoke) {
                pagesUntilTokensExpire = -1;
            }
        }
        if (revoke) {
            revokeAllTokens.run();
        }
    }
}
