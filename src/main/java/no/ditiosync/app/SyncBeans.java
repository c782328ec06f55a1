package no.ditiosync.app;

import no.ditiosync.ditio.DitioPager;
import no.ditiosync.ditio.DitioTokenCache;
import no.ditiosync.ditio.DitioTokens;
import no.ditiosync.drops.CsvFormat;
import no.ditiosync.drops.DropTarget;
import no.ditiosync.drops.PayrollLineTable;
import no.ditiosync.drops.SapFormat;
import no.ditiosync.drops.SftpDrop;
import no.ditiosync.drops.TripletexFormat;
import no.ditiosync.drops.VismaFormat;
import no.ditiosync.drops.CorrectionStyle;
import no.ditiosync.ledger.LedgerMigration;
import no.ditiosync.ledger.LedgerStore;
import no.ditiosync.ledger.RunDelta;
import no.ditiosync.run.Companies;
import no.ditiosync.run.Company;
import no.ditiosync.run.Deliveries;
import no.ditiosync.run.PayrollMapping;
import no.ditiosync.run.RunFinish;
import no.ditiosync.run.RunStart;
import no.ditiosync.run.RunsInProgress;
import no.ditiosync.run.SyncSteps;
import no.ditiosync.state.RunStore;
import no.ditiosync.state.StateDb;
import no.ditiosync.state.StateDbSpace;
import no.ditiosync.payroll.PayrollLineMapper;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads and checks the settings of every company, then binds the beans the YAML routes call by
 * name: {@code ditioToken}, {@code ditioPager}, {@code runStart}, {@code syncRun} (each feed's pass),
 * {@code payrollMapping}, {@code runFinish}, {@code deliveries}; each keeps one part per company,
 * chosen by the route's {@code company} variable. A bad setting fails here, before any route starts.
 */
public class SyncBeans implements CamelConfiguration {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SyncBeans.class);

    /** Hears that H2 stopped a database of the application after a failed write (see {@link FailFastH2Pool}). */
    private final Consumer<SQLException> whenDatabaseStopped;

    /** Every company's settings, read once: a custom target's format class is made as they are read. */
    private List<Settings> companiesRead;

    public SyncBeans() {
        this(failure -> { });
    }

    SyncBeans(Consumer<SQLException> whenDatabaseStopped) {
        this.whenDatabaseStopped = whenDatabaseStopped;
    }

    /** The application's settings as Camel resolves them: application.properties, the environment, overrides. */
    static java.util.function.Function<String, String> properties(CamelContext context) {
        return key -> context.getPropertiesComponent().resolveProperty(key).orElse(null);
    }

    /** The environment variables settings are read from: none for an application started without them (the demo). */
    static java.util.Set<String> environmentVariables(CamelContext context) {
        return context.getPropertiesComponent() instanceof org.apache.camel.component.properties.PropertiesComponent pc
                && pc.getEnvironmentVariableMode() == org.apache.camel.component.properties.PropertiesComponent.ENVIRONMENT_VARIABLES_MODE_NEVER
                ? java.util.Set.of() : System.getenv().keySet();
    }

    /**
     * Reads and checks every company's settings the first time it is called: {@link SyncApplication} calls it
     * before Camel makes the YAML routes' beans (the retry bounds are bound to one), so that a bad setting stops
     * start-up with its own line rather than Camel's "Error pre-parsing resource"; else {@link #configure} does.
     */
    List<Settings> settings(CamelContext context) {
        if (companiesRead == null) {
            Settings.refuseSecretsWrittenIn(SyncApplication.propertiesLocation());
            companiesRead = Settings.readAll(properties(context), true, environmentVariables(context));
            List<String> unread = Settings.unreadKeysIn(SyncApplication.propertiesLocation());
            if (!unread.isEmpty()) {
                LOG.warn("application.properties sets {}, which no setting reads (a typo?); what it means to set "
                        + "stays as it was", String.join(", ", unread));
            }
        }
        return companiesRead;
    }

    /** The state DB, upgraded to this build's layout; one that a later build upgraded stops the command (exit 2). */
    static StateDb openStateDb(DataSource pool) throws java.sql.SQLException {
        try {
            return new StateDb(pool, Version.text());
        } catch (no.ditiosync.state.StateDbLayout.NewerLayoutException e) {
            throw new SettingsException(e.getMessage());
        }
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        List<Settings> companies = settings(context);
        Settings shared = companies.get(0);
        context.getRegistry().bind("settings", companies);
        // the company and run id of every log line of a run (MDC): the JSON log's fields
        context.getCamelContextExtension().addInterceptStrategy(new RunLogContext());

        List<AutoCloseable> pools = new ArrayList<>();
        // registered before the first pool opens: a start-up that fails later still closes it
        PoolCloser poolCloser = new PoolCloser(pools);
        context.addService(poolCloser, true);
        DataSource stateDbPool = dataSource(pools, shared.stateDbUrl(), shared.stateDbUser(), shared.stateDbPassword(),
                DataSources.Keys.STATE_DB);
        StateDb stateDb = openStateDb(stateDbPool);
        context.getRegistry().bind("stateDb", stateDb);
        context.getRegistry().bind("stateDbSpace", new StateDbSpace(stateDb));
        Clock clock = context.getRegistry().findSingleByType(Clock.class) != null
                ? context.getRegistry().findSingleByType(Clock.class) : Clock.systemUTC();

        Map<String, List<DropTarget>> targetsOf = new LinkedHashMap<>();
        for (Settings settings : companies) {
            targetsOf.put(settings.company(), targets(settings));
        }
        // a state DB of the earlier layout (a ledger row per target) is moved to one row per line, once
        LedgerMigration.migrate(stateDbPool, stateDb.dialect(), company -> jdbcFolder(targetsOf.get(company), companies, company));

        Map<String, PayrollLineTable> tables = new HashMap<>();
        Map<String, DitioTokens.Client> clients = new LinkedHashMap<>();
        Map<String, DitioPager.Source> sources = new LinkedHashMap<>();
        Map<String, PayrollMapping.Company> mappings = new LinkedHashMap<>();
        Map<String, Deliveries.Company> deliveries = new LinkedHashMap<>();
        List<Company> runs = new ArrayList<>();
        for (Settings settings : companies) {
            PayrollLineTable table = null;
            if (settings.targets().contains(DropTarget.JDBC)) {
                // companies writing to the same database share one pool
                table = tables.get(settings.targetJdbcUrl());
                if (table == null) {
                    DataSource targetDb = settings.jdbcUrl().isEmpty() ? stateDbPool
                            : dataSource(pools, settings.jdbcUrl(), settings.jdbcUser(), settings.jdbcPassword(),
                            DataSources.Keys.JDBC_TARGET);
                    table = new PayrollLineTable(targetDb);
                    tables.put(settings.targetJdbcUrl(), table);
                }
            }
            List<DropTarget> targets = targetsOf.get(settings.company());
            Clock companyClock = clock.withZone(settings.timeZone());
            PayrollLineMapper mapper = new PayrollLineMapper(settings.wageTypes(), settings.approval(), settings.startDate(),
                    new PayrollLineMapper.FutureBound(settings.maxFutureDays(), () -> LocalDate.now(companyClock)),
                    line -> DropTarget.refusal(targets, line));
            mappings.put(settings.company(), new PayrollMapping.Company(mapper, settings.payrollSource()));
            runs.add(new Company(settings.company(), settings.startDate(), settings.overlap(), settings.feeds(),
                    targets, departments -> targets.stream().filter(DropTarget::isFile)
                    .map(t -> t.format().shortened(departments)).filter(java.util.Objects::nonNull).findFirst().orElse(null),
                    settings.dropDir(), settings.closedThrough(), settings.closedThroughVariable(),
                    settings.startDateVariable(), settings.lineRules(), settings.sftp()));
            deliveries.put(settings.company(), new Deliveries.Company(targets,
                    settings.sftp() == null ? null : new SftpDrop(settings.sftp(), context), table));
            clients.put(settings.company(), new DitioTokens.Client(settings.identityBase(),
                    new DitioTokenCache(settings.clientId(), settings.clientSecret(), settings.scope(), clock,
                    settings.credentialSettings())));
            sources.put(settings.company(), new DitioPager.Source(settings.reportingBase(), settings.chunkLimit()));
        }

        context.getRegistry().bind("ditioToken", new DitioTokens(clients));
        DitioPager pager = new DitioPager(sources, shared.maxPageBytes());
        context.getRegistry().bind("ditioPager", pager);
        Path scratch = Path.of(System.getProperty("java.io.tmpdir"));
        RunDelta.cleanUp(scratch);
        Companies runCompanies = new Companies(runs);
        RunsInProgress inProgress = new RunsInProgress();
        RunFinish runFinish = new RunFinish(stateDb, runCompanies, inProgress, clock);
        context.getRegistry().bind("runsInProgress", inProgress);
        context.getRegistry().bind("runStart", new RunStart(stateDb, runCompanies, inProgress, runFinish, clock, scratch));
        context.getRegistry().bind("syncRun", new SyncSteps(stateDb, pager, runCompanies, clock));
        context.getRegistry().bind("runFinish", runFinish);
        context.getRegistry().bind("payrollMapping", new PayrollMapping(mappings));
        context.getRegistry().bind("deliveries", new Deliveries(runFinish.outbox(),
                new LedgerStore(stateDbPool, stateDb.dialect()), deliveries,
                context.getExecutorServiceManager().newFixedThreadPool(this, "payroll-line-copy", Deliveries.COPIES_AT_ONCE)));
        Observability observability = Observability.install(context, shared, new RunStore(stateDb), clock);
        for (Settings settings : companies) {
            observability.observe(inProgress, settings);
        }
        context.getRegistry().bind("scheduledReconcile", new ScheduledReconcile(runFinish, context.getRegistry()
                .lookupByNameAndType(org.apache.camel.component.micrometer.MicrometerConstants.METRICS_REGISTRY_NAME,
                        io.micrometer.core.instrument.MeterRegistry.class)));
        boolean service = Boolean.parseBoolean(context.getPropertiesComponent().resolveProperty("sync.scheduled").orElse("false"));
        if (service) {
            context.getRegistry().bind(SyncSchedules.Readiness.BEAN, new SyncSchedules.Readiness());
        }
        if (service && shared.clustered()) {
            SyncSchedules.joinCluster(context, stateDbPool, shared);
        }
        poolCloser.waitFor(inProgress);
    }

    /**
     * A target of the user's own is delivered by their route {@code deliver-<name>}: without it every
     * run would fail at delivery, after its commit, so start-up stops instead. Called once the routes
     * of {@code routes/} are loaded, before any starts. A company with SFTP delivers files by deliver-sftp.
     */
    @SuppressWarnings("unchecked")
    static void requireDeliverRoutes(CamelContext context) {
        org.apache.camel.model.Model model = context.getCamelContextExtension().getContextPlugin(org.apache.camel.model.Model.class);
        for (Settings settings : (List<Settings>) context.getRegistry().lookupByNameAndType("settings", List.class)) {
            for (String target : settings.targets()) {
                String route = "deliver-" + target;
                if (!Settings.KNOWN_TARGETS.contains(target) && settings.sftp() == null && model.getRouteDefinition(route) == null) {
                    throw new SettingsException("Setting PAYROLL_TARGETS (payroll.targets): target " + target
                            + " has no route " + route + " in routes/ (for a drop folder: a templatedRoute of deliver-file, "
                            + "see README, Adding a target)");
                }
            }
        }
    }

    /** Where a company's JDBC drops are written: the JDBC target's folder, else the drop folder's jdbc/. */
    private static Path jdbcFolder(List<DropTarget> targets, List<Settings> companies, String company) {
        if (targets != null) {
            for (DropTarget t : targets) {
                if (!t.isFile()) {
                    return t.folder();
                }
            }
        }
        return companies.get(0).dropDir().resolve(DropTarget.JDBC);
    }

    private static List<DropTarget> targets(Settings settings) {
        List<DropTarget> targets = new ArrayList<>();
        for (String name : settings.targets()) {
            targets.add(switch (name) {
                case "visma" -> new DropTarget(name, CorrectionStyle.OFFSET,
                        new VismaFormat(settings.vismaPayrollYear(), settings.vismaPayrollRun(), settings.vismaCharset()),
                        settings.dropDir().resolve(name), settings.fileMode(), settings.doneMarker(),
                        settings.vismaAggregation());
                case "sap" -> new DropTarget(name, CorrectionStyle.CANCEL_AND_REBOOK, new SapFormat(),
                        settings.dropDir().resolve(name), settings.fileMode(), settings.doneMarker());
                case "tripletex" -> new DropTarget(name, CorrectionStyle.OFFSET, new TripletexFormat(settings.tripletexCharset()),
                        settings.dropDir().resolve(name), settings.fileMode(), settings.doneMarker(),
                        settings.tripletexAggregation());
                case "csv" -> new DropTarget(name, CorrectionStyle.OFFSET, new CsvFormat(),
                        settings.dropDir().resolve(name), settings.fileMode(), settings.doneMarker(),
                        settings.csvAggregation());
                // the JDBC target writes no file drops; its rows wait in a hidden file of its own until publishing
                case DropTarget.JDBC -> new DropTarget(name, CorrectionStyle.CURRENT_TRUTH, null, settings.dropDir().resolve(name), null);
                // a target of the user's own, its format made and checked by Settings, delivered by their route deliver-<name>
                default -> {
                    CustomTarget custom = settings.customTargets().get(name);
                    yield new DropTarget(name, custom.style(), custom.format(), settings.dropDir().resolve(name),
                            settings.fileMode(), settings.doneMarker());
                }
            });
        }
        return targets;
    }

    /** A pool for one database (H2 or PostgreSQL), added to {@code pools} to be closed when Camel stops. */
    private DataSource dataSource(List<AutoCloseable> pools, String url, String user, String password,
                                  DataSources.Keys keys) {
        DataSource pool = DataSources.open(url, user, password, keys);
        if (pool instanceof AutoCloseable closeable) {
            pools.add(closeable);
        }
        if (pool instanceof FailFastH2Pool h2) {
            h2.whenStopped(whenDatabaseStopped);
        }
        return pool;
    }

    /**
     * Closes the connection pools when Camel stops, after its routes, and only once no run is in
     * progress: a run that Camel's graceful shutdown let finish has delivered by then, and one cut short
     * by camel.main.shutdown-timeout records its failure and releases its feed lock through these
     * pools. A run still busy after {@link #RUN_END_GRACE} (a delivery transaction too long to wait
     * for) loses its connections: what it had not committed is rolled back, and the next run delivers
     * it (or publishes what it had committed).
     */
    private static final class PoolCloser implements org.apache.camel.Service {
        static final java.time.Duration RUN_END_GRACE = java.time.Duration.ofSeconds(10);
        private final List<AutoCloseable> pools;
        private volatile RunsInProgress inProgress;

        PoolCloser(List<AutoCloseable> pools) {
            this.pools = pools;
        }

        void waitFor(RunsInProgress runs) {
            this.inProgress = runs;
        }

        @Override
        public void start() {
        }

        @Override
        public void stop() {
            RunsInProgress runs = inProgress;
            try {
                if (runs != null) {
                    runs.awaitNoRunInProgress(RUN_END_GRACE);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (AutoCloseable pool : pools) {
                try {
                    pool.close();
                } catch (Exception e) {
                    // stopping anyway: the server ends the sessions with the connections
                }
            }
        }
    }
}
