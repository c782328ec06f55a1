package no.ditiosync.simulator;

import no.ditiosync.testing.MutableClock;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static no.ditiosync.simulator.SimClient.TIME;
import static no.ditiosync.simulator.SimClient.params;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Malformed records on demand: one registration's field served as raw JSON or left out, until clear(). */
class CorruptRecordTest {

    static final Instant T0 = Instant.parse("2026-11-28T08:00:00Z");

    MutableClock clock;
    SimulatedDitio sim;
    SimClient client;
    DitioDataset data;
    TimeRegistration victim;

    @BeforeEach
    void start() {
        clock = new MutableClock(T0);
        sim = SimulatedDitio.start(new SimulatorConfig().seed(3).workers(12).weeks(2).clock(clock), 0);
        client = new SimClient(sim);
        data = sim.data();
        List<TimeRegistration> live = data.liveTimeRegistrations();
        victim = live.get(live.size() / 2); // on a middle page of a pass of 50
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    Map<String, String> full() {
        return params("FromDateTime", data.firstWorkDate().toString(), "ToDateTime", data.lastWorkDate().toString(),
                "ChunkLimit", "50");
    }

    /** The raw bytes of every page of a pass, joined. */
    String rawPass(Map<String, String> parameters) {
        StringBuilder all = new StringBuilder();
        String token = client.token();
        Map<String, String> p = new java.util.LinkedHashMap<>(parameters);
        while (true) {
            SimClient.Response r = client.get(TIME, token, p);
            assertThat(r.status()).isEqualTo(200);
            all.append(r.body()).append('\n');
            JsonNode next = r.json().get("continuationToken");
            if (next.isNull()) {
                return all.toString();
            }
            p.put("ContinuationToken", next.asText());
        }
    }

    /** The JSON object text of one record in a raw pass (records hold no nested objects). */
    static String recordText(String raw, String id) {
        Matcher m = Pattern.compile("\\{\"id\":\"" + Pattern.quote(id) + "\"[^{}]*}").matcher(raw);
        assertThat(m.find()).as("record %s in the pass", id).isTrue();
        return m.group();
    }

    @Test
    void aCorruptedFieldIsServedVerbatimAndEverythingElseByteForByteAsBefore() {
        String before = rawPass(full());
        String original = recordText(before, victim.id());

        sim.faults().corruptRecord(victim.id(), "qty", "-3.5")
                .corruptRecord(victim.id(), "workDate", "\"31.02.2026\"")
                .corruptRecord(victim.id(), "description", "\"=SUM(A1)\\u0007\"")
                .removeField(victim.id(), "userEmployeeNumber");
        String after = rawPass(full());

        String expected = original.replaceFirst("\"qty\":[^,]*,", "\"qty\":-3.5,")
                .replaceFirst("\"workDate\":\"[^\"]*\"", "\"workDate\":\"31.02.2026\"")
                .replaceFirst("\"description\":(null|\"[^\"]*\")", "\"description\":\"=SUM(A1)\\\\u0007\"")
                .replaceFirst(",\"userEmployeeNumber\":(null|\"[^\"]*\")", "");
        assertThat(recordText(after, victim.id())).isEqualTo(expected);
        assertThat(after.replace(expected, original)).as("the rest of the pass is unchanged").isEqualTo(before);

        SimClient.Pass pass = client.pass(TIME, full());
        JsonNode served = pass.records().stream().filter(r -> r.get("id").asText().equals(victim.id())).findFirst()
                .orElseThrow();
        assertThat(served.get("qty").decimalValue()).isEqualByComparingTo("-3.5");
        assertThat(served.get("workDate").asText()).isEqualTo("31.02.2026");
        assertThat(served.get("description").asText()).isEqualTo("=SUM(A1)\u0007");
        assertThat(served.has("userEmployeeNumber")).isFalse();
        assertThat(pass.ids()).hasSize(data.liveTimeRegistrations().size()).doesNotHaveDuplicates();
        // the dataset itself is untouched: the oracles still see the registration whole
        assertThat(data.timeRegistration(victim.id()).orElseThrow().qty()).isEqualByComparingTo(victim.qty());

        sim.faults().clear();
        assertThat(rawPass(full())).isEqualTo(before);
    }

    @Test
    void theIdItselfCanBeCorruptedOrLeftOutAndTheRecordIsStillFoundByItsRealId() {
        sim.faults().corruptRecord(victim.id(), "id", "null");
        SimClient.Pass nullId = client.pass(TIME, full());
        assertThat(nullId.records()).filteredOn(r -> r.get("id").isNull()).singleElement()
                .satisfies(r -> assertThat(r.get("qty").decimalValue()).isEqualByComparingTo(victim.qty()));
        assertThat(nullId.ids()).doesNotContain(victim.id());

        sim.faults().removeField(victim.id(), "id");
        SimClient.Pass noId = client.pass(TIME, full());
        assertThat(noId.records()).filteredOn(r -> !r.has("id")).hasSize(1);
        assertThat(noId.records()).filteredOn(r -> r.has("id")).hasSize(data.liveTimeRegistrations().size() - 1)
                .noneMatch(r -> r.get("id").asText().equals(victim.id()));

        sim.faults().corruptRecord(victim.id(), "id", "\"\"").corruptRecord(victim.id(), "qty", "\"abc\"");
        SimClient.Pass emptyId = client.pass(TIME, full());
        assertThat(emptyId.records()).filteredOn(r -> r.has("id") && r.get("id").asText().isEmpty()).singleElement()
                .satisfies(r -> assertThat(r.get("qty").asText()).isEqualTo("abc"));
    }

    @Test
    void corruptionsApplyInIncrementalPassesToChangesAndTombstonesUntilCleared() {
        Instant since = clock.advance(Duration.ofMinutes(1));
        data.editHours(victim.id(), new BigDecimal("6.5"));
        sim.faults().corruptRecord(victim.id(), "qty", "25").corruptRecord(victim.id(), "modifiedDateTime", "\"yesterday\"");

        SimClient.Pass changes = client.pass(TIME, params("ModifiedSince", since.toString(), "ChunkLimit", "50"));
        assertThat(changes.records()).singleElement().satisfies(r -> {
            assertThat(r.get("id").asText()).isEqualTo(victim.id());
            assertThat(r.get("qty").asInt()).isEqualTo(25);
            assertThat(r.get("modifiedDateTime").asText()).isEqualTo("yesterday");
            assertThat(changes.pages().get(0).get("syncTypeName").asText()).isEqualTo("incremental");
        });

        clock.advance(Duration.ofMinutes(1));
        data.delete(victim.id());
        sim.faults().removeField(victim.id(), "deletedDateTime");
        SimClient.Pass tombstone = client.pass(TIME, params("ModifiedSince", since.toString()));
        assertThat(tombstone.records()).singleElement().satisfies(r -> {
            assertThat(r.get("isDeleted").asBoolean()).isTrue();
            assertThat(r.has("deletedDateTime")).isFalse();
            assertThat(r.get("qty").asInt()).isEqualTo(25);
        });

        sim.faults().clear();
        SimClient.Pass cleared = client.pass(TIME, params("ModifiedSince", since.toString()));
        assertThat(cleared.records()).singleElement().satisfies(r -> {
            assertThat(r.get("qty").isNull()).isTrue();
            assertThat(r.get("deletedDateTime").asText()).isNotEmpty();
            assertThat(r.get("modifiedDateTime").asText()).isNotEqualTo("yesterday");
        });
    }

    @Test
    void aCorruptionReplacesTheEarlierOneOfTheSameFieldAndUnknownIdsAreHarmless() {
        sim.faults().corruptRecord(victim.id(), "qty", "1").corruptRecord(victim.id(), "qty", "2")
                .corruptRecord("00000000-0000-0000-0000-000000000000", "qty", "99");
        SimClient.Pass pass = client.pass(TIME, full());
        assertThat(pass.records()).filteredOn(r -> r.get("id").asText().equals(victim.id())).singleElement()
                .satisfies(r -> assertThat(r.get("qty").asInt()).isEqualTo(2));
        assertThat(pass.records()).noneMatch(r -> r.get("qty").asInt() == 99);
    }

    @Test
    void badArgumentsAreRefusedAtOnce() {
        SimulatorFaults f = sim.faults();
        assertThatThrownBy(() -> f.corruptRecord(victim.id(), "qtty", "1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown field 'qtty'");
        assertThatThrownBy(() -> f.removeField(victim.id(), "nope")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> f.corruptRecord(victim.id(), "qty", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> f.corruptRecord(victim.id(), "qty", "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("removeField");
        assertThatThrownBy(() -> f.corruptRecord(victim.id(), "qty", "1 2")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exactly one JSON value");
        assertThatThrownBy(() -> f.corruptRecord(victim.id(), "qty", "{\"a\":")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a JSON value");
        assertThatThrownBy(() -> f.corruptRecord(victim.id(), "qty", "abc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> f.corruptRecord(" ", "qty", "1")).isInstanceOf(IllegalArgumentException.class);
        // objects and arrays are values too
        f.corruptRecord(victim.id(), "workDate", "{\"date\":[1,2]}");
        JsonNode served = client.pass(TIME, full()).records().stream()
                .filter(r -> r.get("workDate").isObject()).findFirst().orElseThrow();
        assertThat(served.get("workDate").get("date").size()).isEqualTo(2);
    }
}
