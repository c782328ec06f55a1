package no.ditiosync.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static no.ditiosync.simulator.SimClient.TIME;
import static no.ditiosync.simulator.SimClient.USERS;
import static no.ditiosync.simulator.SimClient.params;
import static org.assertj.core.api.Assertions.assertThat;

/** Full mode: windows on work date, ToDateTime inclusive, ordering, ChunkLimit, links.next. */
class FullPassTest {

    static final LocalDate FROM = LocalDate.of(2026, 11, 2);
    static final LocalDate TO = LocalDate.of(2026, 11, 20); // a Friday with registrations

    static SimulatedDitio sim;
    static SimClient client;

    @BeforeAll
    static void start() {
        sim = SimulatedDitio.start(new SimulatorConfig(), 0);
        client = new SimClient(sim);
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @Test
    void fullPassReturnsExactlyTheLiveRegistrationsOfTheWindowInWorkDateAndIdOrder() {
        SimClient.Pass pass = client.pass(TIME, params("FromDateTime", FROM.toString(), "ToDateTime", TO.toString(),
                "ChunkLimit", "1000"));

        List<String> expected = sim.data().liveTimeRegistrations(FROM, TO).stream().map(TimeRegistration::id).toList();
        assertThat(pass.pages()).hasSizeGreaterThan(2);
        assertThat(pass.ids()).containsExactlyElementsOf(expected);
        assertThat(new HashSet<>(pass.ids())).hasSameSizeAs(pass.ids());
        assertThat(pass.records()).anyMatch(r -> r.get("workDate").asText().equals("2026-11-20T00:00:00Z"));
        assertThat(pass.records()).allMatch(r -> {
            String day = r.get("workDate").asText().substring(0, 10);
            return day.compareTo(FROM.toString()) >= 0 && day.compareTo(TO.toString()) <= 0;
        });
        for (JsonNode page : pass.pages()) {
            assertThat(page.get("syncTypeName").asText()).isEqualTo("full");
            assertThat(page.get("recordCount").asInt()).isEqualTo(page.get("data").size());
            assertThat(page.get("deletedRecordCount").asInt()).isZero();
        }
        JsonNode last = pass.pages().get(pass.pages().size() - 1);
        assertThat(last.get("continuationToken").isNull()).isTrue();
        assertThat(last.get("links").get("next").isNull()).isTrue();
    }

    @Test
    void toDateTimeIsInclusiveAndFromDateTimeIsExact() {
        int friday = sim.data().liveTimeRegistrations(TO, TO).size();
        assertThat(friday).isPositive();

        assertThat(count("2026-11-20", "2026-11-20")).isEqualTo(friday);
        assertThat(count("2026-11-20T00:00:00Z", "2026-11-20T00:00:00Z")).isEqualTo(friday);
        assertThat(count("2026-11-19T00:00:00", "2026-11-19T23:59:59")).isEqualTo(
                sim.data().liveTimeRegistrations(TO.minusDays(1), TO.minusDays(1)).size());
        // a From after midnight excludes that day; an offset is honoured (01:00+01:00 is midnight UTC)
        assertThat(count("2026-11-20T00:00:01Z", "2026-11-20T23:00:00Z")).isZero();
        assertThat(count("2026-11-20T01:00:00+01:00", "2026-11-20T01:00:00+01:00")).isEqualTo(friday);
    }

    @Test
    void parameterNamesAreCaseInsensitive() {
        SimClient.Pass pass = client.pass(TIME, params("fromdatetime", "2026-11-16", "TODATETIME", "2026-11-20",
                "chunklimit", "1000"));
        assertThat(pass.ids()).hasSize(sim.data().liveTimeRegistrations(LocalDate.of(2026, 11, 16), TO).size());
        assertThat(pass.pages().get(0).get("data").size()).isEqualTo(1000);
    }

    @Test
    void chunkLimitDefaultsTo2500AndIsClampedInto1To10000() {
        int live = sim.data().liveTimeRegistrations().size();
        assertThat(live).as("the default dataset must exceed 10000 records for this test").isGreaterThan(10000);
        String token = client.token();

        assertThat(firstPage(token, params()).get("data").size()).isEqualTo(2500);
        assertThat(firstPage(token, params("ChunkLimit", "0")).get("data").size()).isEqualTo(1);
        assertThat(firstPage(token, params("ChunkLimit", "-7")).get("data").size()).isEqualTo(1);
        JsonNode big = firstPage(token, params("ChunkLimit", "20000"));
        assertThat(big.get("data").size()).isEqualTo(10000);
        assertThat(big.get("continuationToken").asText()).isNotEmpty();
        assertThat(PageQuery.parseChunkLimit("99999999999999999999")).isEqualTo(10000);
        assertThat(PageQuery.parseChunkLimit("-99999999999999999999")).isEqualTo(1);

        SimClient.Response bad = client.get(TIME, token, params("ChunkLimit", "many"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("message").asText()).contains("ChunkLimit");
    }

    @Test
    void aFullPassWithoutWindowReturnsEverythingOnce() {
        SimClient.Pass pass = client.pass(TIME, params("ChunkLimit", "4000"));
        assertThat(pass.ids()).containsExactlyElementsOf(
                sim.data().liveTimeRegistrations().stream().map(TimeRegistration::id).toList());
    }

    @Test
    void linksNextRepeatsTheParametersAndContinues() {
        String token = client.token();
        JsonNode first = firstPage(token, params("FromDateTime", "2026-11-02", "ToDateTime", "2026-11-06", "ChunkLimit", "100"));
        String next = first.get("links").get("next").asText();
        assertThat(next).startsWith("/v1/time-registrations?FromDateTime=2026-11-02&ToDateTime=2026-11-06&ChunkLimit=100&ContinuationToken=");
        assertThat(next).endsWith(first.get("continuationToken").asText());

        JsonNode second = client.getUrl(sim.reportingBase() + next, token).json();
        assertThat(second.get("data").get(0).get("id").asText())
                .isEqualTo(sim.data().liveTimeRegistrations(FROM, LocalDate.of(2026, 11, 6)).get(100).id());
    }

    @Test
    void dateWindowNeedsBothEndsAndAValidOrder() {
        String token = client.token();
        assertBadRequest(client.get(TIME, token, params("FromDateTime", "2026-11-02")), "ToDateTime");
        assertBadRequest(client.get(TIME, token, params("ToDateTime", "2026-11-02")), "FromDateTime");
        assertBadRequest(client.get(TIME, token, params("FromDateTime", "2026-11-20", "ToDateTime", "2026-11-02")), "after");
        assertBadRequest(client.get(TIME, token, params("FromDateTime", "yesterday", "ToDateTime", "2026-11-02")), "FromDateTime");
    }

    @Test
    void usersFullPassHasEveryUserOnceAndIgnoresTheDateWindow() {
        SimClient.Pass pass = client.pass(USERS, params("ChunkLimit", "70", "FromDateTime", "2026-11-02"));
        assertThat(pass.pages()).hasSize(3);
        Set<String> ids = new HashSet<>(pass.ids());
        assertThat(ids).hasSize(200).hasSize(pass.ids().size());
        assertThat(ids).containsExactlyInAnyOrderElementsOf(sim.data().users().stream().map(DitioUser::id).toList());
    }

    private int count(String from, String to) {
        return client.pass(TIME, params("FromDateTime", from, "ToDateTime", to)).ids().size();
    }

    private JsonNode firstPage(String token, java.util.Map<String, String> params) {
        SimClient.Response r = client.get(TIME, token, params);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    static void assertBadRequest(SimClient.Response r, String messagePart) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().get("error").asText()).isNotBlank();
        assertThat(r.json().get("message").asText()).contains(messagePart);
    }
}
