package no.ditiosync.ledger;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;

/** The one place where H2 and PostgreSQL SQL differ. */
public enum SqlDialect {
    H2,
    POSTGRESQL;

    public static SqlDialect of(Connection connection) throws SQLException {
        String product = connection.getMetaData().getDatabaseProductName().toLowerCase();
        if (product.contains("postgres")) {
            return POSTGRESQL;
        }
        if (product.contains("h2")) {
            return H2;
        }
        throw new SQLException("unsupported database '" + product + "' (H2 or PostgreSQL)");
    }

    /** An insert-or-update of {@code columns} keyed by {@code keys}, one '?' per column, keys first. */
    public String upsert(String table, List<String> keys, List<String> columns) {
        List<String> all = new java.util.ArrayList<>(keys);
        all.addAll(columns);
        String names = String.join(", ", all);
        String marks = all.stream().map(c -> "?").collect(Collectors.joining(", "));
        return switch (this) {
            case H2 -> "MERGE INTO " + table + " (" + names + ") KEY (" + String.join(", ", keys) + ") VALUES (" + marks + ")";
            case POSTGRESQL -> "INSERT INTO " + table + " (" + names + ") VALUES (" + marks + ") ON CONFLICT ("
                    + String.join(", ", keys) + ") DO UPDATE SET "
                    + columns.stream().map(c -> c + " = EXCLUDED." + c).collect(Collectors.joining(", "));
        };
    }

    /**
     * Makes the last commit survive a power cut before drops are published, or null where a commit
     * already does (PostgreSQL fsyncs its WAL on commit; H2 only writes to the OS cache).
     */
    public String syncToDisk() {
        return this == H2 ? "CHECKPOINT SYNC" : null;
    }

    /** Lock the row without waiting: a busy feed is skipped, not queued. */
    public String selectForUpdateNoWait(String selectSql) {
        return switch (this) {
            case H2 -> selectSql + " FOR UPDATE";
            case POSTGRESQL -> selectSql + " FOR UPDATE NOWAIT";
        };
    }
}
