package no.ditiosync.ledger;

import no.ditiosync.drops.CorrectionRule;
import no.ditiosync.drops.CorrectionStyle;
import no.ditiosync.drops.DropLine;
import no.ditiosync.drops.SapFormat;
import no.ditiosync.drops.VismaFormat;
import no.ditiosync.payroll.PayrollLine;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class LedgerDeltaTest {

    static PayrollLine line(String hours, String wageType) {
        return new PayrollLine("time:r1", "1002", LocalDate.of(2026, 11, 2), wageType, new BigDecimal(hours), "P-1001",
                null, "Betong", "Støping", "time", "r1", null);
    }

    static LedgerEntry holds(String hours, String wageType, String doc, int version) {
        return new LedgerEntry(line(hours, wageType), true, doc, version);
    }

    @Test
    void offsetSendsTheDifferenceOnly() {
        var result = LedgerDelta.of(CorrectionRule.of(CorrectionStyle.OFFSET), line("6.00", "1000"), holds("7.50", "1000", null, 1));
        assertThat(result.lines()).extracting(l -> l.line().quantity()).containsExactly(new BigDecimal("-1.50"));
        assertThat(result.newEntry().line().quantity()).isEqualByComparingTo("6.00");
    }

    @Test
    void offsetReversesAndRebooksWhenTheWageTypeMoves() {
        var result = LedgerDelta.of(CorrectionRule.of(CorrectionStyle.OFFSET), line("7.50", "1100"), holds("7.50", "1000", null, 1));
        assertThat(result.lines()).extracting(l -> l.line().wageType() + " " + l.line().quantity())
                .containsExactly("1000 -7.50", "1100 7.50");
    }

    @Test
    void offsetReversesADeletedLine() {
        var result = LedgerDelta.of(CorrectionRule.of(CorrectionStyle.OFFSET), null, holds("7.50", "1000", null, 1));
        assertThat(result.lines()).extracting(l -> l.line().quantity()).containsExactly(new BigDecimal("-7.50"));
        assertThat(result.newEntry().held()).isFalse();
        // the same deletion seen again changes nothing
        assertThat(LedgerDelta.of(CorrectionRule.of(CorrectionStyle.OFFSET), null, result.newEntry()).changed()).isFalse();
    }

    @Test
    void unchangedLineProducesNothing() {
        for (CorrectionStyle style : CorrectionStyle.values()) {
            assertThat(LedgerDelta.of(CorrectionRule.of(style), line("7.50", "1000"), holds("7.5", "1000", "D", 1)).changed()).isFalse();
        }
    }

    @Test
    void sapCancelsTheEarlierDocumentAndBooksANewOne() {
        String first = LedgerDelta.documentNumber("time:r1", 1);
        var result = LedgerDelta.of(CorrectionRule.of(CorrectionStyle.CANCEL_AND_REBOOK), line("6.00", "1000"), holds("7.50", "1000", first, 1));
        assertThat(result.lines()).containsExactly(
                new DropLine(line("7.50", "1000"), first, true),
                new DropLine(line("6.00", "1000"), LedgerDelta.documentNumber("time:r1", 2), false));
        assertThat(result.newEntry().documentNumber()).isEqualTo(LedgerDelta.documentNumber("time:r1", 2));
    }

    @Test
    void sapOnlyCancelsWhenNoHoursRemain() {
        var result = LedgerDelta.of(CorrectionRule.of(CorrectionStyle.CANCEL_AND_REBOOK), null, holds("7.50", "1000", "DOC-1", 1));
        assertThat(result.lines()).containsExactly(new DropLine(line("7.50", "1000"), "DOC-1", true));
        // booked again later: a new document, never the cancelled number
        var again = LedgerDelta.of(CorrectionRule.of(CorrectionStyle.CANCEL_AND_REBOOK), line("7.50", "1000"), result.newEntry());
        assertThat(again.lines()).extracting(DropLine::documentNumber).containsExactly(LedgerDelta.documentNumber("time:r1", 2));
    }

    @Test
    void documentNumbersAreStableAndShort() {
        String doc = LedgerDelta.documentNumber("time:3f1c0c3e-8a9e-4a43-a0a7-2b1f7d6b7f00", 999999);
        assertThat(doc).hasSizeLessThanOrEqualTo(20).isEqualTo(
                LedgerDelta.documentNumber("time:3f1c0c3e-8a9e-4a43-a0a7-2b1f7d6b7f00", 999999));
        assertThat(LedgerDelta.documentNumber("time:a", 1)).isNotEqualTo(LedgerDelta.documentNumber("time:b", 1));
    }

    @Test
    void anEditedDescriptionRewritesOnlyTheCurrentTruth() {
        PayrollLine edited = new PayrollLine("time:r1", "1002", LocalDate.of(2026, 11, 2), "1000", new BigDecimal("7.50"),
                "P-1001", null, "Betong", "Støping av dekke", "time", "r1", null);
        var truth = LedgerDelta.of(CorrectionRule.of(CorrectionStyle.CURRENT_TRUTH), edited, holds("7.50", "1000", null, 1));
        assertThat(truth.lines()).extracting(l -> l.line().text()).containsExactly("Støping av dekke");
        assertThat(truth.newEntry().version()).isEqualTo(2);
        assertThat(LedgerDelta.of(CorrectionRule.of(CorrectionStyle.OFFSET), edited, holds("7.50", "1000", null, 1)).changed()).isFalse();
        assertThat(LedgerDelta.of(CorrectionRule.of(CorrectionStyle.CANCEL_AND_REBOOK), edited, holds("7.50", "1000", "D", 1)).changed()).isFalse();
        // a control character the table drops is no change of its text
        PayrollLine withNul = new PayrollLine("time:r1", "1002", LocalDate.of(2026, 11, 2), "1000", new BigDecimal("7.50"),
                "P-1001", null, "Betong", "Støping\0", "time", "r1", null);
        assertThat(LedgerDelta.of(CorrectionRule.of(CorrectionStyle.CURRENT_TRUTH), withNul, holds("7.50", "1000", null, 1)).changed()).isFalse();
    }

    /** A line whose task or department alone changed looks the same in a file that shows neither. */
    @Test
    void aDimensionTheDropDoesNotShowIsNoChangeThere() {
        PayrollLine moved = new PayrollLine("time:r1", "1002", LocalDate.of(2026, 11, 2), "1000", new BigDecimal("7.50"),
                "P-1001", "T-2", "Armering", "Støping", "time", "r1", null);
        CorrectionRule sap = CorrectionRule.of(CorrectionStyle.CANCEL_AND_REBOOK, new SapFormat());
        assertThat(LedgerDelta.of(sap, moved, holds("7.50", "1000", "D", 1)).changed()).isFalse();
        assertThat(LedgerDelta.of(sap, moved.withQuantity(new BigDecimal("6.00")), holds("7.50", "1000", "D", 1)).lines())
                .extracting(DropLine::cancellation, l -> l.line().quantity().toPlainString(), l -> l.line().department())
                .containsExactly(tuple(true, "7.50", "Betong"), tuple(false, "6.00", "Armering"));

        CorrectionRule visma = CorrectionRule.of(CorrectionStyle.OFFSET, new VismaFormat());
        assertThat(LedgerDelta.of(visma, moved, holds("7.50", "1000", null, 1)).lines())
                .extracting(l -> l.line().department() + " " + l.line().quantity())
                .containsExactly("Betong -7.50", "Armering 7.50");
        PayrollLine otherTask = line("6.00", "1000");
        otherTask = new PayrollLine(otherTask.lineId(), otherTask.employeeNumber(), otherTask.workDate(), otherTask.wageType(),
                otherTask.quantity(), otherTask.projectNumber(), "T-2", otherTask.department(), otherTask.text(),
                otherTask.source(), otherTask.sourceId(), otherTask.sourceModified());
        assertThat(LedgerDelta.of(visma, otherTask, holds("7.50", "1000", null, 1)).lines())
                .extracting(l -> l.line().quantity()).containsExactly(new BigDecimal("-1.50"));

        assertThat(LedgerDelta.of(CorrectionRule.of(CorrectionStyle.CURRENT_TRUTH), moved, holds("7.50", "1000", null, 1))
                .lines()).extracting(l -> l.line().department()).containsExactly("Armering");
    }

    /**
     * A document number is the same on every machine: on one whose locale is Turkish, upper case made an
     * 'i' a dotted capital I, which SAP's file refuses (and a cancellation written there would not match).
     */
    @Test
    void aDocumentNumberIsAsciiWhateverTheMachinesLocale() {
        java.util.Locale before = java.util.Locale.getDefault();
        java.util.List<String> root = new java.util.ArrayList<>();
        java.util.List<String> turkish = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                java.util.Locale.setDefault(java.util.Locale.ROOT);
                root.add(LedgerDelta.documentNumber("time:r" + i, 1));
                java.util.Locale.setDefault(java.util.Locale.forLanguageTag("tr-TR"));
                turkish.add(LedgerDelta.documentNumber("time:r" + i, 1));
            }
        } finally {
            java.util.Locale.setDefault(before);
        }
        assertThat(root).anyMatch(number -> number.contains("I"));
        assertThat(turkish).isEqualTo(root).allMatch(number -> number.matches("[0-9A-Z]{13}-1"));
    }

    @Test
    void currentTruthCancelsKeepingTheLastLine() {
        var result = LedgerDelta.of(CorrectionRule.of(CorrectionStyle.CURRENT_TRUTH), null, holds("7.50", "1000", null, 3));
        assertThat(result.newEntry().held()).isFalse();
        assertThat(result.newEntry().line().quantity()).isEqualByComparingTo("7.50");
        assertThat(result.lines()).hasSize(1);
    }
}
