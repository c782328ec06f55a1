package no.ditiosync.ditio;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.processor.errorhandler.RedeliveryPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Decides about each transient failure of a Ditio call (429, 5xx, timeouts, dropped or refused
 * connections): retry it, after how long, or give up. The error handling of the calling routes
 * ({@code routes/errors.camel.yaml}, route configuration {@code ditio-retry}) does the
 * redelivering; this bean is its {@code onExceptionOccurred} processor and its {@code retryWhile}.
 *
 * <p>Per failure, in Camel's order ({@code RedeliveryErrorHandler}: the exception policy, the
 * redelivery counter, {@code onExceptionOccurred}, then {@code retryWhile}, then the delay from the
 * {@value Exchange#REDELIVERY_DELAY} header when set):
 * <ul>
 *   <li>{@link #process} classifies the failure, checks both bounds (attempts per call, retries
 *       per run), and when a retry is allowed sets its delay — a {@code Retry-After} header
 *       (seconds or HTTP date, capped), else the exponential backoff with jitter of the Camel
 *       {@link RedeliveryPolicy} given as {@link #setBackoff backoff} — and logs the retry once;</li>
 *   <li>{@link #retryAllowed} answers what {@link #process} decided;</li>
 *   <li>{@link #giveUp} (from the caller's {@code doCatch}) turns the last failure into a
 *       {@link DitioApiException} that names the call and why the run stopped, and hands every
 *       failure on to the run route's error handling.</li>
 * </ul>
 * The per-run count lives on the exchange, which is the run: every run starts with the full budget.
 */
public final class DitioRetries implements Processor {

    /**
     * HTTP statuses worth a retry: the token call lets camel-http throw for exactly these, and
     * {@link DitioPager#read} throws them for a page call as camel-http would.
     */
    public static final Set<Integer> TRANSIENT_STATUSES = Set.of(408, 429, 500, 502, 503, 504);

    static final String DECISION = "DitioRetryDecision";
    static final String PREVIOUS_BACKOFF = "DitioRetryPreviousBackoff";
    static final String RETRIES_USED = "DitioRetriesUsed";
    static final String GIVE_UP = "DitioRetryGiveUp";
    static final String TOKEN_ROUTE = "ditio-token";

    private static final Logger LOG = LoggerFactory.getLogger(DitioRetries.class);

    private RedeliveryPolicy backoff = new RedeliveryPolicy().redeliveryDelay(1000).maximumRedeliveryDelay(30_000)
            .backOffMultiplier(2).useCollisionAvoidance();
    private int maxAttempts = 6;
    private int maxRetriesPerRun = 50;
    private Duration retryAfterMax = Duration.ofSeconds(60);
    private Clock clock = Clock.systemUTC();

    /** The Camel redelivery policy whose exponential backoff and collision avoidance (jitter) set the delays. */
    public void setBackoff(RedeliveryPolicy backoff) {
        this.backoff = backoff;
    }

    /** Attempts per call, the first one included. */
    public void setMaxAttempts(int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        this.maxAttempts = maxAttempts;
    }

    /** Retries per run, all calls together. */
    public void setMaxRetriesPerRun(int maxRetriesPerRun) {
        if (maxRetriesPerRun < 0) {
            throw new IllegalArgumentException("maxRetriesPerRun must not be negative");
        }
        this.maxRetriesPerRun = maxRetriesPerRun;
    }

    /** The longest wait a Retry-After header can ask for. */
    public void setRetryAfterMax(Duration retryAfterMax) {
        this.retryAfterMax = retryAfterMax;
    }

    public void setClock(Clock clock) {
        this.clock = clock;
    }

    /** onExceptionOccurred: decide, set the delay, log the retry. */
    @Override
    public void process(Exchange exchange) {
        Throwable caught = caught(exchange);
        Failure failure = Failure.of(caught, address(exchange));
        String call = describeCall(exchange);
        int attempts = exchange.getIn().getHeader(Exchange.REDELIVERY_COUNTER, 1, Integer.class);
        int used = exchange.getProperty(RETRIES_USED, 0, Integer.class);

        String giveUp = null;
        if (!failure.transientFailure()) {
            giveUp = failure.problem() + " on " + call + failure.advice();
        } else if (attempts >= maxAttempts) {
            giveUp = failure.problem() + " on " + call + (attempts == 1 ? "" : ", " + attempts + " times in a row")
                    + ": giving up after " + maxAttempts + " attempt" + (maxAttempts == 1 ? "" : "s")
                    + " (DITIO_RETRY_MAX_ATTEMPTS)";
        } else if (used >= maxRetriesPerRun) {
            giveUp = failure.problem() + " on " + call + ", and this run has used all its " + maxRetriesPerRun
                    + " retries: giving up (DITIO_RETRY_MAX_PER_RUN)";
        }
        if (giveUp != null) {
            exchange.setProperty(DECISION, Boolean.FALSE);
            exchange.setProperty(GIVE_UP, giveUp);
            return;
        }

        long previous = attempts <= 1 ? 0 : exchange.getProperty(PREVIOUS_BACKOFF, 0L, Long.class);
        long backoffDelay = backoff.calculateRedeliveryDelay(previous, attempts);
        exchange.setProperty(PREVIOUS_BACKOFF, backoffDelay);
        Long retryAfter = failure.retryAfter() == null ? null : retryAfterMillis(failure.retryAfter());
        long delay = retryAfter != null ? Math.min(retryAfter, retryAfterMax.toMillis()) : backoffDelay;

        exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, delay);
        exchange.setProperty(RETRIES_USED, used + 1);
        exchange.setProperty(DECISION, Boolean.TRUE);
        exchange.removeProperty(GIVE_UP);
        RetryCounter run = exchange.getVariable("run") instanceof RetryCounter r ? r : null;
        if (run != null) {
            run.countRetry();
        }
        // the error handler calls this outside the route step that failed, whose log fields are put back already
        Object company = exchange.getVariable(RunLogFields.COMPANY);
        try (RunLogFields fields = RunLogFields.of(company == null ? null : company.toString(), run == null ? null : run.runId())) {
            LOG.warn("{} on {}: retry {} of {} in {} ms{} ({} of {} retries of this run)", failure.problem(), call,
                    attempts, maxAttempts - 1, delay,
                    retryAfter != null && retryAfter > retryAfterMax.toMillis() ? " (Retry-After capped)" : "",
                    used + 1, maxRetriesPerRun);
        }
    }

    /** retryWhile: what {@link #process} decided for this failure. */
    public boolean retryAllowed(Exchange exchange) {
        return exchange.getProperty(DECISION, Boolean.FALSE, Boolean.class);
    }

    /**
     * From the caller's doCatch, for any failure of a call: a transient one that outlived its
     * retries becomes a {@link DitioApiException} naming the call and why the run stopped; any
     * other (a DitioApiException of the token route, say) is thrown again as it is.
     */
    public void giveUp(Exchange exchange) throws Exception {
        Throwable caught = caught(exchange);
        String message = exchange.getProperty(GIVE_UP, String.class);
        exchange.removeProperty(GIVE_UP);
        exchange.removeProperty(DECISION);
        // The call route's error handler marked the exchange "failure handled" when it gave up, and
        // a doCatch does not clear that mark: without this, the run route's onException (sync-errors)
        // would let the exception below pass without logging the run as failed and releasing its lock.
        exchange.getExchangeExtension().setFailureHandled(false);
        exchange.getExchangeExtension().setErrorHandlerHandled(null);
        if (caught instanceof HttpOperationFailedException || caught instanceof IOException) {
            if (message == null) {
                Failure failure = Failure.of(caught, address(exchange));
                message = failure.problem() + " on " + describeCall(exchange) + failure.advice();
            }
            throw new DitioApiException(message, caught);
        }
        if (caught instanceof Exception e) {
            throw e;
        }
        throw new DitioApiException("The call to Ditio failed on " + describeCall(exchange) + ": " + caught, caught);
    }

    private static Throwable caught(Exchange exchange) {
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        return t != null ? t : exchange.getException();
    }

    private static String describeCall(Exchange exchange) {
        String route = exchange.getProperty(Exchange.FAILURE_ROUTE_ID, String.class);
        if (TOKEN_ROUTE.equals(route)) {
            return "the token request";
        }
        Object cursor = exchange.getVariable("cursor");
        return cursor instanceof PageCursor c ? c.describe() : "a Ditio call";
    }

    /**
     * The URL a call went to and the setting that names its host, for a failure to reach it: the token
     * request goes to DITIO_IDENTITY_BASE, a page call to DITIO_REPORTING_BASE. Null when unknown.
     */
    private static Address address(Exchange exchange) {
        String route = exchange.getProperty(Exchange.FAILURE_ROUTE_ID, String.class);
        if (TOKEN_ROUTE.equals(route)) {
            String uri = exchange.getProperty(Exchange.TO_ENDPOINT, String.class);
            return uri == null ? null : new Address(uri.replaceFirst("\\?.*", ""), "DITIO_IDENTITY_BASE");
        }
        Object cursor = exchange.getVariable("cursor");
        return cursor instanceof PageCursor c ? new Address(c.base() + c.path(), "DITIO_REPORTING_BASE") : null;
    }

    /**
     * What keeps a call to {@code url} from getting an answer, in the words of the run's messages, with
     * what to check: for a one-off call outside a run (the check command), which is not retried.
     *
     * @param setting the setting naming the URL's host (DITIO_IDENTITY_BASE or DITIO_REPORTING_BASE)
     */
    public static String describeFailure(Throwable e, String url, String setting) {
        Failure failure = Failure.of(e, new Address(url, setting));
        return failure.problem() + failure.advice();
    }

    /** Where a call went: its URL (no query) and the setting an operator changes to point it elsewhere. */
    record Address(String url, String setting) {
    }

    /**
     * HTTP's date forms, which a recipient must all accept (RFC 9110 5.6.7): IMF-fixdate, and the obsolete
     * RFC 850 and asctime forms (asctime's space-padded day read after runs of blanks became one).
     */
    private static final List<DateTimeFormatter> HTTP_DATES = List.of(DateTimeFormatter.RFC_1123_DATE_TIME,
            DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss z", Locale.US),
            DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy", Locale.US).withZone(ZoneOffset.UTC));

    /** Retry-After: delta-seconds or an HTTP date; null when it is neither. */
    Long retryAfterMillis(String value) {
        String v = value.trim();
        if (v.matches("\\d{1,9}")) {
            return Long.parseLong(v) * 1000;
        }
        for (DateTimeFormatter form : HTTP_DATES) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v.replaceAll(" +", " "), form);
                return Math.max(0, Duration.between(clock.instant(), at.toInstant()).toMillis());
            } catch (DateTimeParseException e) {
                // the next form
            }
        }
        return null;
    }

    /**
     * What went wrong, in words for an operator; whether it is worth a retry; the Retry-After value.
     * A failure to reach Ditio at all (refused, no answer to connect, unknown host, TLS) names the URL
     * and its setting first when the call's address is known: that is what the operator has to check.
     */
    record Failure(String problem, boolean transientFailure, String retryAfter, String advice) {

        static Failure of(Throwable e, Address address) {
            String unreached = address == null ? "Ditio" : "Ditio at " + address.url() + " (" + address.setting() + ")";
            if (e instanceof HttpOperationFailedException http) {
                int status = http.getStatusCode();
                String retryAfter = header(http.getResponseHeaders(), "Retry-After");
                String problem = "Ditio answered HTTP " + status + (retryAfter == null ? "" : " (Retry-After: " + retryAfter + ")");
                return new Failure(problem, TRANSIENT_STATUSES.contains(status), retryAfter, "");
            }
            String name = e == null ? "" : e.getClass().getName();
            if (name.endsWith(".ConnectTimeoutException")) {
                return new Failure(unreached + " could not be reached in time (connect timeout)", true, null, "");
            }
            if (e instanceof SocketTimeoutException || e instanceof InterruptedIOException) {
                return new Failure("Ditio did not answer in time (read timeout)", true, null, "");
            }
            if (e instanceof ConnectException) {
                return new Failure(unreached + " refused the connection", true, null, "");
            }
            if (name.endsWith(".NoHttpResponseException")) {
                return new Failure("Ditio closed the connection without an answer", true, null, "");
            }
            if (name.endsWith(".ConnectionClosedException")) {
                return new Failure("Ditio closed the connection in the middle of its answer", true, null, "");
            }
            // a body whose end only the connection's close marks (PageReader; HttpClient drops a gzip answer's
            // length as it unpacks it), or a gzip body cut short: a dropped connection, or a page sent cut short
            if (e instanceof EOFException) {
                return new Failure("Ditio's answer ended before its JSON did (the connection dropped, or Ditio sent it cut "
                        + "short)", true, null, "");
            }
            if (e instanceof UnknownHostException) {
                return new Failure(unreached + " has a host name that is unknown (" + e.getMessage() + ")", false, null,
                        ": check " + (address == null ? "DITIO_IDENTITY_BASE and DITIO_REPORTING_BASE" : address.setting()));
            }
            if (e instanceof SSLException) {
                return new Failure("The TLS handshake with " + unreached + " failed (" + e.getMessage() + ")", false, null,
                        ": check the Ditio URLs and the Java trust store");
            }
            if (e instanceof SocketException) {
                return new Failure("The connection to Ditio failed (" + e.getMessage() + ")", true, null, "");
            }
            if (e instanceof IOException) {
                return new Failure("The call to Ditio failed (" + detail(e) + ")", true, null, "");
            }
            return new Failure("The call to Ditio failed (" + (e == null ? "no details" : detail(e)) + ")", false, null, "");
        }

        /** The exception's own message: its class name says nothing to an operator. */
        private static String detail(Throwable e) {
            return e.getMessage() == null || e.getMessage().isBlank() ? "no details" : e.getMessage();
        }

        private static String header(Map<String, String> headers, String name) {
            if (headers == null) {
                return null;
            }
            for (Map.Entry<String, String> h : headers.entrySet()) {
                if (name.equalsIgnoreCase(h.getKey()) && h.getValue() != null && !h.getValue().isBlank()) {
                    return h.getValue().trim();
                }
            }
            return null;
        }
    }
}
