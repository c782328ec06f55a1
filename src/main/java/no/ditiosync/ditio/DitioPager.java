package no.ditiosync.ditio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Variable;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.util.IOHelper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plans the passes over Ditio endpoints and reads their pages. The page loop itself is the route
 * ({@code routes/ditio-pages.camel.yaml}); this bean decides the pass parameters and turns each
 * HTTP answer into records, or into an error that names the page.
 */
public final class DitioPager {

    public static final String TIME_REGISTRATIONS = "/v1/time-registrations";
    public static final String ABSENCES = "/v1/absence-registrations";
    public static final String PAYROLL_LINES = "/v1/payroll-lines-extended";
    public static final String USERS = "/v1/user";
    public static final String PROJECTS = "/v1/project";
    /** The watermark rows of the metadata passes. */
    public static final String USER_FEED = "user";
    public static final String PROJECT_FEED = "project";
    /** The exchange variable set before the one call of a page that follows a 401 with a new token. */
    public static final String TOKEN_RENEWED = "tokenRenewed";
    /** How much of an error answer is read: its message shows 300 characters of it. */
    static final int ERROR_BODY_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where one company's data is read from, and the page size asked for. */
    public record Source(String reportingBase, int chunkLimit) {
    }

    private final Map<String, Source> sources;
    private final PageReader<TimeRegistration> timeRegistrations;
    private final PageReader<TimeRegistration> absences;
    private final PageReader<TimeRegistration> payrollLines;
    private final PageReader<DitioUser> users;
    private final PageReader<DitioProject> projects;

    /**
     * @param sources      company key → where its data is read from
     * @param maxPageBytes the most one page may hold, decompressed (DITIO_MAX_PAGE_BYTES)
     */
    public DitioPager(Map<String, Source> sources, long maxPageBytes) {
        this.sources = Map.copyOf(sources);
        this.timeRegistrations = new PageReader<>(TimeRegistration.class, TimeRegistration::markUnreadable, maxPageBytes);
        this.absences = new PageReader<>(AbsenceRegistration.class, TimeRegistration::markUnreadable, maxPageBytes);
        this.payrollLines = new PageReader<>(PayrollLineRecord.class, TimeRegistration::markUnreadable, maxPageBytes);
        // a user or project row that does not bind is marked, so the run leaves it as last known and reads it again
        this.users = new PageReader<>(DitioUser.class, (user, reason) -> user.unreadable = reason, maxPageBytes);
        this.projects = new PageReader<>(DitioProject.class, (project, reason) -> project.unreadable = reason, maxPageBytes);
    }

    /**
     * A pass over one feed of a company: registrations full by work-date window ({@code modifiedSince}
     * null) or incremental by ModifiedSince; users and projects have no date window (all at first,
     * then the changes). The same parameters on every page.
     *
     * @param from the first work date of a full pass over registrations (null for users and projects)
     * @param to   the last work date of a full pass over registrations, inclusive
     */
    public PageCursor cursor(String company, String feed, Instant modifiedSince, LocalDate from, LocalDate to) {
        Source source = sources.get(company);
        Map<String, String> params = new LinkedHashMap<>();
        if (modifiedSince != null) {
            params.put("ModifiedSince", DitioDates.format(modifiedSince));
        } else if (from != null) {
            params.put("FromDateTime", from.toString());
            params.put("ToDateTime", to.toString());
        }
        params.put("ChunkLimit", Integer.toString(source.chunkLimit()));
        return new PageCursor(source.reportingBase(), path(feed), params);
    }

    private static String path(String feed) {
        return switch (feed) {
            case TimeRegistration.TIME -> TIME_REGISTRATIONS;
            case AbsenceRegistration.ABSENCE -> ABSENCES;
            case PayrollLineRecord.PAYROLL -> PAYROLL_LINES;
            case USER_FEED -> USERS;
            case PROJECT_FEED -> PROJECTS;
            default -> throw new IllegalArgumentException("no Ditio endpoint for feed '" + feed + "'");
        };
    }

    /** The feed (watermark row) an endpoint is read for. */
    static String feedOf(String path) {
        return switch (path) {
            case TIME_REGISTRATIONS -> TimeRegistration.TIME;
            case ABSENCES -> AbsenceRegistration.ABSENCE;
            case PAYROLL_LINES -> PayrollLineRecord.PAYROLL;
            case USERS -> USER_FEED;
            case PROJECTS -> PROJECT_FEED;
            default -> throw new IllegalArgumentException("no feed reads '" + path + "'");
        };
    }

    /** What else an operator can do about an endpoint this environment lacks, besides fixing the base URL. */
    private static String otherwise(String path) {
        return switch (path) {
            case ABSENCES -> ", or switch absences off (PAYROLL_ABSENCES=false)";
            case PAYROLL_LINES -> ", or read time registrations only (PAYROLL_SOURCE=time)";
            case USERS -> "; until then runs use the users known from earlier runs";
            case PROJECTS -> "; until then runs use the projects known from earlier runs";
            default -> "";
        };
    }

    /**
     * The answer to the page call the cursor made, read as it streams in (camel-http hands over the
     * response stream, {@code disableStreamCache}): the page's records, and the cursor moved on. The
     * response is closed here, which gives its connection back. A transient status is thrown as
     * camel-http would throw it, so the call is retried; its body is read only up to
     * {@value #ERROR_BODY_BYTES} bytes, as is any other error answer.
     *
     * @return the page's records; null for a first 401 (no {@code tokenRenewed} variable yet), which
     *         the route answers with a new token and one more call
     */
    public List<?> read(Exchange exchange, @Variable("cursor") PageCursor cursor,
                        @Variable(TOKEN_RENEWED) Boolean tokenRenewed) throws IOException, HttpOperationFailedException {
        Message message = exchange.getMessage();
        InputStream body = message.getBody(InputStream.class);
        try {
            return read(message, cursor, body, Boolean.TRUE.equals(tokenRenewed));
        } finally {
            // read or not, the answer is done with: its connection goes back to the pool now, not when the
            // run ends; and no later step (stream caching, an error handler) tries to read the closed stream
            IOHelper.close(body);
            message.setBody(null);
        }
    }

    private List<?> read(Message message, PageCursor cursor, InputStream body, boolean tokenRenewed)
            throws IOException, HttpOperationFailedException {
        int status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        String where = cursor.describe();
        if (status == 401 && !tokenRenewed) {
            return null;
        }
        if (status != 200) {
            String errorBody = errorBody(body, message);
            if (DitioRetries.TRANSIENT_STATUSES.contains(status)) {
                Map<String, String> headers = new LinkedHashMap<>();
                message.getHeaders().forEach((name, value) -> {
                    if (value instanceof String text) {
                        headers.put(name, text);
                    }
                });
                throw new HttpOperationFailedException(cursor.base() + cursor.path(), status,
                        message.getHeader(Exchange.HTTP_RESPONSE_TEXT, String.class), null, headers, errorBody);
            }
            String explained = explain(status, cursor.path(), where, errorBody);
            if (status == 404 && cursor.pageNumber() == 1) {
                // not deployed here: that feed fails, the run goes on. A 404 on a later page (the endpoint
                // answered a page ago) is not that, and ends the run as any other bad answer
                throw new FeedNotDeployedException(feedOf(cursor.path()), cursor.path(), explained);
            }
            throw new DitioApiException(explained);
        }
        String contentType = message.getHeader(Exchange.CONTENT_TYPE, "", String.class);
        // no content type at all is read as JSON (the parse names what is wrong); a named other type is an error page
        if (!contentType.isBlank() && !contentType.toLowerCase(java.util.Locale.ROOT).contains("json")) {
            throw new DitioApiException("Ditio answered " + where + " with content type '" + contentType
                    + "' instead of JSON");
        }
        // neither a length nor chunks: HTTP/1.1 lets the body end where the server closes the connection, so
        // only the JSON can show that it was cut off
        boolean endsWithTheConnection = message.getHeader("Content-Length") == null
                && message.getHeader("Transfer-Encoding") == null;
        DitioPage<?> page = reader(cursor.path()).read(body, where, endsWithTheConnection);
        cursor.advance(page.continuationToken());
        return page.data();
    }

    private PageReader<?> reader(String path) {
        return switch (path) {
            case USERS -> users;
            case PROJECTS -> projects;
            case ABSENCES -> absences;
            case PAYROLL_LINES -> payrollLines;
            default -> timeRegistrations;
        };
    }

    /** An error answer's first {@value #ERROR_BODY_BYTES} bytes, as text: all a message shows of it. */
    private static String errorBody(InputStream body, Message message) {
        if (body == null) {
            return "";
        }
        try {
            byte[] head = body.readNBytes(ERROR_BODY_BYTES);
            String charset = message.getExchange().getProperty(Exchange.CHARSET_NAME, "UTF-8", String.class);
            return new String(head, Charset.isSupported(charset) ? Charset.forName(charset) : StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException unreadable) {
            return "";
        }
    }

    static String explain(int status, String path, String where, String body) {
        String detail = errorDetail(body);
        // what Ditio said may name what the advice cannot (the company refused, the client disabled)
        String said = detail.isEmpty() ? "" : " (Ditio said: " + detail + ")";
        return switch (status) {
            case 401 -> "Ditio rejected the credentials (HTTP 401 twice, with a fresh token) on " + where
                    + ": the API client may be disabled, deleted or past its ValidUntil, "
                    + "or lack the 'reportingapiv1' scope (Ditio's samples answer 401 for that)" + said;
            case 403 -> "Ditio refused access (HTTP 403) on " + where
                    + ": check that the API client has the 'reportingapiv1' scope and access to this company" + said;
            case 404 -> "Ditio has no endpoint for " + where + " (HTTP 404) on this environment: check DITIO_REPORTING_BASE"
                    + otherwise(path) + said;
            case 400 -> "Ditio rejected the request for " + where + " (HTTP 400)" + (detail.isEmpty() ? "" : ": " + detail);
            default -> "Ditio answered HTTP " + status + " on " + where + (detail.isEmpty() ? "" : ": " + detail);
        };
    }

    /**
     * The operator-facing part of an error body: {@code {"error":"…","message":"…"}} as
     * "error: message", validation errors as "field: message; …", anything else as its first 300 characters.
     */
    static String errorDetail(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode json = JSON.readTree(body);
            if (json != null && json.isObject()) {
                String error = json.path("error").asText("");
                String message = json.path("message").asText("");
                StringBuilder out = new StringBuilder();
                if (!error.isEmpty()) {
                    out.append(error);
                }
                if (!message.isEmpty()) {
                    out.append(out.length() > 0 ? ": " : "").append(message);
                }
                JsonNode errors = json.path("errors");
                if (errors.isArray()) {
                    for (JsonNode e : errors) {
                        String field = e.path("field").asText("");
                        String text = e.path("message").asText(e.path("code").asText(""));
                        out.append(out.length() > 0 ? "; " : "").append(field.isEmpty() ? "" : field + ": ").append(text);
                    }
                }
                if (out.length() > 0) {
                    return clip(out.toString());
                }
            }
        } catch (java.io.IOException | RuntimeException notJson) {
            // fall through: show the text as it came
        }
        return clip(body.strip());
    }

    private static String clip(String text) {
        // masked before it is cut: a secret Ditio echoed, cut in two, would be masked no more
        String oneLine = KnownSecrets.masked(text).replaceAll("\\s+", " ");
        return oneLine.length() > 300 ? oneLine.substring(0, 300) + "…" : oneLine;
    }
}
