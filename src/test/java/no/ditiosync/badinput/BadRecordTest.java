package no.ditiosync.badinput;

import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.SimulatorFaults;
import no.ditiosync.simulator.TimeRegistration;
import no.ditiosync.testing.DeliveredPayroll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The record rows of the project's bad-input table (with SettingsTest for settings and
 * faults/BadPageTest for pages): one payroll-approved registration with an employee number, on a
 * middle page of a three-page full pass, is served malformed; the whole pipeline runs (simulator
 * over loopback, H2, drop files, JDBC table). Then the simulator serves it whole again with a new
 * modifiedDateTime and a later incremental run must put it right.
 *
 * <p>Every row asserts that the run succeeds, that the quarantine holds exactly the dataset's own
 * quarantined records plus this one with exactly the expected reason (or, for a record that must be
 * delivered, not it), that Visma, SAP and the JDBC table hold exactly the truth computed without
 * it, and that after the fix it is delivered exactly once and has left the quarantine.
 */
class BadRecordTest {

    /** The registration a row corrupts, the harness and the row's folder. */
    record Ctx(BadInputHarness h, TimeRegistration r, Path dir) {
    }

    /** What must come of the corrupted record in the first run. */
    sealed interface Outcome permits Quarantined, Delivered {
    }

    /**
     * In the quarantine under the registration's id (or, without one, under the stand-in key
     * {@code missing-id-…}) with exactly this reason; nothing of it delivered.
     */
    record Quarantined(Function<Ctx, String> reason, boolean underStandInKey) implements Outcome {
    }

    /** Delivered as these hours (null: Ditio's hours) and not quarantined; {@code check} looks at the drops. */
    record Delivered(BigDecimal hours, Check check) implements Outcome {
    }

    @FunctionalInterface
    interface Check {
        void verify(Ctx ctx) throws Exception;
    }

    record Row(String name, Consumer<Ctx> setup, BiConsumer<SimulatorFaults, Ctx> corrupt, Outcome outcome) {
        @Override
        public String toString() {
            return name;
        }

        Row before(Consumer<Ctx> first) {
            return new Row(name, first, corrupt, outcome);
        }
    }

    static Row row(String name, String field, String rawJson, Outcome outcome) {
        return new Row(name, ctx -> { }, (f, ctx) -> f.corruptRecord(ctx.r().id(), field, rawJson), outcome);
    }

    static Row missing(String name, String field, Outcome outcome) {
        return new Row(name, ctx -> { }, (f, ctx) -> f.removeField(ctx.r().id(), field), outcome);
    }

    static Quarantined quarantined(String reason) {
        return new Quarantined(ctx -> reason, false);
    }

    static Quarantined quarantined(Function<Ctx, String> reason) {
        return new Quarantined(reason, false);
    }

    static Delivered delivered(String hours) {
        return new Delivered(hours == null ? null : new BigDecimal(hours), ctx -> { });
    }

    static Delivered delivered(Check check) {
        return new Delivered(null, check);
    }

    static final String LONG_DATE = "2026-11-16T00:00:00.000000000000000000000000000000000Z";
    static final String LONG_ID = "0".repeat(120);
    static final String LONG_TEXT = "Betong støpt i akse B-C, ".repeat(200); // 5000 characters

    static final String ALTERED = " holds a line break, a tab, another control character, a blank other than a space or "
            + "blanks in a row, which a drop file cannot carry as they are";

    static Stream<Row> rows() {
        return Stream.of(
                // ---- qty
                row("qty negative", "qty", "-3.5", quarantined("hours -3.50 outside 0-24 for one day")),
                row("qty over 24 on one day", "qty", "25", quarantined("hours 25.00 outside 0-24 for one day")),
                row("qty 24.005 rounds to over 24", "qty", "24.005", quarantined("hours 24.01 outside 0-24 for one day")),
                row("qty null", "qty", "null", quarantined("missing hours (qty)")),
                missing("qty missing", "qty", quarantined("missing hours (qty)")),
                row("qty empty string", "qty", "\"\"", quarantined("missing hours (qty)")),
                // a value of the wrong type costs its record, not the page
                row("qty \"abc\"", "qty", "\"abc\"", quarantined("unreadable qty: \"abc\" is not a number")),
                row("qty 1e12", "qty", "1e12", quarantined("hours 1000000000000.00 outside 0-24 for one day")),
                row("qty 1e30 (too large to keep)", "qty", "1e30", quarantined("unreadable qty: 1E+30 is too large")),
                row("qty 7.125 (3 decimals)", "qty", "7.125", delivered("7.13")),
                row("qty as numeric string \"7.5\"", "qty", "\"7.5\"", delivered("7.50")),
                // ---- workDate
                row("workDate 31.02.2026", "workDate", "\"31.02.2026\"", quarantined("unparseable workDate '31.02.2026'")),
                row("workDate 2026-13-01", "workDate", "\"2026-13-01\"", quarantined("unparseable workDate '2026-13-01'")),
                row("workDate empty string", "workDate", "\"\"", quarantined("missing workDate")),
                row("workDate 0001-01-01T00:00:00", "workDate", "\"0001-01-01T00:00:00\"", quarantined("missing workDate")),
                missing("workDate missing", "workDate", quarantined("missing workDate")),
                row("workDate null", "workDate", "null", quarantined("missing workDate")),
                row("workDate longer than 40 characters", "workDate", "\"" + LONG_DATE + "\"",
                        quarantined("unreadable workDate: longer than 40 characters")),
                // a sanity bound (PAYROLL_MAX_FUTURE_DAYS, 31 by default): never paid at once
                row("workDate 9999-12-31", "workDate", "\"9999-12-31T00:00:00Z\"",
                        quarantined("work date 9999-12-31 is more than 31 days in the future (PAYROLL_MAX_FUTURE_DAYS)")),
                // just after the last day a full pass asks for, where no margin is read
                row("workDate 9999-01-01", "workDate", "\"9999-01-01T00:00:00Z\"",
                        quarantined("work date 9999-01-01 is more than 31 days in the future (PAYROLL_MAX_FUTURE_DAYS)")),
                // ---- id: quarantined under a stand-in key, which stays until the next full pass (see firstRun)
                missing("id missing", "id", new Quarantined(ctx -> "missing id", true)),
                row("id null", "id", "null", new Quarantined(ctx -> "missing id", true)),
                row("id empty string", "id", "\"\"", new Quarantined(ctx -> "missing id", true)),
                row("id of 120 characters", "id", "\"" + LONG_ID + "\"",
                        new Quarantined(ctx -> "unreadable id: longer than 100 characters", true)),
                // ---- employee number
                row("userEmployeeNumber A-12, none in /v1/user", "userEmployeeNumber", "\"A-12\"",
                        quarantined("employee number 'A-12' is not 1-8 digits (Visma's employee number)"))
                        .before(ctx -> ctx.h().ditio.data().setEmployeeNumber(ctx.r().userId(), null)),
                row("userEmployeeNumber of 9 digits", "userEmployeeNumber", "\"123456789\"",
                        quarantined("employee number '123456789' is not 1-8 digits (Visma's employee number)")),
                // wider than the ledger's and payroll_line's column, whatever the targets
                row("userEmployeeNumber of 17 characters", "userEmployeeNumber", "\"E-123456789012345\"",
                        quarantined("employee number 'E-123456789012345' is longer than 16 characters or holds a control character")),
                new Row("userEmployeeNumber as a JSON number", ctx -> { }, (f, ctx) -> f.corruptRecord(ctx.r().id(),
                        "userEmployeeNumber", ctx.r().userEmployeeNumber()), delivered((String) null)),
                // ---- modifiedDateTime
                row("modifiedDateTime unparseable", "modifiedDateTime", "\"yesterday\"",
                        quarantined("unparseable modifiedDateTime 'yesterday'")),
                missing("modifiedDateTime missing", "modifiedDateTime", delivered((String) null)),
                // ---- project: a key, so never cut; SAP's POSID (the external WBS element) holds 24 characters
                row("projectNumber of 25 characters (longer than SAP's POSID)", "projectNumber", "\"P-" + "1".repeat(23) + "\"",
                        quarantined("project number 'P-" + "1".repeat(23) + "' is longer than SAP's POSID (24 characters)")),
                row("projectNumber of 24 characters", "projectNumber", "\"P-" + "1".repeat(22) + "\"",
                        delivered(ctx -> assertThat(ctx.h().sapDocumentsOf(ctx.r().id())).singleElement()
                                .satisfies(c -> assertThat(c.get(8)).isEqualTo("P-" + "1".repeat(22))))),
                // windows-1252 lacks Ł: "P-Ł1" would reach Visma as "P-?1", one project with "P-Đ1"
                row("projectNumber with a letter windows-1252 lacks", "projectNumber", "\"P-Ł1\"",
                        quarantined("project number 'P-Ł1' has characters windows-1252 cannot hold (Visma's file; "
                                + "PAYROLL_VISMA_ENCODING=UTF-8 holds them)")),
                // a drop writes a field on one line with single blanks: "P\t7" and "P  7" would book with "P 7"
                row("projectNumber with a tab", "projectNumber", "\"P\\t7\"",
                        quarantined("project number 'P\\t7'" + ALTERED)),
                row("projectNumber with two blanks in a row", "projectNumber", "\"P  7\"",
                        quarantined("project number 'P  7'" + ALTERED)),
                row("projectNumber with a no-break space", "projectNumber", "\"P\\u00a07\"",
                        quarantined("project number 'P\\u00a07'" + ALTERED)),
                // Visma's project field holds 30: cut, two projects differing after the 30th character would book together
                row("projectNumber of 31 characters (longer than Visma's project field)", "projectNumber",
                        "\"P-" + "1".repeat(29) + "\"", quarantined("project number 'P-" + "1".repeat(29)
                                + "' is longer than Visma's project field (30 characters)")),
                // ---- department: the user's, so cut rather than refused (its user's pay is not held back), and said so
                new Row("department of 44 characters sharing its first 30 with another department",
                        BadRecordTest::twoDepartmentsAlikeFor30Characters, (f, ctx) -> { },
                        new Delivered(null, BadRecordTest::assertDepartmentCutAndSaidSo)),
                // ---- wage type
                row("taskWbsNumber the mapping cannot map", "taskWbsNumber", "\"7.7.7\"",
                        quarantined(ctx -> "no wage type in " + ctx.dir().resolve("wage-types.csv") + " for time "
                                + "(taskWbsNumber=7.7.7, projectNumber=" + ctx.r().projectNumber() + ")"))
                        .before(BadRecordTest::mappingWithoutCatchAll),
                // ---- description
                row("description formula with control character", "description", "\"=SUM(A1)\\u0007\"",
                        // the formula prefix is for the generic CSV only: SAP imports the text as it is
                        delivered(ctx -> assertText(ctx, "=SUM(A1)", "=SUM(A1)"))),
                row("description with line breaks, tab, ; and quotes", "description",
                        "\"  Grøft\\r\\n\\tgravd; \\\"dypt\\\" \"",
                        delivered(ctx -> assertText(ctx, "Grøft gravd; \"dypt\"",
                                "Grøft gravd; \"dypt\""))),
                row("description of 5000 characters", "description", "\"" + LONG_TEXT + "\"",
                        delivered(ctx -> assertText(ctx, LONG_TEXT.substring(0, 40).strip(), LONG_TEXT.substring(0, 4000).strip()))),
                row("payrollApproved \"yes\"", "payrollApproved", "\"yes\"",
                        quarantined("unreadable payrollApproved: \"yes\" is not true or false")),
                // ---- the same record twice on one page: the later copy wins, as a later page's would, and one WARN says so
                new Row("the record twice in its page, the later copy with other hours", ctx -> { },
                        (f, ctx) -> f.corruptRecord(ctx.r().id(), "qty", "3.25")
                                .repeatRecord(ctx.r().id(), "qty", ctx.r().qty().toPlainString()),
                        new Delivered(new BigDecimal("3.25"), BadRecordTest::assertRepeatWarnedOnce)),
                new Row("the record twice in its page, a tombstone first", ctx -> { },
                        (f, ctx) -> f.repeatRecord(ctx.r().id(), "isDeleted", "true"),
                        new Delivered(null, BadRecordTest::assertRepeatWarnedOnce)),
                // the earlier copy went to quarantine and stayed there; the next run mapped it again and reversed the line
                new Row("the record twice in its page, the earlier copy with hours no day has", ctx -> { },
                        (f, ctx) -> f.repeatRecord(ctx.r().id(), "qty", "30.0"),
                        new Delivered(null, BadRecordTest::assertRepeatWarnedOnce)));
    }

    /**
     * A JSON object or array where Ditio's contract has a number, text or true/false: well-formed JSON, so it
     * costs its record, not the page (another case of the name: DitioConformanceTest).
     */
    static Stream<Row> objectsAndArrays() {
        return Stream.of(
                row("qty as an object", "qty", "{\"hours\":7.5}", quarantined("unreadable qty: {\"hours\":7.5} is not a number")),
                row("description as an object", "description", "{\"a\":1}",
                        quarantined("unreadable description: {\"a\":1} is not text")),
                row("payrollApproved as an object", "payrollApproved", "{\"value\":true}",
                        quarantined("unreadable payrollApproved: {\"value\":true} is not true or false")),
                row("payrollApproved as an array", "payrollApproved", "[true]",
                        quarantined("unreadable payrollApproved: [true] is not true or false")),
                row("workDate as an empty object", "workDate", "{}", quarantined("unreadable workDate: {} is not text")),
                // no id to file it under: a stand-in key, and the reason says what was wrong with the id
                row("id as an object", "id", "{\"a\":1}",
                        new Quarantined(ctx -> "unreadable id: {\"a\":1} is not text", true)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("objectsAndArrays")
    void aJsonObjectOrArrayInPlaceOfAValueIsQuarantinedAloneAndDeliveredOnceWhenFixed(Row row, @TempDir Path dir)
            throws Exception {
        oneMalformedRecordIsQuarantinedOrDeliveredAloneAndExactlyOnceWhenFixed(row, dir);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void oneMalformedRecordIsQuarantinedOrDeliveredAloneAndExactlyOnceWhenFixed(Row row, @TempDir Path dir)
            throws Exception {
        try (BadInputHarness h = new BadInputHarness(dir)) {
            TimeRegistration r = victim(h);
            Ctx ctx = new Ctx(h, r, dir);
            row.setup().accept(ctx);
            Set<String> baseline = new TreeSet<>(h.withoutEmployeeNumber());
            assertThat(baseline).as("the dataset quarantines some records itself").isNotEmpty().doesNotContain(r.id());
            row.corrupt().accept(h.ditio.faults(), ctx);

            Set<String> phantoms = firstRun(row.outcome(), ctx, baseline);

            // fixed in Ditio: served whole again, with a new modifiedDateTime
            h.ditio.faults().clear();
            h.ditio.data().editHours(r.id(), r.qty());
            SyncRun fixed = h.runOnce();

            Map<String, String> quarantine = h.quarantine();
            assertThat(quarantine.keySet()).as("quarantine after the fix")
                    .containsExactlyInAnyOrderElementsOf(union(baseline, phantoms));
            assertPayroll("after the fix", h, Set.of(), Map.of());
            String hours = r.qty().setScale(2, RoundingMode.HALF_UP).toPlainString();
            assertThat(h.jdbcRowsOf(r.id())).as("JDBC rows of the fixed record").singleElement()
                    .satisfies(row2 -> assertThat(row2[0]).isEqualTo(hours));
            assertThat(h.sapDocumentsOf(r.id())).as("standing SAP documents of the fixed record").singleElement()
                    .satisfies(c -> assertThat(c.get(6)).isEqualTo(hours));
            if (row.outcome() instanceof Quarantined) {
                assertThat(fixed.mode()).isEqualTo(SyncRun.Mode.INCREMENTAL);
                assertThat(fixed.linesByTarget()).as("only the released record is delivered")
                        .containsEntry("visma", 1).containsEntry("sap", 1).containsEntry("jdbc", 1);
            }
        }
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> employeeNumbersByTargets() {
        return Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("csv,tripletex,jdbc", "A-12", null),
                org.junit.jupiter.params.provider.Arguments.of("csv,jdbc", "E 123456789", null),
                org.junit.jupiter.params.provider.Arguments.of("jdbc,sap", "A-12",
                        "employee number 'A-12' is not 1-8 digits (SAP's PERNR)"),
                org.junit.jupiter.params.provider.Arguments.of("tripletex,jdbc", "E 12", "employee number 'E 12' is not a "
                        + "Tripletex key (printable ASCII without blanks, ; or \", starting with a letter or digit)"));
    }

    /**
     * An employee number with letters or more than 8 digits waits in quarantine only while a target
     * that cannot take it is configured (Visma's and SAP's are 1-8 digits, Tripletex's a plain key),
     * with that target named; the CSV and payroll_line take it as Ditio has it.
     */
    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("employeeNumbersByTargets")
    void anEmployeeNumberIsRefusedOnlyByATargetThatCannotTakeIt(String targets, String number, String reason,
                                                                 @TempDir Path dir) throws Exception {
        try (BadInputHarness h = new BadInputHarness(dir)) {
            h.set("payroll.targets", targets);
            TimeRegistration r = victim(h);
            h.ditio.faults().corruptRecord(r.id(), "userEmployeeNumber", "\"" + number + "\"");
            h.runOnce();
            String hours = r.qty().setScale(2, RoundingMode.HALF_UP).toPlainString();
            List<String> rows = new ArrayList<>();
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(h.stateDbUrl(), "sa", "");
                 java.sql.PreparedStatement ps = c.prepareStatement(
                         "SELECT employee_number, quantity, status FROM payroll_line WHERE source_id = ?")) {
                ps.setString(1, r.id());
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(rs.getString(1) + " " + rs.getBigDecimal(2).toPlainString() + " " + rs.getString(3));
                    }
                }
            }
            if (reason == null) {
                assertThat(h.quarantine()).doesNotContainKey(r.id());
                assertThat(rows).containsExactly(number + " " + hours + " active");
                if (targets.contains("csv")) {
                    assertThat(DeliveredPayroll.csvRows(h.filesOf("csv"))).filteredOn(row -> r.id().equals(row.get("sourceId")))
                            .extracting(row -> row.get("employeeNumber") + " " + row.get("quantity"))
                            .containsExactly(number + " " + hours);
                }
            } else {
                assertThat(h.quarantine()).containsEntry(r.id(), reason);
                assertThat(rows).isEmpty();
            }
        }
    }

    /** The first run; returns the quarantine rows that stay after the fix (stand-in keys, until a full pass). */
    private static Set<String> firstRun(Outcome outcome, Ctx ctx, Set<String> baseline) throws Exception {
        BadInputHarness h = ctx.h();
        TimeRegistration r = ctx.r();
        SyncRun run = h.runOnce();
        assertThat(run.mode()).isEqualTo(SyncRun.Mode.FULL);
        assertThat(run.pages()).as("a multi-page pass").isGreaterThanOrEqualTo(3);
        Map<String, String> quarantine = h.quarantine();
        Set<String> phantoms = Set.of();
        if (outcome instanceof Quarantined q) {
            String key = r.id();
            if (q.underStandInKey()) {
                List<String> standIns = quarantine.keySet().stream()
                        .filter(k -> k.startsWith("missing-id-") || k.startsWith("long-id-")).toList();
                assertThat(standIns).as("one record quarantined under a stand-in key").hasSize(1);
                key = standIns.get(0);
                phantoms = Set.of(key); // Ditio never mentions the stand-in again: it leaves with the next full pass
            }
            assertThat(quarantine.keySet()).containsExactlyInAnyOrderElementsOf(union(baseline, Set.of(key)));
            assertThat(quarantine.get(key)).as("reason").isEqualTo(q.reason().apply(ctx));
            assertThat(run.quarantinedCount()).isEqualTo(baseline.size() + 1);
            assertPayroll("first run", h, Set.of(r.id()), Map.of());
            assertThat(h.jdbcRowsOf(r.id())).isEmpty();
            assertThat(h.sapDocumentsOf(r.id())).isEmpty();
            int ready = h.payrollReady().size() - 1;
            assertThat(run.linesByTarget()).containsEntry("visma", ready).containsEntry("sap", ready)
                    .containsEntry("jdbc", ready);
        } else if (outcome instanceof Delivered d) {
            BigDecimal hours = (d.hours() == null ? r.qty() : d.hours()).setScale(2, RoundingMode.HALF_UP);
            assertThat(quarantine.keySet()).containsExactlyInAnyOrderElementsOf(baseline);
            assertPayroll("first run", h, Set.of(), Map.of(r.id(), hours));
            assertThat(h.jdbcRowsOf(r.id())).singleElement().satisfies(c -> assertThat(c[0]).isEqualTo(hours.toPlainString()));
            assertThat(h.sapDocumentsOf(r.id())).singleElement()
                    .satisfies(c -> assertThat(c.get(6)).isEqualTo(hours.toPlainString()));
            d.check().verify(ctx);
        }
        assertAQuietRunChangesNothing(h);
        return phantoms;
    }

    /**
     * A run in which Ditio sends nothing new maps the quarantine again from what the state DB kept of
     * each record: what it held stays held, for the same reason, and nothing more is paid.
     */
    static void assertAQuietRunChangesNothing(BadInputHarness h) throws Exception {
        Map<String, String> quarantine = h.quarantine();
        Map<String, BigDecimal> visma = h.vismaTotals();
        Map<String, BigDecimal> sap = h.sapTotals();
        Map<String, BigDecimal> jdbc = h.jdbcTotals();
        SyncRun quiet = h.runOnce();
        assertThat(quiet.mode()).isEqualTo(SyncRun.Mode.INCREMENTAL);
        assertThat(h.quarantine()).as("quarantine after a quiet run").isEqualTo(quarantine);
        assertThat(h.vismaTotals()).as("Visma after a quiet run").isEqualTo(visma);
        assertThat(h.sapTotals()).as("SAP after a quiet run").isEqualTo(sap);
        assertThat(h.jdbcTotals()).as("payroll_line after a quiet run").isEqualTo(jdbc);
    }

    /** Visma, SAP and payroll_line hold exactly the truth without {@code left}, with {@code hours} where given. */
    static void assertPayroll(String when, BadInputHarness h, Set<String> left, Map<String, BigDecimal> hours)
            throws Exception {
        DeliveredPayroll.assertSums("Visma, " + when, h.vismaTotals(), h.truth(BadInputHarness::visma, left, hours));
        DeliveredPayroll.assertSums("SAP, " + when, h.sapTotals(), h.truth(BadInputHarness::day, left, hours));
        DeliveredPayroll.assertSums("payroll_line, " + when, h.jdbcTotals(), h.truth(BadInputHarness::day, left, hours));
    }

    /**
     * A payroll-ready registration with its own employee number, in the middle of page 2 of the
     * full pass (a full pass is in work date and id order, in pages of exactly ChunkLimit = 100).
     */
    static TimeRegistration victim(BadInputHarness h) {
        List<String> pass = h.ditio.data().liveTimeRegistrations(h.startDate, h.startDate.plusYears(1)).stream()
                .map(TimeRegistration::id).toList();
        assertThat(pass).as("a full pass of three pages or more").hasSizeGreaterThan(200);
        TimeRegistration victim = h.payrollReady().stream()
                .filter(r -> r.userEmployeeNumber() != null && !r.userEmployeeNumber().isBlank())
                .filter(r -> r.qty().compareTo(BigDecimal.ONE) >= 0 && r.qty().compareTo(BigDecimal.valueOf(20)) <= 0)
                .min(java.util.Comparator.comparingInt(r -> Math.abs(pass.indexOf(r.id()) - 150))).orElseThrow();
        assertThat(pass.indexOf(victim.id()) / 100 + 1).as("page of the victim").isEqualTo(2);
        return victim;
    }

    /** SAP LTXA1 of the record (unquoted), no control character in any SAP drop, and its text in the JDBC table. */
    static void assertText(Ctx ctx, String ltxa1, String jdbcText) throws Exception {
        assertThat(ctx.h().sapDocumentsOf(ctx.r().id())).singleElement().satisfies(c -> assertThat(c.get(9)).isEqualTo(ltxa1));
        // the JDBC text is cleaned too (no control characters), without the spreadsheet formula prefix
        assertThat(ctx.h().jdbcRowsOf(ctx.r().id())).singleElement().satisfies(c -> assertThat(c[1]).isEqualTo(jdbcText));
        for (Path f : ctx.h().filesOf("sap")) {
            String all = Files.readString(f, StandardCharsets.UTF_8);
            assertThat(all.chars().filter(ch -> ch < 0x20 && ch != '\r' && ch != '\n')).as("control characters in " + f)
                    .isEmpty();
        }
    }

    static final String NORTH = "Anleggsavdeling Vestlandet og Sørlandet nord";
    static final String SOUTH = "Anleggsavdeling Vestlandet og Sørlandet sør";

    /** The victim's user in a department of 44 characters, another user in one with the same first 30. */
    static void twoDepartmentsAlikeFor30Characters(Ctx ctx) {
        ctx.h().ditio.data().setDepartment(ctx.r().userId(), NORTH);
        String other = ctx.h().ditio.data().users().stream().map(no.ditiosync.simulator.DitioUser::identityUserId)
                .filter(u -> !u.equals(ctx.r().userId())).findFirst().orElseThrow();
        ctx.h().ditio.data().setDepartment(other, SOUTH);
    }

    /** Visma gets the department's first 30 characters (cut after a word: 29), and the run says both become one. */
    static void assertDepartmentCutAndSaidSo(Ctx ctx) throws Exception {
        assertThat(ctx.h().vismaLinesOf(ctx.r().userEmployeeNumber())).isNotEmpty()
                .allSatisfy(c -> assertThat(c.get(10)).isEqualTo("Anleggsavdeling Vestlandet og"));
        assertThat(ctx.h().warnings().stream().filter(w -> w.contains("department"))).singleElement()
                .satisfies(w -> assertThat(w).contains("Visma's department field holds 30 characters: ",
                        "'" + NORTH + "' as 'Anleggsavdeling Vestlandet og'",
                        "so these departments become one in Visma, their hours booked together: '" + NORTH + "' and '"
                                + SOUTH + "' as 'Anleggsavdeling Vestlandet og'",
                        "give them names of at most 30 characters in Ditio"));
    }

    /** One WARN for the page, naming the record, however many of its copies. */
    static void assertRepeatWarnedOnce(Ctx ctx) {
        assertThat(ctx.h().warnings().stream().filter(w -> w.contains("more than once"))).singleElement()
                .satisfies(w -> assertThat(w).endsWith(": page 2 of /v1/time-registrations holds 1 record id(s) more "
                        + "than once (" + ctx.r().id() + "); the last copy of each is kept"));
    }

    /** A mapping with a row for every task number the dataset uses, and no catch-all row. */
    static void mappingWithoutCatchAll(Ctx ctx) {
        Set<String> tasks = new TreeSet<>();
        ctx.h().ditio.data().allTimeRegistrations().forEach(r -> {
            assertThat(r.taskWbsNumber()).as("every generated registration has a task").isNotBlank();
            tasks.add(r.taskWbsNumber());
        });
        List<String> lines = new ArrayList<>(List.of("source,field,value,wageType"));
        tasks.forEach(t -> lines.add("time,taskWbsNumber," + t + "," + ("9001".equals(t) ? "1100" : "1000")));
        Path file = ctx.dir().resolve("wage-types.csv");
        try {
            Files.write(file, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ctx.h().set("payroll.wage-types", file.toString());
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new TreeSet<>(a);
        u.addAll(b);
        return u;
    }
}
