package no.ditiosync.simulator;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.StringWriter;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes records as the wrapped writer does, except the ones {@link SimulatorFaults} has corrupted:
 * those are written whole into a buffer first, then copied field by field, with each corrupted
 * field's value replaced by its raw JSON or left out, and a repeated record is written twice, its
 * earlier copy with the fields given for it. Records without corruption go straight through; while nothing is corrupted a record costs one volatile read more (not even its id is built).
 */
final class CorruptedRecordWriter<T> implements RecordWriter<T> {

    private final RecordWriter<T> writer;
    private final Function<T, String> id;
    private final SimulatorFaults faults;

    CorruptedRecordWriter(RecordWriter<T> writer, Function<T, String> id, SimulatorFaults faults) {
        this.writer = writer;
        this.id = id;
        this.faults = faults;
    }

    @Override
    public void write(JsonGenerator g, T record) throws IOException {
        if (!faults.anyCorruption()) {
            writer.write(g, record);
            return;
        }
        String key = id.apply(record);
        Map<String, String> corrupted = faults.corruptionsOf(key);
        Map<String, String> earlierCopy = faults.earlierCopyOf(key);
        if (earlierCopy != null) {
            Map<String, String> copy = new java.util.LinkedHashMap<>(corrupted == null ? Map.of() : corrupted);
            copy.putAll(earlierCopy);
            write(g, record, copy);
        }
        if (corrupted == null) {
            writer.write(g, record);
        } else {
            write(g, record, corrupted);
        }
    }

    private void write(JsonGenerator g, T record, Map<String, String> corrupted) throws IOException {
        StringWriter buffer = new StringWriter();
        try (JsonGenerator whole = PageWriter.FACTORY.createGenerator(buffer)) {
            writer.write(whole, record);
        }
        try (JsonParser p = PageWriter.FACTORY.createParser(buffer.toString())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalStateException("a record is not written as a JSON object");
            }
            g.writeStartObject();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (!corrupted.containsKey(field)) {
                    g.writeFieldName(field);
                    copyValue(p, g);
                    continue;
                }
                p.skipChildren();
                String raw = corrupted.get(field);
                if (raw != null) {
                    g.writeFieldName(field);
                    g.writeRawValue(raw);
                }
            }
            g.writeEndObject();
        }
    }

    /** Copies the current value; numbers as their text, so "12.50" stays "12.50". */
    private static void copyValue(JsonParser p, JsonGenerator g) throws IOException {
        switch (p.currentToken()) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> g.writeNumber(p.getText());
            default -> g.copyCurrentStructure(p);
        }
    }
}
