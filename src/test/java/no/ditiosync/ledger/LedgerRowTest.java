package no.ditiosync.ledger;

import no.ditiosync.payroll.PayrollLine;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LedgerRowTest {

    static PayrollLine line(String text) {
        return new PayrollLine("time:r1", "1002", LocalDate.of(2026, 11, 2), "1000", new BigDecimal("7.50"), "P-1001",
                "T-1", "Betong", text, "time", "r1", Instant.parse("2026-11-02T16:00:00Z"));
    }

    /** Stale copies come back as they went in, whenever they fit the column. */
    @Test
    void staleLinesThatFitComeBackWhole() {
        Map<String, LedgerRow.TargetState> targets = new LinkedHashMap<>();
        targets.put("visma", new LedgerRow.TargetState(2, true, null, null));
        targets.put("sap", new LedgerRow.TargetState(1, true, "0ABC-1", line("Støping; \"dekke\" & 50% = ferdig\n~")));

        Map<String, LedgerRow.TargetState> back = LedgerRow.decodeTargets(LedgerRow.encodeTargets(targets),
                LedgerRow.encodeStale(targets));

        assertThat(back).isEqualTo(targets);
    }

    /**
     * Copies whose texts would not fit together (4000 letters of a script URL-encoding writes as nine
     * characters each, for three targets) are kept with their texts cut to a share of the column: every
     * other field whole, the text a whole prefix of code points, the total within the column.
     */
    @Test
    void staleLinesTooLongForTheColumnKeepEveryFieldButTheirTextsWhole() {
        String text = "\u6DF7\u51DD\u571F\uD83D\uDE9A".repeat(1000);
        Map<String, LedgerRow.TargetState> targets = new LinkedHashMap<>();
        for (String target : new String[]{"sap", "visma", "tripletex"}) {
            targets.put(target, new LedgerRow.TargetState(3, true, null, line(text)));
        }

        String stale = LedgerRow.encodeStale(targets);
        Map<String, LedgerRow.TargetState> back = LedgerRow.decodeTargets(LedgerRow.encodeTargets(targets), stale);

        assertThat(stale.length()).isLessThanOrEqualTo(LedgerRow.STALE_WIDTH);
        assertThat(back).containsOnlyKeys("sap", "visma", "tripletex").allSatisfy((target, state) -> {
            assertThat(state.staleLine().withText(null)).isEqualTo(line(null));
            assertThat(text).startsWith(state.staleLine().text());
            assertThat(state.staleLine().text().codePointCount(0, state.staleLine().text().length())).isGreaterThan(400);
            assertThat(Character.isHighSurrogate(state.staleLine().text().charAt(state.staleLine().text().length() - 1))).isFalse();
        });
    }
}
