package no.ditiosync.run;

import org.apache.camel.CamelExecutionException;

/**
 * A failure as an operator reads it, in the run log, on the status page and on the console: the
 * message of what went wrong, not of Camel's wrapper around it. An {@link Error} thrown inside a
 * route (the JVM out of memory, say) reaches the run as a {@link CamelExecutionException} whose own
 * message names only the exchange.
 */
public final class FailureReason {

    private FailureReason() {
    }

    /**
     * One line: the JVM's own failure wherever it lies in the chain (whatever wrapped it took its message
     * as its own), else the first message below Camel's wrappers and message-less exceptions.
     */
    public static String of(Throwable failure) {
        if (failure == null) {
            return "unknown";
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return "the JVM ran out of memory (" + t.getMessage() + "): give it more (java -Xmx)";
            }
            if (t instanceof StackOverflowError) {
                return "a stack overflow (see the log)";
            }
            String pool = poolOutOfConnections(t);
            if (pool != null) {
                return pool + " gave no connection in time: it is down, unreachable or overloaded (" + t.getMessage() + ")";
            }
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root
                && (root.getMessage() == null || root instanceof CamelExecutionException)) {
            root = root.getCause();
        }
        // a Java class name says nothing to an operator; the log has the details of such a failure
        String message = root.getMessage() == null ? "an unexpected error without a message (see the log)" : root.getMessage();
        // one line, and nothing in it (Ditio's own error text, say) that speaks to a terminal, nor a secret it echoed
        return no.ditiosync.drops.TextCleaner.shown(no.ditiosync.ditio.KnownSecrets.masked(message.replace('\n', ' ')));
    }

    /**
     * The database a pool that could not hand out a connection serves, named by its setting (HikariCP
     * says only its pool's name: "ditio-state-db - Connection is not available, request timed out …"); null for any other failure.
     */
    private static String poolOutOfConnections(Throwable t) {
        if (!(t instanceof java.sql.SQLTransientConnectionException) || t.getMessage() == null) {
            return null;
        }
        if (t.getMessage().startsWith("ditio-state-db - ")) {
            return "the state DB (PAYROLL_STATE_DB_URL)";
        }
        return t.getMessage().startsWith("ditio-jdbc - ") ? "the JDBC target's database (PAYROLL_JDBC_URL)" : null;
    }
}
