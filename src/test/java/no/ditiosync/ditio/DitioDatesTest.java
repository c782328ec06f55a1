package no.ditiosync.ditio;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.format.DateTimeParseException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Ditio's timestamps: the usual form read by hand must read exactly as java.time reads it. */
class DitioDatesTest {

    @ParameterizedTest
    @CsvSource({
            "2026-10-01T06:02:11Z,       2026-10-01T06:02:11Z",
            "2026-10-01T06:02:11,        2026-10-01T06:02:11Z",
            "2024-02-29T23:59:59Z,       2024-02-29T23:59:59Z",
            "2026-10-01,                 2026-10-01T00:00:00Z",
            "2026-10-01T06:02:11.5Z,     2026-10-01T06:02:11.500Z",
            "2026-10-01T08:02:11+02:00,  2026-10-01T06:02:11Z",
            "' 2026-10-01T06:02:11Z ',   2026-10-01T06:02:11Z",
            "2026-10-01T06:02:11z,       2026-10-01T06:02:11Z"})
    void readsTheUsualAndTheOtherForms(String text, String expected) {
        assertThat(DitioDates.instant(text)).isEqualTo(Instant.parse(expected));
    }

    /** A work date is a calendar day: the day as written, whatever offset a server puts after it. */
    @ParameterizedTest
    @CsvSource({
            "2026-09-28T00:00:00Z,               2026-09-28",
            "2026-09-28T00:00:00,                2026-09-28",
            "2026-09-28,                         2026-09-28",
            "2026-09-28T00:00:00.0000000Z,       2026-09-28",
            "2026-09-28T00:00:00+00:00,          2026-09-28",
            "2026-09-28T00:00:00.0000000+02:00,  2026-09-28",
            "2026-09-28T00:00:00+02:00,          2026-09-28",
            "2026-09-28T23:00:00-05:00,          2026-09-28"})
    void aWorkDateIsTheDayAsWritten(String text, String expected) {
        assertThat(DitioDates.date(text)).isEqualTo(java.time.LocalDate.parse(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0001-01-01T00:00:00", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00.0000000",
            "0001-01-01T00:00:00.0000000Z", "0001-01-01T00:00:00+00:00", "", "  "})
    void noValueIsEmpty(String text) {
        assertThat(DitioDates.instant(text)).isNull();
        assertThat(DitioDates.date(text)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-02-30T06:02:11Z", "2026-13-01T06:02:11Z", "2026-10-01T24:00:00Z", "2026-1O-01T06:02:11Z",
            "2026/10/01T06:02:11Z", "yesterday"})
    void anImpossibleOrForeignTimestampIsAParseErrorNamingIt(String text) {
        assertThatThrownBy(() -> DitioDates.instant(text)).isInstanceOf(DateTimeParseException.class)
                .satisfies(e -> assertThat(((DateTimeParseException) e).getParsedString()).isEqualTo(text));
    }
}
