package no.ditiosync.app;

import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.testing.AppProcess;
import no.ditiosync.testing.DeliveredPayroll;
import no.ditiosync.testing.PayrollTruth;
import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static no.ditiosync.app.MultiCompanyTest.START;
import static no.ditiosync.app.MultiCompanyTest.assertDelivered;
import static no.ditiosync.app.MultiCompanyTest.tenant;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two application processes run as one Quartz cluster on one (embedded, real) PostgreSQL, with two
 * companies firing every second: each firing runs on exactly one node, and when one node is
 * killed the other goes on with every job; what payroll received equals Ditio's truth.
 */
class QuartzClusterTest {

    /** The cron's period: a run of these small tenants takes a fraction of it, so the 20 firings per company go by fast. */
    static final Duration PERIOD = Duration.ofSeconds(1);
    static final Duration CHECKIN = Duration.ofSeconds(1);
    static final List<String> COMPANIES = List.of("acme", "bygg");

    /** One application process and its log. */
    record Node(String name, Process process, Path log) {
        String nodeId() {
            return "/" + process.pid();
        }

        String logText() throws java.io.IOException {
            return Files.readString(log, StandardCharsets.UTF_8);
        }
    }

    /** One run from the run log. */
    record Run(String company, Instant scheduledFor, Instant startedAt, String node, String outcome) {
    }

    @Test
    void eachFiringRunsOnceAcrossTheNodesAndASurvivorTakesOverTheJobs(@TempDir Path dir) throws Exception {
        TestDatabase db = TestDatabase.postgres();
        try (SimulatedDitio acme = SimulatedDitio.start(tenant("acme", 12), 0);
             SimulatedDitio bygg = SimulatedDitio.start(tenant("bygg", 10), 0)) {
            Map<String, String> env = new LinkedHashMap<>();
            env.put("PAYROLL_COMPANIES", String.join(",", COMPANIES));
            env.remove("PAYROLL_COMPANY"); // read only without PAYROLL_COMPANIES
            // per-company settings straight from the environment: company.acme.ditio.client-id is COMPANY_ACME_DITIO_CLIENT_ID
            tenantEnv(env, "ACME", acme);
            tenantEnv(env, "BYGG", bygg);
            clusterEnv(env, db, dir);
            env.put("DITIO_CHUNK_LIMIT", "200");

            Node a = start("a", env, dir);
            Node b = start("b", env, dir);
            List<Node> nodes = List.of(a, b);
            try {
                // 20 firings and more of each company's job, with changes in Ditio between them
                Random random = new Random(11);
                for (int round = 1; round <= 4; round++) {
                    int firings = round * 6;
                    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                            .until(() -> COMPANIES.stream().allMatch(c -> firingsRun(db, c) >= firings));
                    acme.data().randomMutations(random, 10);
                    bygg.data().randomMutations(random, 10);
                }
                List<Run> beforeKill = runs(db);
                assertThat(COMPANIES).allSatisfy(c -> assertThat(beforeKill.stream().filter(r -> r.company.equals(c)
                        && r.scheduledFor != null)).hasSizeGreaterThanOrEqualTo(20));
                assertEachFiringOnce(beforeKill, nodes);
                assertThat(beforeKill).as("runs on both nodes").extracting(r -> nodeOf(r, nodes))
                        .contains("a", "b");

                // node a dies (no shutdown, no goodbye); b goes on with every job of both companies
                a.process.destroyForcibly();
                assertThat(a.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
                Instant killed = Instant.now();
                // and until a run that a's death cut short has been run again: Quartz recovers its firing once a
                // misses its check-in (CHECKIN + 7.5 s), which may be later than four periods. The recovered
                // firing may meet a later firing's run on b, which then holds the feed's lock: it is skipped
                // (and logged so, without a run of its own), and that run delivers what the cut one would have.
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
                    List<Run> all = runs(db);
                    String logOfB = b.logText();
                    return COMPANIES.stream().allMatch(c -> all.stream().filter(r -> r.company.equals(c)
                                    && r.startedAt.isAfter(killed) && r.outcome.equals("succeeded")).count() >= 4)
                            && all.stream().filter(r -> r.scheduledFor != null && nodeOf(r, nodes).equals("a")
                                    && (r.outcome.equals("running") || r.outcome.equals("abandoned")))
                            .allMatch(cut -> all.stream().anyMatch(again -> again.company.equals(cut.company)
                                    && cut.scheduledFor.equals(again.scheduledFor) && nodeOf(again, nodes).equals("b"))
                                    || logOfB.contains("Scheduled run of company " + cut.company + " for "
                                    + cut.scheduledFor.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + " skipped"));
                });
                List<Run> afterKill = runs(db).stream().filter(r -> r.startedAt.isAfter(killed)).toList();
                assertThat(afterKill).extracting(r -> nodeOf(r, nodes)).containsOnly("b");
                for (String company : COMPANIES) {
                    Instant firstAfter = afterKill.stream().filter(r -> r.company.equals(company))
                            .map(Run::startedAt).min(Instant::compareTo).orElseThrow();
                    // the next firing, or, if a had already taken it, its recovery once a is missed
                    assertThat(Duration.between(killed, firstAfter)).as("%s taken over", company)
                            .isLessThan(PERIOD.plus(CHECKIN).plus(Duration.ofMillis(7500)).plus(Duration.ofSeconds(5)));
                }
                assertEachFiringOnce(runs(db), nodes);

                // the last changes, delivered by b alone; then b stops
                acme.data().randomMutations(random, 10);
                bygg.data().randomMutations(random, 10);
                Instant changed = Instant.now();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() ->
                        COMPANIES.stream().allMatch(c -> runs(db).stream().anyMatch(r -> r.company.equals(c)
                                && r.startedAt.isAfter(changed) && r.outcome.equals("succeeded"))));
                String threads = AppProcess.stopOrDumpThreads(b.process, Duration.ofSeconds(60));
                if (threads != null) {
                    Path kept = Files.createDirectories(Path.of("target", "quartz-cluster-test"));
                    Files.writeString(kept.resolve("node-b-threads.txt"), threads);
                    Files.writeString(kept.resolve("node-b.log"), b.logText()); // what its stop was waiting for
                }
                assertThat(threads).as("node b did not exit within 60 s of SIGTERM; its threads:%n%s", threads).isNull();
                assertThat(b.logText()).as("node b's log").contains("Stopping: no new scheduled runs").contains("Stopped");
            } finally {
                for (Node n : nodes) {
                    n.process.destroyForcibly();
                    // kept for a look after a failure (the test folder goes with the test)
                    Path kept = Files.createDirectories(Path.of("target", "quartz-cluster-test"));
                    Files.copy(n.log, kept.resolve(n.log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            // no line twice and none missing: every company's folder and rows hold exactly its truth
            assertDelivered(dir, db, "acme", acme);
            assertDelivered(dir, db, "bygg", bygg);
            assertThat(a.logText() + b.logText()).doesNotContain(acme.clientSecret()).doesNotContain(bygg.clientSecret());
        }
    }

    /** A cluster node's settings: the state DB, every company firing every {@link #PERIOD}, a fast check-in. */
    static void clusterEnv(Map<String, String> env, TestDatabase db, Path dir) {
        env.put("PAYROLL_START_DATE", START.toString());
        env.put("PAYROLL_DROP_DIR", dir.resolve("out").toString());
        env.put("SYNC_REPORT_DIR", dir.resolve("runs").toString()); // the default with PostgreSQL: ./data/runs
        env.put("PAYROLL_STATE_DB_URL", db.url());
        env.put("PAYROLL_STATE_DB_USER", db.user());
        env.put("PAYROLL_STATE_DB_PASSWORD", db.password());
        env.put("SYNC_CRON", "0/" + PERIOD.toSeconds() + " * * * * ?");
        env.put("SYNC_TIME_ZONE", "Europe/Oslo");
        env.put("SYNC_CLUSTERED", "true");
        env.put("SYNC_CLUSTER_CHECKIN_INTERVAL", CHECKIN.toMillis() + "ms");
        env.put("LOG_LEVEL", "INFO");
    }

    static void tenantEnv(Map<String, String> env, String company, SimulatedDitio ditio) {
        env.put("COMPANY_" + company + "_DITIO_IDENTITY_BASE", ditio.identityBase());
        env.put("COMPANY_" + company + "_DITIO_REPORTING_BASE", ditio.reportingBase());
        env.put("COMPANY_" + company + "_DITIO_CLIENT_ID", ditio.clientId());
        env.put("COMPANY_" + company + "_DITIO_CLIENT_SECRET", ditio.clientSecret());
    }

    static Node start(String name, Map<String, String> env, Path dir) throws Exception {
        Path log = dir.resolve("node-" + name + ".log");
        Process p = AppProcess.builder(env, List.of(), false, "run")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Node(name, p, log);
    }

    static String nodeOf(Run run, List<Node> nodes) {
        return nodes.stream().filter(n -> run.node.endsWith(n.nodeId())).map(Node::name).findFirst().orElse(run.node);
    }

    /**
     * Per company, every firing is answered exactly once on one node: run, or skipped because the
     * previous run was still busy; and no firing between the first and the last is missing. A run that
     * a killed node left unfinished (abandoned) is not an answer: its firing must be run again by the
     * survivor (Quartz's recovery of a job whose node died).
     */
    static void assertEachFiringOnce(List<Run> runs, List<Node> nodes) throws Exception {
        // a node whose first cluster check-in failed takes its own running jobs for orphans and fires them again
        for (Node node : nodes) {
            assertThat(node.logText()).as("node %s's Quartz cluster log", node.name())
                    .doesNotContain("Found orphaned fired triggers").doesNotContain("Error managing cluster")
                    .doesNotContain("was recovered by another instance");
        }
        for (String company : COMPANIES) {
            Map<Instant, List<String>> answers = new TreeMap<>();
            for (Run r : runs) {
                if (r.company.equals(company) && r.scheduledFor != null) {
                    if (r.outcome.equals("abandoned")) {
                        // cut short by its node's death: Quartz recovers the job on another node (same firing)
                        assertThat(nodes.get(0).process.isAlive()).as("run %s abandoned while a lives", r).isFalse();
                        assertThat(nodeOf(r, nodes)).isEqualTo("a");
                        // or, recovered while a later firing's run on b held the feed's lock, skipped by b (which
                        // then delivered what the cut run would have), as the wait after the kill accepts too
                        String skipped = "Scheduled run of company " + company + " for "
                                + r.scheduledFor.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + " skipped";
                        assertThat(runs.stream().anyMatch(other -> other.company.equals(company)
                                && r.scheduledFor.equals(other.scheduledFor) && nodeOf(other, nodes).equals("b"))
                                || nodes.get(1).logText().contains(skipped))
                                .as("the abandoned firing %s run again by b, or skipped by b", r).isTrue();
                        continue;
                    }
                    answers.computeIfAbsent(r.scheduledFor, t -> new ArrayList<>()).add("run on " + nodeOf(r, nodes)
                            + " (" + r.outcome + ")");
                }
            }
            for (Node node : nodes) {
                // a firing Quartz recovered although its run had succeeded: no second run, and not an answer
                Matcher again = Pattern.compile("Scheduled run of company " + company + " for (\\S+) already ran")
                        .matcher(node.logText());
                while (again.find()) {
                    Instant firing = Instant.parse(again.group(1));
                    assertThat(runs).as("%s: firing %s said to have run already", company, firing).anyMatch(r ->
                            r.company.equals(company) && firing.equals(r.scheduledFor) && r.outcome.equals("succeeded"));
                }
                Matcher skipped = Pattern.compile("Scheduled run of company " + company + " for (\\S+) skipped")
                        .matcher(node.logText());
                while (skipped.find()) {
                    answers.computeIfAbsent(Instant.parse(skipped.group(1)), t -> new ArrayList<>())
                            .add("skipped on " + node.name());
                }
            }
            assertThat(answers).as("firings of %s", company).allSatisfy((firing, how) ->
                    assertThat(how).as("%s at %s", company, firing).hasSize(1));
            List<Instant> firings = new ArrayList<>(answers.keySet());
            for (int i = 1; i < firings.size(); i++) {
                // a recovered job fires at once rather than on the cron's grid
                boolean onGrid = firings.get(i).getEpochSecond() % PERIOD.toSeconds() == 0 && firings.get(i).getNano() == 0;
                if (onGrid) {
                    assertThat(Duration.between(firings.get(i - 1), firings.get(i)))
                            .as("%s: firing after %s missing; firings answered: %s", company, firings.get(i - 1), answers)
                            .isLessThanOrEqualTo(PERIOD);
                }
            }
        }
    }

    static long firingsRun(TestDatabase db, String company) {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT COUNT(DISTINCT scheduled_for) FROM sync_run WHERE company = ? AND scheduled_for IS NOT NULL")) {
            ps.setString(1, company);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            return 0; // the first node has not created the tables yet
        }
    }

    static List<Run> runs(TestDatabase db) {
        List<Run> runs = new ArrayList<>();
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT company, scheduled_for, started_at, node, outcome FROM sync_run ORDER BY started_at")) {
            while (rs.next()) {
                OffsetDateTime scheduled = rs.getObject(2, OffsetDateTime.class);
                runs.add(new Run(rs.getString(1), scheduled == null ? null : scheduled.toInstant(),
                        rs.getObject(3, OffsetDateTime.class).toInstant(), rs.getString(4), rs.getString(5)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return runs;
    }
}
