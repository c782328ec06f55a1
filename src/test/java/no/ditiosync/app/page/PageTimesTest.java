package no.ditiosync.app.page;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;

/** The operator's page shows times on the company's wall clock. */
class PageTimesTest {

    private static final ZoneId OSLO = ZoneId.of("Europe/Oslo");

    /** In the hour the clock repeats when summer time ends, two runs an hour apart would read alike: the offset tells them apart. */
    @Test
    void inTheHourTheClockRepeatsATimeCarriesItsOffset() {
        assertThat(PageHtml.local(Instant.parse("2026-10-25T00:30:00Z"), OSLO)).isEqualTo("2026-10-25 02:30:00 +02:00");
        assertThat(PageHtml.local(Instant.parse("2026-10-25T01:30:00Z"), OSLO)).isEqualTo("2026-10-25 02:30:00 +01:00");
    }

    @Test
    void anyOtherTimeIsTheWallClockAlone() {
        assertThat(PageHtml.local(Instant.parse("2026-10-25T02:30:00Z"), OSLO)).isEqualTo("2026-10-25 03:30:00");
        assertThat(PageHtml.local(Instant.parse("2026-03-29T01:30:00Z"), OSLO)).isEqualTo("2026-03-29 03:30:00");
        assertThat(PageHtml.local(Instant.parse("2026-11-28T07:04:01Z"), OSLO)).isEqualTo("2026-11-28 08:04:01");
    }
}
