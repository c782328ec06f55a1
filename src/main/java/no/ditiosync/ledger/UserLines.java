package no.ditiosync.ledger;

import no.ditiosync.drops.LineFields;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which ledger lines each user has ({@code ledger_user_lines}), so that a run maps again the lines of
 * a user whose employee number or department changed by reading those lines by key instead of the
 * whole ledger: what changed, not what the ledger holds.
 *
 * <p>A run collects every line it gives a user (a new line, or one whose user changed), sorted by user
 * in its scratch folder, and once merged writes one row per user (the line ids, its fencing token as
 * batch) before it commits. So the rows may name a line the user no longer has (from a run that then
 * failed, or a line that moved to another user since), but never miss one the ledger gives the user:
 * a line read through them counts only when its ledger row still names the user. A user's rows are
 * merged into the run's when they would pass {@link #MOST_ROWS_PER_USER}.
 * {@code ledger_user_lines_complete} names the companies whose whole ledger is in the rows; the first
 * run of a ledger written before them adds it whole (one read of the ledger, as a re-map did before).
 */
final class UserLines implements AutoCloseable {

    /** Pairs kept in memory before a sorted run is written to the scratch folder. */
    static final int IN_MEMORY = 32_768;
    /** Line ids per row at most (a user's lines of one run, or of a whole ledger being added). */
    private static final int IDS_PER_ROW = 1000;
    /**
     * Rows a user may have: a run that would give the user more writes all the user's ids again as its
     * own rows and deletes the older ones, so the table grows with the lines, not with the runs.
     */
    static final int MOST_ROWS_PER_USER = 16;

    /** A user (its number in {@link #users}) and one of its lines. */
    private record Pair(int user, String lineId) {
    }

    /** The users of the run's pairs, numbered as met: a few thousand ids for up to millions of pairs. */
    private final List<String> users = new ArrayList<>();
    private final Map<String, Integer> userNumbers = new HashMap<>();
    private final SortedSpill<Pair> pairs;
    private boolean completes;

    UserLines(Path folder) {
        Comparator<Pair> order = Comparator.comparing((Pair p) -> users.get(p.user())).thenComparing(Pair::lineId);
        this.pairs = new SortedSpill<>(folder, "users", IN_MEMORY, order, (p, out) -> {
            LineFields.varint(out, p.user());
            LineFields.text(out, p.lineId());
        }, in -> new Pair((int) LineFields.varint(in), LineFields.text(in)));
    }

    void add(String userId, String lineId) {
        Integer user = userNumbers.get(userId);
        if (user == null) {
            user = users.size();
            users.add(userId);
            userNumbers.put(userId, user);
        }
        pairs.add(new Pair(user, lineId));
    }

    /** Whether every ledger line of the company is in the rows (else a re-map reads the ledger). */
    static boolean complete(Connection c, String company) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM ledger_user_lines_complete WHERE company = ?")) {
            ps.setString(1, company);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Adds every line of the company's ledger as it is now (read before the run writes it), and makes
     * {@link #write} mark the company complete.
     */
    void addLedger(LedgerStore store, Connection reads, String company) throws SQLException {
        store.scan(reads, company, "", "\uffff", row -> {
            if (row.userId() != null) {
                add(row.userId(), row.lineId());
            }
        });
        completes = true;
    }

    /**
     * Writes what was collected, in the order of the table's key, {@link LedgerStore#CHUNK} rows per
     * transaction, each checked by {@code fence}.
     *
     * @param batch the run's fencing token: one per run of the company, and rising
     */
    void write(Connection c, String company, long batch, LedgerStore.Fence fence) throws SQLException {
        if (pairs.size() == 0 && !completes) {
            return;
        }
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO ledger_user_lines (company, user_id, batch, part, line_ids) VALUES (?, ?, ?, ?, ?)");
             PreparedStatement count = c.prepareStatement(
                     "SELECT COUNT(*) FROM ledger_user_lines WHERE company = ? AND user_id = ?");
             PreparedStatement older = c.prepareStatement(
                     "DELETE FROM ledger_user_lines WHERE company = ? AND user_id = ? AND batch <> ?")) {
            fence.check(c);
            // a company's first run, which writes rows for every user, has none to count
            boolean anyRows = anyRows(c, company);
            int rows = 0;
            Iterator<Pair> sorted = pairs.sorted();
            Pair next = sorted.hasNext() ? sorted.next() : null;
            while (next != null) {
                int user = next.user();
                TreeSet<String> ids = new TreeSet<>();
                for (; next != null && next.user() == user; next = sorted.hasNext() ? sorted.next() : null) {
                    ids.add(next.lineId());
                }
                String userId = users.get(user);
                int parts = (ids.size() + IDS_PER_ROW - 1) / IDS_PER_ROW;
                boolean merged = anyRows && rowsOf(count, company, userId) + parts > MOST_ROWS_PER_USER;
                if (merged) {
                    ids.addAll(lineIds(c, company, List.of(userId), ""));
                }
                List<String> part = new ArrayList<>(Math.min(ids.size(), IDS_PER_ROW));
                int number = 0;
                for (Iterator<String> it = ids.iterator(); it.hasNext(); ) {
                    part.add(it.next());
                    if (part.size() == IDS_PER_ROW || !it.hasNext()) {
                        insert.setString(1, company);
                        insert.setString(2, userId);
                        insert.setLong(3, batch);
                        insert.setInt(4, number++);
                        insert.setBytes(5, encode(part));
                        insert.addBatch();
                        part.clear();
                        if (++rows % LedgerStore.CHUNK == 0) {
                            insert.executeBatch();
                            c.commit();
                            fence.check(c);
                        }
                    }
                }
                if (merged) {
                    // after the rows that hold every id: a crash between them leaves a superset, never a gap
                    insert.executeBatch();
                    older.setString(1, company);
                    older.setString(2, userId);
                    older.setLong(3, batch);
                    older.executeUpdate();
                }
            }
            insert.executeBatch();
            if (completes && !complete(c, company)) {
                try (PreparedStatement mark = c.prepareStatement(
                        "INSERT INTO ledger_user_lines_complete (company) VALUES (?)")) {
                    mark.setString(1, company);
                    mark.executeUpdate();
                }
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        }
    }

    private static boolean anyRows(Connection c, String company) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM ledger_user_lines WHERE company = ? LIMIT 1")) {
            ps.setString(1, company);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static int rowsOf(PreparedStatement count, String company, String userId) throws SQLException {
        count.setString(1, company);
        count.setString(2, userId);
        try (ResultSet rs = count.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /**
     * The line ids of the feed ("" for every feed) the rows give these users, each once, in order (some
     * may be no longer theirs).
     */
    static List<String> lineIds(Connection c, String company, Collection<String> userIds, String feed) throws SQLException {
        TreeSet<String> ids = new TreeSet<>();
        String prefix = feed.isEmpty() ? "" : feed + ":";
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT line_ids FROM ledger_user_lines WHERE company = ? AND user_id = ?")) {
            for (String user : userIds) {
                ps.setString(1, company);
                ps.setString(2, user);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        for (String id : decode(rs.getBytes(1))) {
                            if (id.startsWith(prefix)) {
                                ids.add(id);
                            }
                        }
                    }
                }
            }
        }
        return new ArrayList<>(ids);
    }

    private static byte[] encode(List<String> ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.size() * 24);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            for (String id : ids) {
                LineFields.text(out, id);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static List<String> decode(byte[] data) {
        List<String> ids = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            while (in.available() > 0) {
                ids.add(LineFields.text(in));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable row of ledger_user_lines: " + e.getMessage(), e);
        }
        return ids;
    }

    @Override
    public void close() {
        pairs.close();
    }
}
