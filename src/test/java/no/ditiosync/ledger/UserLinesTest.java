package no.ditiosync.ledger;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import no.ditiosync.drops.CorrectionRule;
import no.ditiosync.drops.CorrectionStyle;
import no.ditiosync.drops.DropLine;
import no.ditiosync.payroll.MappingResult;
import no.ditiosync.payroll.PayrollLine;
import no.ditiosync.state.SqlDialect;
import no.ditiosync.state.StateDb;
import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lines of users whose employee number or department changed, found through ledger_user_lines:
 * on a real H2 and a real PostgreSQL, after every kind of run, they are exactly the lines reading the
 * whole ledger finds: a line that moved to another user, a run that never committed, and a ledger
 * written before the table existed included.
 */
class UserLinesTest {

    private static final List<String> TARGETS = List.of("visma", "jdbc");
    private static final List<CorrectionRule> STYLES = List.of(CorrectionRule.of(CorrectionStyle.OFFSET),
            CorrectionRule.of(CorrectionStyle.CURRENT_TRUTH));
    private static final LocalDate FROM = LocalDate.of(2026, 10, 1);
    private static final LocalDate TO = LocalDate.of(2027, 12, 31);
    private static final List<String> USERS = List.of("u1", "u2", "u3", "u4");

    @TempDir
    Path dir;
    private LedgerStore store;
    private HikariDataSource pool;
    private long seq;

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL"})
    void theUsersLinesAreExactlyWhatReadingTheLedgerFinds(String kind) throws Exception {
        TestDatabase db = kind.equals("H2") ? TestDatabase.h2(dir.resolve("state")) : TestDatabase.postgres();
        SqlDialect dialect = kind.equals("H2") ? SqlDialect.H2 : SqlDialect.POSTGRESQL;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.url());
        config.setUsername(db.user());
        config.setPassword(db.password());
        pool = new HikariDataSource(config);
        try (HikariDataSource opened = pool) {
            try (Connection c = pool.getConnection()) {
                StateDb.runScript(c, dialect, "/db/schema.sql");
                if (dialect == SqlDialect.POSTGRESQL) {
                    StateDb.runScript(c, dialect, "/db/schema-postgresql.sql");
                }
            }
            store = new LedgerStore(pool, dialect);
            String a = id(), b = id(), c = id(), d = id(), e = id(), f = id(), g = id(), h = id();

            run("run1", 1, true, Commit.WHOLE, line(a, "u1"), line(b, "u1"), line(c, "u2"), line(d, "u3"), line(e, null));
            assertThat(complete()).isTrue();
            assertThat(linesOf("u1")).containsExactlyInAnyOrder(a, b);
            assertThat(linesOf("u2", "u3")).containsExactlyInAnyOrder(c, d);
            sameAsReadingTheLedger();

            // b moves to u2, f is new for u3, c is deleted (its row stays, reversed); the process dies between
            // the run's commit and the deletion of its undo
            run("run2", 2, false, Commit.UNDO_LEFT, line(b, "u2"), line(f, "u3"), deleted(c));
            assertThat(linesOf("u1")).containsExactly(a);
            assertThat(linesOf("u2")).containsExactlyInAnyOrder(b, c);
            assertThat(linesOf("u3")).containsExactlyInAnyOrder(d, f);
            sameAsReadingTheLedger();

            // a run that never commits gives a and g to u4; the next run puts the ledger back first
            run("run3", 3, false, Commit.NONE, line(a, "u4"), line(g, "u4"));
            assertThat(undoOf()).containsExactlyInAnyOrder("run2", "run3");
            // run2's undo is forgotten, not put back: it committed
            assertThat(store.restoreUncommitted("acme")).containsExactly("run3");
            assertThat(undoOf()).isEmpty();
            assertThat(linesOf("u2")).containsExactlyInAnyOrder(b, c);
            assertThat(linesOf("u4")).isEmpty();
            assertThat(linesOf("u1")).containsExactly(a);
            sameAsReadingTheLedger();

            // a ledger written before the table: read through until its next run adds it whole
            try (Connection conn = pool.getConnection(); Statement s = conn.createStatement()) {
                s.executeUpdate("DELETE FROM ledger_user_lines");
                s.executeUpdate("DELETE FROM ledger_user_lines_complete");
            }
            assertThat(complete()).isFalse();
            assertThat(linesOf("u1")).containsExactly(a);
            sameAsReadingTheLedger();
            run("run4", 4, false, Commit.WHOLE, line(h, "u1"));
            assertThat(complete()).isTrue();
            assertThat(linesOf("u1")).containsExactlyInAnyOrder(a, h);
            assertThat(linesOf("u2")).containsExactlyInAnyOrder(b, c);
            sameAsReadingTheLedger();

            // a run a day giving u1 a line: its rows are merged before they pass the limit, and none is lost;
            // one of the runs never commits (its line stays named, as a run that failed may leave it)
            List<String> u1 = new ArrayList<>(List.of(a, h));
            for (int day = 0; day < 2 * UserLines.MOST_ROWS_PER_USER; day++) {
                String x = id();
                boolean commits = day != UserLines.MOST_ROWS_PER_USER;
                run("day" + day, 10 + day, false, commits ? Commit.WHOLE : Commit.NONE, line(x, "u1"), line(id(), "u3"));
                if (commits) {
                    u1.add(x);
                } else {
                    assertThat(store.restoreUncommitted("acme")).containsExactly("day" + day);
                }
                assertThat(rowsOf("u1")).as("rows of u1 after day %d", day).isBetween(1, UserLines.MOST_ROWS_PER_USER);
                assertThat(linesOf("u1")).as("lines of u1 after day %d", day).containsExactlyInAnyOrderElementsOf(u1);
            }
            assertThat(rowsOf("u3")).isBetween(1, UserLines.MOST_ROWS_PER_USER);
            sameAsReadingTheLedger();
        }
    }

    /** For every set of users, the index gives the rows reading the whole feed gives. */
    private void sameAsReadingTheLedger() throws Exception {
        for (int mask = 1; mask < 1 << USERS.size(); mask++) {
            List<String> users = new ArrayList<>();
            for (int i = 0; i < USERS.size(); i++) {
                if ((mask & 1 << i) != 0) {
                    users.add(USERS.get(i));
                }
            }
            List<String> read;
            try (Connection c = pool.getConnection()) {
                read = store.ofUsersReadingTheFeed(c, "acme", "time", users).stream().map(LedgerRow::lineId).sorted().toList();
            }
            assertThat(store.ofUsers("acme", "time", Set.copyOf(users)).stream().map(LedgerRow::lineId).toList())
                    .as("users %s", users).isEqualTo(read);
        }
    }

    private List<String> linesOf(String... users) throws Exception {
        return store.ofUsers("acme", "time", Set.of(users)).stream().map(LedgerRow::lineId).toList();
    }

    private boolean complete() throws Exception {
        try (Connection c = pool.getConnection()) {
            return UserLines.complete(c, "acme");
        }
    }

    /** How a run ends: committed and its undo deleted, committed with its undo left by a crash, or not committed. */
    private enum Commit { WHOLE, UNDO_LEFT, NONE }

    private void run(String runId, long batch, boolean full, Commit commit, Desired... desired) throws Exception {
        try (RunDelta delta = new RunDelta(dir.resolve("scratch-" + runId), runId);
             LedgerWriter w = store.writer("acme", runId, batch, LedgerStore.Fence.NONE)) {
            for (Desired d : desired) {
                delta.add("time", d);
            }
            delta.merge(store, "acme", TARGETS, STYLES, CatchUp.NONE, List.of(new DeltaMerge.Pass("time", full, FROM, TO, FROM)), w,
                    new DeltaMerge.Sink() {
                        @Override
                        public void lines(int target, List<DropLine> lines) {
                        }

                        @Override
                        public void changed(int target, LedgerEntry before, LedgerEntry after, boolean released) {
                        }
                    });
        }
        if (commit != Commit.NONE) {
            // what the run's commit marks, in the same transaction as its watermark
            try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO sync_run "
                    + "(run_id, company, feed, mode, started_at, outcome, committed) VALUES (?, 'acme', 'time', 'full', ?, 'succeeded', TRUE)")) {
                ps.setString(1, runId);
                ps.setObject(2, java.time.OffsetDateTime.now());
                ps.executeUpdate();
            }
        }
        if (commit == Commit.WHOLE) {
            store.forgetUndo("acme", runId);
        }
    }

    private int rowsOf(String user) throws SQLException {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM ledger_user_lines WHERE user_id = ?")) {
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private List<String> undoOf() throws SQLException {
        List<String> runs = new ArrayList<>();
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT DISTINCT run_id FROM ledger_undo")) {
            while (rs.next()) {
                runs.add(rs.getString(1));
            }
        }
        return runs;
    }

    private static String id() {
        return "time:" + UUID.randomUUID();
    }

    private Desired line(String lineId, String user) {
        String sourceId = lineId.substring("time:".length());
        // each user its own employee number, as in Ditio: a line that moves to another user changes
        PayrollLine l = new PayrollLine(lineId, user == null ? "1000" : "100" + user.substring(1), LocalDate.of(2026, 10, 5), "1000", new BigDecimal("7.50"), "P-1",
                null, "Avd", "tekst", "time", sourceId, Instant.parse("2026-10-06T10:00:00Z"));
        return new Desired(lineId, seq++, Desired.Kind.LINE, true, MappingResult.Status.READY, l,
                new LedgerRow.MappingInputs(user, null, null));
    }

    private Desired deleted(String lineId) {
        return new Desired(lineId, seq++, Desired.Kind.LINE, true, MappingResult.Status.DELETED, null, null);
    }
}
