package no.ditiosync.state;

import org.h2.engine.Session;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Keeps the file of an H2 state DB from growing by what every run writes, in a service as in a process per run.
 *
 * <p>H2 never changes a page in place: a commit writes the pages it changed to new space in the file,
 * and the space they replace is reused only once nothing on it is live. H2's background writer moves
 * the last live pages out of such space; the state DB has none (its commits are written at once,
 * WRITE_DELAY=0, see DataSources). H2 compacts when it closes the database instead, for up to
 * MAX_COMPACT_TIME. A service ({@code run}) closes it only when it stops, so its file grew by about
 * what each run wrote for as long as it ran (measured at 100k registrations, a run every 30 s with
 * 10,000 changes each: 69 MB after the full pass, 398 MB nine runs later); and a process per run
 * ({@code sync --once}) rewrote about 40 MB on every close, whatever its run had changed: a third of
 * what a first sync of 100k registrations wrote.
 *
 * <p>So after each run this moves the live pages out of the emptiest space, as much as the run wrote
 * (at least {@value #LEAST_REWRITE_BYTES} bytes), when fewer than {@value #LIVE_PERCENT_KEPT} % of the
 * file's pages are live; and the state DB does not compact on close (DataSources). It is H2's own
 * {@link MVStore#compact}, what its background writer calls; H2 has no SQL for it, so it is reached
 * through the session, and H2's version is pinned in the pom: a change of this API fails the build,
 * not a run. (H2's compactFile, what a close calls, also moves whole chunks and is not made for a
 * database in use: under the tests' assertions it closed the database.) H2 leaves space written less
 * than its RETENTION_TIME ago (45 s) to a later run. What stays looks like B-tree pages that scattered
 * updates left part empty (H2 counts them live): only rewriting the whole file offline packs them (README). PostgreSQL,
 * and H2 over TCP or in memory, have nothing to do here.
 */
public final class StateDbSpace {

    private static final Logger LOG = LoggerFactory.getLogger(StateDbSpace.class);

    /** Below this share of live pages (percent), the space runs left behind is taken back. */
    static final int LIVE_PERCENT_KEPT = 80;
    /** The least rewritten then: a run that wrote little still moves some pages. */
    static final long LEAST_REWRITE_BYTES = 16L << 20;

    private final StateDb db;
    /** What H2 had written to the file after the last reclaim; -1 before the first. */
    private long writtenBefore = -1;

    public StateDbSpace(StateDb db) {
        this.db = db;
    }

    /** Takes back space the last runs left in the file, if the state DB is an H2 file. Never fails a run. */
    public synchronized void reclaim() {
        if (db.dialect() != SqlDialect.H2) {
            return;
        }
        try (Connection c = db.connection()) {
            Session session = c.unwrap(JdbcConnection.class).getSession();
            if (!(session instanceof SessionLocal local) || !local.getDatabase().isPersistent()) {
                return;
            }
            MVStore store = local.getDatabase().getStore().getMvStore();
            long written = written(c);
            long budget = Math.max(LEAST_REWRITE_BYTES, writtenBefore < 0 ? written : written - writtenBefore);
            if (store.compact(LIVE_PERCENT_KEPT, (int) Math.min(budget, Integer.MAX_VALUE))) {
                // the moved pages are written now, not by whichever commit comes next
                store.commit();
            }
            writtenBefore = written(c);
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Could not take back free space in the state DB's file ({}); the next run tries again",
                    e.getMessage());
        }
    }

    /** What H2 has written to the file since it opened it, in bytes. */
    private static long written(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'info.FILE_WRITE_BYTES'");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Long.parseLong(rs.getString(1)) : 0;
        }
    }
}
