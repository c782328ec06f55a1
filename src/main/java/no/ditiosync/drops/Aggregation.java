package no.ditiosync.drops;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import no.ditiosync.payroll.PayrollLine;

/**
 * How many lines a run's drop has (payroll-formats.md, "Visma": "one line per payroll line, or
 * aggregated per employee × wage type × dimensions, a setting"). Pure: it turns the run's delta
 * lines into the lines to write and touches neither the ledger nor a file. The ledger stays per
 * registration either way; only the file is summed.
 *
 * <p>Only for offsetting targets (Visma, Tripletex, CSV): a cancel-and-rebook target (SAP) names
 * each line version by its document number, which a sum would lose, so such lines are refused.
 */
public enum Aggregation {

    /** One line per delta line, as delivered by the ledger. */
    PER_REGISTRATION,

    /**
     * One line per employee × wage type × dimensions (project, task, department) × work month.
     * The month is part of the key because Tripletex books each line into the YEAR/MONTH it
     * carries; for Visma, which has no date, a run spanning two months merely gets two lines.
     */
    PER_EMPLOYEE_WAGE_TYPE_DIMENSIONS;

    /**
     * @param lines the run's delta lines for one target, in delivery order (negative = correction)
     * @return the lines to write: the same list for {@link #PER_REGISTRATION}; otherwise one sum per
     *         key in order of first appearance, groups that net to zero left out (they pay nothing)
     */
    public List<DropLine> apply(List<DropLine> lines) {
        if (this == PER_REGISTRATION) {
            return List.copyOf(lines);
        }
        Map<Key, Sum> sums = new LinkedHashMap<>();
        for (DropLine drop : lines) {
            if (drop.cancellation() || drop.documentNumber() != null) {
                throw new IllegalArgumentException("cancel-and-rebook lines cannot be aggregated: " + drop.line().lineId());
            }
            PayrollLine line = drop.line();
            sums.computeIfAbsent(Key.of(line), k -> new Sum(line)).add(line);
        }
        List<DropLine> out = new ArrayList<>(sums.size());
        sums.forEach((key, sum) -> {
            if (sum.quantity.signum() != 0) {
                out.add(DropLine.of(sum.toLine(key)));
            }
        });
        return out;
    }

    /**
     * Each quantity is rounded to the hundredth before it is added, as the per-registration file
     * would write it, so both settings deliver the same total to the hundredth.
     */
    static BigDecimal hundredths(BigDecimal quantity) {
        if (quantity == null) {
            throw new IllegalArgumentException("quantity is missing");
        }
        return quantity.setScale(2, RoundingMode.HALF_UP);
    }

    private record Key(String employeeNumber, String wageType, YearMonth month, String projectNumber,
                       String taskNumber, String department) {

        static Key of(PayrollLine line) {
            if (line.workDate() == null) {
                throw new IllegalArgumentException("a line without work date cannot be aggregated: " + line.lineId());
            }
            return new Key(line.employeeNumber(), line.wageType(), YearMonth.from(line.workDate()), line.projectNumber(),
                    line.taskNumber(), line.department());
        }

        /** Readable and stable: the same key gives the same id in every run (it shows in the CSV and in logs). */
        String lineId() {
            return "sum:" + String.join(":", part(employeeNumber), part(wageType), month.toString(),
                    part(projectNumber), part(taskNumber), part(department));
        }

        private static String part(String value) {
            return value == null ? "" : value;
        }
    }

    /** Running sum of one key; text and source survive only where every line agrees on them. */
    private static final class Sum {
        private BigDecimal quantity = BigDecimal.ZERO.setScale(2);
        private String text;
        private String source;
        private Instant lastModified;

        Sum(PayrollLine first) {
            text = first.text();
            source = first.source();
        }

        void add(PayrollLine line) {
            quantity = quantity.add(hundredths(line.quantity()));
            if (!Objects.equals(text, line.text())) {
                text = null;
            }
            if (!Objects.equals(source, line.source())) {
                source = null;
            }
            if (line.sourceModified() != null && (lastModified == null || line.sourceModified().isAfter(lastModified))) {
                lastModified = line.sourceModified();
            }
        }

        /** Work date is the first day of the month: the sum stands for the month, not for one day. */
        PayrollLine toLine(Key key) {
            LocalDate monthStart = key.month().atDay(1);
            return new PayrollLine(key.lineId(), key.employeeNumber(), monthStart, key.wageType(), quantity,
                    key.projectNumber(), key.taskNumber(), key.department(), text, source, null, lastModified);
        }
    }
}
