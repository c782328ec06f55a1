package no.ditiosync.simulator;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;

/**
 * Faults on demand. Thread-safe; every setter returns {@code this} for chaining; {@link #clear()}
 * removes all.
 *
 * <p>Data calls are the requests to the reporting endpoints ({@code /v1/time-registrations},
 * {@code /v1/user}), numbered from 1 since the simulator started, whatever their answer
 * ({@link #dataCalls()}). A fault set with {@code ...Next} applies to the next data calls; the
 * same fault set through {@link #atCall(int)} waits for that data call number. A data call gets
 * at most one fault: of the faults due, the one set first (the others wait for the next calls);
 * each is a {@link PageFault}. Faults are checked before the bearer token, as a gateway would answer.
 *
 * <p>{@link #tokenFailNext(int, int)} is the only fault of the token endpoint.
 *
 * <p>Malformed records: {@link #corruptRecord(String, String, String)} and
 * {@link #removeField(String, String)} change how one time registration is written, on every
 * page that holds it (full and incremental passes, tombstones included), until {@link #clear()}.
 * The stored registration is not changed: the oracles of {@link DitioDataset} still see it whole
 * ({@link RecordFaults}).
 */
public final class SimulatorFaults {

    private final Runnable revokeAllTokens;
    private final List<PageFault> plans = new ArrayList<>();
    /** the faults of the next data calls: those aimed at call number 0, which every call is past */
    private final At next = new At(0);
    private final RecordFaults records = new RecordFaults();
    private long dataCalls;
    private int pagesUntilTokensExpire = -1;
    private long pageDelayMillis;
    private int tokenFailStatus;
    private int tokenFailTimes;
    /** endpoints answering 404 (replaced whole on change, read without lock) */
    private volatile Set<String> undeployed = Set.of();

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
    public SimulatorFaults reject401Once() {
        return next.reject401Once();
    }

    /** The next {@code times} data calls answer {@code status} with a JSON error body. */
    public SimulatorFaults failNext(int status, int times) {
        return next.failNext(status, times);
    }

    /** As {@link #failNext(int, int)}, with a {@code Retry-After} header (seconds or HTTP date) when not null. */
    public SimulatorFaults failNext(int status, int times, String retryAfter) {
        return next.failNext(status, times, retryAfter);
    }

    /** The next {@code times} data calls get a 200 JSON answer that breaks off in the middle. */
    public SimulatorFaults malformedJsonNext(int times) {
        return next.malformedJsonNext(times);
    }

    /** The next data call gets a 200 JSON object with everything but {@code data}. */
    public SimulatorFaults pageWithoutDataNext() {
        return next.pageWithoutDataNext();
    }

    /** The next data call gets a 200 HTML page (content type {@code text/html}), as a misconfigured proxy sends. */
    public SimulatorFaults wrongContentTypeNext() {
        return next.wrongContentTypeNext();
    }

    /** The next {@code times} data calls have their connection closed without any answer. */
    public SimulatorFaults dropConnectionNext(int times) {
        return next.dropConnectionNext(times);
    }

    /** The next {@code times} data calls get half their page (Content-Length says all), then the connection closes. */
    public SimulatorFaults cutOffNext(int times) {
        return next.cutOffNext(times);
    }

    /** The next {@code times} data calls wait {@code ms} before they are answered (normally). */
    public SimulatorFaults slowNext(long ms, int times) {
        return next.slowNext(ms, times);
    }

    /**
     * A fault storm: of the next {@code calls} data calls, every {@code everyNth} one (the first
     * included) fails, alternately with {@code statusA} and {@code statusB}, without Retry-After.
     */
    public SimulatorFaults storm(int everyNth, int statusA, int statusB, int calls) {
        return next.storm(everyNth, statusA, statusB, calls);
    }

    /**
     * The same faults, aimed at data call number {@code callNumber} (1-based, counted since the
     * simulator started; see {@link #dataCalls()}) and the calls after it.
     */
    public At atCall(int callNumber) {
        if (callNumber < 1) {
            throw new IllegalArgumentException("callNumber must be at least 1");
        }
        return new At(callNumber);
    }

    /** Shorthand for {@code atCall(callNumber).failNext(status, 1)}. */
    public SimulatorFaults failAt(int callNumber, int status) {
        return atCall(callNumber).failNext(status, 1);
    }

    /** Every data page waits this long before it is served. */
    public synchronized SimulatorFaults pageDelayMillis(long ms) {
        if (ms < 0) {
            throw new IllegalArgumentException("ms must not be negative");
        }
        pageDelayMillis = ms;
        return this;
    }

    /** The next {@code times} token requests answer {@code status} (with an OAuth-style JSON error body). */
    public synchronized SimulatorFaults tokenFailNext(int status, int times) {
        checkStatus(status);
        if (times < 0) {
            throw new IllegalArgumentException("times must not be negative");
        }
        tokenFailStatus = status;
        tokenFailTimes = times;
        return this;
    }

    /**
     * From now on {@code endpoint} (e.g. {@code /v1/absence-registrations}) answers 404 as an unknown
     * path does, as on an environment where it is not deployed, until {@link #deploy} or {@link #clear()}.
     */
    public synchronized SimulatorFaults undeploy(String endpoint) {
        Set<String> now = new HashSet<>(undeployed);
        now.add(endpoint);
        undeployed = Set.copyOf(now);
        return this;
    }

    /** {@code endpoint} answers again. */
    public synchronized SimulatorFaults deploy(String endpoint) {
        Set<String> now = new HashSet<>(undeployed);
        now.remove(endpoint);
        undeployed = Set.copyOf(now);
        return this;
    }

    /** Whether {@code endpoint} is made to answer 404 now. */
    boolean undeployed(String endpoint) {
        return undeployed.contains(endpoint);
    }

    /** Data calls received so far, whatever their answer. */
    public synchronized long dataCalls() {
        return dataCalls;
    }

    /**
     * From now on the record {@code registrationId} (a time registration, payroll line or absence) is served with {@code field}
     * written as {@code rawJson}, verbatim (e.g. {@code "\"31.02.2026\""}, {@code "-3.5"},
     * {@code "null"}, {@code "\"abc\""}). Replaces an earlier corruption of the same field.
     *
     * @param field one of the fields of docs/ditio-contract.md, "Records" the simulator writes
     * @param rawJson exactly one JSON value (use the page faults for broken JSON)
     */
    public SimulatorFaults corruptRecord(String registrationId, String field, String rawJson) {
        if (rawJson == null) {
            throw new IllegalArgumentException("rawJson must be a JSON value such as \"null\", not Java null");
        }
        records.corrupt(registrationId, field, rawJson);
        return this;
    }

    /** From now on the time registration {@code registrationId} is served without {@code field}. */
    public SimulatorFaults removeField(String registrationId, String field) {
        records.corrupt(registrationId, field, null);
        return this;
    }

    /**
     * From now on the time registration {@code registrationId} is written twice in a row on every page
     * that holds it: first a copy with {@code field} written as {@code rawJson} (e.g. {@code "isDeleted"},
     * {@code "true"}), then the record as it is. Further calls change more fields of that first copy.
     */
    public SimulatorFaults repeatRecord(String registrationId, String field, String rawJson) {
        records.repeat(registrationId, field, rawJson);
        return this;
    }

    /** Whether any registration is corrupted or repeated now. */
    boolean anyCorruption() {
        return records.any();
    }

    /** The fields of the earlier copy of a repeated registration (field → raw JSON), or null when it is not repeated. */
    Map<String, String> earlierCopyOf(String registrationId) {
        return records.earlierCopyOf(registrationId);
    }

    /** The corruptions of one registration (field → raw JSON, null value: left out), or null when none. */
    Map<String, String> corruptionsOf(String registrationId) {
        return records.corruptionsOf(registrationId);
    }

    public synchronized void clear() {
        records.clear();
        undeployed = Set.of();
        pagesUntilTokensExpire = -1;
        plans.clear();
        pageDelayMillis = 0;
        tokenFailStatus = 0;
        tokenFailTimes = 0;
    }

    /** Faults aimed at one data call number; see {@link #atCall(int)}. */
    public final class At {
        private final long callNumber;

        private At(long callNumber) {
            this.callNumber = callNumber;
        }

        public SimulatorFaults failNext(int status, int times) {
            return failNext(status, times, null);
        }

        public SimulatorFaults failNext(int status, int times, String retryAfter) {
            checkStatus(status);
            return plan(PageFault.Kind.STATUS, callNumber, times, 1, status, status, retryAfter, 0);
        }

        public SimulatorFaults reject401Once() {
            return plan(PageFault.Kind.REJECT_401, callNumber, 1, 1, 401, 401, null, 0);
        }

        public SimulatorFaults malformedJsonNext(int times) {
            return plan(PageFault.Kind.MALFORMED_JSON, callNumber, times, 1, 0, 0, null, 0);
        }

        public SimulatorFaults pageWithoutDataNext() {
            return plan(PageFault.Kind.PAGE_WITHOUT_DATA, callNumber, 1, 1, 0, 0, null, 0);
        }

        public SimulatorFaults wrongContentTypeNext() {
            return plan(PageFault.Kind.WRONG_CONTENT_TYPE, callNumber, 1, 1, 0, 0, null, 0);
        }

        public SimulatorFaults dropConnectionNext(int times) {
            return plan(PageFault.Kind.DROP_CONNECTION, callNumber, times, 1, 0, 0, null, 0);
        }

        public SimulatorFaults slowNext(long ms, int times) {
            if (ms < 0) {
                throw new IllegalArgumentException("ms must not be negative");
            }
            return plan(PageFault.Kind.SLOW, callNumber, times, 1, 0, 0, null, ms);
        }

        public SimulatorFaults cutOffNext(int times) {
            return plan(PageFault.Kind.CUT_OFF, callNumber, times, 1, 0, 0, null, 0);
        }

        public SimulatorFaults storm(int everyNth, int statusA, int statusB, int calls) {
            if (everyNth < 1) {
                throw new IllegalArgumentException("everyNth must be at least 1");
            }
            checkStatus(statusA);
            checkStatus(statusB);
            return plan(PageFault.Kind.STATUS, callNumber, calls, everyNth, statusA, statusB, null, 0);
        }
    }

    // ---- used by the server

    /** Counts this data call and returns its fault, if any (consumed). Checked before the token. */
    synchronized PageFault.Injected nextDataCall() {
        long call = ++dataCalls;
        for (Iterator<PageFault> it = plans.iterator(); it.hasNext(); ) {
            PageFault p = it.next();
            if (p.from() > call) {
                continue;
            }
            PageFault.Injected fault = p.use();
            if (p.usedUp()) {
                it.remove();
            }
            return fault;
        }
        return null;
    }

    synchronized long pageDelay() {
        return pageDelayMillis;
    }

    /** The fault status for this token request, or 0; consumed. */
    synchronized int nextTokenCall() {
        if (tokenFailTimes > 0) {
            tokenFailTimes--;
            return tokenFailStatus;
        }
        return 0;
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

    private synchronized SimulatorFaults plan(PageFault.Kind kind, long from, int calls, int everyNth, int statusA, int statusB,
                                              String retryAfter, long delayMillis) {
        if (calls < 0) {
            throw new IllegalArgumentException("times must not be negative");
        }
        if (calls > 0) {
            plans.add(new PageFault(new PageFault.Plan(kind, from, calls, everyNth, statusA, statusB, retryAfter,
                    delayMillis)));
        }
        return this;
    }

    private static void checkStatus(int status) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be 4xx or 5xx, was " + status);
        }
    }
}
