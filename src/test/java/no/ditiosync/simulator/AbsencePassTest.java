package no.ditiosync.simulator;

import no.ditiosync.testing.MutableClock;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import static no.ditiosync.simulator.SimClient.params;
import static org.assertj.core.api.Assertions.assertThat;

/** /v1/absence-registrations pages as time registrations do: date window, incremental order, tombstones, clamping. */
class AbsencePassTest {

    static final String ABSENCES = "/v1/absence-registrations";

    MutableClock clock;
    SimulatedDitio sim;
    SimClient client;
    DitioDataset data;

    @BeforeEach
    void start() {
        clock = new MutableClock(Instant.parse("2026-11-28T08:00:00Z"));
        sim = SimulatedDitio.start(new SimulatorConfig().seed(11).workers(60).clock(clock), 0);
        client = new SimClient(sim);
        data = sim.data();
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    @Test
    void fullPassIsTheLiveAbsencesOfTheWindowInDateAndIdOrderWithToDateTimeInclusive() {
        LocalDate to = data.lastWorkDate().minusDays(7);
        LocalDate from = to.minusDays(14);
        SimClient.Pass pass = client.pass(ABSENCES, params("FromDateTime", from.toString(), "ToDateTime", to.toString(),
                "ChunkLimit", "5"));

        List<String> expected = data.liveAbsences().stream()
                .filter(a -> !a.date().isBefore(from) && !a.date().isAfter(to)).map(Absence::id).toList();
        assertThat(expected).hasSizeGreaterThan(10);
        assertThat(pass.ids()).containsExactlyElementsOf(expected);
        assertThat(pass.records()).anyMatch(r -> r.get("date").asText().equals(to + "T00:00:00Z"));
        assertThat(pass.pages()).allSatisfy(p -> assertThat(p.get("syncTypeName").asText()).isEqualTo("full"));
        JsonNode first = pass.records().get(0);
        assertThat(first.get("absenceTypeCode").asText()).isIn("SYK", "EGM", "BSYK", "FERIE", "VELF");
        assertThat(first.get("qty").decimalValue()).isPositive();
    }

    @Test
    void changesComeBackIncrementallyWithTombstonesAndEqualTimestampsStayOnOnePage() {
        List<Absence> live = data.liveAbsences();
        Instant t = clock.advance(Duration.ofHours(1));
        data.editAbsenceHours(live.get(0).id(), new BigDecimal("3.5"));
        data.unapproveAbsence(live.get(1).id());
        data.deleteAbsence(live.get(2).id());
        clock.advance(Duration.ofSeconds(1));
        Absence late = data.addAbsence(live.get(3).userId(), data.firstWorkDate(), "FERIE", new BigDecimal("7.5"), true);

        // ChunkLimit 0 is clamped to 1; the first three share one second and so one page
        SimClient.Pass pass = client.pass(ABSENCES, params("ModifiedSince", t.toString(), "ChunkLimit", "0"));

        assertThat(pass.pages()).hasSize(2);
        assertThat(pass.pages().get(0).get("data").size()).isEqualTo(3);
        assertThat(pass.pages().get(0).get("deletedRecordCount").asInt()).isEqualTo(1);
        assertThat(pass.ids()).containsExactly(sortedIds(live.subList(0, 3)).get(0), sortedIds(live.subList(0, 3)).get(1),
                sortedIds(live.subList(0, 3)).get(2), late.id());
        JsonNode tombstone = pass.records().stream().filter(r -> r.get("isDeleted").asBoolean()).findFirst().orElseThrow();
        assertThat(tombstone.get("id").asText()).isEqualTo(live.get(2).id());
        assertThat(tombstone.get("deletedDateTime").asText()).isEqualTo(t.toString());
        assertThat(tombstone.get("qty").isNull() && tombstone.get("date").isNull() && tombstone.get("absenceTypeCode").isNull())
                .as("a tombstone carries nothing but id and times").isTrue();

        assertThat(client.pass(ABSENCES, params()).ids()).doesNotContain(live.get(2).id()).contains(late.id());
    }

    @Test
    void theSameSeedGivesTheSameAbsences() {
        try (SimulatedDitio other = SimulatedDitio.start(new SimulatorConfig().seed(11).workers(60).clock(clock), 0)) {
            assertThat(other.data().allAbsences()).isEqualTo(data.allAbsences());
        }
    }

    private static List<String> sortedIds(List<Absence> absences) {
        return absences.stream().map(Absence::id).sorted().toList();
    }
}
