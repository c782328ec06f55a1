package no.ditiosync.app;

import no.ditiosync.run.RunStart;
import no.ditiosync.state.RunStore;
import no.ditiosync.state.StateDb;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.component.quartz.QuartzComponent;
import org.quartz.CronExpression;
import org.quartz.JobKey;
import org.quartz.TriggerKey;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;

/**
 * The run command's schedules: one Quartz trigger per company (route template {@code sync-schedule}
 * in routes/sync.camel.yaml), on this node alone or on a Quartz cluster that shares the PostgreSQL
 * state DB.
 */
final class SyncSchedules {

    private static final Logger LOG = LoggerFactory.getLogger(SyncSchedules.class);
    static final String TEMPLATE = "sync-schedule";
    /** The name of each company's Quartz job and trigger (quartz:{company}/time-registrations); the company is the group. */
    private static final String JOB = "time-registrations";
    static final String RECONCILE_TEMPLATE = "reconcile-schedule";
    private static final String QUARTZ_TABLES = "/org/quartz/impl/jdbcjobstore/tables_postgres.sql";

    private SyncSchedules() {
    }

    /**
     * Adds and starts one schedule route per company. Alone (Quartz in memory), a firing missed while
     * the service was down is run once now; in a cluster, Quartz keeps the triggers in the database
     * and does that itself (camel-quartz's cron triggers misfire as "fire once now"), once it has them.
     */
    static void start(CamelContext context, List<Settings> companies) throws Exception {
        RunStore store = new RunStore(context.getRegistry().lookupByNameAndType("stateDb", StateDb.class));
        QuartzComponent quartz = context.getComponent("quartz", QuartzComponent.class);
        for (Settings company : companies) {
            // in a cluster Quartz runs a firing missed while every node was down, from the trigger its tables
            // keep; one they do not keep yet (the cluster's first start) cannot misfire, so it is made up here
            boolean quartzKeepsTrigger = company.clustered()
                    && quartz.getScheduler().checkExists(TriggerKey.triggerKey(JOB, company.company()));
            TemplatedRouteBuilder.builder(context, TEMPLATE)
                    .routeId(TEMPLATE + "-" + company.company())
                    .parameter("company", company.company())
                    .parameter("cron", company.cron())
                    .parameter("timeZone", quartzZone(company.timeZone()).getID())
                    .add();
            LOG.info("Company {}: runs on cron '{}' in time zone {}{}", company.company(), company.cron(),
                    company.timeZone().getId(), company.clustered() ? ", on whichever node of the Quartz cluster is free" : "");
            if (!quartzKeepsTrigger && missedFiring(company.cron(), company.timeZone(),
                    store.lastRunStartedAt(company.company(), RunStart.FEED), Instant.now())) {
                LOG.info("Company {}: a scheduled run was missed while the service was down; running it once now",
                        company.company());
                quartz.getScheduler().triggerJob(JobKey.jobKey(JOB, company.company()));
            }
            if (company.reconcileCron() != null) {
                TemplatedRouteBuilder.builder(context, RECONCILE_TEMPLATE)
                        .routeId(RECONCILE_TEMPLATE + "-" + company.company())
                        .parameter("company", company.company())
                        .parameter("cron", company.reconcileCron())
                        .parameter("timeZone", quartzZone(company.timeZone()).getID())
                        .add();
                context.getRegistry().lookupByNameAndType("scheduledReconcile", ScheduledReconcile.class)
                        .watch(company.company());
                LOG.info("Company {}: reconciled against Ditio on cron '{}' (nothing delivered; drift in the metrics)",
                        company.company(), company.reconcileCron());
            }
        }
        // only now: a clustered scheduler started earlier could take a firing for a route not yet added
        if (!quartz.getScheduler().isStarted()) {
            quartz.getScheduler().start();
        }
        Readiness readiness = context.getRegistry().lookupByNameAndType(Readiness.BEAN, Readiness.class);
        if (readiness != null) {
            readiness.added = true;
        }
    }

    /**
     * Readiness of the run service (bean {@value #BEAN}): the schedule routes are added after Camel has
     * started, so without this check the service answered ready before it had them, and not ready while
     * each was starting.
     */
    static final class Readiness extends org.apache.camel.impl.health.AbstractHealthCheck {

        static final String BEAN = "schedulesHealth";
        private volatile boolean added;

        Readiness() {
            super("ditio-payroll-sync", "schedules");
        }

        @Override
        public boolean isLiveness() {
            return false;
        }

        @Override
        protected void doCall(org.apache.camel.health.HealthCheckResultBuilder builder, Map<String, Object> options) {
            if (added) {
                builder.up();
            } else {
                builder.message("the schedules are not added yet").down();
            }
        }
    }

    /**
     * The next firing of a company's schedule as Quartz has it (in a cluster, as the shared tables hold
     * it), or null when the run command has not scheduled it.
     */
    static Instant nextFiring(CamelContext context, String company) {
        try {
            QuartzComponent quartz = context.hasComponent("quartz") instanceof QuartzComponent q ? q : null;
            org.quartz.Scheduler scheduler = quartz == null ? null : quartz.getScheduler();
            org.quartz.Trigger trigger = scheduler == null ? null
                    : scheduler.getTrigger(org.quartz.TriggerKey.triggerKey(JOB, company));
            return trigger == null || trigger.getNextFireTime() == null ? null : trigger.getNextFireTime().toInstant();
        } catch (org.quartz.SchedulerException e) {
            LOG.debug("Company {}: the scheduler did not say its next firing: {}", company, e.getMessage());
            return null;
        }
    }

    /** Takes no more firings (Quartz's standby; a clustered node's jobs go to the others). Safe before start-up ended. */
    static void standby(CamelContext context) {
        try {
            QuartzComponent quartz = context.hasComponent("quartz") instanceof QuartzComponent q ? q : null;
            if (quartz != null && quartz.getScheduler() != null && quartz.getScheduler().isStarted()) {
                quartz.getScheduler().standby();
            }
        } catch (org.quartz.SchedulerException e) {
            LOG.warn("Could not put the scheduler in standby before stopping: {}", e.getMessage());
        }
    }

    /**
     * The zone as Quartz takes it: camel-quartz names it by id to {@link TimeZone#getTimeZone(String)}, which reads
     * {@code +01:00} or {@code UTC+01:00} as GMT without a word (so a cron would fire an hour off); an offset is
     * named {@code GMT+01:00}, which it reads.
     */
    public static TimeZone quartzZone(java.time.ZoneId zone) {
        return TimeZone.getTimeZone(zone.normalized());
    }

    /** The cron read in the company's zone, as its Quartz trigger fires it. */
    static CronExpression cronIn(String cron, java.time.ZoneId zone) throws java.text.ParseException {
        CronExpression expression = new CronExpression(cron);
        expression.setTimeZone(quartzZone(zone));
        return expression;
    }

    /** A firing of the cron (read in its time zone) fell between the last run's start and now; none before the first run. */
    static boolean missedFiring(String cron, java.time.ZoneId zone, Instant lastRunStart, Instant now)
            throws java.text.ParseException {
        if (lastRunStart == null) {
            return false;
        }
        Date next = cronIn(cron, zone).getNextValidTimeAfter(Date.from(lastRunStart));
        return next != null && next.toInstant().isBefore(now);
    }

    /**
     * For the run command: Quartz's clustered JDBC JobStore on the shared PostgreSQL state DB
     * (a {@code sync --once} never joins: it would take firings). Every node with the same
     * {@code camel.main.name} is one scheduler; each firing runs on exactly one node, and the jobs
     * of a node that stops checking in are taken over by the others.
     */
    static void joinCluster(CamelContext context, DataSource stateDb, Settings settings) throws SQLException, IOException {
        prepareQuartzTables(stateDb, context.getName());
        // our pool, registered under a name of its own: Quartz's own data source settings would need the
        // password in its properties, which camel-quartz logs at DEBUG
        String dataSourceName = "ditio-state-db-" + context.getName();
        DBConnectionManager.getInstance().addConnectionProvider(dataSourceName, new ConnectionProvider() {
            @Override
            public Connection getConnection() throws SQLException {
                return stateDb.getConnection();
            }

            @Override
            public void shutdown() {
                // the pool is closed with the Camel context
            }

            @Override
            public void initialize() {
            }
        });
        Map<String, Object> quartz = new HashMap<>();
        // the same name on every node makes them one scheduler (SCHED_NAME in the QRTZ_ tables)
        quartz.put("org.quartz.scheduler.instanceName", context.getName());
        quartz.put("org.quartz.scheduler.instanceId", instanceId());
        quartz.put("org.quartz.scheduler.skipUpdateCheck", "true");
        quartz.put("org.quartz.threadPool.threadCount", "8");
        quartz.put("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        quartz.put("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        quartz.put("org.quartz.jobStore.dataSource", dataSourceName);
        quartz.put("org.quartz.jobStore.isClustered", "true");
        // without the lock a node reads a trigger's next firing, another node fires it meanwhile, and
        // the first still acquires it (the state is back to waiting) and fires the same firing again
        quartz.put("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        quartz.put("org.quartz.jobStore.clusterCheckinInterval", Long.toString(settings.clusterCheckinInterval().toMillis()));
        quartz.put("org.quartz.jobStore.misfireThreshold", "60000");
        // job data as text (camel-quartz puts only strings there), never a Java object read back from
        // the tables: whoever can write to QRTZ_* must not get to run code on every node
        quartz.put("org.quartz.jobStore.useProperties", "true");
        QuartzComponent component = context.getComponent("quartz", QuartzComponent.class);
        component.setProperties(quartz);
        component.setPrefixInstanceName(false);
        // started by start() once every schedule route is there (a firing taken by a node without its
        // route would be lost)
        component.setAutoStartScheduler(false);
    }

    /**
     * This node in Quartz's tables. Quartz's AUTO id is host name + clock millis: two nodes started in
     * the same millisecond on one host would share it, and each would take the other's running jobs for
     * its own leftovers. Host name cut so that Quartz's fired-trigger ids (this + 13 digits) fit in
     * their 95 characters.
     */
    static String instanceId() {
        String host = RunStart.NODE.substring(0, RunStart.NODE.lastIndexOf('/'));
        return (host.length() > 50 ? host.substring(0, 50) : host) + "-" + ProcessHandle.current().pid()
                + "-" + Long.toString(System.currentTimeMillis(), 36);
    }

    /**
     * Quartz's own PostgreSQL tables, from the script in the Quartz jar (without its DROP TABLEs),
     * created once; the advisory lock keeps two nodes starting together from both creating them.
     * The scheduler's two lock rows are inserted here too: Quartz inserts a missing lock row on first
     * use, and two nodes doing that at once make one of them fail its first cluster check-in. That
     * node then fires jobs without a check-in row, and its next (still "first") check-in takes its own
     * running jobs for a dead node's and recovers them: the same firing runs twice.
     */
    static void prepareQuartzTables(DataSource stateDb, String schedulerName) throws SQLException, IOException {
        String script;
        try (InputStream in = org.quartz.Scheduler.class.getResourceAsStream(QUARTZ_TABLES)) {
            if (in == null) {
                throw new IOException("the Quartz jar has no " + QUARTZ_TABLES);
            }
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Connection c = stateDb.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(727011)");
                boolean exists;
                try (ResultSet rs = s.executeQuery("SELECT to_regclass('qrtz_locks') IS NOT NULL")) {
                    exists = rs.next() && rs.getBoolean(1);
                }
                if (!exists) {
                    for (String statement : script.replaceAll("(?m)^--.*$", "").split(";")) {
                        String sql = statement.strip();
                        if (!sql.isEmpty() && !sql.regionMatches(true, 0, "DROP ", 0, 5)
                                && !sql.equalsIgnoreCase("COMMIT")) {
                            s.execute(sql);
                        }
                    }
                    LOG.info("Created Quartz's cluster tables (QRTZ_*) in the state DB");
                }
                dropSerializedJobData(c, schedulerName);
                try (PreparedStatement locks = c.prepareStatement("INSERT INTO qrtz_locks (sched_name, lock_name)"
                        + " VALUES (?, 'TRIGGER_ACCESS'), (?, 'STATE_ACCESS') ON CONFLICT DO NOTHING")) {
                    locks.setString(1, schedulerName);
                    locks.setString(2, schedulerName);
                    locks.executeUpdate();
                }
            }
            c.commit();
        }
    }

    /**
     * The jobs and triggers an earlier version stored as serialized Java objects (Java's stream magic
     * 0xACED at the start of JOB_DATA) cannot be read as properties, and reading them as objects is
     * what {@code useProperties} avoids. They hold nothing but what camel-quartz writes again when the
     * schedule routes start, so this scheduler's jobs and triggers are removed and re-created; a firing
     * missed while every node was down for the upgrade is then not made up (the next run delivers it).
     */
    private static void dropSerializedJobData(Connection c, String schedulerName) throws SQLException {
        String serialized = "substring(job_data from 1 for 2) = '\\xaced'::bytea";
        boolean found;
        try (PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM qrtz_job_details WHERE sched_name = ? AND "
                + serialized + ") OR EXISTS (SELECT 1 FROM qrtz_triggers WHERE sched_name = ? AND " + serialized + ")")) {
            ps.setString(1, schedulerName);
            ps.setString(2, schedulerName);
            try (ResultSet rs = ps.executeQuery()) {
                found = rs.next() && rs.getBoolean(1);
            }
        }
        if (!found) {
            return;
        }
        // children first: every trigger table refers to qrtz_triggers, which refers to qrtz_job_details
        for (String table : List.of("qrtz_cron_triggers", "qrtz_simple_triggers", "qrtz_simprop_triggers",
                "qrtz_blob_triggers", "qrtz_fired_triggers", "qrtz_triggers",
                "qrtz_job_details")) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE sched_name = ?")) {
                ps.setString(1, schedulerName);
                ps.executeUpdate();
            }
        }
        LOG.info("Quartz's jobs of scheduler {} were stored as Java objects by an earlier version; removed, the schedules "
                + "create them again as text", schedulerName);
    }
}
