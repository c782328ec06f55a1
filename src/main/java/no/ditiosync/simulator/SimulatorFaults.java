package no.ditiosync.simulator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
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
 * at most one fault: of the faults due, the one set first (the others wait for the next calls).
 * Faults are checked before the bearer token, as a gateway would answer.
 *
 * <p>{@link #tokenFailNext(int, int)} is the only fault of the token endpoint.
 *
 * <p>Malformed records: {@link #corruptRecord(String, String, String)} and
 * {@link #removeField(String, String)} change how one time registration is written, on every
 * page that holds it (full and incremental passes, tombstones included), until {@link #clear()}.
 * The stored registration is not changed: the oracles of {@link DitioDataset} still see it whole.
 */
public final class SimulatorFaults {

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

    /** One planned fault: from data call {@code from} on, for {@code times} calls. */
    private static final class Plan {
        final Kind kind;
        final long from;
        final int calls;
        final int everyNth;
        final int statusA;
        final int statusB;
        final String retryAfter;
        final long delayMillis;
        int used;
        int failed;

        Plan(Kind kind, long from, int calls, int everyNth, int statusA, int statusB, String retryAfter, long delayMillis) {
            this.kind = kind;
            this.from = from;
            this.calls = calls;
            this.everyNth = everyNth;
            this.statusA = statusA;
            this.statusB = statusB;
            this.retryAfter = retryAfter;
            this.delayMillis = delayMillis;
        }

        /** Uses one call of the plan: the fault for it, or null for a storm's calls in between. */
        Injected use() {
            int index = used++;
            if (index % everyNth != 0) {
                return null;
            }
            int status = failed++ % 2 == 0 ? statusA : statusB;
            return switch (kind) {
                case STATUS -> new Injected(kind, status, retryAfter, errorName(status),
                        "Simulated fault: HTTP " + status + ".", 0);
                case REJECT_401 -> new Injected(kind, 401, null, "invalid_token", "Simulated 401: the token was rejected.", 0);
                default -> new Injected(kind, 0, null, null, null, delayMillis);
            };
        }

        boolean usedUp() {
            return used >= calls;
        }
    }

    private static final JsonFactory JSON = new JsonFactory();

    private final Runnable revokeAllTokens;
    private final List<Plan> plans = new ArrayList<>();
    private long dataCalls;
    private int pagesUntilTokensExpire = -1;
    private long pageDelayMillis;
    private int tokenFailStatus;
    private int tokenFailTimes;
    /** registration id → field → raw JSON value, or null for "left out"; replaced whole on change (read without lock) */
    private volatile Map<String, Map<String, String>> corruptions = Map.of();
    /** registration id → field → raw JSON of an earlier copy written just before it; replaced whole on change */
    private volatile Map<String, Map<String, String>> repeats = Map.of();
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
        return plan(Kind.REJECT_401, 0, 1, 1, 401, 401, null, 0);
    }

    /** The next {@code times} data calls answer {@code status} with a JSON error body. */
    public SimulatorFaults failNext(int status, int times) {
        return failNext(status, times, null);
    }

    /** As {@link #failNext(int, int)}, with a {@code Retry-After} header (seconds or HTTP date) when not null. */
    public SimulatorFaults failNext(int status, int times, String retryAfter) {
        checkStatus(status);
        return plan(Kind.STATUS, 0, times, 1, status, status, retryAfter, 0);
    }

    /** The next {@code times} data calls get a 200 JSON answer that breaks off in the middle. */
    public SimulatorFaults malformedJsonNext(int times) {
        return plan(Kind.MALFORMED_JSON, 0, times, 1, 0, 0, null, 0);
    }

    /** The next data call gets a 200 JSON object with everything but {@code data}. */
    public SimulatorFaults pageWithoutDataNext() {
        return plan(Kind.PAGE_WITHOUT_DATA, 0, 1, 1, 0, 0, null, 0);
    }

    /** The next data call gets a 200 HTML page (content type {@code text/html}), as a misconfigured proxy sends. */
    public SimulatorFaults wrongContentTypeNext() {
        return plan(Kind.WRONG_CONTENT_TYPE, 0, 1, 1, 0, 0, null, 0);
    }

    /** The next {@code times} data calls have their connection closed without any answer. */
    public SimulatorFaults dropConnectionNext(int times) {
        return plan(Kind.DROP_CONNECTION, 0, times, 1, 0, 0, null, 0);
    }

    /** The next {@code times} data calls get half their page (Content-Length says all), then the connection closes. */
    public SimulatorFaults cutOffNext(int times) {
        return plan(Kind.CUT_OFF, 0, times, 1, 0, 0, null, 0);
    }

    /** The next {@code times} data calls wait {@code ms} before they are answered (normally). */
    public SimulatorFaults slowNext(long ms, int times) {
        if (ms < 0) {
            throw new IllegalArgumentException("ms must not be negative");
        }
        return plan(Kind.SLOW, 0, times, 1, 0, 0, null, ms);
    }

    /**
     * A fault storm: of the next {@code calls} data calls, every {@code everyNth} one (the first
     * included) fails, alternately with {@code statusA} and {@code statusB}, without Retry-After.
     */
    public SimulatorFaults storm(int everyNth, int statusA, int statusB, int calls) {
        if (everyNth < 1) {
            throw new IllegalArgumentException("everyNth must be at least 1");
        }
        checkStatus(statusA);
        checkStatus(statusB);
        return plan(Kind.STATUS, 0, calls, everyNth, statusA, statusB, null, 0);
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
     * From now on the time registration {@code registrationId} is served with {@code field}
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
        checkOneJsonValue(rawJson);
        return corrupt(registrationId, field, rawJson);
    }

    /** From now on the time registration {@code registrationId} is served without {@code field}. */
    public SimulatorFaults removeField(String registrationId, String field) {
        return corrupt(registrationId, field, null);
    }

    /**
     * From now on the time registration {@code registrationId} is written twice in a row on every page
     * that holds it: first a copy with {@code field} written as {@code rawJson} (e.g. {@code "isDeleted"},
     * {@code "true"}), then the record as it is. Further calls change more fields of that first copy.
     */
    public synchronized SimulatorFaults repeatRecord(String registrationId, String field, String rawJson) {
        checkOneJsonValue(rawJson);
        repeats = withField(repeats, registrationId, field, rawJson);
        return this;
    }

    /** Whether any registration is corrupted or repeated now. */
    boolean anyCorruption() {
        return !corruptions.isEmpty() || !repeats.isEmpty();
    }

    /** The fields of the earlier copy of a repeated registration (field → raw JSON), or null when it is not repeated. */
    Map<String, String> earlierCopyOf(String registrationId) {
        return repeats.get(registrationId);
    }

    /** The corruptions of one registration (field → raw JSON, null value: left out), or null when none. */
    Map<String, String> corruptionsOf(String registrationId) {
        return corruptions.get(registrationId);
    }

    public synchronized void clear() {
        corruptions = Map.of();
        repeats = Map.of();
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
            return plan(Kind.STATUS, callNumber, times, 1, status, status, retryAfter, 0);
        }

        public SimulatorFaults reject401Once() {
            return plan(Kind.REJECT_401, callNumber, 1, 1, 401, 401, null, 0);
        }

        public SimulatorFaults malformedJsonNext(int times) {
            return plan(Kind.MALFORMED_JSON, callNumber, times, 1, 0, 0, null, 0);
        }

        public SimulatorFaults pageWithoutDataNext() {
            return plan(Kind.PAGE_WITHOUT_DATA, callNumber, 1, 1, 0, 0, null, 0);
        }

        public SimulatorFaults wrongContentTypeNext() {
            return plan(Kind.WRONG_CONTENT_TYPE, callNumber, 1, 1, 0, 0, null, 0);
        }

        public SimulatorFaults dropConnectionNext(int times) {
            return plan(Kind.DROP_CONNECTION, callNumber, times, 1, 0, 0, null, 0);
        }

        public SimulatorFaults slowNext(long ms, int times) {
            if (ms < 0) {
                throw new IllegalArgumentException("ms must not be negative");
            }
            return plan(Kind.SLOW, callNumber, times, 1, 0, 0, null, ms);
        }

        public SimulatorFaults cutOffNext(int times) {
            return plan(Kind.CUT_OFF, callNumber, times, 1, 0, 0, null, 0);
        }

        public SimulatorFaults storm(int everyNth, int statusA, int statusB, int calls) {
            if (everyNth < 1) {
                throw new IllegalArgumentException("everyNth must be at least 1");
            }
            checkStatus(statusA);
            checkStatus(statusB);
            return plan(Kind.STATUS, callNumber, calls, everyNth, statusA, statusB, null, 0);
        }
    }

    // ---- used by the server

    /** Counts this data call and returns its fault, if any (consumed). Checked before the token. */
    synchronized Injected nextDataCall() {
        long call = ++dataCalls;
        for (Iterator<Plan> it = plans.iterator(); it.hasNext(); ) {
            Plan p = it.next();
            if (p.from > call) {
                continue;
            }
            Injected fault = p.use();
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

    static String errorName(int status) {
        return status == 429 ? "TooManyRequests" : status >= 500 ? "ServerError" : "SimulatedFault";
    }

    private synchronized SimulatorFaults plan(Kind kind, long from, int calls, int everyNth, int statusA, int statusB,
                                              String retryAfter, long delayMillis) {
        if (calls < 0) {
            throw new IllegalArgumentException("times must not be negative");
        }
        if (calls > 0) {
            plans.add(new Plan(kind, from, calls, everyNth, statusA, statusB, retryAfter, delayMillis));
        }
        return this;
    }

    private synchronized SimulatorFaults corrupt(String registrationId, String field, String rawJson) {
        corruptions = withField(corruptions, registrationId, field, rawJson);
        return this;
    }

    /** A copy of {@code table} (registration id → field → raw JSON) with one more field of one registration. */
    private static Map<String, Map<String, String>> withField(Map<String, Map<String, String>> table, String registrationId,
                                                            String field, String rawJson) {
        if (registrationId == null || registrationId.isBlank()) {
            throw new IllegalArgumentException("registrationId must not be blank");
        }
        if (!TimeRegistrationJson.FIELDS.contains(field)) {
            throw new IllegalArgumentException("unknown time-registration field '" + field + "'; one of "
                    + TimeRegistrationJson.FIELDS);
        }
        Map<String, Map<String, String>> next = new HashMap<>(table);
        Map<String, String> fields = new LinkedHashMap<>(next.getOrDefault(registrationId, Map.of()));
        fields.put(field, rawJson);
        next.put(registrationId, Collections.unmodifiableMap(fields));
        return Collections.unmodifiableMap(next);
    }

    private static void checkOneJsonValue(String rawJson) {
        try (JsonParser p = JSON.createParser(rawJson)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new IllegalArgumentException("rawJson is empty; use removeField to leave a field out");
            }
            p.skipChildren();
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("rawJson must be exactly one JSON value: " + rawJson);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("rawJson is not a JSON value: " + rawJson + " (" + e.getMessage() + ")", e);
        }
    }

    private static void checkStatus(int status) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be 4xx or 5xx, was " + status);
        }
    }
}
