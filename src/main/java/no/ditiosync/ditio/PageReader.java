package no.ditiosync.ditio;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
 * Reads one Ditio page with Jackson's streaming parser: records are bound one by one as the bytes
 * arrive, unknown fields are skipped. A page that is not the documented shape is an error that
 * names the page, so the run fails without moving the watermark.
 */
public final class PageReader<T> {

    /** Reasons that start so come from the record as sent, not from settings: mapping it again changes nothing. */
    public static final String UNREADABLE = "unreadable ";

    // property names as the spec spells them, in any case: a .NET server may keep PascalCase (cheap: names only)
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
            .build();

    private final ObjectReader recordReader;
    private final BiFunction<JsonNode, String, T> unreadable;

    /**
     * @param unreadable makes a stand-in for a record whose fields do not bind (say qty "abc"), given
     *                   the record as JSON and the reason; null skips it. One bad record must not cost
     *                   the page: the stand-in goes to quarantine with the reason.
     */
    public PageReader(Class<? extends T> recordType, BiFunction<JsonNode, String, T> unreadable) {
        this.recordReader = MAPPER.readerFor(recordType);
        this.unreadable = unreadable;
    }

    public DitioPage<T> read(InputStream body, String where) {
        if (body == null) {
            throw new DitioApiException("Ditio sent an empty body for " + where);
        }
        List<T> data = null;
        String token = null;
        try (JsonParser parser = MAPPER.getFactory().createParser(body)) {
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
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new DitioApiException("Ditio sent malformed JSON for " + where + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new DitioApiException("reading " + where + " from Ditio failed: " + e.getMessage(), e);
        }
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
