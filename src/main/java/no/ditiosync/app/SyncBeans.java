package no.ditiosync.app;

import no.ditiosync.ditio.DitioPager;
import no.ditiosync.ditio.DitioTokenCache;
import no.ditiosync.drops.DropTarget;
import no.ditiosync.drops.JdbcTarget;
import no.ditiosync.drops.SapFormat;
import no.ditiosync.drops.VismaFormat;
import no.ditiosync.ledger.CorrectionStyle;
import no.ditiosync.ledger.Delivery;
import no.ditiosync.ledger.FeedSync;
import no.ditiosync.ledger.StateStore;
import no.ditiosync.payroll.PayrollLineMapper;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

import javax.sql.DataSource;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and checks the settings, then binds the beans the YAML routes call by name:
 * {@code ditioToken}, {@code ditioPager}, {@code feedSync}. A bad setting fails here, before any route starts.
 */
public class SyncBeans implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = Settings.read(key -> context.getPropertiesComponent().resolveProperty(key).orElse(null));
        context.getRegistry().bind("settings", settings);

        DataSource stateDb = dataSource(context, settings.stateDbUrl(), settings.stateDbUser(), settings.stateDbPassword(),
                DataSources.Keys.STATE_DB);
        StateStore store = new StateStore(stateDb);
        JdbcTarget jdbcTarget = null;
        if (settings.targets().contains(DropTarget.JDBC)) {
            DataSource targetDb = settings.jdbcUrl().isEmpty() ? stateDb
                    : dataSource(context, settings.jdbcUrl(), settings.jdbcUser(), settings.jdbcPassword(),
                    DataSources.Keys.JDBC_TARGET);
            jdbcTarget = new JdbcTarget(targetDb);
        }
        List<DropTarget> targets = new ArrayList<>();
        for (String name : settings.targets()) {
            targets.add(switch (name) {
                case "visma" -> new DropTarget(name, CorrectionStyle.OFFSET,
                        new VismaFormat(settings.vismaPayrollYear(), settings.vismaPayrollRun(), settings.vismaCharset()),
                        settings.dropDir().resolve(name), settings.fileMode());
                case "sap" -> new DropTarget(name, CorrectionStyle.CANCEL_AND_REBOOK, new SapFormat(),
                        settings.dropDir().resolve(name), settings.fileMode());
                case DropTarget.JDBC -> new DropTarget(name, CorrectionStyle.CURRENT_TRUTH, null, null, null);
                default -> throw new SettingsException("Setting PAYROLL_TARGETS (payroll.targets): unknown target '" + name + "'");
            });
        }
        Delivery delivery = new Delivery(store, targets, jdbcTarget);
        PayrollLineMapper mapper = new PayrollLineMapper(settings.wageTypes(), settings.approval(), settings.startDate());
        Clock clock = context.getRegistry().findSingleByType(Clock.class) != null
                ? context.getRegistry().findSingleByType(Clock.class) : Clock.systemUTC();

        context.getRegistry().bind("ditioToken",
                new DitioTokenCache(settings.clientId(), settings.clientSecret(), settings.scope(), clock));
        context.getRegistry().bind("ditioPager", new DitioPager(settings.chunkLimit()));
        FeedSync feedSync = new FeedSync(store, delivery, mapper, settings.company(),
                settings.startDate(), settings.overlap(), clock);
        context.getRegistry().bind("feedSync", feedSync);
        Observability.install(context, settings, store, clock).observe(feedSync, settings.company());
    }

    /** A pool for one database (H2 or PostgreSQL), closed when Camel stops. */
    private static DataSource dataSource(CamelContext context, String url, String user, String password,
                                         DataSources.Keys keys) throws Exception {
        DataSource pool = DataSources.open(url, user, password, keys);
        if (pool instanceof AutoCloseable closeable) {
            context.addService(new PoolCloser(closeable), true);
        }
        return pool;
    }

    /** Closes a connection pool (HikariCP for PostgreSQL) with the Camel context. */
    private record PoolCloser(AutoCloseable pool) implements org.apache.camel.Service {
        @Override
        public void start() {
        }

        @Override
        public void stop() {
            try {
                pool.close();
            } catch (Exception e) {
                // stopping anyway: the server ends the sessions with the connections
            }
        }
    }
}
