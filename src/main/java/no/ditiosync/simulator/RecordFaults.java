package no.ditiosync.simulator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Malformed records (time registrations, payroll lines, absences): fields written as other raw JSON or left out, and records written
 * twice (an earlier copy first), on every page that holds them, until cleared. The stored
 * registration is not changed. Each table is replaced whole on change, so the page writer reads it
 * without a lock (see {@link CorruptedRecordWriter}).
 */
final class RecordFaults {

    private static final JsonFactory JSON = new JsonFactory();

    /** registration id → field → raw JSON value, or null for "left out" */
    private volatile Map<String, Map<String, String>> corruptions = Map.of();
    /** registration id → field → raw JSON of an earlier copy written just before it */
    private volatile Map<String, Map<String, String>> repeats = Map.of();

    synchronized void corrupt(String registrationId, String field, String rawJson) {
        if (rawJson != null) {
            checkOneJsonValue(rawJson);
        }
        corruptions = withField(corruptions, registrationId, field, rawJson);
    }

    synchronized void repeat(String registrationId, String field, String rawJson) {
        checkOneJsonValue(rawJson);
        repeats = withField(repeats, registrationId, field, rawJson);
    }

    boolean any() {
        return !corruptions.isEmpty() || !repeats.isEmpty();
    }

    Map<String, String> earlierCopyOf(String registrationId) {
        return repeats.get(registrationId);
    }

    Map<String, String> corruptionsOf(String registrationId) {
        return corruptions.get(registrationId);
    }

    synchronized void clear() {
        corruptions = Map.of();
        repeats = Map.of();
    }

    /** A copy of {@code table} (registration id → field → raw JSON) with one more field of one registration. */
    private static Map<String, Map<String, String>> withField(Map<String, Map<String, String>> table, String registrationId,
                                                            String field, String rawJson) {
        if (registrationId == null || registrationId.isBlank()) {
            throw new IllegalArgumentException("registrationId must not be blank");
        }
        if (!TimeRegistrationJson.FIELDS.contains(field) && !PayrollDayJson.FIELDS.contains(field)
                && !AbsenceJson.FIELDS.contains(field)) {
            throw new IllegalArgumentException("unknown field '" + field + "'; one of a time registration's "
                    + TimeRegistrationJson.FIELDS + ", a payroll line's " + PayrollDayJson.FIELDS + " or an absence's "
                    + AbsenceJson.FIELDS);
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
}
