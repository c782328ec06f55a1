package no.ditiosync.ditio;

import java.time.DateTimeException;
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
        Instant usual = usualForm(value);
        if (usual != null) {
            return usual;
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

    /**
     * The day of a work date. Ditio writes UTC; should a server put another offset after a local
     * midnight ({@code 2026-09-28T00:00:00+02:00}), the day is the one written, not the UTC day before.
     */
    public static LocalDate date(String value) {
        if (!isEmpty(value) && value.trim().length() > 20 && hasOffset(value.trim())) {
            return OffsetDateTime.parse(value.trim()).toLocalDate();
        }
        Instant instant = instant(value);
        return instant == null ? null : LocalDate.ofInstant(instant, ZoneOffset.UTC);
    }

    /** How we send instants to Ditio: second precision, 'Z'. */
    public static String format(Instant instant) {
        return instant.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }

    /**
     * The form Ditio sends nearly always, {@code 2026-10-01T06:02:11Z} (or without the Z), read
     * digit by digit: java.time's parser was a visible share of a run's CPU (several timestamps per
     * record). Null for anything else, an impossible date included: the general parse then reads it,
     * or names what is wrong with it.
     */
    private static Instant usualForm(String v) {
        int n = v.length();
        if (!(n == 19 || n == 20 && v.charAt(19) == 'Z') || v.charAt(4) != '-' || v.charAt(7) != '-'
                || v.charAt(10) != 'T' || v.charAt(13) != ':' || v.charAt(16) != ':') {
            return null;
        }
        int year = digits(v, 0, 4);
        int month = digits(v, 5, 2);
        int day = digits(v, 8, 2);
        int hour = digits(v, 11, 2);
        int minute = digits(v, 14, 2);
        int second = digits(v, 17, 2);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException impossible) {
            return null;
        }
    }

    /** The number written by {@code count} ASCII digits at {@code from}, or -1. */
    private static int digits(String v, int from, int count) {
        int n = 0;
        for (int i = from; i < from + count; i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private static boolean hasOffset(String v) {
        int t = v.indexOf('T');
        return t > 0 && (v.indexOf('+', t) > 0 || v.indexOf('-', t) > 0);
    }
}
