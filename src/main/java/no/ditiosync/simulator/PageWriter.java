package no.ditiosync.simulator;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Streams a page (docs/ditio-contract.md, "A page") straight to the response with Jackson's generator, so
 * a large page never exists as a String or a tree:
 * {@code {"data":[...],"links":{"next":...},"continuationToken":...,"syncTypeName":...,"recordCount":n,"deletedRecordCount":n}}.
 */
final class PageWriter {

    static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private PageWriter() {
    }

    /** The continuation token of the page, or null on the last page. */
    static String token(Feed<?> feed, PageResult<?> page) {
        return page.next() == null ? null : ContinuationTokens.encode(feed.name(), page.next());
    }

    /** links.next: the same parameters as the request, plus the new ContinuationToken (relative to the reporting base). */
    static String nextLink(Feed<?> feed, PageQuery query, String token) {
        if (token == null) {
            return null;
        }
        String kept = query.rawQueryWithoutToken;
        return feed.path() + "?" + (kept.isEmpty() ? "" : kept + "&") + "ContinuationToken=" + token;
    }

    static <T> void write(OutputStream out, Feed<T> feed, PageQuery query, PageResult<T> page) throws IOException {
        String token = token(feed, page);
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeArrayFieldStart("data");
            for (T record : page.records()) {
                feed.writer().write(g, record);
            }
            g.writeEndArray();
            g.writeObjectFieldStart("links");
            JsonDates.writeText(g, "next", nextLink(feed, query, token));
            g.writeEndObject();
            JsonDates.writeText(g, "continuationToken", token);
            g.writeStringField("syncTypeName", query.mode.apiName);
            g.writeNumberField("recordCount", page.records().size());
            g.writeNumberField("deletedRecordCount", page.deletedCount());
            g.writeEndObject();
        }
    }
}
