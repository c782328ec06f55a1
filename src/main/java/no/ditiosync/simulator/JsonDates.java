package no.ditiosync.simulator;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;

/** Date formatting as the API writes it: UTC with Z, and 0001-01-01T00:00:00 for "no value". */
final class JsonDates {

    static final String EMPTY_DATE = "0001-01-01T00:00:00";
    static final String EMPTY_DATE_Z = "0001-01-01T00:00:00Z";

    private JsonDates() {
    }

    /** {@code yyyy-MM-ddTHH:mm:ssZ}; hand-made because it runs ~10 times per record on million-record passes. */
    static String instant(long epochSecond) {
        LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(epochSecond, 86400));
        int second = (int) Math.floorMod(epochSecond, 86400L);
        if (day.getYear() < 1000 || day.getYear() > 9999) {
            return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(epochSecond));
        }
        char[] c = new char[20];
        digits(c, 0, day.getYear(), 4);
        c[4] = '-';
        digits(c, 5, day.getMonthValue(), 2);
        c[7] = '-';
        digits(c, 8, day.getDayOfMonth(), 2);
        c[10] = 'T';
        digits(c, 11, second / 3600, 2);
        c[13] = ':';
        digits(c, 14, second / 60 % 60, 2);
        c[16] = ':';
        digits(c, 17, second % 60, 2);
        c[19] = 'Z';
        return new String(c);
    }

    private static void digits(char[] c, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    static String date(LocalDate date) {
        return date + "T00:00:00Z";
    }

    /** A date that the API writes as the year-1 marker when empty (with or without Z). */
    static void writeOrEmpty(JsonGenerator g, String name, long epochSecond, boolean withZ) throws IOException {
        if (epochSecond == TimeRegistration.EMPTY) {
            g.writeStringField(name, withZ ? EMPTY_DATE_Z : EMPTY_DATE);
        } else {
            g.writeStringField(name, instant(epochSecond));
        }
    }

    /** A date that the API writes as null when empty. */
    static void writeOrNull(JsonGenerator g, String name, long epochSecond) throws IOException {
        if (epochSecond == TimeRegistration.EMPTY) {
            g.writeNullField(name);
        } else {
            g.writeStringField(name, instant(epochSecond));
        }
    }

    /**
     * A deleted registration as the API sends it: every field of the record's shape, all null but
     * id, isDeleted, deletedDateTime and modifiedDateTime (= the deletion time).
     */
    static void writeTombstone(JsonGenerator g, java.util.List<String> fields, String id, long modifiedAt, long deletedAt)
            throws IOException {
        g.writeStartObject();
        for (String field : fields) {
            switch (field) {
                case "id" -> g.writeStringField(field, id);
                case "isDeleted" -> g.writeBooleanField(field, true);
                case "deletedDateTime" -> writeOrNull(g, field, deletedAt);
                case "modifiedDateTime" -> writeOrNull(g, field, modifiedAt);
                default -> g.writeNullField(field);
            }
        }
        g.writeEndObject();
    }

    /** {@link #writeText} for each (name, value) pair, in order. */
    static void writeTexts(JsonGenerator g, String... namesAndValues) throws IOException {
        for (int i = 0; i < namesAndValues.length; i += 2) {
            writeText(g, namesAndValues[i], namesAndValues[i + 1]);
        }
    }

    static void writeText(JsonGenerator g, String name, String value) throws IOException {
        if (value == null) {
            g.writeNullField(name);
        } else {
            g.writeStringField(name, value);
        }
    }
}
