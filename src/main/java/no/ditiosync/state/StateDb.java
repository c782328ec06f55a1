package no.ditiosync.state;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The state DB: its pooled connections, its dialect, its schema (created or brought up to date when
 * opened), and the transactions every store runs in. The SQL itself lives in one store per concern:
 * {@link RunStore}, {@link DirectoryStore}, {@link QuarantineStore}, {@link OutboxStore},
 * {@link StatusQueries}, and the ledger's own store.
 */
public final class StateDb {

    private final DataSource dataSource;
    private final SqlDialect dialect;
    private final String build;

    /**
     * Opens the state DB and runs its schema scripts (idempotent; an older state DB is upgraded in place),
     * and records that its layout is this build's ({@link StateDbLayout}).
     *
     * @param build this build, as a later build refusing the state DB names it
     * @throws StateDbLayout.NewerLayoutException a later build brought the state DB to a layout this one does not know
     */
    public StateDb(DataSource dataSource, String build) throws SQLException {
        this.dataSource = dataSource;
        this.build = build;
        try (Connection c = dataSource.getConnection()) {
            this.dialect = SqlDialect.of(c);
            StateDbLayout.refuseNewer(c, dialect, build);
            runScript(c, dialect, "/db/schema.sql");
            runScript(c, dialect, "/db/schema-" + dialect.name().toLowerCase(java.util.Locale.ROOT) + ".sql");
            StateDbLayout.record(c, dialect, build);
        }
    }

    /**
     * Refuses to go on with a state DB that a later build has brought to a newer layout since this one
     * opened it: a node left running through an upgrade of the others.
     */
    public void refuseNewerLayout() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            StateDbLayout.refuseNewer(c, dialect, build);
        }
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public SqlDialect dialect() {
        return dialect;
    }

    public Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    /**
     * Runs a bundled SQL script whose statements end with ';' at the end of a line, if it exists. The
     * same script runs on H2 and PostgreSQL; how it is run (one transaction or not) is the dialect's.
     */
    public static void runScript(Connection c, SqlDialect dialect, String resource) throws SQLException {
        String script;
        try (InputStream in = StateDb.class.getResourceAsStream(resource)) {
            if (in == null) {
                return;
            }
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SQLException("cannot read bundled " + resource, e);
        }
        List<String> statements = new ArrayList<>();
        StringBuilder statement = new StringBuilder();
        for (String line : script.split("\n")) {
            if (line.strip().startsWith("--")) {
                continue;
            }
            statement.append(line).append('\n');
            if (line.strip().endsWith(";")) {
                String sql = statement.toString().strip();
                statements.add(sql.substring(0, sql.length() - 1));
                statement.setLength(0);
            }
        }
        dialect.runSchema(c, statements);
    }

    @FunctionalInterface
    public interface SqlWork {
        void run(Connection c) throws SQLException;
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public void inTransaction(SqlWork work) throws SQLException {
        inTransaction(dataSource, work);
    }

    /** The same on a connection of any database (the JDBC target's, too). */
    public static void inTransaction(javax.sql.DataSource dataSource, SqlWork work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                work.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is broken: nothing was committed
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /** Runs {@code work} in a transaction whose commit is on disk when this returns (see {@link SqlDialect#durableCommit}). */
    public void durably(SqlWork work) throws SQLException {
        inTransaction(c -> {
            durable(c);
            work.run(c);
        });
        syncToDisk();
    }

    /** Makes the transaction of {@code c} durable on commit where the server's settings might not. */
    public void durable(Connection c) throws SQLException {
        if (dialect.durableCommit() != null) {
            try (Statement s = c.createStatement()) {
                s.execute(dialect.durableCommit());
            }
        }
    }

    /** Makes the last commits survive a power cut, where a commit alone does not (H2; see {@link SqlDialect#syncToDisk}). */
    public void syncToDisk() throws SQLException {
        if (dialect.syncToDisk() != null) {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute(dialect.syncToDisk());
            }
        }
    }

    // ---- values ---------------------------------------------------------------------------------

    /** Text from Ditio (or derived from it), as the database can store it. */
    public void str(PreparedStatement ps, int index, String value) throws SQLException {
        ps.setString(index, dialect.storable(value));
    }

    public static OffsetDateTime odt(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    public static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    public static LocalDate localDate(ResultSet rs, int column) throws SQLException {
        Date d = rs.getDate(column);
        return d == null ? null : d.toLocalDate();
    }
}
