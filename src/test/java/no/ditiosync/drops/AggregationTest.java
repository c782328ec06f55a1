package no.ditiosync.drops;

import static no.ditiosync.drops.Golden.line;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import no.ditiosync.payroll.PayrollLine;
import org.junit.jupiter.api.Test;

class AggregationTest {

    private static final Aggregation SUMMED = Aggregation.PER_EMPLOYEE_WAGE_TYPE_DIMENSIONS;

    @Test
    void perRegistrationLeavesTheLinesAsTheyAre() {
        List<DropLine> lines = List.of(
                DropLine.of(line("1002", "2025-03-03", "1000", "7.5", "P-1001", null, "a")),
                DropLine.of(line("1002", "2025-03-04", "1000", "-1.5", "P-1001", null, "b")));

        assertThat(Aggregation.PER_REGISTRATION.apply(lines)).isEqualTo(lines);
    }

    @Test
    void sumsOneEmployeeWageTypeAndProjectOverTheMonthIncludingCorrections() {
        List<DropLine> out = SUMMED.apply(List.of(
                DropLine.of(line("1002", "2025-03-03", "1000", "7.5", "P-1001", "200", "Støp")),
                DropLine.of(line("1002", "2025-03-04", "1000", "7.25", "P-1001", "200", "Støp")),
                DropLine.of(line("1002", "2025-03-31", "1000", "0.75", "P-1001", "200", "Støp")),
                // an earlier delivery edited from 8.00 to 6.50
                DropLine.of(line("1002", "2025-03-01", "1000", "-1.5", "P-1001", "200", "Støp"))));

        assertThat(out).hasSize(1);
        PayrollLine sum = out.get(0).line();
        assertThat(sum.quantity()).isEqualTo(new BigDecimal("14.00"));
        assertThat(sum.workDate()).isEqualTo(LocalDate.of(2025, 3, 1));
        assertThat(sum.lineId()).isEqualTo("sum:1002:1000:2025-03:P-1001::200");
        assertThat(sum.text()).isEqualTo("Støp");
    }

    @Test
    void linesOfAClosedPeriodAreSummedApartBookedOnTheFirstOpenDayAndLabelledWithTheirMonth() throws IOException {
        LocalDate firstOpen = LocalDate.of(2025, 4, 1); // closed through 2025-03-31
        List<DropLine> out = SUMMED.apply(List.of(
                DropLine.of(line("1002", "2025-04-02", "1000", "7.5", "P-1001", null, "Støp")),
                DropLine.of(line("1002", "2025-03-03", "1000", "-1.5", "P-1001", null, "Støp")).bookedOn(firstOpen),
                DropLine.of(line("1002", "2025-03-04", "1000", "-0.5", "P-1001", null, "Støp")).bookedOn(firstOpen)));

        assertThat(out).extracting(d -> d.line().lineId() + " " + d.line().quantity() + " " + d.booked())
                .containsExactly("sum:1002:1000:2025-03:P-1001:: -2.00 2025-04-01", "sum:1002:1000:2025-04:P-1001:: 7.50 2025-04-01"); // a sum stands for its month
        StringWriter tripletex = new StringWriter();
        for (DropLine d : out) {
            new TripletexFormat().writeLine(d, tripletex);
        }
        assertThat(tripletex.toString()).isEqualTo("2025;04;1002;1000;worked 2025-03: Støp;-2.00;;P-1001;\r\n"
                + "2025;04;1002;1000;Støp;7.50;;P-1001;\r\n");
    }

    @Test
    void eachKeyPartSeparatesLinesOrderedByKeyWhateverTheOrderTheyCameIn() {
        List<DropLine> out = SUMMED.apply(List.of(
                DropLine.of(line("1002", "2025-03-03", "1000", "7.5", "P-1001", null, null)),
                DropLine.of(line("1003", "2025-03-03", "1000", "1.25", "P-1001", null, null)),   // other employee
                DropLine.of(line("1002", "2025-03-03", "1100", "2.5", "P-1001", null, null)),    // other wage type
                DropLine.of(line("1002", "2025-03-03", "1000", "3", "P-2002", null, null)),      // other project
                DropLine.of(line("1002", "2025-03-03", "1000", "4.75", "P-1001", "200", null)),  // other department
                DropLine.of(line("1002", "2025-04-01", "1000", "5", "P-1001", null, null)),      // other month
                DropLine.of(line("1002", "2025-03-20", "1000", "0.5", "P-1001", null, null)),    // back to the first
                DropLine.of(new PayrollLine("time:t", "1002", LocalDate.of(2025, 3, 3), "1000", new BigDecimal("6"),
                        "P-1001", "T-9", null, null, "time", "t", null))));                     // other task

        assertThat(out).extracting(d -> d.line().lineId() + " " + d.line().quantity()).containsExactly(
                "sum:1002:1000:2025-03:P-1001:: 8.00",
                "sum:1002:1000:2025-03:P-1001::200 4.75",
                "sum:1002:1000:2025-03:P-1001:T-9: 6.00",
                "sum:1002:1000:2025-03:P-2002:: 3.00",
                "sum:1002:1000:2025-04:P-1001:: 5.00",
                "sum:1002:1100:2025-03:P-1001:: 2.50",
                "sum:1003:1000:2025-03:P-1001:: 1.25");
    }

    @Test
    void employeeNumbersSortAsNumbersAndWithoutTheTaskTwoTasksAreOneLine() {
        Aggregation.Sums sums = SUMMED.sums(false);
        sums.add(DropLine.of(line("1002", "2025-03-03", "1000", "1", "P", null, null)));
        sums.add(DropLine.of(line("999", "2025-03-03", "1000", "2", "P", null, null)));
        sums.add(DropLine.of(new PayrollLine("time:t", "1002", LocalDate.of(2025, 3, 4), "1000", new BigDecimal("4"),
                "P", "T-9", null, null, "time", "t", null)));

        assertThat(sums.lines()).extracting(d -> d.line().lineId() + " " + d.line().quantity() + " " + d.line().taskNumber())
                .containsExactly("sum:999:1000:2025-03:P:: 2.00 null", "sum:1002:1000:2025-03:P:: 5.00 null");
    }

    @Test
    void settingValuesAreReadCaseInsensitivelyAndAnyOtherIsRefusedNamingTheChoices() {
        assertThat(Aggregation.fromSetting(" Per-Employee-Wage-Type ")).isEqualTo(SUMMED);
        assertThat(Aggregation.fromSetting("per-registration")).isEqualTo(Aggregation.PER_REGISTRATION);
        assertThatThrownBy(() -> Aggregation.fromSetting("monthly")).hasMessage(
                "'monthly' is not one of per-registration, per-employee-wage-type");
    }

    @Test
    void eachLineIsRoundedToTheHundredthBeforeAddingSoBothSettingsPayTheSameTotal() {
        List<DropLine> lines = List.of(
                DropLine.of(line("1002", "2025-03-03", "1000", "0.005", "P", null, null)),
                DropLine.of(line("1002", "2025-03-04", "1000", "0.005", "P", null, null)),
                DropLine.of(line("1002", "2025-03-05", "1000", "0.005", "P", null, null)),
                DropLine.of(line("1002", "2025-03-06", "1000", "7.125", "P", null, null)));

        // per registration the file says 0.01 + 0.01 + 0.01 + 7.13; summing first would say 7.14
        assertThat(SUMMED.apply(lines)).extracting(d -> d.line().quantity()).containsExactly(new BigDecimal("7.16"));
    }

    @Test
    void aKeyThatNetsToZeroIsLeftOut() {
        List<DropLine> out = SUMMED.apply(List.of(
                DropLine.of(line("1002", "2025-03-03", "1000", "7.5", "P-1001", null, null)),
                DropLine.of(line("1002", "2025-03-04", "1000", "2", "P-1001", null, null)),
                DropLine.of(line("1003", "2025-03-03", "1000", "1", "P-1001", null, null)),
                DropLine.of(line("1002", "2025-03-03", "1000", "-9.5", "P-1001", null, null))));

        assertThat(out).extracting(d -> d.line().employeeNumber() + " " + d.line().quantity()).containsExactly("1003 1.00");
        assertThat(SUMMED.apply(List.of())).isEmpty();
    }

    @Test
    void differingTextAndSourceAreDroppedAndTheLatestModificationKept() {
        PayrollLine a = new PayrollLine("time:a", "1002", LocalDate.of(2025, 3, 3), "1000", new BigDecimal("1"), "P", null,
                null, "Støp", "time", "a", Instant.parse("2025-03-05T10:00:00Z"));
        PayrollLine b = new PayrollLine("overtime:b", "1002", LocalDate.of(2025, 3, 4), "1000", new BigDecimal("2"), "P",
                null, null, "Rigg", "overtime", "b", Instant.parse("2025-03-06T10:00:00Z"));
        PayrollLine c = new PayrollLine("time:c", "1002", LocalDate.of(2025, 3, 5), "1000", new BigDecimal("3"), "P",
                null, null, "Støp", "time", "c", null);

        PayrollLine sum = SUMMED.apply(List.of(DropLine.of(a), DropLine.of(b), DropLine.of(c))).get(0).line();

        assertThat(sum.text()).isNull();
        assertThat(sum.source()).isNull();
        assertThat(sum.sourceId()).isNull();
        assertThat(sum.sourceModified()).isEqualTo(Instant.parse("2025-03-06T10:00:00Z"));
        assertThat(sum.quantity()).isEqualTo(new BigDecimal("6.00"));
    }

    @Test
    void anAggregatedLineWritesAsAnyOtherTripletexLine() throws IOException {
        List<DropLine> out = SUMMED.apply(List.of(
                DropLine.of(line("1002", "2025-03-03", "1000", "7.5", "P-1001", "200", "Støp")),
                DropLine.of(line("1002", "2025-03-17", "1000", "7.25", "P-1001", "200", "Støp"))));
        StringWriter file = new StringWriter();
        new TripletexFormat().writeLine(out.get(0), file);

        assertThat(file.toString()).isEqualTo("2025;03;1002;1000;Støp;14.75;;P-1001;200\r\n");
    }

    @Test
    void refusesCancelAndRebookLines() {
        PayrollLine l = line("1002", "2025-03-03", "1000", "7.5", "P-1001", null, null);

        assertThatThrownBy(() -> SUMMED.apply(List.of(new DropLine(l, "D-1", true))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cancel-and-rebook");
        assertThatThrownBy(() -> SUMMED.apply(List.of(new DropLine(l, "D-2", false))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void onlyAnOffsettingFileTargetCanBeAggregated() {
        assertThatThrownBy(() -> new DropTarget("sap", CorrectionStyle.CANCEL_AND_REBOOK, new SapFormat(), Path.of("out"),
                AtomicDropFile.OWNER_ONLY, false, SUMMED)).hasMessage("target sap cannot be aggregated: only offsetting file targets can");
        assertThatThrownBy(() -> new DropTarget(DropTarget.JDBC, CorrectionStyle.CURRENT_TRUTH, null, null, null, false, SUMMED))
                .hasMessage("target jdbc cannot be aggregated: only offsetting file targets can");
        assertThat(new DropTarget("visma", CorrectionStyle.OFFSET, new VismaFormat(), Path.of("out"), AtomicDropFile.OWNER_ONLY,
                false, null).aggregation()).isEqualTo(Aggregation.PER_REGISTRATION);
    }
}
