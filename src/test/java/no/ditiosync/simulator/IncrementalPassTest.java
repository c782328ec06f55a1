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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static no.ditiosync.simulator.FullPassTest.assertBadRequest;
import static no.ditiosync.simulator.SimClient.TIME;
import static no.ditiosync.simulator.SimClient.USERS;
import static no.ditiosync.simulator.SimClient.params;
import static org.assertj.core.api.Assertions.assertThat;

/** Incremental mode: timestamp-preserving pages, tombstones, ModifiedBefore, token modes, mutations. */
class IncrementalPassTest {

    static final Instant T0 = Instant.parse("2026-11-28T08:00:00Z");

    MutableClock clock;
    SimulatedDitio sim;
    SimClient client;
    DitioDataset data;

    @BeforeEach
    void start() {
        clock = new MutableClock(T0);
        sim = SimulatedDitio.start(new SimulatorConfig().seed(11).workers(60).clock(clock), 0);
        client = new SimClient(sim);
        data = sim.data();
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    @Test
    void aBulkApprovalMakesOnePageLargerThanChunkLimitAndNothingIsLostOrRepeated() {
        List<TimeRegistration> live = data.liveTimeRegistrations();
        Instant t1 = clock.now();
        live.subList(0, 20).forEach(r -> data.editHours(r.id(), new BigDecimal("7.25")));
        Instant t2 = clock.advance(Duration.ofSeconds(1));
        List<String> bulk = live.subList(100, 400).stream().map(TimeRegistration::id).toList();
        data.payrollApprove(bulk);
        clock.advance(Duration.ofSeconds(1));
        live.subList(500, 510).forEach(r -> data.delete(r.id()));

        SimClient.Pass pass = client.pass(TIME, params("ModifiedSince", t1.toString(), "ChunkLimit", "50"));

        assertThat(pass.pages()).hasSize(2);
        JsonNode first = pass.pages().get(0);
        assertThat(first.get("data").size()).isEqualTo(320).isGreaterThan(50);
        assertThat(first.get("recordCount").asInt()).isEqualTo(320);
        assertThat(first.get("syncTypeName").asText()).isEqualTo("incremental");
        assertThat(pass.pages().get(1).get("deletedRecordCount").asInt()).isEqualTo(10);
        assertThat(pass.ids()).doesNotHaveDuplicates().hasSize(330);
        Set<String> expected = new HashSet<>(bulk);
        live.subList(0, 20).forEach(r -> expected.add(r.id()));
        live.subList(500, 510).forEach(r -> expected.add(r.id()));
        assertThat(pass.ids()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(pass.records().stream().filter(r -> bulk.contains(r.get("id").asText())))
                .allMatch(r -> r.get("modifiedDateTime").asText().equals(t2.toString())
                        && r.get("payrollApprovedDateTime").asText().equals(t2.toString())
                        && r.get("payrollApproved").asBoolean());
    }

    @Test
    void anIncrementalPassOverTheWholeHistoryNeverSplitsATimestamp() {
        data.randomMutations(new Random(5), 40);

        SimClient.Pass pass = client.pass(TIME, params("ModifiedSince", "2000-01-01", "ChunkLimit", "50"));

        List<String> all = data.allTimeRegistrations().stream().map(TimeRegistration::id).toList();
        assertThat(pass.ids()).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all);
        Map<String, Integer> pageOfTimestamp = new HashMap<>();
        String previous = "";
        boolean someLargePage = false;
        for (int i = 0; i < pass.pages().size(); i++) {
            JsonNode page = pass.pages().get(i);
            someLargePage |= page.get("data").size() > 50;
            for (JsonNode r : page.get("data")) {
                String modified = r.get("modifiedDateTime").asText();
                assertThat(modified).isGreaterThanOrEqualTo(previous);
                previous = modified;
                Integer seenOn = pageOfTimestamp.putIfAbsent(modified, i);
                assertThat(seenOn == null || seenOn == i).as("timestamp %s split over pages", modified).isTrue();
            }
        }
        assertThat(someLargePage).as("generated bulk approvals give pages above ChunkLimit").isTrue();
    }

    @Test
    void tombstonesAppearOnlyInIncrementalModeWithEveryOtherFieldEmpty() {
        TimeRegistration victim = data.liveTimeRegistrations().get(42);
        Instant deletedAt = clock.advance(Duration.ofMinutes(5));
        data.delete(victim.id());
        String day = victim.workDate().toString();

        SimClient.Pass full = client.pass(TIME, params("FromDateTime", day, "ToDateTime", day));
        assertThat(full.ids()).doesNotContain(victim.id());
        assertThat(full.records()).noneMatch(r -> r.get("isDeleted").asBoolean());

        SimClient.Pass incremental = client.pass(TIME, params("ModifiedSince", deletedAt.toString()));
        assertThat(incremental.pages().get(0).get("deletedRecordCount").asInt()).isEqualTo(1);
        JsonNode tombstone = incremental.records().get(0);
        assertThat(tombstone.get("id").asText()).isEqualTo(victim.id());
        assertThat(tombstone.get("isDeleted").asBoolean()).isTrue();
        assertThat(tombstone.get("deletedDateTime").asText()).isEqualTo(deletedAt.toString());
        assertThat(tombstone.get("modifiedDateTime").asText()).isEqualTo(deletedAt.toString());
        List<String> names = new ArrayList<>();
        tombstone.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyElementsOf(TimeRegistrationJson.FIELDS);
        names.stream().filter(n -> !Set.of("id", "isDeleted", "deletedDateTime", "modifiedDateTime").contains(n))
                .forEach(n -> assertThat(tombstone.get(n).isNull()).as(n).isTrue());
        // the oracle still knows the last version
        assertThat(data.timeRegistration(victim.id()).orElseThrow().isDeleted()).isTrue();
        assertThat(data.liveTimeRegistrations()).extracting(TimeRegistration::id).doesNotContain(victim.id());
    }

    @Test
    void aTokenFromOneModeIsRejectedInTheOther() {
        String token = client.token();
        String fullToken = client.get(TIME, token, params("ChunkLimit", "10")).json().get("continuationToken").asText();
        String incToken = client.get(TIME, token, params("ModifiedSince", "2000-01-01", "ChunkLimit", "10"))
                .json().get("continuationToken").asText();
        String userToken = client.get(USERS, token, params("ChunkLimit", "10")).json().get("continuationToken").asText();

        assertBadRequest(client.get(TIME, token, params("ModifiedSince", "2000-01-01", "ContinuationToken", fullToken)),
                "full");
        assertBadRequest(client.get(TIME, token, params("ContinuationToken", incToken)), "incremental");
        assertBadRequest(client.get(TIME, token, params("ContinuationToken", userToken)), "another endpoint");
        assertBadRequest(client.get(TIME, token, params("ContinuationToken", "not-a-token")), "ContinuationToken");
        // the right token in the right mode continues
        assertThat(client.get(TIME, token, params("ModifiedSince", "2000-01-01", "ContinuationToken", incToken)).status())
                .isEqualTo(200);
    }

    @Test
    void modifiedBeforeClosesTheWindowAndNeedsALaterModifiedSince() {
        List<TimeRegistration> live = data.liveTimeRegistrations();
        Instant t1 = clock.now();
        data.editHours(live.get(1).id(), new BigDecimal("1.5"));
        Instant t2 = clock.advance(Duration.ofSeconds(10));
        data.editHours(live.get(2).id(), new BigDecimal("2.5"));
        Instant t3 = clock.advance(Duration.ofSeconds(10));
        data.editHours(live.get(3).id(), new BigDecimal("3.5"));

        assertThat(client.pass(TIME, params("ModifiedSince", t1.toString(), "ModifiedBefore", t3.toString())).ids())
                .containsExactly(live.get(1).id(), live.get(2).id());
        assertThat(client.pass(TIME, params("ModifiedSince", t2.toString(), "ModifiedBefore", t3.toString())).ids())
                .containsExactly(live.get(2).id());
        assertThat(client.pass(TIME, params("modifiedSince", t2.toString())).ids())
                .containsExactly(live.get(2).id(), live.get(3).id());

        String token = client.token();
        assertBadRequest(client.get(TIME, token, params("ModifiedBefore", t3.toString())), "needs ModifiedSince");
        assertBadRequest(client.get(TIME, token, params("ModifiedSince", t2.toString(), "ModifiedBefore", t2.toString())),
                "later");
        assertBadRequest(client.get(TIME, token, params("ModifiedSince", t3.toString(), "ModifiedBefore", t1.toString())),
                "later");
    }

    @Test
    void approvalsEditsAndLateRegistrationsComeBackWithTheirNewState() {
        TimeRegistration open = data.liveTimeRegistrations().stream().filter(r -> !r.approved()).findFirst().orElseThrow();
        TimeRegistration paid = data.liveTimeRegistrations().stream().filter(TimeRegistration::locked).findFirst().orElseThrow();
        Instant t = clock.advance(Duration.ofHours(1));
        data.approve(open.id());
        data.unapprove(paid.id());
        DitioUser user = data.users().get(0);
        TimeRegistration late = data.addRegistration(user.identityUserId(), data.firstWorkDate(), new BigDecimal("3.75"), true);

        Map<String, JsonNode> changed = client.pass(TIME, params("ModifiedSince", t.toString())).records().stream()
                .collect(Collectors.toMap(r -> r.get("id").asText(), r -> r));
        assertThat(changed).containsOnlyKeys(open.id(), paid.id(), late.id());
        assertThat(changed.get(open.id()).get("approved").asBoolean()).isTrue();
        assertThat(changed.get(open.id()).get("approvedDateTime").asText()).isEqualTo(t.toString());
        assertThat(changed.get(paid.id()).get("approved").asBoolean()).isFalse();
        assertThat(changed.get(paid.id()).get("payrollApproved").asBoolean()).isFalse();
        assertThat(changed.get(paid.id()).get("locked").asBoolean()).isFalse();
        assertThat(changed.get(paid.id()).get("payrollApprovedDateTime").asText()).startsWith("0001-01-01T00:00:00");
        JsonNode lateJson = changed.get(late.id());
        assertThat(lateJson.get("workDate").asText()).isEqualTo(data.firstWorkDate() + "T00:00:00Z");
        assertThat(lateJson.get("qty").decimalValue()).isEqualByComparingTo("3.75");
        assertThat(lateJson.get("payrollApproved").asBoolean()).isTrue();
        assertThat(lateJson.get("userId").asText()).isEqualTo(user.identityUserId());
        assertThat(lateJson.get("createdDateTime").asText()).isEqualTo(t.toString());

        // the late registration is also in a full pass of its old work date
        String day = data.firstWorkDate().toString();
        assertThat(client.pass(TIME, params("FromDateTime", day, "ToDateTime", day)).ids()).contains(late.id());
    }

    @Test
    void randomMutationsShowUpInTheNextIncrementalPassAndFullPassesStayExact() {
        Instant t = clock.advance(Duration.ofHours(2));
        List<String> done = data.randomMutations(new Random(99), 60);
        assertThat(done).hasSize(60);
        assertThat(String.join("\n", done)).contains("edit ", "add ");

        Set<String> changedIds = data.allTimeRegistrations().stream()
                .filter(r -> !r.modifiedDateTime().isBefore(t)).map(TimeRegistration::id).collect(Collectors.toSet());
        assertThat(changedIds).isNotEmpty();
        assertThat(client.pass(TIME, params("ModifiedSince", t.toString(), "ChunkLimit", "7")).ids())
                .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(changedIds);
        assertThat(client.pass(TIME, params("ChunkLimit", "999")).ids())
                .containsExactlyElementsOf(data.liveTimeRegistrations().stream().map(TimeRegistration::id).toList());
    }

    @Test
    void sameMutationSeedGivesTheSameChoices() {
        SimulatedDitio other = SimulatedDitio.start(new SimulatorConfig().seed(11).workers(60).clock(clock), 0);
        try {
            assertThat(data.randomMutations(new Random(3), 25))
                    .isEqualTo(other.data().randomMutations(new Random(3), 25));
        } finally {
            other.close();
        }
    }

    @Test
    void usersComeBackIncrementallyWhenTheirEmployeeNumberChanges() {
        DitioUser user = data.users().stream().filter(u -> u.employeeNumber() == null).findFirst().orElseThrow();
        Instant t = clock.advance(Duration.ofDays(1));
        data.setEmployeeNumber(user.identityUserId(), "4711");

        SimClient.Pass pass = client.pass(USERS, params("ModifiedSince", t.toString()));
        assertThat(pass.records()).hasSize(1);
        JsonNode row = pass.records().get(0);
        assertThat(row.get("identityUserId").asText()).isEqualTo(user.identityUserId());
        assertThat(row.get("employeeNumber").asText()).isEqualTo("4711");
        assertThat(row.get("modifiedDateTime").asText()).isEqualTo(t.toString());
        assertThat(pass.pages().get(0).get("syncTypeName").asText()).isEqualTo("incremental");

        SimClient.Pass all = client.pass(USERS, params("ModifiedSince", "2000-01-01", "ChunkLimit", "5"));
        assertThat(all.ids()).doesNotHaveDuplicates().hasSize(60);
    }

    @Test
    void mutationsRejectUnknownAndDeletedRecords() {
        TimeRegistration r = data.liveTimeRegistrations().get(0);
        data.delete(r.id());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> data.editHours(r.id(), BigDecimal.ONE))
                .isInstanceOf(IllegalStateException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> data.approve("00000000-0000-4000-8000-000000000000"))
                .isInstanceOf(java.util.NoSuchElementException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> data.payrollApprove(List.of(data.liveTimeRegistrations().get(0).id(), r.id())))
                .isInstanceOf(IllegalStateException.class);
        assertThat(data.liveTimeRegistrations().get(0).payrollApproved() && data.liveTimeRegistrations().get(0)
                .payrollApprovedDateTime().equals(clock.now())).as("all-or-nothing").isFalse();
        assertThat(LocalDate.of(2026, 11, 27)).isEqualTo(data.lastWorkDate());
    }
}
