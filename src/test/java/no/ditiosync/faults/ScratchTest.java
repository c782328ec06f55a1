package no.ditiosync.faults;

import no.ditiosync.ledger.SyncRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

class ScratchTest {
    @Test
    void scratch503(@TempDir Path dir) throws Exception {
        try (FaultHarness h = new FaultHarness(FaultHarness.company(), dir, Map.of())) {
            h.ditio.faults().atCall(4).failNext(503, 2);
            h.ditio.faults().atCall(6).dropConnectionNext(1);
            h.ditio.faults().atCall(8).slowNext(1000, 1);
            h.ditio.faults().atCall(9).failNext(429, 1, "1");
            long t = System.nanoTime();
            SyncRun run = h.runOnce();
            System.out.println("RUN took " + (System.nanoTime() - t) / 1_000_000 + " ms pages " + run.pages() + " calls " + h.ditio.faults().dataCalls() + " tokens " + h.ditio.tokensIssued());
            h.warnings().forEach(w -> System.out.println("W: " + w));
            System.out.println("EQ " + h.vismaTotals().equals(h.vismaTruth()) + " " + h.sapTotals().equals(h.dayTruth()) + " " + h.jdbcTotals().equals(h.dayTruth()));
        }
    }

    @Test
    void scratchExhausted(@TempDir Path dir) throws Exception {
        try (FaultHarness h = new FaultHarness(FaultHarness.company(), dir, Map.of())) {
            h.ditio.faults().atCall(4).failNext(503, 10);
            try {
                h.runOnce();
                System.out.println("NO FAILURE");
            } catch (RuntimeException e) {
                System.out.println("FAILED: " + e.getClass() + " " + e.getMessage());
            }
            h.warnings().forEach(w -> System.out.println("W: " + w));
            System.out.println("calls " + h.ditio.faults().dataCalls());
            h.runLog().forEach(r -> System.out.println("RUNLOG " + r[0] + " " + r[1]));
            SyncRun run = h.runOnce();
            System.out.println("second " + run.mode() + " EQ " + h.vismaTotals().equals(h.vismaTruth()));
        }
    }

    @Test
    void scratchToken(@TempDir Path dir) throws Exception {
        try (FaultHarness h = new FaultHarness(FaultHarness.company(), dir, Map.of())) {
            h.ditio.faults().tokenFailNext(502, 2);
            SyncRun run = h.runOnce();
            h.warnings().forEach(w -> System.out.println("W: " + w));
            System.out.println("tokens " + h.ditio.tokensIssued());
        }
    }

    @Test
    void scratchBadPage(@TempDir Path dir) throws Exception {
        try (FaultHarness h = new FaultHarness(FaultHarness.company(), dir, Map.of())) {
            h.ditio.faults().atCall(4).malformedJsonNext(1);
            try {
                h.runOnce();
                System.out.println("NO FAILURE");
            } catch (RuntimeException e) {
                System.out.println("FAILED: " + e.getClass() + " " + e.getMessage());
            }
            h.warnings().forEach(w -> System.out.println("W: " + w));
            h.runLog().forEach(r -> System.out.println("RUNLOG " + r[0] + " " + r[1]));
        }
    }
}
