package no.ditiosync.ditio;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Ditio's timestamps: UTC ISO-8601, with or without 'Z'; {@code 0001-01-01T00:00:00} means "no value". */
public final class DitioDates {

    private DitioDates() {
    }

    public static boolean isEmpty(String value) {
        return value == null || value.isBlank() || value.startsWith("0001-01-01");
    }

    /** @throws DateTimeParseException for text that is neither empty nor a timestamp */
    public static Instant instant(String value) {
        if (isEmpty(value)) {
            return null;
        }
        String v = value.trim();
        if (v.length() == 10) {
            return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
        }
        char last = v.charAt(v.length() - 1);
        if (last == 'Z' || last == 'z' || hasOffset(v)) {
            return OffsetDateTime.parse(v).toInstant();
        }
        return LocalDateTime.parse(v).toInstant(ZoneOffset.UTC);
    }

    /** The date part of a work date, read in UTC. */
    public static LocalDate date(String value) {
        Instant instant = instant(value);
        return instant == null ? null : LocalDate.ofInstant(instant, ZoneOffset.UTC);
    }

    /** How we send instants to Ditio: second precision, 'Z'. */
    public static String format(Instant instant) {
        return instant.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }

    private static boolean hasOffset(String v) {
        int t = v.indexOf('T');
        return t > 0 && (v.indexOf('+', t) > 0 || v.indexOf('-', t) > 0);
    }
}
