package no.ditiosync.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where H2 and PostgreSQL differ. Everything else (the schema scripts, the stores' queries, the
 * JDBC target) is written once for both, but for the PostgreSQL-only script (schema-postgresql.sql),
 * reads by a list of keys ({@link #forKeys}) and the JDBC target's COPY (PayrollLineTable).
 */
public enum SqlDialect {
    H2,
    POSTGRESQL;

    /**
     * Held while the schema script runs on PostgreSQL: nodes starting at once against an empty
     * database would otherwise race in {@code CREATE TABLE IF NOT EXISTS} (a catalog unique violation).
     * Any constant works; this one spells "ditio" in ASCII.
     */
    private static final long SCHEMA_LOCK_KEY = 0x646974696FL;

    public static SqlDialect of(Connection connection) throws SQLException {
        String product = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
        if (product.contains("postgres")) {
            return POSTGRESQL;
        }
        if (product.contains("h2")) {
            return H2;
        }
        throw new SQLException("unsupported database '" + product + "' (H2 or PostgreSQL)");
    }

    /** The dialect a JDBC URL speaks, or null when it is neither H2 nor PostgreSQL. */
    public static SqlDialect ofUrl(String url) {
        if (url.startsWith("jdbc:h2:")) {
            return H2;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        return null;
    }

    /**
     * The JDBC driver's class. Loaded by name rather than found through {@code META-INF/services}:
     * in the single-file jar the two drivers' service files would be one file, naming one driver.
     */
    public String driverClassName() {
        return this == H2 ? "org.h2.Driver" : "org.postgresql.Driver";
    }

    /** An insert-or-update of {@code columns} keyed by {@code keys}, one '?' per column, keys first. */
    public String upsert(String table, List<String> keys, List<String> columns) {
        List<String> all = new ArrayList<>(keys);
        all.addAll(columns);
        String names = String.join(", ", all);
        String marks = all.stream().map(c -> "?").collect(Collectors.joining(", "));
        return switch (this) {
            case H2 -> "MERGE INTO " + table + " (" + names + ") KEY (" + String.join(", ", keys) + ") VALUES (" + marks + ")";
            // one statement per row of a batch, so a key twice in one batch is fine (no reWriteBatchedInserts)
            case POSTGRESQL -> "INSERT INTO " + table + " (" + names + ") VALUES (" + marks + ") ON CONFLICT ("
                    + String.join(", ", keys) + ") DO UPDATE SET "
                    + columns.stream().map(c -> c + " = EXCLUDED." + c).collect(Collectors.joining(", "));
        };
    }

    /**
     * Runs a schema script's statements. On PostgreSQL they run in one transaction (its DDL is
     * transactional) under an advisory lock, so nodes starting together create the tables once;
     * H2 commits each DDL statement by itself, as it always did.
     */
    public void runSchema(Connection c, List<String> statements) throws SQLException {
        if (this == H2) {
            try (Statement s = c.createStatement()) {
                for (String sql : statements) {
                    s.execute(sql);
                }
            }
            return;
        }
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK_KEY + ")");
            for (String sql : statements) {
                s.execute(sql);
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    /**
     * Run first in the delivery transaction, or null: its commit must be on disk before the drops
     * are published, whatever the server's or database's default (PostgreSQL may be set to
     * {@code synchronous_commit = off}, which acknowledges a commit before its WAL is flushed).
     */
    public String durableCommit() {
        return this == POSTGRESQL ? "SET LOCAL synchronous_commit = on" : null;
    }

    /**
     * Makes the last commit survive a power cut before drops are published, or null where a commit
     * already does (PostgreSQL flushes its WAL on commit, see {@link #durableCommit}; H2 only writes
     * to the OS cache).
     */
    public String syncToDisk() {
        return this == H2 ? "CHECKPOINT SYNC" : null;
    }

    /** Lock the row without waiting: a busy feed is skipped, not queued (both understand NOWAIT). */
    public String selectForUpdateNoWait(String selectSql) {
        return selectSql + " FOR UPDATE NOWAIT";
    }

    /**
     * Settings for the transaction that holds a feed lock for a whole run, run inside it before
     * the lock is taken. On PostgreSQL the lock must not be ended by a server-side
     * {@code idle_in_transaction_session_timeout} (the transaction idles while the run works), and
     * must end soon after its node dies without closing the connection (power cut, network gone):
     * TCP keepalives make the server notice a dead peer within about a minute instead of hours.
     * {@code SET LOCAL}: they end with the transaction, a pooled connection keeps nothing.
     */
    public List<String> lockTransactionSettings() {
        return switch (this) {
            case H2 -> List.of();
            case POSTGRESQL -> List.of("SET LOCAL idle_in_transaction_session_timeout = 0",
                    "SET LOCAL tcp_keepalives_idle = 30", "SET LOCAL tcp_keepalives_interval = 10",
                    "SET LOCAL tcp_keepalives_count = 3");
        };
    }

    /** Whether {@code e} says "the row is locked by someone else" (and not that the database failed). */
    public boolean isLockNotAvailable(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            String state = x.getSQLState() == null ? "" : x.getSQLState();
            boolean busy = switch (this) {
                case H2 -> x.getErrorCode() == 50200 || state.equals("HYT00"); // LOCK_TIMEOUT_1
                case POSTGRESQL -> state.equals("55P03");                      // lock_not_available
            };
            if (busy) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code e} (or one chained to it) is a unique-key violation. */
    public boolean isUniqueViolation(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            if ("23505".equals(x.getSQLState()) || this == H2 && x.getErrorCode() == 23505) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code e} says a table does not exist (a state DB no run has created yet). */
    public boolean isUndefinedTable(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return switch (this) {
            case H2 -> e.getErrorCode() == 42102 || e.getErrorCode() == 42104 || state.equals("42S02");
            case POSTGRESQL -> state.equals("42P01");
        };
    }

    /**
     * A string as the database can store it. PostgreSQL text cannot hold the character U+0000
     * (H2 can): it is left out, as the drops and payroll_line.text leave out every control
     * character anyway, so a stray NUL in Ditio data does not fail the insert of its whole page.
     */
    public String storable(String value) {
        return this == POSTGRESQL && value != null && value.indexOf('\u0000') >= 0 ? value.replace("\u0000", "") : value;
    }

    /** How {@link #forKeys} asks PostgreSQL for a list of keys: one array parameter. */
    public static final String ANY_KEY = "= ANY (?)";

    /** Reads one row of a result. */
    @FunctionalInterface
    public interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    /**
     * Reads the rows of a list of keys: {@code select} ends with the key's column and binds the
     * {@code leading} values first. PostgreSQL answers one query with the keys as an array, read by
     * key ({@link #byKey}); H2 one query a key, as its IN and ANY lists do not use the key's index.
     */
    public void forKeys(Connection c, String select, List<String> leading, Collection<String> keys, RowReader reader)
            throws SQLException {
        if (keys.isEmpty()) {
            return;
        }
        if (this == POSTGRESQL) {
            byKey(c);
            try (PreparedStatement ps = c.prepareStatement(select + ANY_KEY)) {
                bind(ps, leading);
                ps.setArray(leading.size() + 1, c.createArrayOf("varchar", keys.toArray()));
                readAll(ps, reader);
            }
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(select + "= ?")) {
            for (String key : keys) {
                bind(ps, leading);
                ps.setString(leading.size() + 1, key);
                readAll(ps, reader);
            }
        }
    }

    /**
     * Before a read in a transaction on PostgreSQL: by key, whatever the statistics say. A first run
     * fills tables the planner still believes empty, and a plan made for an empty table reads all of
     * it for every lookup.
     */
    public void byKey(Connection c) throws SQLException {
        if (this == POSTGRESQL && !c.getAutoCommit()) {
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL enable_seqscan = off");
            }
        }
    }

    private static void bind(PreparedStatement ps, List<String> values) throws SQLException {
        for (int i = 0; i < values.size(); i++) {
            ps.setString(i + 1, values.get(i));
        }
    }

    private static void readAll(PreparedStatement ps, RowReader reader) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                reader.read(rs);
            }
        }
    }
}
