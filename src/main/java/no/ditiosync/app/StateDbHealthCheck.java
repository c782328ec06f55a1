package no.ditiosync.app;

import no.ditiosync.state.RunStore;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Readiness: the state DB answers a cheap query within {@link #TIMEOUT}. A pool waiting for a
 * database that is gone (HikariCP waits up to 10 s for a connection) does not hold the probe: the
 * query runs on a thread of its own and the check answers DOWN when it takes longer; a query still
 * waiting is not started again. Not a liveness check: a database that is down is no reason to
 * restart this process. The result says what failed, never a URL or a password.
 */
final class StateDbHealthCheck extends AbstractHealthCheck implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final RunStore store;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "state-db-health");
        t.setDaemon(true);
        return t;
    });
    private Future<?> pending;

    StateDbHealthCheck(RunStore store) {
        super("ditio-payroll-sync", "state-db");
        this.store = store;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected synchronized void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("database", store.dialect().name());
        if (pending == null || pending.isDone()) {
            pending = worker.submit(() -> {
                store.check((int) TIMEOUT.toSeconds());
                return null;
            });
        }
        try {
            pending.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            builder.up();
        } catch (TimeoutException e) {
            builder.message("the state DB did not answer within " + TIMEOUT.toSeconds() + " s").down();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            String state = cause instanceof SQLException sql && sql.getSQLState() != null ? " (SQL state " + sql.getSQLState() + ")" : "";
            builder.message("the state DB failed: " + cause.getClass().getSimpleName() + state).down();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            builder.message("interrupted").down();
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
