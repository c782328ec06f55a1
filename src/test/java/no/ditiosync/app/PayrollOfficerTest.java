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
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The payroll officer's commands through the real application (a separate JVM) against the
 * simulator: {@code preview} shows exactly what the next {@code sync --once} delivers and changes
 * nothing; {@code reconcile} finds drift the incremental runs cannot see, and {@code --deliver} fixes it.
 */
class PayrollOfficerTest {

    static final List<String> TARGETS = List.of("visma", "sap", "tripletex", "csv", "jdbc");
    /** Every table that says what was delivered, or will be: a preview must leave each as it was. */
    static final List<String> DELIVERY_TABLES = List.of("ledger_line", "ledger_undo", "sync_watermark", "drop_outbox",
            "quarantine", "payroll_line", "sync_run", "delivered_hours");

    /** The simulator's clock, set back while a test changes data "long ago" (before the incremental window). */
    static final class LaggingClock extends Clock {
        volatile Duration lag = Duration.ZERO;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.now().minus(lag);
        }
    }

    record Officer(SimulatedDitio ditio, LaggingClock clock, Path dir, TestDatabase db, Map<String, String> env)
            implements AutoCloseable {

        static Officer start(Path dir, TestDatabase db) {
            LaggingClock clock = new LaggingClock();
            SimulatedDitio ditio = SimulatedDitio.start(SimulatorConfig.defaults().seed(11).workers(20).weeks(2).clock(clock), 0);
            Map<String, String> env = new HashMap<>(CommandLineTest.envFor(ditio, dir));
            env.put("PAYROLL_START_DATE", ditio.data().firstWorkDate().toString());
            env.put("PAYROLL_TARGETS", String.join(",", TARGETS));
            env.put("PAYROLL_STATE_DB_URL", db.url());
            env.put("PAYROLL_STATE_DB_USER", db.user());
            env.put("PAYROLL_STATE_DB_PASSWORD", db.password());
            return new Officer(ditio, clock, dir, db, env);
        }

        CommandLineTest.Result run(String... args) throws Exception {
            return CommandLineTest.run(dir, env, args);
        }

        Path out() {
            return dir.resolve("out");
        }

        LocalDate startDate() {
            return LocalDate.parse(env.get("PAYROLL_START_DATE"));
        }

        @Override
        public void close() {
            ditio.close();
        }
    }

    /** A preview replaces the company's previous one whole: no file is left of a target switched off since. */
    @Test
    void aPreviewLeavesNoFileOfATargetSwitchedOffSinceThePreviousOne(@TempDir Path dir) throws Exception {
        try (SyncHarness h = new SyncHarness(SimulatorConfig.defaults().seed(52).workers(6).weeks(3)
                .lastWorkDate(SyncEndToEndTest.LAST), dir, SyncEndToEndTest.LAST.minusWeeks(3),
                new HashMap<>(Map.of("payroll.targets", "visma,tripletex")))) {
            h.app().preview("acme");
            h.restartWith(Map.of("payroll.targets", "visma"));
            no.ditiosync.run.SyncRun preview = h.app().preview("acme");

            try (Stream<Path> files = Files.list(dir.resolve("out/preview"))) {
                assertThat(files.map(f -> f.getFileName().toString()))
                        .as("the preview folder after the second preview (run %s)", preview.runId())
                        .singleElement().asString().startsWith("PREVIEW_visma_acme_").contains(preview.runId());
            }
        }
    }

    @Test
    void previewShowsWhatTheNextSyncDeliversAndChangesNothing(@TempDir Path dir) throws Exception {
        previewThenSync(dir, TestDatabase.h2(dir.resolve("data/state")));
    }

    static void previewThenSync(Path dir, TestDatabase db) throws Exception {
        try (Officer o = Officer.start(dir, db)) {
            // the first run: a preview of the full pass, then the full pass itself
            CommandLineTest.Result preview = o.run("preview");
            assertThat(preview.exit()).as(preview.err()).isZero();
            assertThat(preview.out()).contains("Preview of company cli (time: full pass from " + o.startDate() + ")",
                    "nothing committed, nothing delivered");
            for (String target : TARGETS) {
                assertThat(files(o.out().resolve(target))).as("drops of %s after a preview", target).isEmpty();
            }
            assertThat(tableRows(db, "ledger_line")).isEmpty();
            assertThat(tableRows(db, "sync_run")).as("a preview is no run").isEmpty();
            List<Path> firstPreview = files(o.out().resolve("preview"));
            assertThat(firstPreview).isNotEmpty().allSatisfy(f -> assertThat(f.getFileName().toString()).startsWith("PREVIEW_"));

            CommandLineTest.Result sync = o.run("sync", "--once");
            assertThat(sync.exit()).as(sync.err()).isZero();
            assertPreviewIsTheDelivery(o, firstPreview, preview.out());

            // a worker gets another employee number in /v1/user; a registration of theirs delivered under the old
            // one is edited: its correction is under the old number, still named
            no.ditiosync.simulator.TimeRegistration own = o.ditio().data().liveTimeRegistrations().stream()
                    .filter(r -> r.payrollApproved() && !r.workDate().isBefore(o.startDate())
                            && r.userEmployeeNumber() != null && !r.userEmployeeNumber().isBlank())
                    .findFirst().orElseThrow();
            no.ditiosync.simulator.DitioUser worker = o.ditio().data().userByIdentityUserId(own.userId()).orElseThrow();
            o.ditio().data().setEmployeeNumber(worker.identityUserId(), "7777");
            o.ditio().data().editHours(own.id(), own.qty().add(BigDecimal.ONE));
            // Ditio changes: edits, approvals, deletions, late registrations, absences
            o.ditio().data().randomMutations(new Random(5), 60);
            Map<String, List<String>> before = dump(db);
            preview = o.run("preview");
            assertThat(preview.exit()).as(preview.err()).isZero();
            assertThat(preview.out()).contains("time: changes since", worker.name() + " (" + own.userEmployeeNumber() + ")");
            assertThat(dump(db)).as("the delivery tables after a preview").isEqualTo(before);
            List<Path> secondPreview = files(o.out().resolve("preview"));
            assertThat(secondPreview).as("the first preview's files are replaced").doesNotContainAnyElementsOf(firstPreview);

            sync = o.run("sync", "--once");
            assertThat(sync.exit()).as(sync.err()).isZero();
            assertPreviewIsTheDelivery(o, secondPreview, preview.out());
        }
    }

    @Test
    void reconcileFindsTheDriftIncrementalRunsMissAndDeliverFixesIt(@TempDir Path dir) throws Exception {
        reconcile(dir, TestDatabase.h2(dir.resolve("data/state")));
    }

    /** A ledger line as the state DB holds it. */
    record Held(String lineId, String employee, LocalDate day, String wageType, BigDecimal hours) {
        String key() {
            return DeliveredPayroll.normalEmployee(employee) + "|" + day + "|" + wageType;
        }
    }

    static void reconcile(Path dir, TestDatabase db) throws Exception {
        try (Officer o = Officer.start(dir, db)) {
            CommandLineTest.Result sync = o.run("sync", "--once");
            assertThat(sync.exit()).as(sync.err()).isZero();
            CommandLineTest.Result clean = o.run("reconcile");
            assertThat(clean.exit()).as(clean.out() + clean.err()).isZero();
            assertThat(clean.out()).contains("keys drifting:  0");

            // three lines of three different keys: one edited and one deleted in Ditio three hours ago (before
            // the incremental window), one the ledger forgets
            List<Held> picked = new ArrayList<>();
            for (Held h : ledger(db)) {
                if (h.lineId().startsWith("time:") && h.hours().compareTo(BigDecimal.valueOf(20)) <= 0
                        && picked.stream().noneMatch(p -> p.key().equals(h.key()))) {
                    picked.add(h);
                }
                if (picked.size() == 3) {
                    break;
                }
            }
            Held edited = picked.get(0);
            Held deleted = picked.get(1);
            Held forgotten = picked.get(2);
            o.clock().lag = Duration.ofHours(3);
            o.ditio().data().editHours(edited.lineId().substring(5), edited.hours().add(new BigDecimal("1.25")));
            o.ditio().data().delete(deleted.lineId().substring(5));
            o.clock().lag = Duration.ZERO;
            forgetInLedger(db, forgotten);
            sync = o.run("sync", "--once");
            assertThat(sync.exit()).as(sync.err()).isZero();
            assertThat(lineCounts(db, lastRun(db))).as("the incremental run does not see the old changes").isNullOrEmpty();

            Map<String, List<String>> before = dump(db);
            CommandLineTest.Result found = o.run("reconcile");
            assertThat(found.exit()).as(found.out() + found.err()).isEqualTo(1);
            assertThat(dump(db)).as("the delivery tables after a reconcile without --deliver").isEqualTo(before);
            assertThat(found.out()).contains("keys drifting:  3", "reconcile --deliver delivers the drift");
            Map<String, BigDecimal> truth = PayrollTruth.sums(o.ditio().data(), o.startDate(),
                    k -> DeliveredPayroll.normalEmployee(k[0]) + "|" + k[1] + "|" + k[2], PayrollTruth.Scope.TIME_ONLY);
            Map<String, BigDecimal> expected = new TreeMap<>();
            for (String target : TARGETS) {
                expected.put(target + "|" + edited.key(), new BigDecimal("1.25"));
                expected.put(target + "|" + deleted.key(), deleted.hours().negate());
                expected.put(target + "|" + forgotten.key(), forgotten.hours());
            }
            Map<String, BigDecimal> reported = new TreeMap<>();
            Path report = driftReport(o, found.out());
            List<String> rows = lines(report);
            assertThat(rows.get(0)).isEqualTo(ReconcileReport.HEADER);
            for (String row : rows.subList(1, rows.size())) {
                List<String> f = DeliveredPayroll.fields(row, ',');
                String key = DeliveredPayroll.normalEmployee(f.get(2)) + "|" + f.get(4) + "|" + f.get(5);
                BigDecimal ditio = new BigDecimal(f.get(6));
                BigDecimal delivered = new BigDecimal(f.get(7));
                BigDecimal difference = new BigDecimal(f.get(8));
                assertThat(ditio).as("Ditio's hours of %s", key)
                        .isEqualByComparingTo(truth.getOrDefault(key, BigDecimal.ZERO));
                assertThat(ditio.subtract(delivered)).isEqualByComparingTo(difference);
                assertThat(f.get(3)).as("the employee's name").isNotEmpty();
                reported.put(f.get(1) + "|" + key, difference.setScale(2));
            }
            expected.replaceAll((k, v) -> v.setScale(2));
            assertThat(reported).as("drift per target and key").isEqualTo(expected);

            Map<String, String> watermarks = new TreeMap<>();
            tableRows(db, "sync_watermark").forEach(r -> watermarks.put(r, r));
            CommandLineTest.Result delivered = o.run("reconcile", "--deliver");
            assertThat(delivered.exit()).as(delivered.out() + delivered.err()).isZero();
            assertThat(delivered.out()).contains("keys drifting:  3", "delivered:").containsPattern("\nRun [0-9a-f]{8} \\(reconcile, "
                    + "company cli\\) succeeded");
            assertThat(tableRows(db, "sync_watermark")).as("a reconcile leaves the watermarks")
                    .containsExactlyElementsOf(watermarks.keySet());
            DeliveredPayroll.assertSums("payroll_line after reconcile --deliver", DeliveredPayroll.jdbcTotals(db), truth);

            CommandLineTest.Result again = o.run("reconcile");
            assertThat(again.exit()).as(again.out() + again.err()).isZero();
            assertThat(again.out()).contains("keys drifting:  0");
            // and the next sync finds nothing more to deliver: exactly once
            sync = o.run("sync", "--once");
            assertThat(sync.exit()).as(sync.err()).isZero();
            assertThat(lineCounts(db, lastRun(db))).isNullOrEmpty();
        }
    }

    /**
     * reconcile --deliver whose drift report cannot be written (a file where its folder goes) delivered all the
     * same: it says so and names the run, rather than "failed" (outside audit), and the next reconcile finds no
     * drift left.
     */
    @Test
    void aReconcileDeliverWhoseReportCannotBeWrittenSaysWhatItDelivered(@TempDir Path dir) throws Exception {
        TestDatabase db = TestDatabase.h2(dir.resolve("data/state"));
        try (Officer o = Officer.start(dir, db)) {
            CommandLineTest.Result sync = o.run("sync", "--once");
            assertThat(sync.exit()).as(sync.err()).isZero();
            Held forgotten = ledger(db).stream().filter(h -> h.lineId().startsWith("time:")).findFirst().orElseThrow();
            forgetInLedger(db, forgotten);
            CommandLineTest.Result found = o.run("reconcile");
            assertThat(found.exit()).as(found.out() + found.err()).isEqualTo(1);
            Path folder = driftReport(o, found.out()).getParent();
            Path aside = Files.move(folder, folder.resolveSibling("reconcile-before"));
            Files.writeString(folder, "not a folder");

            CommandLineTest.Result delivered = o.run("reconcile", "--deliver");
            assertThat(delivered.exit()).as(delivered.out() + delivered.err()).isEqualTo(DitioPayrollSync.RECONCILE_FAILED);
            assertThat(delivered.err()).containsPattern("Reconcile of company cli delivered as run [0-9a-f]{8} \\(lines .*\\), "
                    + "but its drift report could not be written: ").doesNotContain("failed");

            Files.delete(folder);
            Files.move(aside, folder);
            CommandLineTest.Result again = o.run("reconcile");
            assertThat(again.exit()).as(again.out() + again.err()).isZero();
            assertThat(again.out()).contains("keys drifting:  0");
        }
    }

    /**
     * A reconcile of part of the time: only the keys of its work dates are compared and delivered, and
     * the quarantine and the drift outside them are left for another day.
     */
    @Test
    void reconcileOfSomeWorkDatesLeavesTheRestAlone(@TempDir Path dir) throws Exception {
        TestDatabase db = TestDatabase.h2(dir.resolve("data/state"));
        try (Officer o = Officer.start(dir, db)) {
            CommandLineTest.Result sync = o.run("sync", "--once");
            assertThat(sync.exit()).as(sync.err()).isZero();
            List<String> quarantine = tableRows(db, "quarantine");
            assertThat(quarantine).as("the dataset has records in quarantine").isNotEmpty();
            List<Held> lines = ledger(db).stream().filter(h -> h.lineId().startsWith("time:")).toList();
            Held inside = lines.get(0);
            Held outside = lines.stream().filter(h -> !h.day().equals(inside.day())).findFirst().orElseThrow();
            forgetInLedger(db, inside, outside);
            String day = inside.day().toString();
            CommandLineTest.Result found = o.run("reconcile", "--from", day, "--to", day);
            assertThat(found.exit()).as(found.out() + found.err()).isEqualTo(1);
            assertThat(found.out()).contains("work dates " + day + " to " + day, "keys drifting:  1");
            CommandLineTest.Result delivered = o.run("reconcile", "--from", day, "--to", day, "--deliver");
            assertThat(delivered.exit()).as(delivered.out() + delivered.err()).isZero();
            // the run log and its report call it a reconcile run, not a full pass of a sync
            java.util.regex.Matcher run = java.util.regex.Pattern.compile("the drift, as run ([0-9a-f]{8})").matcher(delivered.out());
            assertThat(run.find()).as(delivered.out()).isTrue();
            assertThat(o.run("status").out()).containsPattern("\n    " + run.group(1) + "  [0-9:TZ -]+  [0-9:TZ -]+  reconcile    succeeded ")
                    .containsPattern(run.group(1) + "\\.json  succeeded  reconcile ");
            // the window's own quarantined records are read again (their last run is the reconcile's); none is released
            java.util.function.Predicate<String> outsideWindow = r -> !r.contains("|" + day + "|");
            assertThat(tableRows(db, "quarantine").stream().filter(outsideWindow).toList()).as("the quarantine outside the window")
                    .isEqualTo(quarantine.stream().filter(outsideWindow).toList()).isNotEmpty();
            assertThat(tableRows(db, "quarantine")).hasSameSizeAs(quarantine);
            assertThat(ledger(db).stream().map(Held::lineId)).contains(inside.lineId()).doesNotContain(outside.lineId());
            CommandLineTest.Result all = o.run("reconcile");
            assertThat(all.exit()).as(all.out() + all.err()).isEqualTo(1);
            assertThat(all.out()).contains("keys drifting:  1");
            List<String> rows = lines(driftReport(o, all.out()));
            assertThat(rows.subList(1, rows.size())).allSatisfy(r -> assertThat(r).contains("," + outside.day() + ","));

            // a --from before the start date is a wrong option, as a --from after --to
            String before = o.startDate().minusDays(1).toString();
            CommandLineTest.Result early = o.run("reconcile", "--from", before);
            assertThat(early.exit()).as(early.out() + early.err()).isEqualTo(64);
            assertThat(early.err()).contains("reconcile --from " + before + " is before PAYROLL_START_DATE " + o.startDate()
                    + " of company ");
        }
    }

    /** RECONCILE_CRON in the run command: the drift of each scheduled reconcile as a metric, nothing delivered. */
    @Test
    void scheduledReconcileShowsTheDriftAsAMetric(@TempDir Path dir) throws Exception {
        TestDatabase db = TestDatabase.h2(dir.resolve("data/state"));
        try (Officer o = Officer.start(dir, db)) {
            CommandLineTest.Result sync = o.run("sync", "--once");
            assertThat(sync.exit()).as(sync.err()).isZero();
            Held forgotten = ledger(db).get(0);
            forgetInLedger(db, forgotten);
            Map<String, List<String>> before = dump(db);
            Map<String, String> env = new HashMap<>(o.env());
            int port = ObserveClient.freePort();
            env.put("OBSERVE_PORT", Integer.toString(port));
            env.put("RECONCILE_CRON", "0/2 * * * * ?");
            env.put("SYNC_CRON", "0 0 0 1 1 ? 2099");
            Process service = CommandLineTest.start(dir, env, "run");
            ObserveClient observe = new ObserveClient(port);
            try {
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                        .ignoreExceptions().untilAsserted(() -> {
                            Map<String, Double> samples = ObserveClient.samples(observe.get("/observe/metrics").body());
                            assertThat(samples).containsEntry("ditio_sync_drift_keys{company=\"cli\"}", 1.0);
                            for (String target : TARGETS) {
                                assertThat(samples).containsEntry("ditio_sync_drift_hours{company=\"cli\",target=\"" + target
                                        + "\"}", forgotten.hours().doubleValue());
                            }
                        });
            } finally {
                String threads = no.ditiosync.testing.AppProcess.stopOrDumpThreads(service, Duration.ofSeconds(30));
                assertThat(threads).as("the service exits on SIGTERM; its threads:%n%s", threads).isNull();
            }
            assertThat(Files.readString(dir.resolve("stderr.txt"))).contains("Scheduled reconcile", "of company cli: 1 of");
            assertThat(dump(db)).as("a scheduled reconcile delivers nothing").isEqualTo(before);
            List<Path> reports = files(o.out().resolve("reconcile"));
            assertThat(reports).isNotEmpty();
            List<String> rows = lines(reports.get(reports.size() - 1));
            assertThat(rows).hasSize(1 + TARGETS.size());
        }
    }

    static Path driftReport(Officer o, String printed) {
        Matcher m = Pattern.compile("drift report:\\s+(\\S+)").matcher(printed);
        assertThat(m.find()).as("drift report named in %s", printed).isTrue();
        Path p = Path.of(m.group(1));
        return p.isAbsolute() ? p : no.ditiosync.testing.AppProcess.projectRoot().resolve(p);
    }

    /** Drift made by hand: the ledger forgets these lines, as if they had never been delivered. */
    static void forgetInLedger(TestDatabase db, Held... lines) throws SQLException {
        try (Connection c = db.connect(); var ps = c.prepareStatement("DELETE FROM ledger_line WHERE line_id = ?")) {
            for (Held h : lines) {
                ps.setString(1, h.lineId());
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
        }
    }

    static List<Held> ledger(TestDatabase db) throws SQLException {
        List<Held> rows = new ArrayList<>();
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT line_id, employee_number, work_date, wage_type, quantity FROM ledger_line ORDER BY line_id")) {
            while (rs.next()) {
                rows.add(new Held(rs.getString(1), rs.getString(2), rs.getDate(3).toLocalDate(), rs.getString(4),
                        rs.getBigDecimal(5)));
            }
        }
        return rows;
    }

    /**
     * Each preview file holds the lines of the drop the run published, in the same order, byte for
     * byte; the JDBC preview the rows the run wrote to payroll_line; the counts printed are the run's.
     */
    static void assertPreviewIsTheDelivery(Officer o, List<Path> previewFiles, String printed) throws Exception {
        String runId = lastRun(o.db());
        for (String target : TARGETS) {
            Path shown = previewFiles.stream().filter(f -> f.getFileName().toString().startsWith("PREVIEW_" + target + "_"))
                    .findFirst().orElse(null);
            if (target.equals("jdbc")) {
                List<String> rows = shown == null ? List.of() : lines(shown).subList(1, lines(shown).size());
                // the generic CSV's columns, then status: found by its header name
                int status = shown == null ? -1 : DeliveredPayroll.fields(lines(shown).get(0), ',').indexOf("status");
                List<String> previewed = new ArrayList<>();
                for (String row : rows) {
                    List<String> f = DeliveredPayroll.fields(row, ',');
                    previewed.add(f.get(0) + "|" + f.get(1) + "|" + f.get(2) + "|" + f.get(3) + "|" + f.get(4) + "|" + f.get(status));
                }
                assertThat(previewed).as("JDBC preview against payroll_line rows of run %s", runId)
                        .containsExactlyInAnyOrderElementsOf(payrollLineRows(o.db(), runId));
                continue;
            }
            List<Path> drops = files(o.out().resolve(target)).stream()
                    .filter(f -> f.getFileName().toString().endsWith("_" + runId + ".csv")).toList();
            if (shown == null) {
                assertThat(drops).as("%s: no preview, so no drop", target).isEmpty();
                continue;
            }
            assertThat(drops).as("%s drop of run %s", target, runId).hasSize(1);
            assertThat(lines(shown)).as("%s preview against the drop", target).isNotEmpty().isEqualTo(lines(drops.get(0)));
            assertThat(Files.readAllBytes(shown)).isEqualTo(Files.readAllBytes(drops.get(0)));
        }
        // new / corrected / reversed / released per target, as the run logged them
        Map<String, String> shownCounts = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^    (\\w+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)$").matcher(printed);
        while (m.find()) {
            if (!(m.group(2) + m.group(3) + m.group(4) + m.group(5)).matches("0+")) {
                shownCounts.put(m.group(1), m.group(2) + "/" + m.group(3) + "/" + m.group(4) + "/" + m.group(5));
            }
        }
        Map<String, String> runCounts = new TreeMap<>();
        String logged = lineCounts(o.db(), runId);
        if (logged != null && !logged.isEmpty()) {
            for (String t : logged.split(",")) {
                runCounts.put(t.substring(0, t.indexOf('=')), t.substring(t.indexOf('=') + 1));
            }
        }
        assertThat(shownCounts).as("counts printed by preview against the run log").isNotEmpty().isEqualTo(runCounts);
        // net hours per employee and wage type: the Visma column against the Visma drop
        Map<String, BigDecimal> shownVisma = new TreeMap<>();
        int visma = 1 + TARGETS.indexOf("visma");
        boolean inTable = false;
        for (String line : printed.split("\n")) {
            if (line.startsWith("  net hours per employee")) {
                inTable = true;
                continue;
            }
            if (inTable && (!line.startsWith("    ") || line.startsWith("    employee"))) {
                inTable = line.startsWith("    employee");
                continue;
            }
            if (inTable) {
                String[] t = line.trim().split("\\s+");
                String employee = t[t.length - TARGETS.size() - 2];
                employee = employee.startsWith("(") ? employee.substring(1, employee.length() - 1) : employee;
                BigDecimal h = new BigDecimal(t[t.length - TARGETS.size() - 1 + visma]);
                if (h.signum() != 0) {
                    shownVisma.put(DeliveredPayroll.normalEmployee(employee) + "|" + t[t.length - TARGETS.size() - 1],
                            h.setScale(2));
                }
            }
        }
        List<Path> vismaDrop = files(o.out().resolve("visma")).stream()
                .filter(f -> f.getFileName().toString().endsWith("_" + runId + ".csv")).toList();
        assertThat(shownVisma).as("net Visma hours printed by preview").isEqualTo(DeliveredPayroll.vismaTotals(vismaDrop));
        assertThat(printed).as("employees are shown by name").containsPattern("[A-ZÆØÅ][a-zæøå]+ [A-ZÆØÅ].* \\(\\d+\\)");
    }

    static List<String> lines(Path f) throws IOException {
        return Files.readAllLines(f, StandardCharsets.ISO_8859_1);
    }

    static List<Path> files(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        }
    }

    static String lastRun(TestDatabase db) throws SQLException {
        try (Connection c = db.connect();
             ResultSet rs = c.createStatement().executeQuery("SELECT run_id FROM sync_run ORDER BY started_at DESC")) {
            assertThat(rs.next()).as("a run in the run log").isTrue();
            return rs.getString(1);
        }
    }

    static String lineCounts(TestDatabase db, String runId) throws SQLException {
        try (Connection c = db.connect();
             var ps = c.prepareStatement("SELECT line_counts FROM sync_run WHERE run_id = ?")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    static List<String> payrollLineRows(TestDatabase db, String runId) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.connect();
             var ps = c.prepareStatement("SELECT line_id, employee_number, work_date, wage_type, quantity, status "
                     + "FROM payroll_line WHERE run_id = ?")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getDate(3) + "|" + rs.getString(4) + "|"
                            + rs.getBigDecimal(5).setScale(2).toPlainString() + "|" + rs.getString(6));
                }
            }
        }
        return rows;
    }

    /** Every row of every delivery table, as text, sorted. */
    static Map<String, List<String>> dump(TestDatabase db) throws SQLException {
        Map<String, List<String>> tables = new TreeMap<>();
        for (String t : DELIVERY_TABLES) {
            tables.put(t, tableRows(db, t));
        }
        return tables;
    }

    static List<String> tableRows(TestDatabase db, String table) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT * FROM " + table)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    Object v = rs.getObject(i);
                    row.append(i == 1 ? "" : "|").append(v instanceof byte[] b ? java.util.HexFormat.of().formatHex(b) : v);
                }
                rows.add(row.toString());
            }
        }
        rows.sort(null);
        return rows;
    }
}
