package no.ditiosync.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static no.ditiosync.state.StateDb.odt;

/**
 * Every SQL statement of the outbox ({@code drop_outbox}): the drops a run committed with its ledger,
 * and how far each has come on its way to its target. Each step is recorded before it is taken, and
 * durably: after a crash the state never falls back to before a step that happened.
 */
public final class OutboxStore {

    public static final String COMMITTED = "committed";
    public static final String RENAMING = "renaming";
    public static final String UPLOADING = "uploading";
    /** SFTP: the drop's bytes were found under its final name; its remote temp is still to be deleted. */
    public static final String FOUND_THERE = "found-there";
    public static final String PUBLISHED = "published";
    /**
     * A drop committed and not yet published, as SQL: every state but published, named so that the
     * index drop_outbox_unpublished (company, status) finds them without the published ones.
     */
    static final String UNPUBLISHED = "status IN ('" + COMMITTED + "', '" + RENAMING + "', '" + UPLOADING + "', '"
            + FOUND_THERE + "')";

    private final StateDb db;

    public OutboxStore(StateDb db) {
        this.db = db;
    }

    /**
     * A committed drop on its way.
     *
     * @param tempPath  where the drop waits (a hidden temporary file), null for a drop without file
     * @param finalPath where a file target's drop is published, null for the JDBC target
     * @param status    {@link #COMMITTED}, or the step under way: {@link #RENAMING} (local or SFTP),
     *                  {@link #UPLOADING} or {@link #FOUND_THERE} (SFTP)
     */
    public record Entry(String runId, String target, String company, String tempPath, String finalPath, int lines,
                        String status) {
    }

    /**
     * In the run's commit: a drop is committed with the ledger.
     *
     * @param committedAt the commit's time, the same for all of a run's drops: they are delivered in
     *                    commit order, then by target name
     */
    public void add(Connection c, String runId, String company, String target, String tempPath, String finalPath,
                    int lines, Instant committedAt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO drop_outbox (run_id, target, company, temp_path, "
                + "final_path, line_count, status, committed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, runId);
            ps.setString(2, target);
            ps.setString(3, company);
            ps.setString(4, tempPath);
            ps.setString(5, finalPath);
            ps.setInt(6, lines);
            ps.setString(7, COMMITTED);
            ps.setObject(8, odt(committedAt));
            ps.executeUpdate();
        }
    }

    /** The company's drops not yet published, in the order they were committed. */
    public List<Entry> unpublished(String company) throws SQLException {
        List<Entry> out = new ArrayList<>();
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT run_id, target, company, temp_path, final_path, line_count, "
                     + "status FROM drop_outbox WHERE " + UNPUBLISHED + " AND company = ? "
                     + "ORDER BY committed_at, run_id, target")) {
            ps.setString(1, company);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Entry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getInt(6), rs.getString(7)));
                }
            }
        }
        return out;
    }

    /** Records the step a committed drop is about to take, durably. */
    public void mark(String runId, String target, String status) throws SQLException {
        db.durably(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE drop_outbox SET status = ? "
                    + "WHERE run_id = ? AND target = ? AND " + UNPUBLISHED)) {
                ps.setString(1, status);
                ps.setString(2, runId);
                ps.setString(3, target);
                if (ps.executeUpdate() != 1) {
                    throw new SQLException("no unpublished outbox row for the " + target + " drop of run " + runId);
                }
            }
        });
    }

    /**
     * The drop is delivered. Durable too: fallen back to 'renaming' after a power cut it would be
     * harmless, but to 'committed' it would be renamed or uploaded again.
     */
    public void published(String runId, String target) throws SQLException {
        db.durably(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE drop_outbox SET status = 'published', published_at = ? "
                    + "WHERE run_id = ? AND target = ?")) {
                ps.setObject(1, odt(Instant.now()));
                ps.setString(2, runId);
                ps.setString(3, target);
                ps.executeUpdate();
            }
        });
    }

    /** Whether the drop is published (by this run, or by another that found it waiting). */
    public boolean isPublished(String runId, String target) throws SQLException {
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM drop_outbox WHERE run_id = ? AND target = ? "
                     + "AND status = 'published'")) {
            ps.setString(1, runId);
            ps.setString(2, target);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Whether any outbox row (committed or published) names this temporary file. */
    public boolean knows(String tempPath) throws SQLException {
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM drop_outbox WHERE temp_path = ?")) {
            ps.setString(1, tempPath);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
