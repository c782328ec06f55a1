package no.ditiosync.ditio;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;

/**
 * Reads one Ditio page with Jackson's streaming parser as the bytes arrive: records are bound one by
 * one, unknown fields are skipped, and no more than {@code maxPageBytes} (DITIO_MAX_PAGE_BYTES) are
 * read. A page that is not the documented shape, or larger than that, is an error that names the
 * page, so the run fails without moving the watermark.
 */
public final class PageReader<T> {

    /** Reasons that start so come from the record as sent, not from settings: mapping it again changes nothing. */
    public static final String UNREADABLE = "unreadable ";

    private final ObjectMapper mapper;
    private final ObjectReader recordReader;
    private final BiFunction<JsonNode, String, T> unreadable;
    private final long maxPageBytes;

    /**
     * @param unreadable   makes a stand-in for a record whose fields do not bind (say qty "abc"), given
     *                     the record as JSON and the reason; null skips it. One bad record must not cost
     *                     the page: the stand-in goes to quarantine with the reason.
     * @param maxPageBytes the most a page may hold, decompressed (DITIO_MAX_PAGE_BYTES)
     */
    public PageReader(Class<? extends T> recordType, BiFunction<JsonNode, String, T> unreadable, long maxPageBytes) {
        // Jackson counts what it reads and stops past the limit (its maxDocumentLength), so a page
        // that never ends, or a small gzip that inflates to gigabytes, ends as a bad page
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxDocumentLength(maxPageBytes).build())
                .build();
        // property names as the spec spells them, in any case: a .NET server may keep PascalCase (cheap: names only)
        this.mapper = JsonMapper.builder(factory)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
                .build();
        this.recordReader = mapper.readerFor(recordType);
        this.unreadable = unreadable;
        this.maxPageBytes = maxPageBytes;
    }

    public DitioPage<T> read(InputStream body, String where) throws IOException {
        if (body == null) {
            throw new DitioApiException("Ditio sent an empty body for " + where);
        }
        List<T> data = null;
        String token = null;
        JsonParser parser = null;
        try (JsonParser p = mapper.getFactory().createParser(body)) {
            parser = p;
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new DitioApiException("Ditio sent a page that is not a JSON object for " + where);
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field.toLowerCase(Locale.ROOT)) {
                    // an empty page may say so with null
                    case "data" -> data = value == JsonToken.VALUE_NULL ? new ArrayList<>() : readRecords(parser, value, where);
                    case "continuationtoken" -> token = value == JsonToken.VALUE_NULL ? null : parser.getValueAsString();
                    default -> parser.skipChildren();
                }
            }
        } catch (StreamConstraintsException e) {
            if (parser != null && parser.currentLocation().getByteOffset() >= maxPageBytes) {
                throw new DitioApiException("Ditio sent more than " + size(maxPageBytes) + " for " + where
                        + ": a page may hold at most DITIO_MAX_PAGE_BYTES (ditio.max-page-bytes) = " + size(maxPageBytes)
                        + "; raise it only if Ditio's pages really are that large", e);
            }
            // a value longer, or nested deeper, than the parser takes (20 million characters, 1000 levels)
            throw new DitioApiException("Ditio sent a value too long or too deeply nested to read for " + where + ": "
                    + e.getOriginalMessage(), e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new DitioApiException("Ditio sent malformed JSON for " + where + ": " + e.getOriginalMessage(), e);
        }
        // any other IOException is the connection failing while the page streams in: thrown as it is, so
        // the call is retried as one that failed before its answer
        if (data == null) {
            throw new DitioApiException("Ditio sent a page without 'data' for " + where);
        }
        return new DitioPage<>(data, token);
    }

    private List<T> readRecords(JsonParser parser, JsonToken value, String where) throws IOException {
        if (value != JsonToken.START_ARRAY) {
            throw new DitioApiException("Ditio sent 'data' that is not an array for " + where);
        }
        List<T> records = new ArrayList<>();
        JsonToken next;
        while ((next = parser.nextToken()) == JsonToken.START_OBJECT) {
            JsonNode record = parser.readValueAsTree();
            try {
                records.add(recordReader.readValue(record));
            } catch (MismatchedInputException e) {
                T standIn = unreadable.apply(record, reason(e, record));
                if (standIn != null) {
                    records.add(standIn);
                }
            }
        }
        if (next != JsonToken.END_ARRAY) {
            // stopping here would read the rest of the array as the page's fields: the token unseen, the pass ended early
            throw new DitioApiException("Ditio sent " + parser.getText() + " instead of a record in 'data' for " + where);
        }
        return records;
    }

    /** A size as DITIO_MAX_PAGE_BYTES is written: 256MiB, 512KiB, or bytes. */
    public static String size(long bytes) {
        if (bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "GiB";
        }
        if (bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "MiB";
        }
        return bytes % (1L << 10) == 0 ? (bytes >> 10) + "KiB" : bytes + " bytes";
    }

    /** "unreadable qty: "abc" is not a number" */
    static String reason(MismatchedInputException e, JsonNode record) {
        String field = e.getPath().isEmpty() ? "?" : e.getPath().get(e.getPath().size() - 1).getFieldName();
        String value = record.path(field).toString();
        Class<?> type = e.getTargetType();
        String expected = type == null ? "of the expected type"
                : Number.class.isAssignableFrom(type) || type.isPrimitive() && type != boolean.class ? "a number"
                : type == boolean.class || type == Boolean.class ? "true or false" : "text";
        return UNREADABLE + field + ": " + (value.length() > 40 ? value.substring(0, 40) + "…" : value) + " is not " + expected;
    }
}
