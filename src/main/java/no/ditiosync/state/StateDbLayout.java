package no.ditiosync.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Which layout of the state DB's tables a build last brought it up to. Every build upgrades an older
 * state DB in place, and a build that knows an older layout than the one it finds refuses to open it:
 * its runs would not keep up what it does not know (lines a newer layout keeps per user, undo rows it
 * reads as a run that never committed, a table it would create again empty) and could deliver lines
 * twice or lose corrections, silently, on a node left on the older build.
 */
public final class StateDbLayout {

    /**
     * The layout this build reads and writes. Raised with every change to the state DB that a build of
     * the layout before would misread or not keep up; a build refuses a state DB of a higher one.
     * 2: every profile of a user in ditio_user_profile (a build of layout 1 would change the kept one
     * alone, and the next build would pick from profiles it never updated). 3: the targets each run kept up to
     * date in sync_run (a build of layout 2 records none, and a target it switched on again is not caught up).
     */
    public static final int LAYOUT = 3;

    private StateDbLayout() {
    }

    /** A state DB that a later build has brought to a layout this build does not know. */
    public static final class NewerLayoutException extends SQLException {
        NewerLayoutException(String message) {
            super(message);
        }
    }

    /** The layout found and the build that wrote it; null when none has been recorded (a new or older state DB). */
    record Stamp(int layout, String writtenBy, Instant writtenAt) {
    }

    static Stamp read(Connection c, SqlDialect dialect) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT layout, written_by, written_at FROM state_db_layout WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? new Stamp(rs.getInt(1), rs.getString(2), StateDb.instant(rs, 3)) : null;
        } catch (SQLException e) {
            if (dialect.isUndefinedTable(e)) {
                return null;
            }
            throw e;
        }
    }

    /** Refuses a state DB of a layout later than this build's, before anything of it is changed. */
    public static void refuseNewer(Connection c, SqlDialect dialect, String build) throws SQLException {
        String newer = newer(c, dialect, build);
        if (newer != null) {
            throw new NewerLayoutException("The state DB " + newer + ", which would misread it and could deliver "
                    + "lines twice or lose corrections. Run that version or a later one, on every machine that shares "
                    + "this state DB");
        }
    }

    /**
     * What a later build did to the state DB, after "the state DB": "was brought to a newer layout (…)
     * by … at …; this is … (layout …)"; null when no later build has.
     */
    public static String newer(Connection c, SqlDialect dialect, String build) throws SQLException {
        Stamp found = read(c, dialect);
        return found == null || found.layout() <= LAYOUT ? null : "was brought to a newer layout (" + found.layout()
                + ") by " + found.writtenBy() + " at " + found.writtenAt() + "; this is " + build + " (layout " + LAYOUT + ")";
    }

    /** Records this build's layout, unless the state DB already has it (or a later one, from a build starting beside it). */
    static void record(Connection c, SqlDialect dialect, String build) throws SQLException {
        Stamp found = read(c, dialect);
        if (found != null && found.layout() >= LAYOUT) {
            return;
        }
        String sql = found == null
                ? "INSERT INTO state_db_layout (layout, written_by, written_at, id) VALUES (?, ?, ?, 1)"
                : "UPDATE state_db_layout SET layout = ?, written_by = ?, written_at = ? WHERE id = 1 AND layout < " + LAYOUT;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, LAYOUT);
            ps.setString(2, build.length() > 200 ? build.substring(0, 200) : build);
            ps.setObject(3, StateDb.odt(Instant.now()));
            ps.executeUpdate();
        } catch (SQLException e) {
            if (!dialect.isUniqueViolation(e)) {
                throw e;
            }
            // another node recorded it at the same moment
        }
        refuseNewer(c, dialect, build);
    }
}
