package no.ditiosync.ditio;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one Ditio page with Jackson's streaming parser: records are bound one by one as the bytes
 * arrive, unknown fields are skipped. A page that is not the documented shape is an error that
 * names the page, so the run fails without moving the watermark.
 */
public final class PageReader<T> {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final ObjectReader recordReader;

    public PageReader(Class<T> recordType) {
        this.recordReader = MAPPER.readerFor(recordType);
    }

    public DitioPage<T> read(InputStream body, String where) {
        if (body == null) {
            throw new DitioApiException("Ditio sent an empty body for " + where);
        }
        List<T> data = null;
        String token = null;
        int deleted = 0;
        try (JsonParser parser = MAPPER.getFactory().createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new DitioApiException("Ditio sent a page that is not a JSON object for " + where);
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "data" -> data = readRecords(parser, value, where);
                    case "continuationToken" -> token = value == JsonToken.VALUE_NULL ? null : parser.getValueAsString();
                    case "deletedRecordCount" -> deleted = parser.getValueAsInt();
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
        return new DitioPage<>(data, token, deleted);
    }

    private List<T> readRecords(JsonParser parser, JsonToken value, String where) throws IOException {
        if (value != JsonToken.START_ARRAY) {
            throw new DitioApiException("Ditio sent 'data' that is not an array for " + where);
        }
        List<T> records = new ArrayList<>();
        while (parser.nextToken() == JsonToken.START_OBJECT) {
            records.add(recordReader.readValue(parser));
        }
        return records;
    }
}
