package no.ditiosync.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static no.ditiosync.simulator.SimClient.TIME;
import static no.ditiosync.simulator.SimClient.USERS;
import static no.ditiosync.simulator.SimClient.params;
import static org.assertj.core.api.Assertions.assertThat;

/** What the generated data looks like on the wire: determinism, Norwegian text, empty dates, edge cases. */
class DatasetContentTest {

    static SimulatedDitio sim;
    static SimClient client;
    static List<JsonNode> records;
    static List<JsonNode> users;

    @BeforeAll
    static void start() {
        sim = SimulatedDitio.start(new SimulatorConfig(), 0);
        client = new SimClient(sim);
        records = client.pass(TIME, params("ChunkLimit", "10000")).records();
        users = client.pass(USERS, params()).records();
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @Test
    void sameSeedAndSizeGiveTheSameFirstPageAndAnotherSeedDoesNot() {
        try (SimulatedDitio same = SimulatedDitio.start(new SimulatorConfig(), 0);
             SimulatedDitio other = SimulatedDitio.start(new SimulatorConfig().seed(43), 0)) {
            for (String path : List.of(TIME, USERS)) {
                String a = client.get(path, client.token(), params()).body();
                String b = new SimClient(same).get(path, new SimClient(same).token(), params()).body();
                String c = new SimClient(other).get(path, new SimClient(other).token(), params()).body();
                assertThat(b).isEqualTo(a);
                assertThat(c).isNotEqualTo(a);
            }
        }
    }

    @Test
    void everyRecordHasEveryFieldOfTheContract() {
        assertThat(records).hasSize(sim.data().liveTimeRegistrations().size());
        for (JsonNode r : records.subList(0, 500)) {
            List<String> names = new ArrayList<>();
            r.fieldNames().forEachRemaining(names::add);
            assertThat(names).containsExactlyElementsOf(TimeRegistrationJson.FIELDS);
        }
        assertThat(records).allMatch(r -> r.get("id").asText().matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
        assertThat(records).allMatch(r -> r.get("projectNumber").asText().matches("P-10[0-4][0-9]"));
        assertThat(records).anyMatch(r -> r.get("taskWbsNumber").asText().equals("9001"));
        assertThat(records).anyMatch(r -> r.get("taskWbsNumber").asText().matches("\\d\\.\\d\\.\\d"));
        assertThat(records).anyMatch(r -> !r.get("resourceId").isNull());
        assertThat(records).anyMatch(r -> r.get("description").asText().contains(";"));
        assertThat(records).anyMatch(r -> r.get("description").asText().contains("\""));
        assertThat(records).allMatch(r -> r.get("qty").decimalValue().remainder(new java.math.BigDecimal("0.25")).signum() == 0);
        assertThat(users).allMatch(u -> !u.get("id").asText().equals(u.get("identityUserId").asText()));
    }

    @Test
    void workDaysSumToAboutSevenAndAHalfHours() {
        Map<String, Double> perWorkerDay = records.stream().collect(Collectors.groupingBy(
                r -> r.get("userId").asText() + r.get("workDate").asText(),
                Collectors.summingDouble(r -> r.get("qty").asDouble())));
        double average = perWorkerDay.values().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertThat(average).isBetween(7.0, 8.5);
        Map<String, Long> perDayCount = records.stream().collect(Collectors.groupingBy(
                r -> r.get("userId").asText() + r.get("workDate").asText(), Collectors.counting()));
        assertThat(perDayCount.values()).allMatch(n -> n >= 1 && n <= 3);
        assertThat(records).allMatch(r -> {
            LocalDate day = LocalDate.parse(r.get("workDate").asText().substring(0, 10));
            return day.getDayOfWeek().getValue() <= 5;
        });
    }

    @Test
    void aboutThreePercentCarryNoEmployeeNumberOnRegistrationsAndOnePercentHaveNoneAtAll() {
        Map<String, JsonNode> userByIdentity = users.stream()
                .collect(Collectors.toMap(u -> u.get("identityUserId").asText(), Function.identity()));
        Set<String> withoutNumberOnRegistrations = records.stream()
                .filter(r -> r.get("userEmployeeNumber").isNull() || r.get("userEmployeeNumber").asText().isEmpty())
                .map(r -> r.get("userId").asText()).collect(Collectors.toSet());

        long resolvable = withoutNumberOnRegistrations.stream()
                .filter(id -> !userByIdentity.get(id).get("employeeNumber").isNull()).count();
        long nowhere = users.stream().filter(u -> u.get("employeeNumber").isNull()).count();
        assertThat(resolvable).isEqualTo(6); // 3% of 200
        assertThat(nowhere).isEqualTo(2);    // 1% of 200
        assertThat(withoutNumberOnRegistrations).hasSize(8);
        assertThat(records).anyMatch(r -> r.get("userEmployeeNumber").isNull())
                .anyMatch(r -> "".equals(r.get("userEmployeeNumber").asText(null)));
        assertThat(users).filteredOn(u -> !u.get("employeeNumber").isNull())
                .allMatch(u -> u.get("employeeNumber").asText().matches("\\d{4,}"));
    }

    @Test
    void emptyDatesAreTheYearOneMarkerWithAndWithoutZ() {
        List<JsonNode> unapproved = records.stream().filter(r -> !r.get("approved").asBoolean()).toList();
        assertThat(unapproved).isNotEmpty();
        assertThat(unapproved).allMatch(r -> r.get("approvedDateTime").asText().startsWith("0001-01-01T00:00:00"));
        Set<String> markers = records.stream().map(r -> r.get("lockedDateTime").asText())
                .filter(s -> s.startsWith("0001")).collect(Collectors.toSet());
        assertThat(markers).containsExactlyInAnyOrder("0001-01-01T00:00:00", "0001-01-01T00:00:00Z");
        assertThat(users).allMatch(u -> u.get("endDate").asText().equals("0001-01-01T00:00:00"));
    }

    @Test
    void approvalStateFollowsTheAgeOfTheWeekAndApprovalsComeInBulk() {
        LocalDate last = sim.data().lastWorkDate();
        List<TimeRegistration> all = sim.data().liveTimeRegistrations();
        List<TimeRegistration> old = all.stream().filter(r -> r.workDate().isBefore(last.minusDays(18))).toList();
        assertThat(old).isNotEmpty().allMatch(r -> r.approved() && r.payrollApproved());
        assertThat(old).anyMatch(TimeRegistration::locked).anyMatch(r -> !r.locked());
        List<TimeRegistration> previousWeek = all.stream()
                .filter(r -> r.workDate().isAfter(last.minusDays(12)) && r.workDate().isBefore(last.minusDays(4))).toList();
        assertThat(previousWeek).isNotEmpty().allMatch(TimeRegistration::approved)
                .anyMatch(TimeRegistration::payrollApproved).anyMatch(r -> !r.payrollApproved());
        List<TimeRegistration> lastDays = all.stream().filter(r -> r.workDate().isAfter(last.minusDays(2))).toList();
        assertThat(lastDays.stream().filter(r -> !r.approved()).count()).isGreaterThan(lastDays.size() * 3L / 4);

        Map<String, Long> perTimestamp = records.stream()
                .collect(Collectors.groupingBy(r -> r.get("modifiedDateTime").asText(), Collectors.counting()));
        assertThat(perTimestamp.values().stream().mapToLong(Long::longValue).max().orElseThrow()).isGreaterThanOrEqualTo(300);
        assertThat(records).allMatch(r -> r.get("modifiedDateTime").asText().compareTo("2026-11-28T06:30:00Z") <= 0);
    }

    @Test
    void norwegianLettersSurviveAsUtf8() throws CharacterCodingException {
        SimClient.Response r = client.get(TIME, client.token(), params("ChunkLimit", "500"));
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("utf-8"));
        StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .decode(java.nio.ByteBuffer.wrap(r.bytes()));
        String body = r.body();
        assertThat(body).contains("Nordbygg Entreprenør AS").doesNotContain("\\u00");
        assertThat(body).containsPattern("[æøåÆØÅ]");
        Collection<String> names = users.stream().map(u -> u.get("name").asText()).toList();
        assertThat(String.join(",", names)).contains("Ø", "å", "æ");
        assertThat(records.stream().map(r2 -> r2.get("projectName").asText()).collect(Collectors.toSet()))
                .anyMatch(n -> n.contains("Å") || n.contains("å"));
    }

    @Test
    void workersScaleTheDatasetAsTheBenchSizesItsRuns() {
        // bench/run sizes its datasets by workers (1,700 for about 100k registrations, 16,000 for about 1M);
        // how fast they are generated is measured there, not asserted here
        DitioDataset dataset = DitioDataset.generate(new SimulatorConfig().workers(1600));
        assertThat(dataset.liveTimeRegistrations().size()).isBetween(85_000, 110_000);
    }
}
