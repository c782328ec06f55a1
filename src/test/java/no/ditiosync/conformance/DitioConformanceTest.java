package no.ditiosync.conformance;

import no.ditiosync.app.SyncApplication;
import no.ditiosync.ditio.DitioPager;
import no.ditiosync.run.SyncRun;
import no.ditiosync.run.SyncSteps;
import no.ditiosync.testing.DeliveredPayroll;
import no.ditiosync.testing.ScriptedDitio;
import no.ditiosync.testing.ScriptedDitio.Answer;
import no.ditiosync.testing.ScriptedDitio.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/**
 * The client against a Ditio that follows docs/ditio-contract.md but is not our simulator: it answers in the
 * forms the spec allows and the simulator does not use (tokens that need URL-encoding, .NET
 * timestamps with seven fraction digits or an offset, numbers written differently, unknown fields,
 * the three ways to say "last page", pages larger than ChunkLimit, repeated tombstones).
 */
class DitioConformanceTest {

    static final LocalDate START = LocalDate.of(2026, 11, 16);

    @TempDir
    Path dir;
    final ScriptedDitio ditio = new ScriptedDitio();
    SyncApplication app;

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
        ditio.close();
    }

    SyncRun run(Map<String, String> extra) {
        if (app == null) {
            Map<String, String> s = ditio.settings("acme", START, dir);
            s.putAll(extra);
            app = new SyncApplication(s).start();
        }
        return app.runOnce();
    }

    SyncRun run() {
        return run(Map.of());
    }

    Map<String, BigDecimal> delivered() throws Exception {
        return DeliveredPayroll.jdbcTotals("jdbc:h2:file:" + dir.resolve("data/state").toAbsolutePath());
    }

    /**
     * A pass served page by page: the first page without a token, page i+1 for the token that page
     * i sent (as decoded by the server). Any other token, or a parameter that differs from the
     * first page's, is a 400 as a strict server would answer.
     */
    static Function<Request, Answer> pages(Map<String, String> bodyByToken) {
        Map<String, String> first = new HashMap<>();
        return request -> {
            Map<String, String> others = new HashMap<>(request.params());
            String token = others.remove("continuationtoken");
            synchronized (first) {
                if (token == null) {
                    first.clear();
                    first.putAll(others);
                } else if (!others.equals(first)) {
                    return Answer.json(400, "{\"error\":\"InvalidArgument\",\"message\":\"parameters changed between pages: "
                            + first + " then " + others + "\"}");
                }
            }
            String body = bodyByToken.get(token == null ? "" : token);
            return body != null ? Answer.json(body)
                    : Answer.json(400, "{\"error\":\"InvalidContinuationToken\",\"message\":\"unknown token '" + token + "'\"}");
        };
    }

    static String registration(String id, String employee, String workDate, String qty, String modified) {
        return "{\"id\":\"" + id + "\",\"userId\":\"u-" + employee + "\",\"userEmployeeNumber\":\"" + employee
                + "\",\"workDate\":\"" + workDate + "\",\"qty\":" + qty + ",\"approved\":true,\"payrollApproved\":true,"
                + "\"modifiedDateTime\":\"" + modified + "\",\"isDeleted\":false}";
    }

    @Test
    void recordsAndPagesInEveryFormTheSpecAllowsArriveWithTheirExactHours() throws Exception {
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 120; i++) {
            // more than ChunkLimit (100) on one page: many records share one timestamp
            big.append(i == 0 ? "" : ",").append(registration("big-" + i, "102", "2026-11-20T00:00:00Z", "0.1",
                    "2026-11-21T07:00:00Z"));
        }
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of(
                "", "{\"data\":["
                        // .NET: seven fraction digits; "no value" dates with and without Z and fractions
                        + "{\"id\":\"r1\",\"userId\":\"u-101\",\"userEmployeeNumber\":\"101\",\"workDate\":\"2026-11-16T00:00:00Z\","
                        + "\"qty\":7.5,\"approved\":true,\"payrollApproved\":true,\"locked\":false,"
                        + "\"modifiedDateTime\":\"2026-11-16T16:02:11.1234567Z\",\"approvedDateTime\":\"0001-01-01T00:00:00\","
                        + "\"payrollApprovedDateTime\":\"0001-01-01T00:00:00Z\",\"stopDateTime\":\"0001-01-01T00:00:00.0000000Z\","
                        + "\"deletedDateTime\":\"0001-01-01T00:00:00\",\"isDeleted\":false,"
                        + "\"someNewField\":{\"nested\":[1,{\"x\":null}]},\"anotherNewField\":[\"a\"]},"
                        // an explicit offset; booleans that do not gate payroll null; trailing zero
                        + "{\"id\":\"r2\",\"userId\":\"u-101\",\"userEmployeeNumber\":\"101\",\"workDate\":\"2026-11-17T00:00:00\","
                        + "\"qty\":7.50,\"approved\":null,\"payrollApproved\":true,\"locked\":null,\"invoiced\":null,"
                        + "\"modifiedDateTime\":\"2026-11-17T16:00:00+00:00\",\"isDeleted\":null},"
                        + "{\"id\":\"r3\",\"userId\":\"u-101\",\"userEmployeeNumber\":\"101\",\"workDate\":\"2026-11-18T00:00:00.0000000Z\","
                        + "\"qty\":7,\"approved\":true,\"payrollApproved\":true,\"modifiedDateTime\":\"2026-11-18T16:00:00.1Z\"},"
                        // an exponent; optional fields left out
                        + "{\"id\":\"r4\",\"userId\":\"u-101\",\"userEmployeeNumber\":\"101\",\"workDate\":\"2026-11-19T00:00:00+00:00\","
                        + "\"qty\":1e0,\"payrollApproved\":true,\"modifiedDateTime\":\"2026-11-19T16:00:00.1234567+00:00\"},"
                        // no employee number on the registration: the user's, though the user is deleted
                        + "{\"id\":\"r5\",\"userId\":\"u-103\",\"workDate\":\"2026-11-19T00:00:00Z\",\"qty\":4.25,"
                        + "\"payrollApproved\":true,\"modifiedDateTime\":\"2026-11-19T16:00:00Z\"}"
                        + "],\"continuationToken\":\"a+b/c=\",\"syncTypeName\":\"full\",\"recordCount\":5,\"deletedRecordCount\":0,"
                        + "\"somethingNew\":{\"k\":[1,2]}}",
                // links.next pointing elsewhere: never followed
                "a+b/c=", "{\"links\":{\"next\":\"/v1/nowhere?ContinuationToken=zzz\"},\"data\":[" + big
                        + "],\"continuationToken\":\"eyJwIjozfQ==\",\"recordCount\":120}",
                // an empty page that is not the last
                "eyJwIjozfQ==", "{\"data\":[],\"continuationToken\":\"p 4%\",\"recordCount\":0,\"deletedRecordCount\":0}",
                "p 4%", "{\"data\":[],\"continuationToken\":\"\",\"recordCount\":0}")));
        // the users pass ends with a null token, the projects pass with none at all
        ditio.on(DitioPager.USERS, pages(Map.of("", "{\"data\":[{\"id\":\"p-103\",\"identityUserId\":\"u-103\","
                + "\"employeeNumber\":\"103\",\"name\":\"Åse Ødegård\",\"isDeleted\":true,\"isDisabled\":null,"
                + "\"startDate\":\"0001-01-01T00:00:00\",\"endDate\":null,\"modifiedDateTime\":\"2026-11-01T10:00:00.1234567Z\"}],"
                + "\"continuationToken\":null}")));
        ditio.on(DitioPager.PROJECTS, pages(Map.of("", "{\"data\":[]}")));

        SyncRun run = run();

        assertThat(delivered()).containsExactly(
                entry("101|2026-11-16|1000", new BigDecimal("7.50")),
                entry("101|2026-11-17|1000", new BigDecimal("7.50")),
                entry("101|2026-11-18|1000", new BigDecimal("7.00")),
                entry("101|2026-11-19|1000", new BigDecimal("1.00")),
                entry("102|2026-11-20|1000", new BigDecimal("12.00")),
                entry("103|2026-11-19|1000", new BigDecimal("4.25")));
        assertThat(run.quarantinedCount()).isZero();
        List<Request> pages = ditio.requests(DitioPager.TIME_REGISTRATIONS);
        assertThat(pages).extracting(r -> r.param("ContinuationToken"))
                .containsExactly(null, "a+b/c=", "eyJwIjozfQ==", "p 4%");
        // the start date, and a day before it for a work date a server files under the UTC day before
        assertThat(pages).allSatisfy(r -> assertThat(r.param("FromDateTime")).isEqualTo("2026-11-15"));
        assertThat(ditio.requests()).noneMatch(r -> r.path().contains("nowhere"));
    }

    @Test
    void aTombstoneWithEveryOtherFieldEmptyTakesTheLineBackOnceThoughItComesAgain() throws Exception {
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":["
                + registration("r1", "101", "2026-11-16T00:00:00Z", "7.5", "2026-11-16T16:00:00Z") + ","
                + registration("r2", "102", "2026-11-16T00:00:00Z", "8", "2026-11-16T16:00:00Z")
                + "],\"continuationToken\":null}")));
        run();
        assertThat(delivered()).containsOnlyKeys("101|2026-11-16|1000", "102|2026-11-16|1000");

        // the deletion on two pages of one pass: once with every other field null, once with them left out
        String nulls = "{\"id\":\"r1\",\"isDeleted\":true,\"deletedDateTime\":\"2026-11-20T10:00:00.1234567Z\","
                + "\"modifiedDateTime\":\"2026-11-20T10:00:00.1234567Z\",\"workDate\":null,\"qty\":null,\"userId\":null,"
                + "\"userEmployeeNumber\":null,\"approved\":null,\"payrollApproved\":null,\"locked\":null,"
                + "\"description\":null,\"projectId\":null,\"startDateTime\":null,\"approvedDateTime\":null}";
        String bare = "{\"id\":\"r1\",\"isDeleted\":true,\"deletedDateTime\":\"2026-11-20T10:00:00+00:00\","
                + "\"modifiedDateTime\":\"2026-11-20T10:00:00+00:00\"}";
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of(
                "", "{\"data\":[" + nulls + "],\"continuationToken\":\"x/1\",\"syncTypeName\":\"incremental\","
                        + "\"recordCount\":1,\"deletedRecordCount\":1}",
                "x/1", "{\"data\":[" + bare + ","
                        + registration("r2", "102", "2026-11-16T00:00:00", "6.0", "2026-11-20T10:00:00.5Z")
                        + "],\"syncTypeName\":\"incremental\",\"recordCount\":2,\"deletedRecordCount\":1}")));
        SyncRun second = run();
        assertThat(second.mode()).isEqualTo(SyncRun.Mode.INCREMENTAL);
        assertThat(delivered()).containsExactly(entry("102|2026-11-16|1000", new BigDecimal("6.00")));

        // and again in the next run
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":[" + bare + "],\"continuationToken\":\"\"}")));
        run();
        assertThat(delivered()).containsExactly(entry("102|2026-11-16|1000", new BigDecimal("6.00")));
        assertThat(lineRows()).containsExactly("time:r1 cancelled 7.50", "time:r2 active 6.00");

        // ModifiedSince in a form the spec accepts, the same on every page of the pass
        List<Request> incremental = ditio.requests(DitioPager.TIME_REGISTRATIONS).stream()
                .filter(r -> r.param("ModifiedSince") != null).toList();
        assertThat(incremental).hasSize(3);
        assertThat(incremental.get(0).param("ModifiedSince")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(incremental.get(1).params()).containsEntry("modifiedsince", incremental.get(0).param("ModifiedSince"))
                .containsEntry("chunklimit", "100").doesNotContainKeys("fromdatetime", "todatetime");
        assertThat(Instant.parse(incremental.get(0).param("ModifiedSince"))).isBefore(second.startedAt());
    }

    /** The JDBC target's rows: line, status, hours. */
    List<String> lineRows() throws Exception {
        List<String> rows = new java.util.ArrayList<>();
        try (var c = java.sql.DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("data/state").toAbsolutePath(), "sa", "");
             var rs = c.createStatement().executeQuery("SELECT line_id, status, quantity FROM payroll_line ORDER BY line_id")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getBigDecimal(3));
            }
        }
        return rows;
    }

    /** A minute (refreshed about 15 s early, not on every call), 24 hours, and lifetimes written unusually. */
    @ParameterizedTest
    @ValueSource(strings = {"60", "86400", "\"60\"", "60.0", "null"})
    void aTokenIsFetchedOnceForARunOfManyPages(String expiresIn) throws Exception {
        ditio.token(request -> Answer.json("{\"access_token\":\"" + ditio.nextToken() + "\",\"token_type\":\"bearer\","
                + "\"expires_in\":" + expiresIn + ",\"scope\":\"reportingapiv1\",\"ext_expires_in\":60,\"refresh_token\":null}"));
        Map<String, String> bodies = new HashMap<>();
        for (int page = 0; page < 6; page++) {
            bodies.put(page == 0 ? "" : "t" + page, "{\"data\":[" + registration("r" + page, "101",
                    "2026-11-" + (16 + page) + "T00:00:00Z", "1", "2026-11-25T10:00:00Z") + "],\"continuationToken\":"
                    + (page == 5 ? "null" : "\"t" + (page + 1) + "\"") + "}");
        }
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(bodies));

        run();

        assertThat(delivered()).hasSize(6);
        assertThat(ditio.tokensIssued()).isEqualTo(1);
        assertThat(ditio.requests(DitioPager.TIME_REGISTRATIONS)).extracting(Request::authorization).containsOnly("Bearer tok-1");
    }

    @Test
    void aValidationErrorShowsEachFieldsMessage() throws Exception {
        ditio.on(DitioPager.TIME_REGISTRATIONS, request -> Answer.json(400, "{\"message\":\"Validation failed\",\"errors\":["
                + "{\"code\":\"InvalidDate\",\"field\":\"FromDateTime\",\"message\":\"FromDateTime is not a date.\"},"
                + "{\"code\":\"Required\",\"field\":\"ToDateTime\"}]}"));

        assertThatThrownBy(this::run).isInstanceOf(no.ditiosync.ditio.DitioApiException.class)
                .hasMessage("Ditio rejected the request for page 1 of /v1/time-registrations (HTTP 400): Validation failed; "
                        + "FromDateTime: FromDateTime is not a date.; ToDateTime: Required");
        assertThat(ditio.requests(DitioPager.TIME_REGISTRATIONS)).as("not retried").hasSize(1);
    }

    @Test
    void a403ShowsWhatDitioSaidBesideTheCredentialsAdvice() {
        ditio.on(DitioPager.USERS, request -> Answer.json(403, "{\"error\":\"Forbidden\","
                + "\"message\":\"The API client has no access to company 4711.\"}"));

        assertThatThrownBy(this::run).isInstanceOf(no.ditiosync.ditio.DitioApiException.class)
                .hasMessage("Ditio refused access (HTTP 403) on page 1 of /v1/user: check that the API client has the "
                        + "'reportingapiv1' scope and access to this company (Ditio said: Forbidden: The API client has "
                        + "no access to company 4711.)");
        assertThat(ditio.requests(DitioPager.USERS)).as("not retried").hasSize(1);
    }

    @Test
    void anIdentityServerAnswering401InvalidClientNamesTheCredentials() {
        ditio.token(request -> Answer.json(401, "{\"error\":\"invalid_client\",\"error_description\":\"bad secret\"}"));

        assertThatThrownBy(this::run).isInstanceOf(no.ditiosync.ditio.DitioApiException.class)
                .hasMessageContaining("invalid_client").hasMessageContaining("DITIO_CLIENT_SECRET");
        assertThat(ditio.requests(DitioPager.USERS)).isEmpty();
    }

    @Test
    void somethingInDataThatIsNotARecordFailsThePageInsteadOfEndingThePass() throws Exception {
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of(
                "", "{\"data\":[" + registration("r1", "101", "2026-11-16T00:00:00Z", "3", "2026-11-16T16:00:00Z")
                        + ",null," + registration("r2", "101", "2026-11-17T00:00:00Z", "4", "2026-11-17T16:00:00Z")
                        + "],\"continuationToken\":\"t2\"}",
                "t2", "{\"data\":[" + registration("r3", "101", "2026-11-18T00:00:00Z", "5", "2026-11-18T16:00:00Z")
                        + "]}")));

        assertThatThrownBy(this::run).isInstanceOf(no.ditiosync.ditio.DitioApiException.class)
                .hasMessageContaining("page 1 of /v1/time-registrations");
        assertThat(delivered()).isEmpty();
    }

    @Test
    void aRecordInAnotherCaseWithAFieldThatDoesNotBindIsQuarantinedUnderItsId() throws Exception {
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"Data\":[{\"Id\":\"r1\",\"UserId\":\"u-101\","
                + "\"UserEmployeeNumber\":\"101\",\"WorkDate\":\"2026-11-16T00:00:00Z\",\"Qty\":\"abc\","
                + "\"PayrollApproved\":true,\"ModifiedDateTime\":\"2026-11-16T16:00:00Z\",\"IsDeleted\":false}]}")));

        SyncRun run = run();

        assertThat(run.quarantinedShown()).singleElement().satisfies(q -> {
            assertThat(q.recordId()).isEqualTo("r1");
            assertThat(q.reason()).isEqualTo("unreadable Qty: \"abc\" is not a number");
        });
    }

    /** 'data' is an array: a page with null there is a bad page, not an empty last one (that would move the watermark). */
    @Test
    void aPageWithDataNullFailsTheRunWithoutMovingTheWatermark() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean nullData = new java.util.concurrent.atomic.AtomicBoolean(true);
        ditio.on(DitioPager.TIME_REGISTRATIONS, request -> {
            String token = request.param("ContinuationToken");
            if (token == null) {
                return Answer.json("{\"data\":[" + registration("r1", "101", "2026-11-16T00:00:00Z", "3",
                        "2026-11-16T16:00:00Z") + "],\"continuationToken\":\"t2\"}");
            }
            return Answer.json("{\"data\":" + (nullData.get() ? "null" : "[]") + ",\"continuationToken\":null,\"recordCount\":0}");
        });

        assertThatThrownBy(this::run).isInstanceOf(no.ditiosync.ditio.DitioApiException.class)
                .hasMessageContaining("Ditio sent 'data' that is null for page 2 of /v1/time-registrations");
        assertThat(delivered()).isEmpty();
        nullData.set(false);
        assertThat(run().mode()).as("the next run, the watermark unmoved").isEqualTo(SyncRun.Mode.FULL);
        assertThat(delivered()).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("3.00")));
    }

    @Test
    void propertyNamesInAnotherCaseAreReadAsTheSpecsNames() throws Exception {
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of(
                "", "{\"Data\":[{\"Id\":\"r1\",\"UserId\":\"u-101\",\"UserEmployeeNumber\":\"101\","
                        + "\"WorkDate\":\"2026-11-16T00:00:00Z\",\"Qty\":7.5,\"Approved\":true,\"PayrollApproved\":true,"
                        + "\"ModifiedDateTime\":\"2026-11-16T16:00:00Z\",\"IsDeleted\":false}],\"ContinuationToken\":\"t2\"}",
                "t2", "{\"data\":[" + registration("r2", "101", "2026-11-17T00:00:00Z", "2", "2026-11-17T16:00:00Z")
                        + "],\"ContinuationToken\":null}")));
        ditio.on(DitioPager.USERS, pages(Map.of("", "{\"Data\":[{\"IdentityUserId\":\"u-103\",\"EmployeeNumber\":\"103\"}]}")));

        run();

        assertThat(delivered()).containsExactly(
                entry("101|2026-11-16|1000", new BigDecimal("7.50")),
                entry("101|2026-11-17|1000", new BigDecimal("2.00")));
        assertThat(ditio.requests(DitioPager.TIME_REGISTRATIONS)).hasSize(2);
    }

    @Test
    void absencesAndPayrollLinesInPascalCaseArriveWithTheirExactHours() throws Exception {
        ditio.on(DitioPager.ABSENCES, pages(Map.of("", "{\"Data\":["
                + "{\"Id\":\"a1\",\"Date\":\"2026-11-17\",\"Qty\":7.50,\"AbsenceTypeCode\":\"SYK\",\"EmployeeNumber\":\"101\","
                + "\"UserId\":\"u-101\",\"Approved\":true,\"PayrollApproved\":true,"
                + "\"ModifiedDateTime\":\"2026-11-18T08:00:00.1234567Z\",\"IsDeleted\":false}],\"ContinuationToken\":null}")));
        ditio.on(DitioPager.PAYROLL_LINES, pages(Map.of("", "{\"Data\":["
                + "{\"Id\":\"d1\",\"TransDateTime\":\"2026-11-16T00:00:00.0000000Z\",\"UserId\":\"u-102\",\"EmployeeNumber\":\"102\","
                + "\"Qty\":9.5,\"Approved\":true,\"Verified\":true,\"ModifiedDateTime\":\"2026-11-17T06:00:00Z\",\"IsDeleted\":false,"
                + "\"OvertimeLines\":[{\"PayrollTypeId\":\"OT50\",\"Name\":\"Overtid 50%\",\"LineType\":20,\"OvertimeType\":0,"
                + "\"Sorting\":1,\"Qty\":2.00}]}]}")));

        SyncRun run = run(Map.of("payroll.absences", "true", "payroll.source", "payroll-lines"));

        assertThat(run.quarantinedCount()).isZero();
        assertThat(delivered()).containsExactly(
                entry("101|2026-11-17|5100", new BigDecimal("7.50")),
                entry("102|2026-11-16|1000", new BigDecimal("7.50")),
                entry("102|2026-11-16|2050", new BigDecimal("2.00")));
    }

    /**
     * Hours with more decimals than the state DB keeps are paid as Ditio's value rounded once, half up, to
     * the hundredth: 7.49499999 is 7.49 and 0.0049999995 no line (they were first rounded to six decimals,
     * 7.495000, then paid 7.50: outside audit).
     */
    @Test
    void hoursWithManyDecimalsAreRoundedOnceToTheHundredth() throws Exception {
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":["
                + registration("r1", "101", "2026-11-16T00:00:00Z", "7.49499999", "2026-11-16T16:00:00Z") + ","
                + registration("r2", "101", "2026-11-17T00:00:00Z", "0.0049999995", "2026-11-17T16:00:00Z") + ","
                + registration("r3", "101", "2026-11-18T00:00:00Z", "2.1250000001", "2026-11-18T16:00:00Z") + "]}")));

        run();

        assertThat(delivered()).containsExactly(
                entry("101|2026-11-16|1000", new BigDecimal("7.49")),
                entry("101|2026-11-18|1000", new BigDecimal("2.13")));
    }

    /** A day's overtime line of many decimals: the day's lines still add up to its hours as paid (8.00, not 8.01). */
    @Test
    void aDaysOvertimeOfManyDecimalsLeavesTheDaysHoursWhole() throws Exception {
        ditio.on(DitioPager.PAYROLL_LINES, pages(Map.of("", "{\"data\":["
                + "{\"id\":\"d1\",\"transDateTime\":\"2026-11-16T00:00:00Z\",\"userId\":\"u-102\",\"employeeNumber\":\"102\","
                + "\"qty\":8,\"approved\":true,\"verified\":true,\"modifiedDateTime\":\"2026-11-17T06:00:00Z\",\"isDeleted\":false,"
                + "\"overtimeLines\":[{\"payrollTypeId\":\"OT50\",\"lineType\":20,\"overtimeType\":0,\"qty\":1.12499999}]}]}")));

        run(Map.of("payroll.source", "payroll-lines"));

        assertThat(delivered()).containsExactly(
                entry("102|2026-11-16|1000", new BigDecimal("6.88")),
                entry("102|2026-11-16|2050", new BigDecimal("1.12")));
    }

    /**
     * An employee number of nine characters outside Unicode's basic plane is 18 UTF-16 units, more than the
     * ledger's column holds on H2: its record is quarantined, and the run delivers the others (it failed,
     * and so did every run after it: outside audit).
     */
    @Test
    void anEmployeeNumberTooLongForItsColumnIsQuarantinedNotEveryRunFailed() throws Exception {
        String nineMathematicalOnes = "\uD835\uDFCF".repeat(9);
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":["
                + registration("e1", nineMathematicalOnes, "2026-11-16T00:00:00Z", "1", "2026-11-16T16:00:00Z") + ","
                + registration("e2", "102", "2026-11-16T00:00:00Z", "2", "2026-11-16T16:00:00Z") + "]}")));

        SyncRun run = run();

        assertThat(run.quarantinedCount()).isEqualTo(1);
        assertThat(delivered()).containsExactly(entry("102|2026-11-16|1000", new BigDecimal("2.00")));
    }

    /**
     * Blanks around an employee number are removed whatever blank they are: a no-break space (which
     * String.strip keeps) made "101" another employee in the CSV and payroll_line (outside audit), and a
     * number of no-break spaces alone was one.
     */
    @Test
    void anEmployeeNumberBetweenNoBreakSpacesIsTheNumber() throws Exception {
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":["
                + registration("r1", "\u00a0101\u2007", "2026-11-16T00:00:00Z", "7.5", "2026-11-16T16:00:00Z") + ","
                + registration("r2", "\u00a0", "2026-11-17T00:00:00Z", "2", "2026-11-17T16:00:00Z") + ","
                // a byte order mark, as a number pasted from a file that began with one carries it
                + registration("r3", "\uFEFF101\u200B", "2026-11-18T00:00:00Z", "3", "2026-11-18T16:00:00Z") + "]}")));

        SyncRun run = run(Map.of("payroll.targets", "csv,jdbc"));

        assertThat(delivered()).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("7.50")),
                entry("101|2026-11-18|1000", new BigDecimal("3.00")));
        assertThat(run.quarantinedCount()).isEqualTo(1);
    }

    /**
     * A description longer than the ledger keeps is cleaned before it is cut: 3000 blanks in front no
     * longer push the words out of payroll_line's text (it kept 1000 of 1510 characters: outside audit).
     */
    @Test
    void aLongDescriptionIsCleanedBeforeItIsCut() throws Exception {
        String words = "start " + "y".repeat(1500) + " END";
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":[{\"id\":\"r1\",\"userId\":\"u-101\","
                + "\"userEmployeeNumber\":\"101\",\"workDate\":\"2026-11-16T00:00:00Z\",\"qty\":7.5,\"approved\":true,"
                + "\"payrollApproved\":true,\"description\":\"" + " ".repeat(3000) + words + "\","
                + "\"modifiedDateTime\":\"2026-11-16T16:00:00Z\",\"isDeleted\":false}]}")));

        run();

        assertThat(lineTexts()).containsExactly("time:r1 " + words);
    }

    /**
     * A department longer than the 200 characters kept is delivered cut to them, as before, but no longer
     * without a word: the run names it (outside audit).
     */
    @Test
    void aDepartmentLongerThanItsColumnIsCutAndSaid() throws Exception {
        String department = "Avdeling " + "x".repeat(240) + " END";
        ditio.on(DitioPager.USERS, pages(Map.of("", "{\"data\":[{\"id\":\"p-101\",\"identityUserId\":\"u-101\","
                + "\"employeeNumber\":\"101\",\"department\":\"" + department + "\",\"isDeleted\":false,"
                + "\"modifiedDateTime\":\"2026-11-01T10:00:00Z\"}]}")));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":["
                + registration("r1", "101", "2026-11-16T00:00:00Z", "7.5", "2026-11-16T16:00:00Z") + "]}")));
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log = new ch.qos.logback.core.read.ListAppender<>();
        ch.qos.logback.classic.Logger steps = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(SyncSteps.class);
        log.start();
        steps.addAppender(log);
        try {
            run();
        } finally {
            steps.detachAppender(log);
        }

        assertThat(lineTexts()).containsExactly("time:r1 null | " + department.substring(0, 200));
        assertThat(log.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                .filteredOn(m -> m.contains("department")).singleElement().asString()
                .contains("1 department(s) longer than 200 characters", "'" + department.substring(0, 40) + "…'");
    }

    /**
     * A line the approval gate took back while another target was switched off stays taken back when its
     * worker's employee number changes: the remap rebuilt it from the ledger as approved, because the
     * switched-off target still held it, and delivered it again to the targets that had reversed it
     * (outside audit, a random sequence of runs). So too once that target is switched on again before the
     * worker moves (that run takes the line back there too), and when the worker first loses his number, so
     * the re-mapped line waits in quarantine until he has one.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "target switched on again before the move: {0}, number lost first: {1}")
    @CsvSource({"false,false", "true,false", "true,true"})
    void aLineTheGateTookBackIsNotDeliveredAgainWhenItsWorkerMoves(boolean switchedOnAgain, boolean numberLostFirst)
            throws Exception {
        String user = "{\"data\":[{\"id\":\"p-101\",\"identityUserId\":\"u-101\",\"employeeNumber\":\"%s\","
                + "\"isDeleted\":false,\"modifiedDateTime\":\"%s\"}]}";
        ditio.on(DitioPager.USERS, pages(Map.of("", user.formatted("101", "2026-11-01T10:00:00Z"))));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":["
                + registration("r1", "101", "2026-11-16T00:00:00Z", "7.5", "2026-11-16T16:00:00Z")
                        .replace("\"userEmployeeNumber\":\"101\",", "").replace("\"payrollApproved\":true", "\"payrollApproved\":false")
                + "," + registration("r2", "101", "2026-11-17T00:00:00Z", "4", "2026-11-17T16:00:00Z")
                        .replace("\"userEmployeeNumber\":\"101\",", "") + "]}")));
        run(Map.of("payroll.targets", "csv,jdbc", "payroll.approval", "approved"));
        assertThat(delivered()).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("7.50")),
                entry("101|2026-11-17|1000", new BigDecimal("4.00")));

        app.close();
        app = null;
        run(Map.of("payroll.targets", "jdbc", "payroll.approval", "payrollApproved"));
        assertThat(delivered()).containsExactly(entry("101|2026-11-17|1000", new BigDecimal("4.00")));

        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":[]}"))); // no registration changed since
        if (switchedOnAgain) {
            app.close();
            app = null;
            run(Map.of("payroll.targets", "csv,jdbc", "payroll.approval", "payrollApproved"));
        }
        if (numberLostFirst) {
            ditio.on(DitioPager.USERS, pages(Map.of("", user.formatted("", "2026-11-19T10:00:00Z"))));
            run(Map.of());
        }
        ditio.on(DitioPager.USERS, pages(Map.of("", user.formatted("201", "2026-11-20T10:00:00Z"))));
        run(Map.of());

        assertThat(delivered()).containsExactly(entry("201|2026-11-17|1000", new BigDecimal("4.00")));
    }

    /**
     * PAYROLL_SOURCE switched while a target was off: that target still holds the lines of the feed no longer
     * read, and reconcile --deliver, which brings a target switched on again up to date, takes them back
     * as it gives it the new source's. It gave only the new ones: that day paid twice, with no drift
     * reported (outside audit).
     */
    @Test
    void aReconcileTakesBackWhatATargetOffDuringASourceSwitchStillHolds() throws Exception {
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":["
                + registration("r1", "101", "2026-11-16T00:00:00Z", "7.5", "2026-11-16T16:00:00Z") + "]}")));
        ditio.on(DitioPager.PAYROLL_LINES, pages(Map.of("", "{\"data\":[{\"id\":\"d1\",\"transDateTime\":\"2026-11-16T00:00:00Z\","
                + "\"userId\":\"u-101\",\"employeeNumber\":\"101\",\"qty\":7.5,\"approved\":true,\"verified\":true,"
                + "\"modifiedDateTime\":\"2026-11-17T06:00:00Z\",\"isDeleted\":false,\"overtimeLines\":[]}]}")));
        run(Map.of("payroll.targets", "csv,jdbc", "payroll.source", "time"));
        app.close();
        app = null;
        run(Map.of("payroll.targets", "jdbc", "payroll.source", "payroll-lines"));
        assertThat(delivered()).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("7.50")));
        app.close();
        app = null;

        // as the officer runs it; each key's hours were right in CSV (7.50 from the other feed), its lines were not
        Map<String, String> env = new HashMap<>();
        ditio.settings("acme", START, dir).forEach((key, value) -> env.put(key.toUpperCase(java.util.Locale.ROOT)
                .replace('.', '_').replace('-', '_'), value));
        env.put("PAYROLL_TARGETS", "csv,jdbc");
        env.put("PAYROLL_SOURCE", "payroll-lines");
        Process reconcile = no.ditiosync.testing.AppProcess.builder(env, List.of(), false, "reconcile", "--from",
                        START.toString(), "--to", "2026-11-30", "--deliver")
                .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile()).start();
        assertThat(reconcile.waitFor(90, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        String out = java.nio.file.Files.readString(dir.resolve("stdout.txt"));
        assertThat(reconcile.exitValue()).as(out + java.nio.file.Files.readString(dir.resolve("stderr.txt"))).isZero();
        assertThat(out).contains("keys drifting:  0", "delivered:      no drift in hours, lines corrected as run ")
                .containsPattern("\nRun [0-9a-f]{8} \\(reconcile, company acme\\) succeeded");

        List<Path> csv;
        try (var files = java.nio.file.Files.list(dir.resolve("out/csv"))) {
            csv = files.filter(f -> f.getFileName().toString().endsWith(".csv")).sorted().toList();
        }
        assertThat(DeliveredPayroll.csvTotals(csv)).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("7.50")));
        assertThat(delivered()).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("7.50")));
    }

    /** The JDBC target's rows: line and text. */
    List<String> lineTexts() throws Exception {
        List<String> rows = new java.util.ArrayList<>();
        try (var c = java.sql.DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("data/state").toAbsolutePath(), "sa", "");
             var rs = c.createStatement().executeQuery("SELECT line_id, text, department FROM payroll_line ORDER BY line_id")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getString(2) + (rs.getString(3) == null ? "" : " | " + rs.getString(3)));
            }
        }
        return rows;
    }

    @Test
    void eachNameOfARecordInMixedCaseIsReadAsTheSpecsName() throws Exception {
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":["
                + "{\"id\":\"r1\",\"USERID\":\"u-101\",\"userEmployeeNumber\":\"101\",\"WorkDate\":\"2026-11-16T00:00:00Z\","
                + "\"qTY\":7.25,\"approved\":true,\"PAYROLLAPPROVED\":true,\"modifieddatetime\":\"2026-11-16T16:00:00Z\","
                + "\"IsDeleted\":false,\"SomeNewField\":{\"Qty\":99}},"
                // no employee number: the user's, read from a PascalCase users page
                + "{\"Id\":\"r2\",\"userId\":\"u-103\",\"WORKDATE\":\"2026-11-17T00:00:00Z\",\"Qty\":4,\"payrollApproved\":true,"
                + "\"ModifiedDateTime\":\"2026-11-17T16:00:00Z\"},"
                + registration("r3", "101", "2026-11-18T00:00:00Z", "2", "2026-11-18T16:00:00Z") + "]}")));
        ditio.on(DitioPager.USERS, pages(Map.of("", "{\"Data\":[{\"Id\":\"p-103\",\"IdentityUserId\":\"u-103\","
                + "\"EmployeeNumber\":\"103\",\"IsDeleted\":false}]}")));

        SyncRun run = run();

        assertThat(run.quarantinedCount()).isZero();
        assertThat(delivered()).containsExactly(
                entry("101|2026-11-16|1000", new BigDecimal("7.25")),
                entry("101|2026-11-18|1000", new BigDecimal("2.00")),
                entry("103|2026-11-17|1000", new BigDecimal("4.00")));
    }

    /**
     * The spec's own name wins over the same name in another case wherever it stands in its object: a
     * "QTY" after "qty" took its place, and a "PayrollApproved":true after "payrollApproved":false let an
     * unapproved registration through (outside audit); likewise inside an overtime line, and for the names
     * a payroll line reads through a method (verified, transDateTime). Of two names in other cases the later counts.
     */
    @Test
    void theSpecsNameWinsOverTheSameNameInAnotherCaseAfterIt() throws Exception {
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":["
                + registration("r1", "101", "2026-11-16T00:00:00Z", "7.5", "2026-11-16T16:00:00Z").replace("}", ",\"QTY\":75}") + ","
                + registration("r2", "101", "2026-11-17T00:00:00Z", "2", "2026-11-17T16:00:00Z")
                        .replace("\"qty\":2,", "\"Qty\":20,\"QTY\":3,") + ","
                + registration("r3", "101", "2026-11-18T00:00:00Z", "4", "2026-11-18T16:00:00Z")
                        .replace("\"payrollApproved\":true", "\"payrollApproved\":false,\"PayrollApproved\":true") + "]}")));
        ditio.on(DitioPager.PAYROLL_LINES, pages(Map.of("", "{\"data\":["
                + "{\"id\":\"d1\",\"transDateTime\":\"2026-11-16T00:00:00Z\",\"TransDateTime\":\"2026-11-19T00:00:00Z\","
                + "\"userId\":\"u-102\",\"employeeNumber\":\"102\",\"qty\":9.5,\"approved\":true,\"verified\":true,"
                + "\"modifiedDateTime\":\"2026-11-17T06:00:00Z\",\"isDeleted\":false,\"overtimeLines\":["
                + "{\"payrollTypeId\":\"OT50\",\"lineType\":20,\"OvertimeType\":1,\"sorting\":1,\"Qty\":1.00},"
                + "{\"payrollTypeId\":\"OT100\",\"lineType\":30,\"overtimeType\":0,\"OvertimeType\":1,\"sorting\":2,"
                + "\"qty\":2.00,\"QTY\":20}]},"
                + "{\"id\":\"d2\",\"transDateTime\":\"2026-11-17T00:00:00Z\",\"userId\":\"u-102\",\"employeeNumber\":\"102\","
                + "\"qty\":8,\"approved\":true,\"verified\":false,\"Verified\":true,\"modifiedDateTime\":\"2026-11-17T06:00:00Z\","
                + "\"isDeleted\":false,\"overtimeLines\":[]}]}")));

        SyncRun run = run(Map.of("payroll.source", "payroll-lines"));

        assertThat(run.quarantinedCount()).isZero();
        assertThat(delivered()).containsExactly(entry("102|2026-11-16|1000", new BigDecimal("7.50")),
                entry("102|2026-11-16|2050", new BigDecimal("1.00")), entry("102|2026-11-16|2100", new BigDecimal("2.00")));
        assertThat(ditio.requests(DitioPager.TIME_REGISTRATIONS)).as("source payroll-lines reads no registrations").isEmpty();

        ditio.on(DitioPager.PAYROLL_LINES, pages(Map.of("", "{\"data\":[]}")));
        app.close();
        app = null;
        java.nio.file.Files.walk(dir).sorted(java.util.Comparator.reverseOrder()).filter(f -> !f.equals(dir))
                .map(Path::toFile).forEach(java.io.File::delete);
        run(Map.of("payroll.source", "time"));

        assertThat(delivered()).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("7.50")),
                entry("101|2026-11-17|1000", new BigDecimal("3.00")));
    }

    /**
     * An absence or a payroll line names its work date, employee number and payroll approval its own way
     * (date, transDateTime, employeeNumber, verified): the time feed's names for them (workDate,
     * userEmployeeNumber, payrollApproved), in any case, are not its fields and change nothing. They
     * took the place of the feed's own name, whatever its case (outside audit: an unverified day paid).
     */
    @Test
    void theTimeFeedsNamesInAnAbsenceOrAPayrollLineAreNotItsFields() throws Exception {
        ditio.on(DitioPager.ABSENCES, pages(Map.of("", "{\"data\":["
                + "{\"id\":\"a1\",\"date\":\"2026-11-17\",\"WorkDate\":\"2026-11-25\",\"qty\":7.5,\"absenceTypeCode\":\"SYK\","
                + "\"employeeNumber\":\"101\",\"UserEmployeeNumber\":\"999\",\"userId\":\"u-101\",\"approved\":true,"
                + "\"payrollApproved\":true,\"modifiedDateTime\":\"2026-11-18T08:00:00Z\",\"isDeleted\":false},"
                + "{\"id\":\"a2\",\"workDate\":\"2026-11-26\",\"userEmployeeNumber\":\"999\",\"date\":\"2026-11-18\",\"qty\":4,"
                + "\"absenceTypeCode\":\"SYK\",\"employeeNumber\":\"101\",\"userId\":\"u-101\",\"approved\":true,"
                + "\"payrollApproved\":true,\"modifiedDateTime\":\"2026-11-18T08:00:00Z\",\"isDeleted\":false}]}")));
        ditio.on(DitioPager.PAYROLL_LINES, pages(Map.of("", "{\"data\":["
                + "{\"id\":\"d1\",\"transDateTime\":\"2026-11-16T00:00:00Z\",\"userId\":\"u-102\",\"employeeNumber\":\"102\","
                + "\"qty\":8,\"approved\":true,\"verified\":false,\"PayrollApproved\":true,"
                + "\"modifiedDateTime\":\"2026-11-17T06:00:00Z\",\"isDeleted\":false,\"overtimeLines\":[]},"
                + "{\"id\":\"d2\",\"payrollApproved\":false,\"workDate\":\"2026-11-24T00:00:00Z\",\"userEmployeeNumber\":\"999\","
                + "\"transDateTime\":\"2026-11-19T00:00:00Z\",\"userId\":\"u-102\",\"employeeNumber\":\"102\",\"qty\":6,"
                + "\"approved\":true,\"verified\":true,\"modifiedDateTime\":\"2026-11-20T06:00:00Z\",\"isDeleted\":false,"
                + "\"overtimeLines\":[]}]}")));

        SyncRun run = run(Map.of("payroll.absences", "true", "payroll.source", "payroll-lines"));

        assertThat(run.quarantinedCount()).isZero();
        assertThat(delivered()).containsExactly(
                entry("101|2026-11-17|5100", new BigDecimal("7.50")),
                entry("101|2026-11-18|5100", new BigDecimal("4.00")),
                entry("102|2026-11-19|1000", new BigDecimal("6.00")));
    }

    /** The reason names the field as Ditio spelled it; the next record of the page is read as usual. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "QTY             | \"abc\"         | unreadable QTY: \"abc\" is not a number",
            "qTy             | [7.5]           | unreadable qTy: [7.5] is not a number",
            "PAYROLLAPPROVED | \"maybe\"       | unreadable PAYROLLAPPROVED: \"maybe\" is not true or false",
            // never through the approval gate on a guess
            "PayrollApproved | 1               | unreadable PayrollApproved: 1 is not true or false",
            "Approved        | 0               | unreadable Approved: 0 is not true or false",
            "isDeleted       | 1.0             | unreadable isDeleted: 1.0 is not true or false"})
    void aFieldOfTheWrongTypeInAnyCaseQuarantinesItsRecordNamingTheField(String name, String value, String reason)
            throws Exception {
        String record = "{\"Id\":\"r1\",\"USERID\":\"u-101\",\"userEmployeeNumber\":\"101\",\"WorkDate\":\"2026-11-16T00:00:00Z\","
                + "\"Qty\":7.5,\"PayrollApproved\":true,\"ModifiedDateTime\":\"2026-11-16T16:00:00Z\",\"IsDeleted\":false}";
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":["
                + record.replace("}", ",\"" + name + "\":" + value + "}") + ","
                + registration("r2", "101", "2026-11-17T00:00:00Z", "3", "2026-11-17T16:00:00Z") + "]}")));

        SyncRun run = run();

        assertThat(run.quarantinedShown()).singleElement().satisfies(q -> {
            assertThat(q.recordId()).isEqualTo("r1");
            assertThat(q.reason()).isEqualTo(reason);
        });
        assertThat(delivered()).containsExactly(entry("101|2026-11-17|1000", new BigDecimal("3.00")));
    }

    /**
     * A JSON object or array where the spec has a number, text or true/false is well-formed JSON: it costs its
     * record (quarantined, naming the field as sent and what it should be), not the page; the records around it
     * are delivered and the watermark moves.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "qty             | {\"hours\":7.5}     | unreadable qty: {\"hours\":7.5} is not a number",
            "Qty             | [7.5,2]             | unreadable Qty: [7.5,2] is not a number",
            "description     | {\"a\":1}           | unreadable description: {\"a\":1} is not text",
            "DESCRIPTION     | [\"a\",{\"b\":[]}]    | unreadable DESCRIPTION: [\"a\",{\"b\":[]}] is not text",
            "payrollApproved | [true]              | unreadable payrollApproved: [true] is not true or false",
            "Approved        | {\"value\":true}    | unreadable Approved: {\"value\":true} is not true or false",
            "workDate        | {}                  | unreadable workDate: {} is not text",
            "WORKDATE        | [\"2026-11-16\"]    | unreadable WORKDATE: [\"2026-11-16\"] is not text"})
    void aJsonObjectOrArrayWhereTheSpecHasAValueQuarantinesItsRecordNotThePage(String name, String value, String reason)
            throws Exception {
        String bad = "{\"id\":\"r1\",\"userId\":\"u-101\",\"userEmployeeNumber\":\"101\",\"workDate\":\"2026-11-16T00:00:00Z\","
                + "\"qty\":7.5,\"approved\":true,\"payrollApproved\":true,\"description\":\"Grøft\","
                + "\"modifiedDateTime\":\"2026-11-16T17:00:00Z\",\"isDeleted\":false}";
        // the field as the row spells it, in place of the spec's
        bad = bad.replaceFirst("\"(?i:" + name + ")\":(\"[^\"]*\"|[^,}]*)",
                java.util.regex.Matcher.quoteReplacement("\"" + name + "\":" + value));
        assertThat(bad).contains("\"" + name + "\":" + value);
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":["
                + registration("r0", "101", "2026-11-16T00:00:00Z", "3", "2026-11-16T16:00:00Z") + "," + bad + ","
                + registration("r2", "102", "2026-11-17T00:00:00Z", "4.25", "2026-11-17T16:00:00Z") + "]}")));

        SyncRun run = run();

        assertThat(run.quarantinedShown()).singleElement().satisfies(q -> {
            assertThat(q.recordId()).isEqualTo("r1");
            assertThat(q.reason()).isEqualTo(reason);
        });
        assertThat(delivered()).containsExactly(
                entry("101|2026-11-16|1000", new BigDecimal("3.00")),
                entry("102|2026-11-17|1000", new BigDecimal("4.25")));
        assertThat(lineRows()).containsExactly("time:r0 active 3.00", "time:r2 active 4.25");

        // the watermark moved: the next run asks only for what changed since this one
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":[]}")));
        assertThat(run().mode()).isEqualTo(SyncRun.Mode.INCREMENTAL);
        assertThat(ditio.requests(DitioPager.TIME_REGISTRATIONS).get(1).param("ModifiedSince")).isNotNull();
    }

    /** An overtime line that is not an object: its record is quarantined under its id, the reason naming the list. */
    @Test
    void anOvertimeLineThatIsNotAnObjectIsQuarantinedNamingTheField() throws Exception {
        ditio.on(DitioPager.PAYROLL_LINES, pages(Map.of("", "{\"data\":["
                + "{\"id\":\"d1\",\"transDateTime\":\"2026-11-16T00:00:00Z\",\"userId\":\"u-102\",\"employeeNumber\":\"102\","
                + "\"qty\":7.5,\"verified\":true,\"modifiedDateTime\":\"2026-11-17T06:00:00Z\",\"overtimeLines\":[1]},"
                + "{\"id\":\"d2\",\"transDateTime\":\"2026-11-17T00:00:00Z\",\"userId\":\"u-102\",\"employeeNumber\":\"102\","
                + "\"qty\":7.5,\"verified\":true,\"modifiedDateTime\":\"2026-11-18T06:00:00Z\"}]}")));

        SyncRun run = run(Map.of("payroll.source", "payroll-lines"));

        assertThat(run.quarantinedShown()).singleElement().satisfies(q -> {
            assertThat(q.recordId()).startsWith("d1");
            assertThat(q.reason()).isEqualTo("unreadable overtimeLines: 1 is not an object");
        });
        assertThat(delivered()).containsExactly(entry("102|2026-11-17|1000", new BigDecimal("7.50")));
    }

    @Test
    void anOvertimeLineThatIsNullQuarantinesItsDayNotEveryRun() throws Exception {
        ditio.on(DitioPager.PAYROLL_LINES, pages(Map.of("", "{\"data\":["
                + "{\"id\":\"d1\",\"transDateTime\":\"2026-11-16T00:00:00Z\",\"userId\":\"u-102\",\"employeeNumber\":\"102\","
                + "\"qty\":7.5,\"verified\":true,\"modifiedDateTime\":\"2026-11-17T06:00:00Z\",\"overtimeLines\":[null]},"
                + "{\"id\":\"d2\",\"transDateTime\":\"2026-11-17T00:00:00Z\",\"userId\":\"u-102\",\"employeeNumber\":\"102\","
                + "\"qty\":7.5,\"verified\":true,\"modifiedDateTime\":\"2026-11-18T06:00:00Z\"}]}")));

        SyncRun run = run(Map.of("payroll.source", "payroll-lines"));

        assertThat(run.quarantinedShown()).singleElement().satisfies(q -> {
            assertThat(q.recordId()).startsWith("d1");
            assertThat(q.reason()).isEqualTo("unreadable overtimeLines: null is not an object");
        });
        assertThat(delivered()).containsExactly(entry("102|2026-11-17|1000", new BigDecimal("7.50")));
    }

    @Test
    void aWholeNumberOutOfRangeOrWithAFractionQuarantinesItsDayNotThePage() throws Exception {
        String day = "{\"id\":\"%s\",\"transDateTime\":\"2026-11-%sT00:00:00Z\",\"userId\":\"u-102\",\"employeeNumber\":\"102\","
                + "\"qty\":9.5,\"verified\":true,\"modifiedDateTime\":\"2026-11-20T06:00:00Z\",\"overtimeLines\":["
                + "{\"payrollTypeId\":\"OT50\",\"lineType\":%s,\"overtimeType\":%s,\"qty\":2.00}]}";
        ditio.on(DitioPager.PAYROLL_LINES, pages(Map.of("", "{\"data\":["
                + String.format(day, "d1", "16", "99999999999", "0") + ","
                + String.format(day, "d2", "17", "20", "0.5") + ","
                + String.format(day, "d3", "18", "20", "0.0") + "]}")));

        SyncRun run = run(Map.of("payroll.source", "payroll-lines"));

        assertThat(run.quarantinedShown()).extracting(q -> q.recordId().substring(0, 2) + " " + q.reason()).containsExactlyInAnyOrder(
                "d1 unreadable lineType: 99999999999 is not a whole number up to 2147483647",
                "d2 unreadable overtimeType: 0.5 is not a whole number up to 2147483647");
        // 0.0 is the whole number 0: deducted from the ordinary hours
        assertThat(delivered()).containsExactly(
                entry("102|2026-11-18|1000", new BigDecimal("7.50")),
                entry("102|2026-11-18|2050", new BigDecimal("2.00")));
    }

    @Test
    void fieldsTheAppKeepsForItselfAreNotReadFromDitioInAnyCase() throws Exception {
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":[{\"id\":\"r1\",\"userId\":\"u-101\","
                + "\"userEmployeeNumber\":\"101\",\"workDate\":\"2026-11-16T00:00:00Z\",\"qty\":7.5,\"payrollApproved\":true,"
                + "\"modifiedDateTime\":\"2026-11-16T16:00:00Z\",\"isDeleted\":false,"
                + "\"source\":\"absence\",\"Source\":\"payroll\",\"unreadable\":\"x\",\"UNREADABLE\":\"y\",\"ParentId\":\"p-1\","
                + "\"PARENTID\":\"p-2\",\"Codes\":{\"absenceTypeCode\":\"SYK\"},\"MappedAgain\":true}]}")));

        SyncRun run = run();

        assertThat(run.quarantinedCount()).isZero();
        assertThat(lineRows()).containsExactly("time:r1 active 7.50");
        assertThat(delivered()).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("7.50")));
    }

    /** Past a first field of the wrong type, a second that Jackson cannot bind at all: the record is quarantined, not lost. */
    @Test
    void aRecordWithTwoFieldsThatDoNotBindIsQuarantinedNotLost() throws Exception {
        ditio.on(DitioPager.PAYROLL_LINES, pages(Map.of("", "{\"data\":["
                + "{\"id\":\"d1\",\"transDateTime\":\"2026-11-16T00:00:00Z\",\"userId\":\"u-102\",\"employeeNumber\":\"102\","
                + "\"qty\":\"abc\",\"verified\":true,\"modifiedDateTime\":\"2026-11-17T06:00:00Z\",\"overtimeLines\":[1]},"
                + "{\"id\":\"d2\",\"transDateTime\":\"2026-11-17T00:00:00Z\",\"userId\":\"u-102\",\"employeeNumber\":\"102\","
                + "\"qty\":7.5,\"verified\":true,\"modifiedDateTime\":\"2026-11-18T06:00:00Z\"}]}")));

        SyncRun run = run(Map.of("payroll.source", "payroll-lines"));

        // under its id, with the first field's reason
        assertThat(run.quarantinedCount()).isEqualTo(1);
        assertThat(run.quarantinedShown()).singleElement().satisfies(q -> {
            assertThat(q.recordId()).startsWith("d1");
            assertThat(q.reason()).isEqualTo("unreadable qty: \"abc\" is not a number");
        });
        assertThat(delivered()).containsExactly(entry("102|2026-11-17|1000", new BigDecimal("7.50")));
    }

    @Test
    void aPageWithoutContentTypeIsReadAsJson() throws Exception {
        ditio.on(DitioPager.TIME_REGISTRATIONS, request -> new Answer(200, Map.of(), "{\"data\":["
                + registration("r1", "101", "2026-11-16T00:00:00Z", "3", "2026-11-16T16:00:00Z") + "]}"));

        run();

        assertThat(delivered()).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("3.00")));
    }

    @Test
    void aUsersSecondCompanyProfileWithoutEmployeeNumberDoesNotEraseTheNumberOfTheFirst() throws Exception {
        // "one row per company profile": the same identityUserId twice, the profile in the subsidiary without a number
        String employed = "{\"id\":\"p-a\",\"identityUserId\":\"u-103\",\"employeeNumber\":\"103\",\"companyId\":\"c-own\","
                + "\"department\":\"Betong\",\"modifiedDateTime\":\"2026-11-01T10:00:00Z\",\"isDeleted\":false}";
        String subsidiary = "{\"id\":\"p-b\",\"identityUserId\":\"u-103\",\"employeeNumber\":null,\"companyId\":\"c-sub\","
                + "\"modifiedDateTime\":\"2026-11-02T10:00:00Z\",\"isDeleted\":false}";
        ditio.on(DitioPager.USERS, pages(Map.of("", "{\"data\":[" + employed + "],\"continuationToken\":\"u2\"}",
                "u2", "{\"data\":[" + subsidiary + "]}")));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":[{\"id\":\"r1\",\"userId\":\"u-103\","
                + "\"workDate\":\"2026-11-16T00:00:00Z\",\"qty\":7.5,\"payrollApproved\":true,"
                + "\"modifiedDateTime\":\"2026-11-16T16:00:00Z\"}]}")));

        SyncRun first = run();

        assertThat(first.quarantinedCount()).isZero();
        assertThat(delivered()).containsExactly(entry("103|2026-11-16|1000", new BigDecimal("7.50")));

        // later only the subsidiary profile changes: the employee's number stays, nothing is rebooked
        ditio.on(DitioPager.USERS, pages(Map.of("", "{\"data\":[" + subsidiary.replace("11-02", "11-20") + "]}")));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":[]}")));
        run();

        assertThat(delivered()).containsExactly(entry("103|2026-11-16|1000", new BigDecimal("7.50")));
        assertThat(lineRows()).containsExactly("time:r1 active 7.50");
    }

    /**
     * A worker Ditio's users first show after his lines were delivered (they carried his number; he was
     * made after the run's user pass, or /v1/user was not deployed then) has his department reach those
     * lines, as a first sync would give it them: a new user was never flagged for a remap (outside audit).
     */
    @Test
    void aUserFirstSeenAfterHisLinesWereDeliveredGivesThemHisDepartment() throws Exception {
        ditio.on(DitioPager.USERS, request -> Answer.json(200, "{\"data\":[]}"));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":["
                + registration("r1", "103", "2026-11-16T00:00:00Z", "7.5", "2026-11-16T16:00:00Z") + "]}")));
        run(Map.of("payroll.targets", "csv,jdbc"));

        ditio.on(DitioPager.USERS, pages(Map.of("", "{\"data\":[{\"id\":\"p-a\",\"identityUserId\":\"u-103\","
                + "\"employeeNumber\":\"103\",\"department\":\"Betong\",\"modifiedDateTime\":\"2026-11-20T10:00:00Z\","
                + "\"isDeleted\":false}]}")));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":[]}")));
        run();

        try (var c = java.sql.DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("data/state").toAbsolutePath(), "sa", "");
             var rs = c.createStatement().executeQuery("SELECT line_id, department FROM payroll_line WHERE status = 'active'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1) + " " + rs.getString(2)).isEqualTo("time:r1 Betong");
        }
        assertThat(delivered()).containsExactly(entry("103|2026-11-16|1000", new BigDecimal("7.50")));
    }

    /**
     * A user row with a field of the wrong type (a department sent as an object) is left as last known,
     * with a WARN naming it, and the user pass's watermark stays where it was, so the row is read again
     * until Ditio sends it readable: the change it brings (a new employee number) is not lost. It was
     * left out without a word, and the next run asked only for later changes (outside audit).
     */
    @Test
    void aUserRowThatDoesNotBindIsReadAgainUntilItDoes() throws Exception {
        String user = "{\"id\":\"p-a\",\"identityUserId\":\"u-103\",\"employeeNumber\":\"103\",\"department\":\"Betong\","
                + "\"modifiedDateTime\":\"2026-11-01T10:00:00Z\",\"isDeleted\":false}";
        ditio.on(DitioPager.USERS, pages(Map.of("", "{\"data\":[" + user + "]}")));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":[{\"id\":\"r1\",\"userId\":\"u-103\","
                + "\"workDate\":\"2026-11-16T00:00:00Z\",\"qty\":7.5,\"payrollApproved\":true,"
                + "\"modifiedDateTime\":\"2026-11-16T16:00:00Z\"}]}")));
        SyncRun first = run();
        assertThat(delivered()).containsExactly(entry("103|2026-11-16|1000", new BigDecimal("7.50")));

        String renumbered = user.replace("\"103\"", "\"203\"").replace("11-01", "11-25");
        ditio.on(DitioPager.USERS, pages(Map.of("", "{\"data\":["
                + renumbered.replace("\"Betong\"", "{\"id\":\"dep-1\",\"name\":\"Betong\"}") + "]}")));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":[]}")));
        SyncRun held = run();
        assertThat(delivered()).as("left as last known").containsExactly(entry("103|2026-11-16|1000", new BigDecimal("7.50")));
        // said where a run's outcome is read (sync --once, status, the page, its report), not only in a WARN
        String said = "feed user read in part: 1 row(s) of /v1/user could not be read, left as last known and read again "
                + "by the next run: profile p-a (user u-103): unreadable department:";
        assertThat(held.notDelivered()).startsWith(said);
        assertThat(held.failedFeeds()).containsOnlyKeys("user");
        try (var c = java.sql.DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("data/state").toAbsolutePath(), "sa", "");
             var rs = c.createStatement().executeQuery("SELECT outcome, message FROM sync_run WHERE run_id = '" + held.runId() + "'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1) + " " + rs.getString(2)).startsWith("succeeded " + said);
        }

        ditio.on(DitioPager.USERS, pages(Map.of("", "{\"data\":[" + renumbered + "]}")));
        SyncRun readable = run();
        assertThat(readable.notDelivered()).isNull();

        List<ScriptedDitio.Request> userPasses = ditio.requests(DitioPager.USERS);
        assertThat(userPasses.get(2).param("ModifiedSince")).as("the third run asks for what the second could not read")
                .isEqualTo(userPasses.get(1).param("ModifiedSince"));
        assertThat(Instant.parse(userPasses.get(2).param("ModifiedSince"))).isBefore(first.endedAt());
        assertThat(delivered()).containsExactly(entry("203|2026-11-16|1000", new BigDecimal("7.50")));
    }

    /**
     * A registration without an employee number of a worker whose only /v1/user row could not be read waits
     * with a reason that says so: it blamed a user missing from /v1/user (outside audit).
     */
    @Test
    void aRegistrationOfAWorkerWhoseUserRowCouldNotBeReadSaysSoInItsReason() throws Exception {
        ditio.on(DitioPager.USERS, pages(Map.of("", "{\"data\":[{\"id\":\"p-104\",\"identityUserId\":\"u-104\","
                + "\"employeeNumber\":\"104\",\"department\":{\"id\":\"d\"},\"modifiedDateTime\":\"2026-11-01T10:00:00Z\","
                + "\"isDeleted\":false}]}")));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":["
                + registration("r1", "104", "2026-11-16T00:00:00Z", "7.5", "2026-11-16T16:00:00Z").replace("\"userEmployeeNumber\":\"104\",", "")
                + "," + registration("r2", "105", "2026-11-16T00:00:00Z", "4", "2026-11-16T16:00:00Z").replace("\"userEmployeeNumber\":\"105\",", "")
                + "]}")));
        run();

        List<String> reasons = new java.util.ArrayList<>();
        try (var c = java.sql.DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("data/state").toAbsolutePath(), "sa", "");
             var rs = c.createStatement().executeQuery("SELECT record_id, reason FROM quarantine ORDER BY record_id")) {
            while (rs.next()) {
                reasons.add(rs.getString(1) + ": " + rs.getString(2));
            }
        }
        assertThat(reasons).containsExactly(
                "r1: no employee number for userId u-104 (not on the registration; its /v1/user row could not be read)",
                "r2: no employee number for userId u-105 (not on the registration, not in /v1/user)");
    }

    /**
     * Two profiles with an employee number each, on pages in either order: the same one is kept (live
     * before deleted, then the smaller profile id), so the order of a page never moves a worker's lines
     * to the other number. The kept profile deleted, the live one known takes over at once, as a first
     * sync of Ditio as it is then would have it.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "profile p-a on page {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2})
    void ofTwoNumberedProfilesTheSameIsKeptWhateverTheOrderOfThePages(int pageOfA) throws Exception {
        String a = "{\"id\":\"p-a\",\"identityUserId\":\"u-103\",\"employeeNumber\":\"103\",\"companyId\":\"c-own\","
                + "\"department\":\"Betong\",\"modifiedDateTime\":\"2026-11-01T10:00:00Z\",\"isDeleted\":false}";
        String b = "{\"id\":\"p-b\",\"identityUserId\":\"u-103\",\"employeeNumber\":\"9103\",\"companyId\":\"c-sub\","
                + "\"department\":\"Betong\",\"modifiedDateTime\":\"2026-11-02T10:00:00Z\",\"isDeleted\":false}";
        String first = pageOfA == 1 ? a : b;
        String second = pageOfA == 1 ? b : a;
        ditio.on(DitioPager.USERS, pages(Map.of("", "{\"data\":[" + first + "],\"continuationToken\":\"u2\"}",
                "u2", "{\"data\":[" + second + "]}")));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":[{\"id\":\"r1\",\"userId\":\"u-103\","
                + "\"workDate\":\"2026-11-16T00:00:00Z\",\"qty\":7.5,\"payrollApproved\":true,"
                + "\"modifiedDateTime\":\"2026-11-16T16:00:00Z\"}]}")));

        run();
        assertThat(delivered()).containsExactly(entry("103|2026-11-16|1000", new BigDecimal("7.50")));

        // the other profile changes alone: nothing moves
        ditio.on(DitioPager.USERS, pages(Map.of("", "{\"data\":[" + b.replace("11-02", "11-20") + "]}")));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":[]}")));
        run();
        assertThat(delivered()).containsExactly(entry("103|2026-11-16|1000", new BigDecimal("7.50")));
        assertThat(lineRows()).containsExactly("time:r1 active 7.50");

        // the kept profile is deleted (its last version, flagged): the live one takes over, the line moves once
        ditio.on(DitioPager.USERS, pages(Map.of("", "{\"data\":[" + a.replace("false}", "true}") + "]}")));
        run();
        assertThat(delivered()).containsExactly(entry("9103|2026-11-16|1000", new BigDecimal("7.50")));
        // the live profile changes next: nothing moves
        ditio.on(DitioPager.USERS, pages(Map.of("", "{\"data\":[" + b.replace("11-02", "11-25") + "]}")));
        run();
        assertThat(delivered()).containsExactly(entry("9103|2026-11-16|1000", new BigDecimal("7.50")));
        assertThat(lineRows()).containsExactly("time:r1 active 7.50");
    }

    /**
     * The profile in use loses its employee number while the other profile, unchanged (so not on the
     * incremental page), still has one: the worker's line moves to that number, as a first sync would
     * deliver it, rather than being reversed and held for want of a number (outside audit).
     */
    @Test
    void theProfileInUseLosingItsNumberGivesWayToTheOtherProfilesNumber() throws Exception {
        String a = "{\"id\":\"p-a\",\"identityUserId\":\"u-1\",\"employeeNumber\":\"103\",\"companyId\":\"c-own\","
                + "\"department\":\"Betong\",\"modifiedDateTime\":\"2026-11-01T10:00:00Z\",\"isDeleted\":false}";
        String b = "{\"id\":\"p-b\",\"identityUserId\":\"u-1\",\"employeeNumber\":\"9103\",\"companyId\":\"c-sub\","
                + "\"department\":\"Betong\",\"modifiedDateTime\":\"2026-11-02T10:00:00Z\",\"isDeleted\":false}";
        ditio.on(DitioPager.USERS, pages(Map.of("", "{\"data\":[" + a + "," + b + "]}")));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":[{\"id\":\"r1\",\"userId\":\"u-1\","
                + "\"workDate\":\"2026-11-16T00:00:00Z\",\"qty\":7.5,\"payrollApproved\":true,"
                + "\"modifiedDateTime\":\"2026-11-16T16:00:00Z\"}]}")));
        run();
        assertThat(delivered()).containsExactly(entry("103|2026-11-16|1000", new BigDecimal("7.50")));

        ditio.on(DitioPager.USERS, pages(Map.of("", "{\"data\":[" + a.replace("\"103\"", "null").replace("11-01", "11-20") + "]}")));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":[]}")));
        run();
        assertThat(delivered()).containsExactly(entry("9103|2026-11-16|1000", new BigDecimal("7.50")));
        assertThat(lineRows()).containsExactly("time:r1 active 7.50");
    }

    @Test
    void aGzippedPageAndAPageWithAByteOrderMarkAreRead() throws Exception {
        ditio.on(DitioPager.TIME_REGISTRATIONS, request -> {
            if (request.param("ContinuationToken") == null) {
                Answer page = Answer.json("{\"data\":[" + registration("r1", "101", "2026-11-16T00:00:00Z", "3",
                        "2026-11-16T16:00:00Z") + "],\"continuationToken\":\"t2\"}");
                // compressed only when the client says it can read it, as a server does
                return request.acceptEncoding() != null && request.acceptEncoding().contains("gzip")
                        ? page.withHeader("Content-Encoding", "gzip") : page;
            }
            return Answer.json("\uFEFF{\"data\":[" + registration("r2", "101", "2026-11-17T00:00:00Z", "4",
                    "2026-11-17T16:00:00Z") + "]}");
        });

        run();

        assertThat(delivered()).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("3.00")),
                entry("101|2026-11-17|1000", new BigDecimal("4.00")));
        assertThat(ditio.requests(DitioPager.TIME_REGISTRATIONS).get(0).acceptEncoding()).contains("gzip");
    }

    @Test
    void absencesAndPayrollLinesInTheOtherFormsArriveWithTheirExactHours() throws Exception {
        ditio.on(DitioPager.ABSENCES, pages(Map.of("", "{\"data\":["
                + "{\"id\":\"a1\",\"registrationId\":\"reg-1\",\"date\":\"2026-11-17\",\"startTime\":\"0001-01-01T00:00:00\","
                + "\"qty\":7.50,\"absenceTypeId\":\"t-1\",\"absenceTypeCode\":\"SYK\",\"absenceTypeName\":\"Sykdom\","
                + "\"employeeNumber\":\"101\",\"userId\":\"u-101\",\"approved\":true,\"payrollApproved\":true,"
                + "\"payrollApprovedDateTime\":\"2026-11-18T08:00:00.1234567\",\"locked\":null,\"pdfUrl\":null,"
                + "\"modifiedDateTime\":\"2026-11-18T08:00:00.1234567Z\",\"isDeleted\":false},"
                + "{\"id\":\"a2\",\"date\":\"2026-11-18T00:00:00.0000000\",\"qty\":3,\"absenceTypeCode\":\"FERIE\","
                + "\"employeeNumber\":\"101\",\"userId\":\"u-101\",\"payrollApproved\":true,"
                + "\"modifiedDateTime\":\"2026-11-18T08:00:00+00:00\"}],\"continuationToken\":\"\"}")));
        ditio.on(DitioPager.PAYROLL_LINES, pages(Map.of("", "{\"data\":["
                + "{\"id\":\"d1\",\"transDateTime\":\"2026-11-16T00:00:00.0000000Z\",\"userId\":\"u-102\",\"employeeNumber\":\"102\","
                + "\"qty\":9.5,\"standardQty\":7.5,\"overtime50Qty\":2.0,\"approved\":true,\"verified\":true,"
                + "\"modifiedDateTime\":\"2026-11-17T06:00:00.1234567Z\",\"isDeleted\":false,\"overtimeLines\":["
                + "{\"payrollTypeId\":\"OT50\",\"name\":\"Overtid 50%\",\"lineType\":20,\"overtimeType\":0,\"sorting\":1,"
                + "\"qty\":2.00,\"somethingNew\":true}]},"
                + "{\"id\":\"d2\",\"transDateTime\":\"2026-11-17T00:00:00\",\"userId\":\"u-102\",\"employeeNumber\":\"102\","
                + "\"qty\":7.5,\"approved\":null,\"verified\":true,\"modifiedDateTime\":\"2026-11-18T06:00:00Z\",\"overtimeLines\":null},"
                + "{\"id\":\"d3\",\"transDateTime\":\"2026-11-18T00:00:00+00:00\",\"userId\":\"u-102\",\"employeeNumber\":\"102\","
                + "\"qty\":8,\"verified\":true,\"modifiedDateTime\":\"2026-11-19T06:00:00Z\"}]}")));

        run(Map.of("payroll.absences", "true", "payroll.source", "payroll-lines"));

        assertThat(delivered()).containsExactly(
                entry("101|2026-11-17|5100", new BigDecimal("7.50")),
                entry("101|2026-11-18|5200", new BigDecimal("3.00")),
                entry("102|2026-11-16|1000", new BigDecimal("7.50")),
                entry("102|2026-11-16|2050", new BigDecimal("2.00")),
                entry("102|2026-11-17|1000", new BigDecimal("7.50")),
                entry("102|2026-11-18|1000", new BigDecimal("8.00")));
        assertThat(ditio.requests(DitioPager.TIME_REGISTRATIONS)).isEmpty();
    }

    @Test
    void theSameContinuationTokenBackAgainFailsThePassInsteadOfLoopingForever() throws Exception {
        ditio.on(DitioPager.TIME_REGISTRATIONS, request -> Answer.json("{\"data\":[],\"continuationToken\":\"again\"}"));

        assertThatThrownBy(this::run).isInstanceOf(no.ditiosync.ditio.DitioApiException.class)
                .hasMessageContaining("page 2 of /v1/time-registrations");
        assertThat(ditio.requests(DitioPager.TIME_REGISTRATIONS)).hasSize(2);
    }

    /** Tokens that lead back to an earlier page (a → b → a) would page forever just the same. */
    @Test
    @org.junit.jupiter.api.Timeout(120) // without the guard the pass never ends: fail, not hang
    void aContinuationTokenOfAnEarlierPageFailsThePassInsteadOfLoopingForever() throws Exception {
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of(
                "", "{\"data\":[],\"continuationToken\":\"a\"}",
                "a", "{\"data\":[],\"continuationToken\":\"b\"}",
                "b", "{\"data\":[],\"continuationToken\":\"a\"}")));

        assertThatThrownBy(this::run).isInstanceOf(no.ditiosync.ditio.DitioApiException.class)
                .hasMessageContaining("page 3 of /v1/time-registrations")
                .hasMessageContaining("with the continuation token of page 2 again: the pass would never end");
        assertThat(ditio.requests(DitioPager.TIME_REGISTRATIONS)).hasSize(3);
    }

    /**
     * HTTP/1.1 lets a server end a body by closing the connection (no Content-Length, not chunked). Cut
     * half-way, such a page looks complete to the HTTP client; only the JSON shows that it ended early.
     * That is a dropped connection, which the contract says to retry, not a malformed page; also when the cut
     * comes where the body would begin.
     */
    @ParameterizedTest(name = "cut where the body begins: {0}")
    @ValueSource(booleans = {false, true})
    void aPageEndedByClosingTheConnectionAndCutHalfWayIsRetried(boolean cutWhereTheBodyBegins) throws Exception {
        String page = "{\"data\":[" + registration("r1", "101", "2026-11-16T00:00:00Z", "7.5", "2026-11-16T16:00:00Z")
                + "," + registration("r2", "101", "2026-11-17T00:00:00Z", "8", "2026-11-17T16:00:00Z")
                + "],\"continuationToken\":null}";
        java.util.concurrent.atomic.AtomicInteger pageCalls = new java.util.concurrent.atomic.AtomicInteger();
        try (java.net.ServerSocket server = answeringByClosingTheConnection(request -> {
            boolean registrations = request.startsWith("GET /reporting" + DitioPager.TIME_REGISTRATIONS);
            String body = registrations ? page : "{\"data\":[]}";
            return registrations && pageCalls.incrementAndGet() == 1 ? cut(body, cutWhereTheBodyBegins) : body;
        })) {
            run(Map.of("ditio.reporting-base", "http://127.0.0.1:" + server.getLocalPort() + "/reporting"));
        }

        assertThat(pageCalls).as("the cut page asked for again").hasValue(2);
        assertThat(delivered()).containsExactly(
                entry("101|2026-11-16|1000", new BigDecimal("7.50")),
                entry("101|2026-11-17|1000", new BigDecimal("8.00")));
    }

    /**
     * A deletion can come back on more than one page of a pass. Seen again after its record was made anew
     * under the same id (an hour later, or half a second later in a bulk re-import), it is older than the
     * record: the record's newest version is Ditio's truth.
     */
    @ParameterizedTest(name = "made anew at {0}")
    @ValueSource(strings = {"2026-11-20T11:00:00Z", "2026-11-20T10:00:00.5Z"})
    void aDeletionSeenAgainAfterItsRecordWasMadeAnewLeavesTheNewRecordsHours(String madeAnew) throws Exception {
        ditio.on(DitioPager.TIME_REGISTRATIONS, request -> Answer.json("{\"data\":["
                + registration("x", "101", "2026-11-17T00:00:00Z", "8", "2026-11-17T16:00:00Z") + "]}"));
        run();
        String deletion = "{\"id\":\"x\",\"isDeleted\":true,\"deletedDateTime\":\"2026-11-20T10:00:00Z\","
                + "\"modifiedDateTime\":\"2026-11-20T10:00:00Z\"}";
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of(
                "", "{\"data\":[" + deletion + "],\"continuationToken\":\"p1\"}",
                "p1", "{\"data\":[" + registration("x", "101", "2026-11-17T00:00:00Z", "6", madeAnew)
                        + "],\"continuationToken\":\"p2\"}",
                "p2", "{\"data\":[" + deletion + "]}")));

        run();

        assertThat(delivered()).containsExactly(entry("101|2026-11-17|1000", new BigDecimal("6.00")));

        // and in a later run, the deletion alone (it may come back in more than one run)
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":[" + deletion + "]}")));
        run();
        assertThat(delivered()).containsExactly(entry("101|2026-11-17|1000", new BigDecimal("6.00")));
    }

    /**
     * Only a deletion is judged by its time: an edit whose time is earlier than the delivered version's (a
     * clock stepped back in Ditio) is still Ditio's truth, and so is an unchanged record whose seven-digit
     * time the state DB keeps rounded, met again by a full pass after a mapping change.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"2026-11-17T16:00:00.1230000Z", "2026-11-17T16:00:00.1239996Z"})
    void onlyADeletionIsJudgedByItsTime(String modified) throws Exception {
        String shipped = java.nio.file.Files.readString(
                no.ditiosync.testing.AppProcess.projectRoot().resolve("mappings/wage-types.csv"));
        Path mapping = dir.resolve("wage-types.csv");
        java.nio.file.Files.writeString(mapping, shipped);
        ditio.on(DitioPager.TIME_REGISTRATIONS, request -> Answer.json("{\"data\":["
                + registration("x", "101", "2026-11-17T00:00:00Z", "8", modified) + "]}"));
        run(Map.of("payroll.wage-types", mapping.toString()));
        assertThat(delivered()).containsExactly(entry("101|2026-11-17|1000", new BigDecimal("8.00")));

        java.nio.file.Files.writeString(mapping, shipped.replace("time,*,*,1000", "time,*,*,1010"));
        app.close();
        app = null;
        run(Map.of("payroll.wage-types", mapping.toString())); // a full pass: the rules changed
        assertThat(delivered()).containsExactly(entry("101|2026-11-17|1010", new BigDecimal("8.00")));

        ditio.on(DitioPager.TIME_REGISTRATIONS, request -> Answer.json("{\"data\":["
                + registration("x", "101", "2026-11-17T00:00:00Z", "6", "2026-11-17T15:59:59Z") + "]}"));
        run();
        assertThat(delivered()).containsExactly(entry("101|2026-11-17|1010", new BigDecimal("6.00")));
    }

    /** A payroll line (a user's day) read and then, further on in the same pass, deleted is gone: its hours with it. */
    @Test
    void aPayrollLineDeletedLaterInTheSamePassIsGone() throws Exception {
        ditio.on(DitioPager.PAYROLL_LINES, request -> Answer.json("{\"data\":[" + payrollDay("7.5", "2026-11-17T06:00:00Z") + "]}"));
        run(Map.of("payroll.source", "payroll-lines"));
        assertThat(delivered()).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("7.50")));
        ditio.on(DitioPager.PAYROLL_LINES, pages(Map.of(
                "", "{\"data\":[" + payrollDay("8", "2026-11-20T10:00:00Z") + "],\"continuationToken\":\"p1\"}",
                "p1", "{\"data\":[{\"id\":\"d1\",\"isDeleted\":true,\"deletedDateTime\":\"2026-11-20T11:00:00Z\","
                        + "\"modifiedDateTime\":\"2026-11-20T11:00:00Z\"}]}")));

        run();

        assertThat(delivered()).isEmpty();
    }

    /** And the other way round: a day's deletion seen again after the day was made anew leaves the new day's hours. */
    @Test
    void aPayrollLinesDeletionSeenAgainAfterTheDayWasMadeAnewLeavesItsHours() throws Exception {
        ditio.on(DitioPager.PAYROLL_LINES, request -> Answer.json("{\"data\":[" + payrollDay("7.5", "2026-11-17T06:00:00Z") + "]}"));
        run(Map.of("payroll.source", "payroll-lines"));
        String deletion = "{\"id\":\"d1\",\"isDeleted\":true,\"deletedDateTime\":\"2026-11-20T10:00:00Z\","
                + "\"modifiedDateTime\":\"2026-11-20T10:00:00Z\"}";
        ditio.on(DitioPager.PAYROLL_LINES, pages(Map.of(
                "", "{\"data\":[" + deletion + "],\"continuationToken\":\"p1\"}",
                "p1", "{\"data\":[" + payrollDay("6", "2026-11-20T11:00:00Z") + "],\"continuationToken\":\"p2\"}",
                "p2", "{\"data\":[" + deletion + "]}")));

        run();

        assertThat(delivered()).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("6.00")));

        // and in a later run, the deletion alone (it may come back in more than one run)
        ditio.on(DitioPager.PAYROLL_LINES, pages(Map.of("", "{\"data\":[" + deletion + "]}")));
        run();
        assertThat(delivered()).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("6.00")));
    }

    /** Worker u-101's payroll line (day) 2026-11-16, approved, without overtime lines. */
    static String payrollDay(String qty, String modified) {
        return "{\"id\":\"d1\",\"transDateTime\":\"2026-11-16T00:00:00Z\",\"userId\":\"u-101\",\"employeeNumber\":\"101\","
                + "\"qty\":" + qty + ",\"approved\":true,\"verified\":true,\"modifiedDateTime\":\"" + modified + "\","
                + "\"isDeleted\":false,\"overtimeLines\":[]}";
    }

    /** The token answer, ended by closing the connection and cut short, is a dropped connection too: asked for again. */
    @ParameterizedTest(name = "cut where the body begins: {0}")
    @ValueSource(booleans = {false, true})
    void aTokenAnswerEndedByClosingTheConnectionAndCutHalfWayIsAskedForAgain(boolean cutWhereTheBodyBegins)
            throws Exception {
        ditio.on(DitioPager.TIME_REGISTRATIONS, request -> Answer.json("{\"data\":["
                + registration("r1", "101", "2026-11-16T00:00:00Z", "7.5", "2026-11-16T16:00:00Z") + "]}"));
        String token = "{\"access_token\":\"tok-1\",\"token_type\":\"Bearer\",\"expires_in\":1800,"
                + "\"scope\":\"reportingapiv1\"}";
        java.util.concurrent.atomic.AtomicInteger tokenCalls = new java.util.concurrent.atomic.AtomicInteger();
        try (java.net.ServerSocket identity = answeringByClosingTheConnection(
                request -> tokenCalls.incrementAndGet() == 1 ? cut(token, cutWhereTheBodyBegins) : token)) {
            run(Map.of("ditio.identity-base", "http://127.0.0.1:" + identity.getLocalPort()));
        }

        assertThat(tokenCalls).as("the cut token answer asked for again").hasValue(2);
        assertThat(delivered()).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("7.50")));
    }

    private static String cut(String body, boolean whereTheBodyBegins) {
        return whereTheBodyBegins ? "" : body.substring(0, body.length() / 2);
    }

    /** A refusal without a body, ended by closing the connection, is a refusal: said at once, not asked for again. */
    @Test
    void aTokenRefusalWithoutABodyEndedByClosingTheConnectionIsNotAskedForAgain() throws Exception {
        java.util.concurrent.atomic.AtomicInteger tokenCalls = new java.util.concurrent.atomic.AtomicInteger();
        try (java.net.ServerSocket identity = answeringByClosingTheConnection(401, request -> {
            tokenCalls.incrementAndGet();
            return "";
        })) {
            assertThatThrownBy(() -> run(Map.of("ditio.identity-base", "http://127.0.0.1:" + identity.getLocalPort())))
                    .hasMessageContaining("Ditio identity answered HTTP 401 to the token request");
        }
        assertThat(tokenCalls).hasValue(1);
    }

    private static java.net.ServerSocket answeringByClosingTheConnection(
            java.util.function.Function<String, String> answer) throws java.io.IOException {
        return answeringByClosingTheConnection(200, answer);
    }

    /**
     * A server on loopback that answers each request (given its head) with the status and the JSON the
     * function returns, with neither a length nor chunks: the body ends where the server closes the connection.
     */
    private static java.net.ServerSocket answeringByClosingTheConnection(
            int status, java.util.function.Function<String, String> answer) throws java.io.IOException {
        java.net.ServerSocket server = new java.net.ServerSocket(0, 16, java.net.InetAddress.getLoopbackAddress());
        Thread serving = new Thread(() -> {
            while (!server.isClosed()) {
                try (java.net.Socket s = server.accept()) {
                    String head = requestHead(s.getInputStream());
                    // the request's own body read to its end: closing with it unread would reset the connection
                    java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
                    s.getInputStream().readNBytes(length.find() ? Integer.parseInt(length.group(1)) : 0);
                    String body = answer.apply(head);
                    s.getOutputStream().write(("HTTP/1.1 " + status + " " + (status == 200 ? "OK" : "Refused")
                            + "\r\nContent-Type: application/json; charset=utf-8\r\n"
                            + "Connection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    s.getOutputStream().write(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                } catch (java.io.IOException e) {
                    // the socket was closed: the test is over
                }
            }
        });
        serving.setDaemon(true);
        serving.start();
        return server;
    }

    private static String requestHead(java.io.InputStream in) throws java.io.IOException {
        StringBuilder head = new StringBuilder();
        while (head.indexOf("\r\n\r\n") < 0) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /**
     * A project number with an invisible character in it (a soft hyphen pasted from a document) is delivered
     * as Ditio sent it, and its corrections name it so: cleaning it away would book a reversal on a project
     * that was never delivered.
     */
    @Test
    void aProjectNumberWithAnInvisibleCharacterIsDeliveredAsSent() throws Exception {
        String registration = registration("r1", "101", "2026-11-16T00:00:00Z", "7.5", "2026-11-16T16:00:00Z")
                .replace("\"isDeleted\":false}", "\"isDeleted\":false,\"projectNumber\":\"P-100\u00AD7\"}");
        ditio.on(DitioPager.TIME_REGISTRATIONS, request -> Answer.json("{\"data\":[" + registration + "]}"));

        SyncRun run = run(Map.of("payroll.targets", "csv,jdbc"));

        assertThat(run.quarantinedCount()).isZero();
        assertThat(delivered()).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("7.50")));
    }

    /**
     * A page cut off where its body would begin, or a gzip page whose JSON stops early (HttpClient drops the
     * length of a gzip answer as it unpacks it): the page is asked for again, and once the retries are spent the
     * run fails saying both what can have happened, with nothing delivered.
     */
    @Test
    void aGzipPageWhoseJsonStopsEarlyIsRetriedThenFailsSayingSo() throws Exception {
        String cut = "{\"data\":[" + registration("r1", "101", "2026-11-16T00:00:00Z", "7.5", "2026-11-16T16:00:00Z")
                + ",{\"id\":\"r2\",\"userId\":\"u-1";
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        ditio.on(DitioPager.TIME_REGISTRATIONS, request -> {
            calls.incrementAndGet();
            return Answer.json(cut).withHeader("Content-Encoding", "gzip");
        });

        assertThatThrownBy(this::run).hasMessageContaining("Ditio's answer ended before its JSON did (the connection "
                + "dropped, or Ditio sent it cut short) on page 1 of /v1/time-registrations");
        assertThat(calls).as("asked for as often as DITIO_RETRY_MAX_ATTEMPTS allows").hasValue(6);
        assertThat(delivered()).isEmpty();
    }

    /** Retry-After as an HTTP date may come in any of HTTP's three date forms (RFC 9110 5.6.7). */
    @ParameterizedTest
    @ValueSource(strings = {"EEE, dd MMM yyyy HH:mm:ss 'GMT'", "EEEE, dd-MMM-yy HH:mm:ss 'GMT'", "EEE MMM ppd HH:mm:ss yyyy"})
    void aRetryAfterInEachHttpDateFormIsWaitedFor(String form) throws Exception {
        java.time.format.DateTimeFormatter format = java.time.format.DateTimeFormatter.ofPattern(form, java.util.Locale.US);
        List<Long> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
        ditio.on(DitioPager.USERS, request -> {
            calls.add(System.nanoTime());
            return calls.size() > 1 ? Answer.json("{\"data\":[]}")
                    : Answer.json(429, "{\"error\":\"TooManyRequests\"}").withHeader("Retry-After",
                            format.format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(4)));
        });

        run();

        assertThat(calls).hasSize(2);
        // a date is to the second: 4 s ahead is at least 3 s of waiting (backoff alone is well under 1 s)
        assertThat((calls.get(1) - calls.get(0)) / 1_000_000).as("ms waited").isGreaterThanOrEqualTo(2500);
    }
}
