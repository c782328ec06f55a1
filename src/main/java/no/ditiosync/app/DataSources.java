package no.ditiosync.app;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import no.ditiosync.state.SqlDialect;
import org.h2.jdbcx.JdbcConnectionPool;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The pooled connections to the state DB and the JDBC target: H2 through its own pool (failing fast
 * once H2 could not write its file, {@link FailFastH2Pool}), PostgreSQL through HikariCP. Opening one
 * connects once, so an unreachable database, a wrong user or password or a missing database stops
 * start-up with one line naming the setting (never the password).
 */
final class DataSources {

    private static final Pattern PASSWORD_IN_URL = Pattern.compile("(?i)(password=)[^&;]*");
    /**
     * A password before the host, {@code //user:password@host}, as libpq's connection URIs write it: up to
     * the last {@code @}, since a password may hold {@code /?#@} (a URL with an {@code @} further on, in a
     * user name of its query, loses more to the mask than its password, never less).
     */
    private static final Pattern PASSWORD_BEFORE_HOST = Pattern.compile("(//[^/?#@:\\s]*:)\\S*@");
    private static final Pattern USER_IN_URL = Pattern.compile("(?i)[?&;]user=");

    /*
     * pgjdbc logs through java.util.logging, past logback's format and our masking, and writes a URL it
     * cannot parse whole, password included. What it would log also reaches us as an exception, which
     * the messages here give with the password hidden; so its logger says nothing.
     */
    private static final java.util.logging.Logger PGJDBC_LOG = java.util.logging.Logger.getLogger("org.postgresql");

    static {
        PGJDBC_LOG.setLevel(java.util.logging.Level.OFF);
    }

    /** The settings of one database, for messages: {@code PAYROLL_STATE_DB} and {@code payroll.state-db}. */
    record Keys(String env, String property) {
        static final Keys STATE_DB = new Keys("PAYROLL_STATE_DB", "payroll.state-db");
        static final Keys JDBC_TARGET = new Keys("PAYROLL_JDBC", "payroll.jdbc");

        String url() {
            return env + "_URL (" + property + "-url)";
        }

        String credentials() {
            return env + "_USER and " + env + "_PASSWORD";
        }
    }

    private DataSources() {
    }

    /** A pool for the database at {@code url}; a {@link SettingsException} when it cannot be reached. */
    static DataSource open(String url, String user, String password, Keys keys) {
        return dialect(url, keys) == SqlDialect.H2 ? h2(url, user, password, keys) : postgres(url, user, password, keys);
    }

    /** H2 or PostgreSQL, the only databases the application knows; a {@link SettingsException} for any other URL. */
    private static SqlDialect dialect(String url, Keys keys) {
        SqlDialect dialect = SqlDialect.ofUrl(url);
        if (dialect == null) {
            throw new SettingsException("Setting " + keys.url() + ": '" + masked(url)
                    + "' is not an H2 (jdbc:h2:) or PostgreSQL (jdbc:postgresql:) JDBC URL");
        }
        return dialect;
    }

    private static DataSource h2(String url, String user, String password, Keys keys) {
        ownerOnlyFolderFor(url, keys);
        String settings = noTraceFile(closedByUs(durable(url)));
        JdbcConnectionPool h2 = JdbcConnectionPool.create(keys == Keys.STATE_DB ? noCompactionOnClose(settings) : settings,
                user, password);
        h2.setMaxConnections(16);
        FailFastH2Pool pool = new FailFastH2Pool(h2, (keys == Keys.STATE_DB ? "the state DB " : "the JDBC target ") + masked(url));
        try {
            pool.getConnection().close();
        } catch (FailFastH2Pool.WriteFailed e) {
            // a full disk is no wrong setting: exit 1, as when it fills during a run, so a supervisor starts it again
            throw new StateDbUnwritableException(e.getMessage());
        } catch (SQLException e) {
            throw inUse(e, url) ? busy(url, keys) : new SettingsException("Setting " + keys.url()
                    + ": cannot open the H2 database (" + oneLine(e.getMessage(), password) + ")");
        }
        ownerOnlyFiles(url);
        return pool;
    }

    /** H2's answer when another process has the file open (its lock): that process is busy with it. */
    private static boolean inUse(SQLException e, String url) {
        return url.startsWith("jdbc:h2:") && e.getErrorCode() == org.h2.api.ErrorCode.DATABASE_ALREADY_OPEN_1;
    }

    private static StateDbInUseException busy(String url, Keys keys) {
        return new StateDbInUseException((keys == Keys.STATE_DB ? "The state DB " : "The JDBC target ") + masked(url)
                + " is in use by another process (a run, preview or reconcile of this application: H2 lets one process"
                + " at a time open it); try again once it has finished");
    }

    /** The file an H2 file URL names (absolute, without H2's ".mv.db"); null for any other URL. */
    static Path h2File(String url) {
        return url.startsWith("jdbc:h2:file:")
                ? Path.of(url.substring("jdbc:h2:file:".length()).split(";")[0]).toAbsolutePath() : null;
    }

    /** The database file itself too (0600), not only its folder: it may be copied or backed up elsewhere. */
    private static void ownerOnlyFiles(String url) {
        Path base = h2File(url);
        if (base == null) {
            return;
        }
        for (String suffix : new String[]{".mv.db", ".trace.db"}) {
            Path file = Path.of(base + suffix);
            try {
                if (Files.exists(file)) {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                }
            } catch (UnsupportedOperationException | IOException notPossible) {
                // the private folder still guards it
            }
        }
    }

    private static DataSource postgres(String url, String user, String password, Keys keys) {
        // connect once by hand first: a failure is then one line here, not a pool's stack trace in the log
        try (Connection probe = connect(url, user, password, keys)) {
            SqlDialect.of(probe); // and it is the database the URL promised
        } catch (SQLException e) {
            throw new SettingsException("Setting " + keys.url() + ": cannot use PostgreSQL at " + masked(url)
                    + " (" + oneLine(e.getMessage(), password) + ")");
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("ditio-" + keys.property().substring("payroll.".length()));
        config.setDriverClassName(SqlDialect.POSTGRESQL.driverClassName());
        config.setJdbcUrl(url);
        Properties credentials = credentials(url, user, password);
        credentials.forEach((k, v) -> config.addDataSourceProperty((String) k, v));
        config.addDataSourceProperty("ApplicationName", "ditio-payroll-sync");
        config.setMaximumPoolSize(10);
        config.setMinimumIdle(2);
        config.setConnectionTimeout(connectWaitMillis(url));
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new SettingsException("Setting " + keys.url() + ": cannot connect to PostgreSQL at " + masked(url)
                    + " (" + oneLine(cause.getMessage(), password) + ")");
        }
    }

    private static final Pattern CONNECT_TIMEOUT_IN_URL = Pattern.compile("(?i)[?&]connectTimeout=(\\d+)");

    /**
     * How long a run waits for a pooled connection: the URL's {@code connectTimeout} (pgjdbc's own
     * parameter, seconds; 0 is its "no limit", which a pool cannot wait for), else 10 s. So a run
     * against a database that is down fails as soon as the operator asked the driver to give up.
     */
    static long connectWaitMillis(String url) {
        java.util.regex.Matcher m = CONNECT_TIMEOUT_IN_URL.matcher(url);
        long seconds = m.find() ? Long.parseLong(m.group(1)) : 0;
        return seconds > 0 ? seconds * 1000 : 10_000;
    }

    /** H2 settings of a command that only reads: it never makes a database that is not there. */
    static final String H2_EXISTING = ";IFEXISTS=TRUE";
    /** H2 settings of a command that only reads: it writes nothing to the file. */
    static final String H2_READ_ONLY = ";ACCESS_MODE_DATA=r";

    /**
     * One connection, for a check or a short read (the status command); a {@link SettingsException}
     * naming the setting when the database cannot be reached. Close it.
     */
    static Connection connect(String url, String user, String password, Keys keys) {
        return open(url, url, user, password, keys);
    }

    /**
     * {@link #connect} with {@code h2Settings} added to an H2 URL (not to a PostgreSQL one); messages
     * name the URL as it was set, without them.
     */
    static Connection connect(String url, String h2Settings, String user, String password, Keys keys) {
        return open(url.startsWith("jdbc:h2:") ? url + h2Settings : url, url, user, password, keys);
    }

    private static Connection open(String opened, String url, String user, String password, Keys keys) {
        SqlDialect dialect = dialect(url, keys);
        try {
            Class.forName(dialect.driverClassName()); // registers itself with DriverManager
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the " + dialect + " JDBC driver is missing from the classpath", e);
        }
        try {
            return DriverManager.getConnection(noTraceFile(opened), credentials(url, user, password));
        } catch (SQLException e) {
            if (inUse(e, url)) {
                throw busy(url, keys);
            }
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            String hint = state.startsWith("28") ? "; check " + keys.credentials()          // invalid authorization
                    : state.equals("3D000") ? "; the database must exist (create it once, empty)" // invalid catalog name
                    : "";
            throw new SettingsException("Setting " + keys.url() + ": "
                    + (dialect == SqlDialect.POSTGRESQL ? "cannot connect to PostgreSQL" : "cannot open the H2 database")
                    + " at " + masked(url) + " (" + oneLine(e.getMessage(), password) + hint + ")");
        }
    }

    /**
     * The user and password as the driver gets them. Given in the URL ({@code ?user=…&password=…}),
     * they win over the settings, whose default user {@code sa} only makes sense for H2.
     */
    private static Properties credentials(String url, String user, String password) {
        Properties p = new Properties();
        if (user != null && !user.isEmpty() && !USER_IN_URL.matcher(url).find()) {
            p.setProperty("user", user);
        }
        if (password != null && !password.isEmpty() && !PASSWORD_IN_URL.matcher(url).find()) {
            p.setProperty("password", password);
        }
        return p;
    }

    /** The passwords a JDBC URL holds ({@code password=…}, {@code //user:password@host}). */
    static java.util.List<String> passwordsIn(String url) {
        java.util.List<String> passwords = new java.util.ArrayList<>();
        if (url == null) {
            return passwords;
        }
        java.util.regex.Matcher inQuery = PASSWORD_IN_URL.matcher(url);
        while (inQuery.find()) {
            passwords.add(inQuery.group().substring(inQuery.group(1).length()));
        }
        java.util.regex.Matcher beforeHost = PASSWORD_BEFORE_HOST.matcher(url);
        while (beforeHost.find()) {
            String userAndPassword = beforeHost.group();
            passwords.add(userAndPassword.substring(beforeHost.group(1).length(), userAndPassword.length() - 1));
        }
        return passwords;
    }

    /** The URL with any password in it hidden, for messages. */
    static String masked(String url) {
        return PASSWORD_BEFORE_HOST.matcher(PASSWORD_IN_URL.matcher(url).replaceAll("$1***")).replaceAll("$1***@");
    }

    private static String oneLine(String message, String password) {
        String m = message == null ? "no message" : message.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
        m = masked(m);
        return password == null || password.isEmpty() ? m : m.replace(password, "***");
    }

    /**
     * H2 keeps a commit in memory for up to half a second before writing it (WRITE_DELAY). A process
     * killed in that window would lose a ledger commit whose drop files are already published, and
     * the next run would deliver them again: commits are written at once.
     */
    static String durable(String url) {
        return url.startsWith("jdbc:h2:mem:") ? url : unlessSet(url, "WRITE_DELAY", "0");
    }

    /**
     * On close H2 compacts its file for up to MAX_COMPACT_TIME (200 ms): about 40 MB rewritten at every
     * end of a process, whatever it changed. The state DB takes its free space back after each run
     * instead, as much as the run wrote (StateDbSpace).
     */
    static String noCompactionOnClose(String url) {
        return unlessSet(url, "MAX_COMPACT_TIME", "0");
    }

    /**
     * H2 closes a database from its own JVM shutdown hook, which runs alongside ours: a SIGTERM or
     * Ctrl+C would close the state DB under the run that the stop lets finish, and fail it. The pools
     * close it instead, once Camel has stopped and no run holds a connection (SyncBeans).
     */
    static String closedByUs(String url) {
        return unlessSet(url, "DB_CLOSE_ON_EXIT", "FALSE");
    }

    /**
     * H2 writes its own errors to a trace file beside the database, created readable by everyone and
     * holding SQL with payroll data. Every error that matters reaches the app, which says it in its
     * log: no trace file (unless the URL asks for one).
     */
    static String noTraceFile(String url) {
        return !url.startsWith("jdbc:h2:") ? url : unlessSet(url, "TRACE_LEVEL_FILE", "0");
    }

    /** The H2 URL with {@code setting=value} added, unless the URL sets it itself (in any case). */
    private static String unlessSet(String url, String setting, String value) {
        return url.toUpperCase(Locale.ROOT).contains(setting) ? url : url + ";" + setting + "=" + value;
    }

    // AUTO_COMPACT_FILL_RATE stays at H2's 90 %. At 70 % a full run wrote a third less at 100k, but H2
    // 2.3.232 then left files it could not open again ("Double mark", every time in OversizedPageTest
    // and FetchAheadTest, also with MAX_COMPACT_TIME=0); 2.4.240 passes those, but the incremental run
    // at 1M then took 2.0-2.4 x the one at 100k (issue 13 asks at most 2; bench/README.md)

    /** Payroll data is personal data: the folder of an H2 file database is made private to its owner. */
    private static void ownerOnlyFolderFor(String url, Keys keys) {
        Path base = h2File(url);
        if (base == null) {
            return;
        }
        Path folder = base.getParent();
        try {
            if (!Files.isDirectory(folder)) {
                Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the folder keeps the ACLs it inherits
        } catch (IOException e) {
            throw new SettingsException("Setting " + keys.url() + ": cannot create a private folder '" + folder + "' ("
                    + no.ditiosync.drops.AtomicDropFile.plainReason(e) + ")");
        }
    }
}
