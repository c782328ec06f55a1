package no.ditiosync.ledger;

import no.ditiosync.payroll.MappingResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A run's lines of one feed come out of the spill in line-id order, each once, the latest arrival
 * winning, whether they stayed in memory or went to sorted scratch files.
 */
class DesiredSpillTest {

    @Test
    void eachLineOnceInOrderTheLatestArrivalWinningAcrossScratchFiles(@TempDir Path dir) throws Exception {
        try (DesiredSpill spill = new DesiredSpill(dir, "time", 3)) {
            long seq = 0;
            // page 1: b, a, c (a full buffer: written out sorted); page 2: c deleted, d, a held back, b again held
            spill.add(state("time:b", seq++, MappingResult.Status.READY));
            spill.add(state("time:a", seq++, MappingResult.Status.READY));
            spill.add(state("time:c", seq++, MappingResult.Status.READY));
            spill.add(state("time:c", seq++, MappingResult.Status.DELETED));
            spill.add(state("time:d", seq++, MappingResult.Status.READY));
            spill.add(state("time:a", seq++, MappingResult.Status.HELD));
            spill.add(state("time:e", seq++, MappingResult.Status.READY));
            try (var files = Files.list(dir)) {
                assertThat(files.count()).as("sorted runs written").isEqualTo(2);
            }

            List<String> out = new ArrayList<>();
            for (Iterator<Desired> it = spill.sorted(); it.hasNext(); ) {
                Desired d = it.next();
                out.add(d.lineId() + " " + d.status() + " " + d.seq());
            }

            assertThat(out).containsExactly("time:a HELD 5", "time:b READY 0", "time:c DELETED 3", "time:d READY 4",
                    "time:e READY 6");
        }
        try (var files = Files.list(dir)) {
            assertThat(files.count()).as("scratch files left").isZero();
        }
    }

    private static Desired state(String lineId, long seq, MappingResult.Status status) {
        return new Desired(lineId, seq, Desired.Kind.LINE, true, status, null, null);
    }
}
