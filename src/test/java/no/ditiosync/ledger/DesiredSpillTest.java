package no.ditiosync.ledger;

import no.ditiosync.payroll.MappingResult;
import no.ditiosync.payroll.PayrollLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;

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

    @Test
    void whatComesBackFromAScratchFileIsExactlyWhatWasAdded(@TempDir Path dir) throws Exception {
        String guid = "0000a3a0-9dff-4899-a409-35e5372aed00";
        String user = "f2c787bb-7e4c-4aab-a1ab-6c164cb1194a";
        PayrollLine line = new PayrollLine("time:" + guid, "1116", LocalDate.of(2026, 10, 27), "1000",
                new BigDecimal("4.50"), "P-1016", "1.1.4", "Rør og VVS", "€".repeat(4000), "time", guid,
                Instant.parse("2026-11-05T12:21:36.5Z"));
        PayrollLine part = new PayrollLine("payroll-lines:" + guid + ":overtime", "42", null, "1200",
                new BigDecimal("-0.25"), null, "", null, "", "payroll-lines", guid + ":overtime", null);
        List<Desired> added = List.of(
                // the registration's employee number is the line's, or missing, or another one
                new Desired("time:" + guid, 0, Desired.Kind.LINE, true, MappingResult.Status.READY, line,
                        new LedgerRow.MappingInputs(user, "1116", "projectId=" + guid)),
                new Desired("time:b", 1, Desired.Kind.LINE, false, MappingResult.Status.READY,
                        withId(line, "time:b"), new LedgerRow.MappingInputs(user, null, null)),
                new Desired("time:c", 2, Desired.Kind.LINE, true, MappingResult.Status.READY,
                        withId(line, "time:c"), new LedgerRow.MappingInputs(null, "01116", "")),
                new Desired("payroll-lines:" + guid + ":", 3, Desired.Kind.PARENT, true, null, null, null),
                new Desired(part.lineId(), 4, Desired.Kind.LINE, false, MappingResult.Status.READY, part,
                        new LedgerRow.MappingInputs(user.toUpperCase(), "42", null)),
                new Desired("time:d", 1L << 40, Desired.Kind.LINE, true, MappingResult.Status.QUARANTINED, null, null),
                new Desired("time:e", 6, Desired.Kind.LINE, false, MappingResult.Status.DELETED, null, null));
        List<Desired> back = new ArrayList<>();
        try (DesiredSpill spill = new DesiredSpill(dir, "time", 1)) { // every entry in a scratch file of its own
            added.forEach(spill::add);
            spill.sorted().forEachRemaining(back::add);
        }

        assertThat(back).containsExactlyInAnyOrderElementsOf(added);
        assertThat(back.stream().filter(d -> d.seq() == 0).findFirst().orElseThrow().line().quantity().toPlainString())
                .isEqualTo("4.50");
    }

    @Test
    void aDitioTimeRegistrationTakesAboutHalfTheScratchItTookBefore(@TempDir Path dir) throws Exception {
        // a full run's spill: 250 bytes a record in the layout before
        int records = 1000;
        try (DesiredSpill spill = new DesiredSpill(dir, "time", records)) {
            for (int i = 0; i < records; i++) {
                String id = UUID.nameUUIDFromBytes(new byte[]{(byte) i, (byte) (i >> 8)}).toString();
                String user = UUID.nameUUIDFromBytes(new byte[]{(byte) (i % 97)}).toString();
                String employee = String.valueOf(1000 + i % 97);
                spill.add(new Desired("time:" + id, 50_000 + i, Desired.Kind.LINE, true, MappingResult.Status.READY,
                        new PayrollLine("time:" + id, employee, LocalDate.of(2026, 10, 19).plusDays(i % 40), "1000",
                                new BigDecimal("7.25"), "P-1016", "1.1.4", "Rør og VVS", "Montering av \"Ø-blokk\" vinduer",
                                "time", id, Instant.parse("2026-11-05T12:21:36Z")),
                        new LedgerRow.MappingInputs(user, employee, "projectId=" + user)));
            }
            try (var files = Files.list(dir)) {
                assertThat(files.mapToLong(f -> f.toFile().length()).sum() / records).isLessThanOrEqualTo(160);
            }
        }
    }

    private static PayrollLine withId(PayrollLine l, String lineId) {
        int colon = lineId.indexOf(':');
        return new PayrollLine(lineId, l.employeeNumber(), l.workDate(), l.wageType(), l.quantity(), l.projectNumber(),
                l.taskNumber(), l.department(), l.text(), lineId.substring(0, colon), lineId.substring(colon + 1),
                l.sourceModified());
    }

    private static Desired state(String lineId, long seq, MappingResult.Status status) {
        return new Desired(lineId, seq, Desired.Kind.LINE, true, status, null, null);
    }
}
