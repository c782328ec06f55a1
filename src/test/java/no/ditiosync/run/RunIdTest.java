package no.ditiosync.run;

import no.ditiosync.drops.AtomicDropFile;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class RunIdTest {

    @Test
    void dropsOfRunsStartedInTheSameSecondSortByName_inTheOrderTheRunsStarted() {
        Random random = new Random(5);
        Instant second = Instant.parse("2026-11-28T12:00:07Z");
        List<String> names = new ArrayList<>();
        for (int millis : new int[] {0, 9, 10, 99, 160, 161, 500, 998, 999}) {
            Instant start = second.plusMillis(millis).plusNanos(123_456);
            String runId = RunStart.runId(start, random);
            assertThat(runId).matches("[0-9a-f]{8}");
            names.add(AtomicDropFile.fileName("sap", "acme", start, runId));
        }
        names.add(AtomicDropFile.fileName("sap", "acme", second.plusSeconds(1), RunStart.runId(second.plusSeconds(1), random)));
        assertThat(names).isSorted();
    }

    @Test
    void idsOfRunsInTheSameMillisecondStillDiffer() {
        Random random = new Random(6);
        Instant start = Instant.parse("2026-11-28T12:00:07.250Z");
        assertThat(java.util.stream.IntStream.range(0, 50).mapToObj(i -> RunStart.runId(start, random)).distinct())
                .hasSize(50).allMatch(id -> id.startsWith("0fa"));
    }
}
