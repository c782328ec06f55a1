package no.ditiosync.app;

import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.simulator.TimeRegistration;
import no.ditiosync.testing.DeliveredPayroll;
import no.ditiosync.testing.PayrollTruth;
import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static no.ditiosync.testing.DeliveredPayroll.assertSums;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Closed payroll periods through the real application (a separate JVM) against the simulator: a full
 * sync, October closed with close-period, October hours changed in Ditio, a second sync. The changes
 * of October reach Tripletex and SAP in November, labelled with their work date; October's own
 * totals there stay as paid; every target still sums to Ditio's truth per employee, day and wage type.
 */
class ClosedPeriodTest {

    private static final LocalDate LAST = LocalDate.of(2026, 11, 27);
    private static final LocalDate START = LocalDate.of(2026, 10, 19);
    private static final LocalDate CLOSED = LocalDate.of(2026, 10, 31);
    private static final String TARGETS = "visma,sap,tripletex,csv,jdbc";

    /** The state DB (and JDBC target) of the test: an H2 file, PostgreSQL in {@link ClosedPeriodOnPostgresTest}. */
    TestDatabase stateDb(Path dir) {
        return TestDatabase.h2(dir.resolve("data/state"));
    }

    private TestDatabase db;

    @Test
    void changesToAClosedOctoberAreBookedInNovemberLabelledAndTheTotalsStayExact(@TempDir Path dir) throws Exception {
        try (SimulatedDitio ditio = SimulatedDitio.start(
                SimulatorConfig.defaults().seed(11).workers(30).weeks(6).lastWorkDate(LAST), 0)) {
            Map<String, String> env = env(ditio, dir);
            RunSummaryTest.Result first = run(dir, env, "sync", "--once");
            assertThat(first.exit()).as(first.err()).isZero();
            Map<String, BigDecimal> octoberPaid = tripletexMonth(dir, "2026-10");
            assertThat(octoberPaid).isNotEmpty();

            RunSummaryTest.Result close = run(dir, env, "close-period", "--through", CLOSED.toString(), "--by", "kari");
            assertThat(close.exit()).as(close.err()).isZero();
            assertThat(close.out()).contains("Company acme: closed through 2026-10-31, recorded by kari",
                    "booked on 2026-11-01");
            try (Connection c = connect();
                 ResultSet rs = c.createStatement().executeQuery("SELECT company, closed_through, closed_by FROM closed_period")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1) + " " + rs.getDate(2) + " " + rs.getString(3)).isEqualTo("acme 2026-10-31 kari");
                assertThat(rs.next()).isFalse();
            }

            // in Ditio: October hours edited, an October registration deleted, November hours edited
            List<TimeRegistration> ready = PayrollTruth.payrollReady(ditio.data(), START);
            List<TimeRegistration> october = ready.stream().filter(r -> !r.workDate().isAfter(CLOSED)).toList();
            TimeRegistration edited = october.stream().filter(r -> r.qty().compareTo(new BigDecimal("3")) >= 0)
                    .findFirst().orElseThrow();
            TimeRegistration deleted = october.get(october.size() - 1);
            assertThat(deleted.id()).isNotEqualTo(edited.id());
            TimeRegistration november = ready.stream().filter(r -> r.workDate().isAfter(LocalDate.of(2026, 11, 3)))
                    .findFirst().orElseThrow();
            ditio.data().editHours(edited.id(), edited.qty().subtract(new BigDecimal("1.50")));
            ditio.data().delete(deleted.id());
            ditio.data().editHours(november.id(), november.qty().add(BigDecimal.ONE));

            // the preview names the booked date the run will write, in the CSV and in payroll_line's rows
            RunSummaryTest.Result preview = run(dir, env, "preview");
            assertThat(preview.exit()).as(preview.err()).isZero();
            for (String target : List.of("csv", "jdbc")) {
                List<Map<String, String>> rows = rows(preview(dir, target));
                assertThat(rows).as("%s preview", target).filteredOn(r -> r.get("workDate").compareTo("2026-10-31") <= 0)
                        .extracting(r -> r.get("sourceId") + " " + r.get("workDate") + " " + r.get("bookedDate"))
                        .containsExactlyInAnyOrder(edited.id() + " " + edited.workDate() + " 2026-11-01",
                                deleted.id() + " " + deleted.workDate() + " 2026-11-01");
                assertThat(rows).as("%s preview", target).filteredOn(r -> r.get("workDate").compareTo("2026-10-31") > 0)
                        .isNotEmpty().allSatisfy(r -> assertThat(r.get("bookedDate")).isEqualTo(r.get("workDate")));
            }

            RunSummaryTest.Result second = run(dir, env, "sync", "--once");
            assertThat(second.exit()).as(second.err()).isZero();
            assertThat(second.out()).contains("booked on 2026-11-01 (closed through 2026-10-31)");
            // the run's log line says the lines per target as the summary does, not as a Java map
            assertThat(second.err()).containsPattern("; booked on 2026-11-01 \\(closed through 2026-10-31\\): sap \\d+, "
                    + "tripletex \\d+, csv \\d+, jdbc \\d+").doesNotContain("{sap=");

            // Tripletex: the October changes in November, each labelled with its work date; October as paid
            List<List<String>> tripletex = DeliveredPayroll.tripletexLines(List.of(newest(dir, "tripletex")), StandardCharsets.UTF_8);
            List<String> octoberChanges = new ArrayList<>();
            for (List<String> f : tripletex) {
                assertThat(f.get(0) + "-" + f.get(1)).as("no line of the second run in closed October: %s", f).isEqualTo("2026-11");
                if (f.get(4).startsWith("worked 2026-10-")) {
                    octoberChanges.add(f.get(4).substring("worked ".length(), "worked 2026-10-31".length()) + " " + f.get(5));
                }
            }
            assertThat(octoberChanges).containsExactlyInAnyOrder(
                    edited.workDate() + " -1.50",
                    deleted.workDate() + " " + deleted.qty().negate().setScale(2, java.math.RoundingMode.HALF_UP).toPlainString());
            assertThat(tripletexMonth(dir, "2026-10")).isEqualTo(octoberPaid);

            // SAP: the cancellations and the new document on 1 November, labelled; nothing dated in October
            List<String> sap = DeliveredPayroll.body(newest(dir, "sap"));
            for (String line : sap) {
                List<String> f = DeliveredPayroll.fields(line);
                assertThat(f.get(4)).as("WORKDATE of %s", line).isGreaterThan("20261031");
                if (f.get(4).equals("20261101")) {
                    assertThat(f.get(9)).as("LTXA1 of %s", line).startsWith("worked 2026-10-");
                }
            }
            assertThat(sap.stream().filter(l -> l.contains(";20261101;")).map(l -> DeliveredPayroll.fields(l).get(2)))
                    .containsExactlyInAnyOrder("X", "", "X"); // edited: cancel + rebook; deleted: cancel

            // the generic CSV and payroll_line keep the work date and name the booked date
            List<Map<String, String>> csv = DeliveredPayroll.csvRows(List.of(newest(dir, "csv")));
            assertThat(csv).filteredOn(r -> r.get("workDate").compareTo("2026-10-31") <= 0)
                    .extracting(r -> r.get("workDate") + " " + r.get("bookedDate"))
                    .containsExactlyInAnyOrder(edited.workDate() + " 2026-11-01", deleted.workDate() + " 2026-11-01");
            assertThat(csv).filteredOn(r -> r.get("workDate").compareTo("2026-10-31") > 0)
                    .allSatisfy(r -> assertThat(r.get("bookedDate")).isEqualTo(r.get("workDate")));
            try (Connection c = connect();
                 ResultSet rs = c.createStatement().executeQuery("SELECT source_id, work_date, booked_date, status FROM payroll_line"
                         + " WHERE source_id IN ('" + edited.id() + "', '" + deleted.id() + "', '" + november.id() + "')")) {
                Map<String, String> rows = new TreeMap<>();
                while (rs.next()) {
                    rows.put(rs.getString(1), rs.getDate(2) + " " + rs.getDate(3) + " " + rs.getString(4));
                }
                assertThat(rows).containsExactlyInAnyOrderEntriesOf(Map.of(
                        edited.id(), edited.workDate() + " 2026-11-01 active",
                        deleted.id(), deleted.workDate() + " 2026-11-01 cancelled",
                        november.id(), november.workDate() + " " + november.workDate() + " active"));
            }

            // the totals: every target equals Ditio per employee, (work) day and wage type
            Map<String, BigDecimal> perDay = PayrollTruth.perEmployeeDayAndWageType(ditio.data(), START);
            Map<String, BigDecimal> perEmployee = PayrollTruth.perEmployeeAndWageType(ditio.data(), START);
            assertSums("visma", DeliveredPayroll.vismaTotals(files(dir, "visma")), perEmployee);
            assertSums("tripletex", DeliveredPayroll.tripletexTotals(files(dir, "tripletex"), StandardCharsets.UTF_8), perEmployee);
            assertSums("sap by work date", sapByWorkDate(files(dir, "sap")), perDay);
            assertSums("csv", DeliveredPayroll.csvTotals(files(dir, "csv")), perDay);
            try (Connection c = connect()) {
                assertSums("payroll_line", DeliveredPayroll.jdbcTotals(c), perDay);
            }
        }
    }

    @Test
    void theSettingClosesThePeriodTooAndALaterCloseOfAnEarlierDateDoesNotReopenIt(@TempDir Path dir) throws Exception {
        try (SimulatedDitio ditio = SimulatedDitio.start(
                SimulatorConfig.defaults().seed(12).workers(10).weeks(6).lastWorkDate(LAST), 0)) {
            Map<String, String> env = env(ditio, dir);
            env.put("PAYROLL_CLOSED_THROUGH", "2026-10-25");
            // a closing of an earlier date than the setting: the later one counts
            RunSummaryTest.Result close = run(dir, env, "close-period", "--through", "2026-10-20");
            assertThat(close.exit()).as(close.err()).isZero();
            assertThat(close.out()).contains("PAYROLL_CLOSED_THROUGH (payroll.closed-through) is later, 2026-10-25");

            // a first run: the lines of the closed days are new lines, booked on the first open day
            assertThat(run(dir, env, "sync", "--once").exit()).isZero();
            // status shows the closing the run applied: the setting's, the later one, and where it comes from
            RunSummaryTest.Result status = run(dir, env, "status");
            assertThat(status.out()).containsPattern("  closed:     through 2026-10-25 \\(setting PAYROLL_CLOSED_THROUGH as "
                    + "run \\w+ applied it at [0-9:TZ -]+\\); later lines of those days are booked on 2026-10-26\\n");
            List<List<String>> tripletex = DeliveredPayroll.tripletexLines(files(dir, "tripletex"), StandardCharsets.UTF_8);
            assertThat(tripletex).allSatisfy(f -> assertThat(f.get(0) + "-" + f.get(1)).isIn("2026-10", "2026-11"));
            assertThat(tripletex).filteredOn(f -> f.get(4).startsWith("worked 2026-10-2"))
                    .isNotEmpty().allSatisfy(f -> assertThat(f.get(1)).isEqualTo("10")); // 26 October is in October
            List<Map<String, String>> csv = DeliveredPayroll.csvRows(files(dir, "csv"));
            assertThat(csv).allSatisfy(r -> assertThat(r.get("bookedDate")).isEqualTo(
                    r.get("workDate").compareTo("2026-10-25") <= 0 ? "2026-10-26" : r.get("workDate")));

            // a date not yet ended cannot be closed; a bad date is named
            assertThat(run(dir, env, "close-period", "--through", "2999-01-31").err()).contains("has not ended yet");
            // nor today, on which hours are still being logged (in the company's time zone)
            String today = LocalDate.now(java.time.ZoneId.of("Europe/Oslo")).toString();
            RunSummaryTest.Result closeToday = run(dir, env, "close-period", "--through", today);
            assertThat(closeToday.exit()).isEqualTo(64);
            assertThat(closeToday.err()).contains(today + " has not ended yet");
            assertThat(run(dir, env, "close-period", "--through", "2026-10-32").err())
                    .contains("'2026-10-32' is not a date as yyyy-MM-dd");
            env.put("PAYROLL_CLOSED_THROUGH", "31.10.2026");
            RunSummaryTest.Result bad = run(dir, env, "sync", "--once");
            assertThat(bad.exit()).isEqualTo(2);
            assertThat(bad.err()).contains("PAYROLL_CLOSED_THROUGH (payroll.closed-through)", "'31.10.2026' is not a date as yyyy-MM-dd");
            // a date not yet ended (a typo of the year) would book every line after it: refused as close-period refuses it
            env.put("PAYROLL_CLOSED_THROUGH", "2999-01-31");
            RunSummaryTest.Result future = run(dir, env, "preview");
            assertThat(future.exit()).isEqualTo(2);
            assertThat(future.err().strip()).isEqualTo("Setting PAYROLL_CLOSED_THROUGH (payroll.closed-through): 2999-01-31 has "
                    + "not ended yet in Europe/Oslo (today is " + today + "); a payroll period is closed once it is paid");
            assertThat(run(dir, env, "status").out()).contains("  closed:     PAYROLL_CLOSED_THROUGH 2999-01-31 has not ended "
                    + "yet: a run refuses to start\n", "  closed:     through 2026-10-25 (").doesNotContain("no longer set");

            // a close-period later than the setting is the later date counting, not a setting lowered: no WARN
            env.put("PAYROLL_CLOSED_THROUGH", "2026-10-25");
            assertThat(run(dir, env, "close-period", "--through", "2026-10-28").exit()).isZero();
            RunSummaryTest.Result afterLaterClosing = run(dir, env, "sync", "--once");
            assertThat(afterLaterClosing.exit()).as(afterLaterClosing.err()).isZero();
            assertThat(afterLaterClosing.out() + afterLaterClosing.err()).doesNotContain("a closed period is never opened again");
        }
    }

    /**
     * PAYROLL_CLOSED_THROUGH lowered or removed after runs applied it: the days they booked as closed stay
     * closed (a correction of 13 November still goes to 16 November), per company, with a WARN and in status.
     */
    @Test
    void aClosingARunAppliedFromTheSettingStaysWhenTheSettingIsLoweredOrRemoved(@TempDir Path dir) throws Exception {
        try (SimulatedDitio ditio = SimulatedDitio.start(
                SimulatorConfig.defaults().seed(14).workers(10).weeks(6).lastWorkDate(LAST), 0)) {
            Map<String, String> env = env(ditio, dir);
            env.put("PAYROLL_COMPANIES", "acme,bygg");
            env.remove("PAYROLL_COMPANY"); // read only without PAYROLL_COMPANIES
            env.put("PAYROLL_CLOSED_THROUGH", "2026-11-15");
            env.put("COMPANY_BYGG_PAYROLL_CLOSED_THROUGH", "2026-11-12");
            // a preview commits nothing, nor the closing it applied
            RunSummaryTest.Result preview = run(dir, env, "preview");
            assertThat(preview.exit()).as(preview.err()).isZero();
            try (Connection c = connect(); ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM closed_period")) {
                assertThat(rs.next() && rs.getInt(1) == 0).as("no closing kept by a preview").isTrue();
            }

            RunSummaryTest.Result first = run(dir, env, "sync", "--once");
            assertThat(first.exit()).as(first.err()).isZero();

            TimeRegistration edited = PayrollTruth.payrollReady(ditio.data(), START).stream()
                    .filter(r -> r.workDate().equals(LocalDate.of(2026, 11, 13))).findFirst().orElseThrow();
            ditio.data().editHours(edited.id(), edited.qty().add(BigDecimal.ONE));
            env.put("PAYROLL_CLOSED_THROUGH", "2026-11-10");
            env.remove("COMPANY_BYGG_PAYROLL_CLOSED_THROUGH");
            RunSummaryTest.Result second = run(dir, env, "sync", "--once");
            assertThat(second.exit()).as(second.err()).isZero();
            // acme booked 13 November as closed: its correction too, on 16 November; bygg had closed only through the 12th
            assertThat(sapDates(newest(dir, "acme/sap"))).containsExactlyInAnyOrder("X 20261116", " 20261116");
            assertThat(sapDates(newest(dir, "bygg/sap"))).containsExactlyInAnyOrder("X 20261113", " 20261113");
            assertThat(second.out() + second.err()).contains("company acme: PAYROLL_CLOSED_THROUGH is 2026-11-10, but the "
                    + "payroll stays closed through 2026-11-15 (setting PAYROLL_CLOSED_THROUGH as run ",
                    "company bygg: PAYROLL_CLOSED_THROUGH is 2026-11-10, but the payroll stays closed through 2026-11-12 "
                            + "(setting COMPANY_BYGG_PAYROLL_CLOSED_THROUGH as run ");
            assertThat(closings()).as("kept by the first runs, not the lower setting").containsExactlyInAnyOrder(
                    "acme 2026-11-15 run PAYROLL_CLOSED_THROUGH", "bygg 2026-11-12 run COMPANY_BYGG_PAYROLL_CLOSED_THROUGH");
            RunSummaryTest.Result status = run(dir, env, "status");
            assertThat(status.out()).containsPattern("  closed:     through 2026-11-15 \\(setting PAYROLL_CLOSED_THROUGH as "
                    + "run \\w+ applied it at [0-9:TZ -]+; PAYROLL_CLOSED_THROUGH is 2026-11-10, earlier: a closed period is "
                    + "never opened again\\); later lines of those days are booked on 2026-11-16\\n");

            // removed: the same
            ditio.data().editHours(edited.id(), edited.qty());
            env.remove("PAYROLL_CLOSED_THROUGH");
            RunSummaryTest.Result third = run(dir, env, "sync", "--once");
            assertThat(third.exit()).as(third.err()).isZero();
            assertThat(sapDates(files(dir, "acme/sap").get(2))).containsExactlyInAnyOrder("X 20261116", " 20261116");
            assertThat(third.out() + third.err()).contains("company acme: PAYROLL_CLOSED_THROUGH is not set, but the "
                    + "payroll stays closed through 2026-11-15");
            assertThat(run(dir, env, "status").out()).contains("PAYROLL_CLOSED_THROUGH is no longer set, what was closed stays "
                    + "closed); later lines of those days are booked on 2026-11-16");
        }
    }

    /** Each SAP line of a drop as STOKZ and WORKDATE. */
    private static List<String> sapDates(Path file) throws IOException {
        return DeliveredPayroll.body(file).stream().map(DeliveredPayroll::fields).map(f -> f.get(2) + " " + f.get(4)).toList();
    }

    /** The closings kept: company, date, the first word of who closed it, and the setting a run applied. */
    private List<String> closings() throws Exception {
        List<String> all = new ArrayList<>();
        try (Connection c = connect();
             ResultSet rs = c.createStatement().executeQuery("SELECT company, closed_through, closed_by, applied_setting "
                     + "FROM closed_period")) {
            while (rs.next()) {
                all.add(rs.getString(1) + " " + rs.getDate(2) + " " + rs.getString(3).split(" ")[0] + " " + rs.getString(4));
            }
        }
        return all;
    }

    @Test
    void withSeveralCompaniesTheCommandClosesTheOneNamed(@TempDir Path dir) throws Exception {
        try (SimulatedDitio ditio = SimulatedDitio.start(SimulatorConfig.defaults().seed(13).workers(5).weeks(1), 0)) {
            Map<String, String> env = env(ditio, dir);
            env.put("PAYROLL_COMPANIES", "acme,bygg");
            env.remove("PAYROLL_COMPANY"); // read only without PAYROLL_COMPANIES

            RunSummaryTest.Result none = run(dir, env, "close-period", "--through", "2026-10-31");
            assertThat(none.exit()).isEqualTo(64);
            assertThat(none.err()).contains("--company KEY is needed: PAYROLL_COMPANIES is acme,bygg");
            RunSummaryTest.Result unknown = run(dir, env, "close-period", "--company", "nope", "--through", "2026-10-31");
            assertThat(unknown.exit()).isEqualTo(64);
            assertThat(unknown.err()).contains("no company 'nope'");
            RunSummaryTest.Result bygg = run(dir, env, "close-period", "--company", "bygg", "--through", "2026-10-31", "--by", "kari");
            assertThat(bygg.exit()).as(bygg.err()).isZero();
            assertThat(bygg.out()).startsWith("Company bygg: closed through 2026-10-31, recorded by kari at ");

            try (Connection c = connect();
                 ResultSet rs = c.createStatement().executeQuery("SELECT company, closed_through FROM closed_period")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1) + " " + rs.getDate(2)).isEqualTo("bygg 2026-10-31");
                assertThat(rs.next()).as("acme is not closed").isFalse();
            }

            // bygg's own setting, later than its closing: both commands name the variable that is set
            env.put("COMPANY_BYGG_PAYROLL_CLOSED_THROUGH", "2026-11-15");
            RunSummaryTest.Result later = run(dir, env, "close-period", "--company", "bygg", "--through", "2026-11-10", "--by", "kari");
            assertThat(later.exit()).as(later.err()).isZero();
            assertThat(later.out()).contains("  COMPANY_BYGG_PAYROLL_CLOSED_THROUGH (company.bygg.payroll.closed-through) "
                    + "is later, 2026-11-15: the later date counts.\n");
            RunSummaryTest.Result sync = run(dir, env, "sync", "--once", "--company", "bygg");
            assertThat(sync.exit()).as(sync.err()).isZero();
            // the run applied the setting: kept, it is the closing in force from now on
            assertThat(run(dir, env, "status").out()).containsPattern("  closed:     through 2026-11-15 \\(setting "
                    + "COMPANY_BYGG_PAYROLL_CLOSED_THROUGH as run \\w+ applied it at [0-9:TZ -]+\\); later lines of those "
                    + "days are booked on 2026-11-16\n");
        }
    }

    // ---- the application, and what payroll received ------------------------------------------------

    private Map<String, String> env(SimulatedDitio ditio, Path dir) {
        db = stateDb(dir);
        Map<String, String> env = RunSummaryTest.env(ditio, dir);
        env.put("PAYROLL_START_DATE", START.toString());
        env.put("PAYROLL_TARGETS", TARGETS);
        env.put("PAYROLL_STATE_DB_URL", db.url());
        env.put("PAYROLL_STATE_DB_USER", db.user());
        env.put("PAYROLL_STATE_DB_PASSWORD", db.password());
        return env;
    }

    private static RunSummaryTest.Result run(Path dir, Map<String, String> env, String... args) throws Exception {
        return RunSummaryTest.run(dir, env, args);
    }

    private Connection connect() throws Exception {
        return db.connect();
    }

    /** The published drops of a target, oldest first (the names hold the run's start time). */
    private static List<Path> files(Path dir, String target) throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("out").resolve(target))) {
            return files.filter(p -> !p.getFileName().toString().startsWith(".") && p.toString().endsWith(".csv"))
                    .sorted(java.util.Comparator.comparing(p -> p.getFileName().toString().split("_")[2])).toList();
        }
    }

    /** The rows of a CSV file under its own header (the JDBC preview has the generic CSV's columns and status). */
    private static List<Map<String, String>> rows(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        List<String> names = DeliveredPayroll.fields(lines.get(0), ',');
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> f = DeliveredPayroll.fields(line, ',');
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                row.put(names.get(i), f.get(i));
            }
            rows.add(row);
        }
        return rows;
    }

    /** The preview file of a target (each preview replaces the one before). */
    private static Path preview(Path dir, String target) throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("out").resolve("preview"))) {
            List<Path> of = files.filter(p -> p.getFileName().toString().startsWith("PREVIEW_" + target + "_")).toList();
            assertThat(of).as("%s preview", target).hasSize(1);
            return of.get(0);
        }
    }

    private static Path newest(Path dir, String target) throws IOException {
        List<Path> files = files(dir, target);
        assertThat(files).as("%s drops", target).hasSize(2);
        return files.get(1);
    }

    private static Map<String, BigDecimal> tripletexMonth(Path dir, String month) throws IOException {
        Map<String, BigDecimal> all = DeliveredPayroll.tripletexMonthTotals(files(dir, "tripletex"), StandardCharsets.UTF_8);
        Map<String, BigDecimal> of = new TreeMap<>();
        all.forEach((k, v) -> {
            if (k.contains("|" + month + "|")) {
                of.put(k, v);
            }
        });
        return of;
    }

    /**
     * SAP documents standing after every cancellation, summed per employee, work date and wage type: the
     * work date is the one LTXA1 names for a document booked after its closed period, else WORKDATE.
     */
    private static Map<String, BigDecimal> sapByWorkDate(List<Path> files) throws IOException {
        Map<String, List<String>> standing = new LinkedHashMap<>();
        for (Path f : files) {
            for (String line : DeliveredPayroll.body(f)) {
                List<String> c = DeliveredPayroll.fields(line);
                if ("X".equals(c.get(2))) {
                    assertThat(standing.remove(c.get(1))).as("cancelled document %s was standing", c.get(1)).isNotNull();
                } else {
                    assertThat(standing.put(c.get(1), c)).as("document %s delivered once", c.get(1)).isNull();
                }
            }
        }
        Map<String, BigDecimal> sums = new TreeMap<>();
        for (List<String> c : standing.values()) {
            String d = c.get(4);
            String date = c.get(9).startsWith("worked ") ? c.get(9).substring(7, 17)
                    : d.substring(0, 4) + "-" + d.substring(4, 6) + "-" + d.substring(6);
            sums.merge(DeliveredPayroll.normalEmployee(c.get(3)) + "|" + date + "|" + c.get(5), new BigDecimal(c.get(6)),
                    BigDecimal::add);
        }
        return DeliveredPayroll.normalise(sums);
    }
}
