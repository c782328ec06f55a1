package no.ditiosync.app;

import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.testing.AppProcess;
import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.JobDataMap;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static no.ditiosync.app.MultiCompanyTest.tenant;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Quartz's clustered JobStore keeps its job data as text (useProperties), so nothing is ever read
 * back from the QRTZ_ tables as a Java object; a cluster whose tables an earlier version filled with
 * serialized job data starts and fires as before, its rows rewritten as text.
 */
class QuartzJobDataTest {

    private static final String ENDPOINT = "CamelQuartzEndpoint";

    @Test
    void jobDataIsStoredAsTextAndSerializedRowsOfAnEarlierVersionAreReplaced(@TempDir Path dir) throws Exception {
        TestDatabase db = TestDatabase.postgres();
        try (SimulatedDitio acme = SimulatedDitio.start(tenant("acme", 6), 0)) {
            Map<String, String> env = new LinkedHashMap<>();
            env.put("PAYROLL_COMPANIES", "acme");
            env.remove("PAYROLL_COMPANY"); // read only without PAYROLL_COMPANIES
            QuartzClusterTest.tenantEnv(env, "ACME", acme);
            QuartzClusterTest.clusterEnv(env, db, dir);

            runUntilAScheduledRun(env, dir.resolve("node-1.log"), db, 1);
            Map<String, byte[]> stored = jobData(db);
            assertThat(stored).as("job data of the job and of its trigger").containsOnlyKeys("job", "trigger");
            for (byte[] data : stored.values()) {
                assertThat(serialized(data)).as("a serialized Java object (stream magic 0xACED):%n%s",
                        new String(data, StandardCharsets.ISO_8859_1)).isFalse();
            }
            // camel-quartz keeps its data (all strings) on the job; the trigger's is empty
            Properties p = new Properties();
            p.load(new ByteArrayInputStream(stored.get("job")));
            assertThat(p.getProperty(ENDPOINT)).as("job data as text:%n%s", new String(stored.get("job"),
                    StandardCharsets.ISO_8859_1)).startsWith("quartz://acme/time-registrations");

            // what an earlier version left: the same job data, serialized
            serializeJobData(db);
            assertThat(serialized(jobData(db).get("job"))).isTrue();
            Path log = dir.resolve("node-2.log");
            runUntilAScheduledRun(env, log, db, firingsRun(db) + 1);
            assertThat(Files.readString(log)).contains("were stored as Java objects by an earlier version");
            assertThat(jobData(db).values()).hasSize(2).noneMatch(QuartzJobDataTest::serialized);
        }
    }

    /** Starts {@code run}, waits for its scheduled runs to reach {@code firings} in all, and stops it with SIGTERM. */
    private static void runUntilAScheduledRun(Map<String, String> env, Path log, TestDatabase db, long firings)
            throws Exception {
        Process node = AppProcess.builder(env, List.of(), false, "run")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .failFast("the node ended: " + log, () -> !node.isAlive())
                    .until(() -> firingsRun(db) >= firings);
            assertThat(AppProcess.stopOrDumpThreads(node, Duration.ofSeconds(60))).as("threads of a node that did not stop")
                    .isNull();
        } finally {
            node.destroyForcibly();
        }
    }

    /** Java serialization's stream magic at the start. */
    private static boolean serialized(byte[] data) {
        return data.length >= 2 && data[0] == (byte) 0xAC && data[1] == (byte) 0xED;
    }

    private static long firingsRun(TestDatabase db) {
        return QuartzClusterTest.firingsRun(db, "acme");
    }

    /** The job data of the one job and of its trigger (empty when none). */
    private static Map<String, byte[]> jobData(TestDatabase db) throws Exception {
        Map<String, byte[]> data = new LinkedHashMap<>();
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT 'job', job_data FROM qrtz_job_details UNION ALL SELECT 'trigger', job_data FROM qrtz_triggers")) {
            while (rs.next()) {
                byte[] bytes = rs.getBytes(2);
                assertThat(data.put(rs.getString(1), bytes == null ? new byte[0] : bytes)).as("one %s", rs.getString(1))
                        .isNull();
            }
        }
        return data;
    }

    /** Rewrites each row's job data as Quartz stores it without useProperties: a serialized JobDataMap. */
    private static void serializeJobData(TestDatabase db) throws Exception {
        try (Connection c = db.connect()) {
            for (String table : List.of("qrtz_job_details", "qrtz_triggers")) {
                List<Object[]> rows = new ArrayList<>();
                try (ResultSet rs = c.createStatement().executeQuery("SELECT ctid::text, job_data FROM " + table)) {
                    while (rs.next()) {
                        rows.add(new Object[]{rs.getString(1), rs.getBytes(2)});
                    }
                }
                for (Object[] row : rows) {
                    if (row[1] == null || ((byte[]) row[1]).length == 0) {
                        continue; // Quartz stores no data for an empty map
                    }
                    Properties p = new Properties();
                    p.load(new ByteArrayInputStream((byte[]) row[1]));
                    JobDataMap map = new JobDataMap();
                    p.forEach((k, v) -> map.put((String) k, (String) v));
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    try (ObjectOutputStream o = new ObjectOutputStream(out)) {
                        o.writeObject(map);
                    }
                    try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET job_data = ? WHERE ctid = ?::tid")) {
                        ps.setBytes(1, out.toByteArray());
                        ps.setString(2, (String) row[0]);
                        assertThat(ps.executeUpdate()).isEqualTo(1);
                    }
                }
            }
        }
    }
}
