package no.ditiosync.app;

import org.h2.engine.Database;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.jdbcx.JdbcConnectionPool;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * H2's connection pool, made to fail fast once H2 could not write its file (a full disk, an I/O error).
 *
 * <p>H2 then stops its store ("panic") but keeps the database open, and a statement started on it
 * afterwards (the rollback its pool runs on every connection it lends again, the rollback of the
 * failed transaction) can wait forever on the store's version counter: seen with H2 2.4.240 on a full
 * disk, a run that never ended and never said why. So the pool, and every connection and statement it
 * lends, look at the store before they call into H2, and throw an {@link SQLException} that names the
 * failed write instead. The run then fails as on any other state-DB error, having committed nothing
 * after the failure, and so does every later run of this process: H2 keeps the stopped database for
 * the file, and opening the file again within the process is not reliable (an open while the disk is
 * still full leaves a database that H2 reports as closed). Closing the pool closes the stopped
 * database without rolling anything back (what H2's {@code SHUTDOWN IMMEDIATELY} does); the next start
 * of the application opens the file again, from what H2 had written. The {@code run} service is told
 * ({@link #whenStopped}) and stops, so that its supervisor starts it again.
 */
final class FailFastH2Pool implements DataSource, AutoCloseable {

    private final JdbcConnectionPool pool;
    /** The database, for messages: "the state DB jdbc:h2:file:…". */
    private final String what;
    /** The database of the connections lent: the same one while the pool keeps it open. */
    private volatile Database database;
    private volatile Consumer<SQLException> whenStopped = failure -> { };
    private final AtomicBoolean told = new AtomicBoolean();

    FailFastH2Pool(JdbcConnectionPool pool, String what) {
        this.pool = pool;
        this.what = what;
    }

    @Override
    public Connection getConnection() throws SQLException {
        failIfStopped();
        Connection c;
        try {
            c = pool.getConnection();
        } catch (SQLException e) {
            // the rollback the pool runs on a connection lent before met the failed write
            throw whenWriteFailed(e);
        }
        try {
            if (c.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal local
                    && local.getDatabase().getStore() != null) {
                database = local.getDatabase();
            }
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        return guarded(c, Connection.class);
    }

    /** {@code listener} hears, once, the failure of the first call that found the database stopped. */
    void whenStopped(Consumer<SQLException> listener) {
        whenStopped = listener;
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the pool connects with its own user");
    }

    /**
     * Closes the pool's idle connections, which would keep the H2 file open (and locked) after Camel
     * stops; once H2 stopped the store, the database instead, without them (closing one rolls it back).
     */
    @Override
    public void close() {
        Database stopped = stopCause() != null ? database : null;
        if (stopped == null) {
            pool.dispose();
            return;
        }
        try {
            stopped.shutdownImmediately();
        } catch (RuntimeException e) {
            // H2 says the database is closed as it closes it: nothing more to do
        }
    }

    private void failIfStopped() throws SQLException {
        Throwable cause = stopCause();
        if (cause != null) {
            throw stopped(cause);
        }
    }

    /** Why H2 stopped the store, or null while it works. */
    private Throwable stopCause() {
        Database d = database;
        if (d == null) {
            return null;
        }
        MVStore store = d.getStore().getMvStore();
        if (store.getPanicException() != null) {
            return store.getPanicException();
        }
        return store.isClosed() ? new IllegalStateException("H2 closed its file") : null;
    }

    /** {@code failure} said as a failed write when it is one (or the store stopped meanwhile), else as it is. */
    private SQLException whenWriteFailed(SQLException failure) {
        Throwable cause = stopCause();
        if (cause != null) {
            return stopped(cause);
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof MVStoreException e && e.getErrorCode() == DataUtils.ERROR_WRITING_FAILED) {
                return stopped(failure);
            }
        }
        return failure;
    }

    /** H2 could not write its file (a full disk): not a setting to fix, a condition to clear. */
    static final class WriteFailed extends SQLException {
        WriteFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Names the failed write in the operating system's words ("No space left on device") rather than H2's. */
    private SQLException stopped(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        SQLException stopped = new WriteFailed(what + " can no longer be written: a write to its file failed ("
                + root.getMessage() + "); make room and start the application again: it goes on from what H2 had written", cause);
        if (told.compareAndSet(false, true)) {
            whenStopped.accept(stopped);
        }
        return stopped;
    }

    @SuppressWarnings("unchecked")
    private <T> T guarded(T target, Class<T> type) {
        InvocationHandler handler = (proxy, method, args) -> call(target, method, args);
        return (T) Proxy.newProxyInstance(FailFastH2Pool.class.getClassLoader(), new Class<?>[]{type}, handler);
    }

    private Object call(Object target, Method method, Object[] args) throws Throwable {
        if (stopCause() != null) {
            switch (method.getName()) {
                case "close":
                    return null; // H2 would roll back first, on the stopped store
                case "isClosed":
                    return true;
                default:
                    failIfStopped();
            }
        }
        Object result;
        try {
            result = method.invoke(target, args);
        } catch (InvocationTargetException e) {
            // the call that met the failed write: said as the calls after it say it
            throw e.getCause() instanceof SQLException failure ? whenWriteFailed(failure) : e.getCause();
        }
        if (result instanceof CallableStatement s && method.getReturnType() == CallableStatement.class) {
            return guarded(s, CallableStatement.class);
        }
        if (result instanceof PreparedStatement s && method.getReturnType() == PreparedStatement.class) {
            return guarded(s, PreparedStatement.class);
        }
        if (result instanceof Statement s && method.getReturnType() == Statement.class) {
            return guarded(s, Statement.class);
        }
        return result;
    }

    @Override
    public PrintWriter getLogWriter() {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) {
        pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() {
        return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        return pool.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || pool.isWrapperFor(iface);
    }
}
