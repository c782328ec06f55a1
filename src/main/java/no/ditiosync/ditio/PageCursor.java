package no.ditiosync.ditio;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Where one pass over a Ditio endpoint stands. The pass parameters are fixed when the pass starts
 * and sent unchanged on every page (docs/ditio-contract.md, "A page"); only the continuation token moves.
 */
public final class PageCursor {

    /**
     * The longest continuation token followed. A token goes back in the next page's query string, and
     * web servers refuse request lines much over 8 KB (ASP.NET Core's Kestrel at 8 KB): a longer one
     * cannot be a position Ditio would take back, and sending it would only cost memory and a 414.
     */
    public static final int MAX_TOKEN_LENGTH = 8192;

    private final String base;
    private final String path;
    private final Map<String, String> passParameters;
    private String continuationToken;
    private boolean finished;
    private int pages;
    /** Each token followed, with the page it asked for: one sent again leads back to that page. */
    private final Map<String, Integer> followed = new java.util.HashMap<>();

    /**
     * @param base the company's reporting base URL ({@code DITIO_REPORTING_BASE})
     * @param path the endpoint under it, e.g. {@code /v1/time-registrations}
     */
    public PageCursor(String base, String path, Map<String, String> passParameters) {
        this.base = base;
        this.path = path;
        this.passParameters = Map.copyOf(passParameters);
    }

    public String base() {
        return base;
    }

    public String path() {
        return path;
    }

    public boolean hasNext() {
        return !finished;
    }

    /** The query string of the next page call: pass parameters plus the token, URL-encoded. */
    public String query() {
        StringBuilder q = new StringBuilder();
        passParameters.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> append(q, e.getKey(), e.getValue()));
        if (continuationToken != null) {
            append(q, "ContinuationToken", continuationToken);
        }
        return q.toString();
    }

    /** Page number of the next (or current) call, 1-based, for messages. */
    public int pageNumber() {
        return pages + 1;
    }

    public void advance(String nextToken) {
        String next = (nextToken == null || nextToken.isEmpty()) ? null : nextToken;
        if (next != null && next.length() > MAX_TOKEN_LENGTH) {
            throw new DitioApiException("Ditio sent a continuation token of " + next.length() + " characters for "
                    + describe() + ": a token has at most " + MAX_TOKEN_LENGTH + " (it goes back in the next page's address)");
        }
        Integer earlier = next == null ? null : followed.get(next);
        if (earlier != null) {
            // this position again, or an earlier one: the pages from there would come round again, and again
            throw new DitioApiException("Ditio answered " + describe() + " with the continuation token "
                    + (earlier == pageNumber() ? "it was asked with" : "of page " + earlier + " again")
                    + ": the pass would never end");
        }
        pages++;
        if (next != null) {
            followed.put(next, pages + 1);
        }
        continuationToken = next;
        finished = continuationToken == null;
    }

    /** For messages: the endpoint and page, never the token (it is opaque and may be long). */
    public String describe() {
        return "page " + pageNumber() + " of " + path;
    }

    /** For messages about the page just read (the cursor has moved on): "page 3 of /v1/time-registrations". */
    public String describeRead() {
        return "page " + pages + " of " + path;
    }

    private static void append(StringBuilder q, String key, String value) {
        if (q.length() > 0) {
            q.append('&');
        }
        q.append(key).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    }
}
