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
import org.h2.jdbcx.JdbcConnectionPool;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
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

        DataSource stateDb = dataSource(settings.stateDbUrl(), settings.stateDbUser(), settings.stateDbPassword(),
                "PAYROLL_STATE_DB_URL");
        StateStore store = new StateStore(stateDb);
        JdbcTarget jdbcTarget = null;
        if (settings.targets().contains(DropTarget.JDBC)) {
            DataSource targetDb = settings.jdbcUrl().isEmpty() ? stateDb
                    : dataSource(settings.jdbcUrl(), settings.jdbcUser(), settings.jdbcPassword(), "PAYROLL_JDBC_URL");
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
        context.getRegistry().bind("feedSync", new FeedSync(store, delivery, mapper, settings.company(),
                settings.startDate(), settings.overlap(), clock));
    }

    private static DataSource dataSource(String url, String user, String password, String envKey) {
        if (url.startsWith("jdbc:h2:")) {
            ownerOnlyFolderFor(url, envKey);
            JdbcConnectionPool pool = JdbcConnectionPool.create(durable(url), user, password);
            pool.setMaxConnections(16);
            try {
                pool.getConnection().close();
            } catch (SQLException e) {
                throw new SettingsException("Setting " + envKey + ": cannot open the H2 database (" + e.getMessage() + ")");
            }
            return pool;
        }
        throw new SettingsException("Setting " + envKey + ": only H2 is supported in this version");
    }

    /**
     * H2 keeps a commit in memory for up to half a second before writing it (WRITE_DELAY). A process
     * killed in that window would lose a ledger commit whose drop files are already published, and
     * the next run would deliver them again: commits are written at once.
     */
    static String durable(String url) {
        return url.startsWith("jdbc:h2:mem:") || url.toUpperCase(java.util.Locale.ROOT).contains("WRITE_DELAY")
                ? url : url + ";WRITE_DELAY=0";
    }

    /** Payroll data is personal data: the folder of an H2 file database is made private to its owner. */
    private static void ownerOnlyFolderFor(String url, String envKey) {
        if (!url.startsWith("jdbc:h2:file:")) {
            return;
        }
        Path folder = Path.of(url.substring("jdbc:h2:file:".length()).split(";")[0]).toAbsolutePath().getParent();
        try {
            if (!Files.isDirectory(folder)) {
                Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the folder keeps the ACLs it inherits
        } catch (IOException e) {
            throw new SettingsException("Setting " + envKey + ": cannot create a private folder '" + folder + "' ("
                    + e.getClass().getSimpleName() + ")");
        }
    }
}
