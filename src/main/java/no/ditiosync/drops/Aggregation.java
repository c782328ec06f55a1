package no.ditiosync.drops;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;
import no.ditiosync.payroll.PayrollLine;

/**
 * How many lines a run's drop has: one line per payroll line, or summed per employee × wage type ×
 * dimensions, a setting (README, "Summed drops"). Pure: it turns the run's delta
 * lines into the lines to write and touches neither the ledger nor a file. The ledger stays per
 * registration either way; only the file is summed.
 *
 * <p>Only for offsetting targets (Visma, Tripletex, CSV): a cancel-and-rebook target (SAP) names
 * each line version by its document number, which a sum would lose, so such lines are refused.
 */
public enum Aggregation {

    /** One line per delta line, as delivered by the ledger. */
    PER_REGISTRATION("per-registration"),

    /**
     * One line per employee × wage type × dimensions (project, task, department) × work month.
     * The month is part of the key because Tripletex books each line into the YEAR/MONTH it
     * carries; for Visma, which has no date, a run spanning two months merely gets two lines.
     */
    PER_EMPLOYEE_WAGE_TYPE_DIMENSIONS("per-employee-wage-type");

    /** How a summed line's id starts ({@code sum:<employee>:<wage type>:<yyyy-MM>:…}). */
    public static final String SUM_PREFIX = "sum:";

    private final String setting;

    Aggregation(String setting) {
        this.setting = setting;
    }

    /** The value of the per-target setting (PAYROLL_VISMA_AGGREGATION, ...), case-insensitive. */
    public static Aggregation fromSetting(String value) {
        for (Aggregation a : values()) {
            if (a.setting.equalsIgnoreCase(value == null ? "" : value.trim())) {
                return a;
            }
        }
        throw new IllegalArgumentException("'" + value + "' is not one of "
                + Arrays.stream(values()).map(a -> a.setting).collect(Collectors.joining(", ")));
    }

    public String setting() {
        return setting;
    }

    public boolean sums() {
        return this != PER_REGISTRATION;
    }

    /**
     * @param lines the run's delta lines for one target, in delivery order (negative = correction)
     * @return the lines to write: the same list for {@link #PER_REGISTRATION}; otherwise one sum per
     *         key (task included) as {@link Sums#lines} orders them, groups that net to zero left out
     */
    public List<DropLine> apply(List<DropLine> lines) {
        if (this == PER_REGISTRATION) {
            return List.copyOf(lines);
        }
        Sums sums = sums(true);
        lines.forEach(sums::add);
        return sums.lines();
    }

    /**
     * A run's running sums for one target, fed line by line as the pending scan goes: memory grows
     * with the number of keys, not with the number of lines.
     *
     * @param byTask whether the task is part of the key: only where the file shows it (the CSV).
     *               Visma and Tripletex have no task field, so lines of two tasks would look alike
     */
    public Sums sums(boolean byTask) {
        if (this == PER_REGISTRATION) {
            throw new IllegalStateException("per-registration delivery sums nothing");
        }
        return new Sums(byTask);
    }

    /** The running sums of one target's delta lines in one run. */
    public static final class Sums {
        private final boolean byTask;
        private final Map<Key, Sum> sums = new TreeMap<>(Key.ORDER);
        /** The first day after the closed payroll period, or null when none is closed. */
        private LocalDate firstOpenDay;

        private Sums(boolean byTask) {
            this.byTask = byTask;
        }

        /** A sum of a month closed part-way stands for its open days: dated on the first, not on the 1st. */
        public void firstOpenDay(LocalDate day) {
            firstOpenDay = day;
        }

        public void add(DropLine drop) {
            if (drop.cancellation() || drop.documentNumber() != null) {
                throw new IllegalArgumentException("cancel-and-rebook lines cannot be aggregated: " + drop.line().lineId());
            }
            PayrollLine line = drop.line();
            sums.computeIfAbsent(Key.of(drop, byTask), k -> new Sum(line)).add(line);
        }

        /**
         * One line per key that does not net to zero (it pays nothing), ordered by employee, wage
         * type, month, project, task, department (numbers as numbers, empty first): the same
         * registrations give the same file, whatever order the ledger read them in.
         */
        public List<DropLine> lines() {
            List<DropLine> out = new ArrayList<>(sums.size());
            sums.forEach((key, sum) -> {
                if (sum.quantity.signum() != 0) {
                    out.add(DropLine.of(sum.toLine(key, firstOpenDay)).bookedOn(key.bookedDate()));
                }
            });
            return out;
        }
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

    /**
     * {@code bookedDate}: the first open day for lines of a closed period (null for the others), so a
     * month's corrections booked later stay apart from the open month's own hours and keep their label.
     */
    private record Key(String employeeNumber, String wageType, YearMonth month, String projectNumber,
                       String taskNumber, String department, LocalDate bookedDate) {

        static final Comparator<Key> ORDER = Comparator.comparing(Key::employeeNumber, Key::comparePart)
                .thenComparing(Key::wageType, Key::comparePart)
                .thenComparing(Key::month)
                .thenComparing(Key::projectNumber, Key::comparePart)
                .thenComparing(Key::taskNumber, Key::comparePart)
                .thenComparing(Key::department, Key::comparePart)
                .thenComparing(Key::bookedDate, Comparator.nullsFirst(Comparator.naturalOrder()));

        static Key of(DropLine drop, boolean byTask) {
            PayrollLine line = drop.line();
            if (line.workDate() == null) {
                throw new IllegalArgumentException("a line without work date cannot be aggregated: " + line.lineId());
            }
            return new Key(line.employeeNumber(), line.wageType(), YearMonth.from(line.workDate()), line.projectNumber(),
                    byTask ? line.taskNumber() : null, line.department(), drop.moved() ? drop.bookedDate() : null);
        }

        /** Empty first; digits as numbers (employee 999 before 1002); then as text, so only equal parts tie. */
        private static int comparePart(String a, String b) {
            if (a == null || b == null) {
                return a == null ? (b == null ? 0 : -1) : 1;
            }
            if (isDigits(a) && isDigits(b)) {
                String x = a.replaceFirst("^0+(?=.)", "");
                String y = b.replaceFirst("^0+(?=.)", "");
                int byValue = x.length() != y.length() ? Integer.compare(x.length(), y.length()) : x.compareTo(y);
                if (byValue != 0) {
                    return byValue;
                }
            }
            return a.compareTo(b);
        }

        private static boolean isDigits(String s) {
            return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
        }

        /** Readable and stable: the same key gives the same id in every run (it shows in the CSV and in logs). */
        String lineId() {
            return SUM_PREFIX + String.join(":", part(employeeNumber), part(wageType), month.toString(),
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

        /**
         * Work date is the first day of the month: the sum stands for the month, not for one day. The
         * open days' sum of a month closed part-way is dated on its first open day, as it is booked: the
         * 1st lies in the closed period (the closed days' corrections are the sum booked apart).
         */
        PayrollLine toLine(Key key, LocalDate firstOpenDay) {
            LocalDate monthStart = key.month().atDay(1);
            LocalDate workDate = key.bookedDate() == null && firstOpenDay != null && monthStart.isBefore(firstOpenDay)
                    && YearMonth.from(firstOpenDay).equals(key.month()) ? firstOpenDay : monthStart;
            return new PayrollLine(key.lineId(), key.employeeNumber(), workDate, key.wageType(), quantity,
                    key.projectNumber(), key.taskNumber(), key.department(), text, source, null, lastModified);
        }
    }
}
