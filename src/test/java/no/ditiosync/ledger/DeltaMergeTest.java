package no.ditiosync.ledger;

import no.ditiosync.state.SqlDialect;
import no.ditiosync.drops.CorrectionRule;
import no.ditiosync.drops.CorrectionStyle;
import no.ditiosync.drops.DropLine;
import no.ditiosync.payroll.MappingResult;
import no.ditiosync.payroll.PayrollLine;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The merge of a run's lines against the ledger, on a real H2: drop lines per target, rows written, undo. */
class DeltaMergeTest {

    private static final List<String> TARGETS = List.of("visma", "sap", "jdbc");
    private static final List<CorrectionRule> STYLES = List.of(CorrectionRule.of(CorrectionStyle.OFFSET),
            CorrectionRule.of(CorrectionStyle.CANCEL_AND_REBOOK), CorrectionRule.of(CorrectionStyle.CURRENT_TRUTH));
    private static final LocalDate FROM = LocalDate.of(2026, 10, 1);
    private static final LocalDate TO = LocalDate.of(2027, 12, 31);

    private JdbcConnectionPool db;
    private LedgerStore store;
    private long seq;

    @BeforeEach
    void open() throws SQLException {
        db = JdbcConnectionPool.create("jdbc:h2:mem:merge" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "sa", "");
        try (Connection c = db.getConnection()) {
            no.ditiosync.state.StateDb.runScript(c, SqlDialect.H2, "/db/schema.sql");
        }
        store = new LedgerStore(db, SqlDialect.H2);
    }

    @AfterEach
    void close() {
        db.dispose();
    }

    @Test
    void aFirstFullPassDeliversEveryLineOnceAndWritesOneRowPerLine() throws Exception {
        Result r = merge(full(), "run1", List.of(line("a", "7.50"), line("b", "8.00"), held("c")), Set.of());

        assertThat(r.lines.get("visma")).containsExactly("time:a 7.50", "time:b 8.00");
        assertThat(r.lines.get("sap")).containsExactly("time:a 7.50 new " + doc("a", 1), "time:b 8.00 new " + doc("b", 1));
        assertThat(r.lines.get("jdbc")).containsExactly("time:a 7.50", "time:b 8.00");
        assertThat(rows()).containsExactly("time:a 7.50 visma:1:H;sap:1:H:" + doc("a", 1) + ";jdbc:1:H v1 run1",
                "time:b 8.00 visma:1:H;sap:1:H:" + doc("b", 1) + ";jdbc:1:H v1 run1");
    }

    @Test
    void anIncrementalPassCorrectsEachTargetInItsStyleAndLeavesUnchangedLinesAlone() throws Exception {
        merge(full(), "run1", List.of(line("a", "7.50"), line("b", "8.00")), Set.of());
        forgetUndo("run1");

        Result r = merge(changes(), "run2", List.of(line("a", "6.00"), line("b", "8.00"), deleted("x")), Set.of());

        assertThat(r.lines.get("visma")).containsExactly("time:a -1.50");
        assertThat(r.lines.get("sap")).containsExactly("time:a 7.50 cancel " + doc("a", 1), "time:a 6.00 new " + doc("a", 2));
        assertThat(r.lines.get("jdbc")).containsExactly("time:a 6.00");
        assertThat(rows()).contains("time:a 6.00 visma:2:H;sap:2:H:" + doc("a", 2) + ";jdbc:2:H v2 run2");
        assertThat(r.changed).isEqualTo(1);
    }

    @Test
    void aFullPassReversesWhatItDidNotReturnWithinItsWindowAndReleasesGoneQuarantine() throws Exception {
        merge(full(), "run1", List.of(line("a", "7.50"), line("b", "8.00")), Set.of());
        forgetUndo("run1");

        // b not returned; q was quarantined, mapped again but not returned either; k still quarantined
        Result r = merge(full(), "run2", List.of(line("a", "7.50"), remapped("q", "3.00"),
                new Desired("time:k", seq++, Desired.Kind.LINE, true, MappingResult.Status.QUARANTINED, null, null)),
                Set.of("time:q", "time:k", "time:u"));

        assertThat(r.lines.get("visma")).containsExactly("time:b -8.00");
        assertThat(r.lines.get("jdbc")).containsExactly("time:b 8.00", "time:b 8.00 cancelled");
        assertThat(r.released).containsExactlyInAnyOrder("time:q", "time:u");
    }

    @Test
    void aPayrollLineSeenAgainReversesThePartsItNoLongerHas() throws Exception {
        merge(changes("payroll"), "run1", List.of(parent("d1"), part("d1", "ot:50", "2.00"), part("d1", "ot:100", "1.00"),
                parent("d2"), part("d2", "ot:50", "3.00")), Set.of());
        forgetUndo("run1");

        Result r = merge(changes("payroll"), "run2", List.of(parent("d1"), part("d1", "ot:50", "2.00")), Set.of());

        assertThat(r.lines.get("visma")).containsExactly("payroll:d1:ot:100 -1.00");
        assertThat(rows()).filteredOn(s -> s.startsWith("payroll:d2")).singleElement().asString().contains("v1 run1");
    }

    @Test
    void theRowsOfARunThatNeverCommittedArePutBack() throws Exception {
        merge(full(), "run1", List.of(line("a", "7.50"), line("b", "8.00")), Set.of());
        forgetUndo("run1");
        List<String> committed = rows();
        merge(changes(), "run2", List.of(line("a", "1.00"), line("c", "2.00")), Set.of());
        assertThat(rows()).isNotEqualTo(committed);

        assertThat(store.restoreUncommitted("acme")).containsExactly("run2");

        assertThat(rows()).isEqualTo(committed);
        assertThat(store.restoreUncommitted("acme")).isEmpty();
    }

    @Test
    void aRowChangedByAnotherRunSinceItWasReadFailsTheWrite() throws Exception {
        merge(full(), "run1", List.of(line("a", "7.50")), Set.of());
        forgetUndo("run1");
        LedgerRow read;
        try (Connection c = db.getConnection()) {
            read = store.lookup(c, "acme", List.of("time:a")).get("time:a");
            try (Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE ledger_line SET version = version + 1");
            }
        }
        try (LedgerWriter w = store.writer("acme", "run2", 2, LedgerStore.Fence.NONE)) {
            w.write(LedgerRow.next("time:a", read, Map.of("visma", new LedgerEntry(read.line(), false, null, 2)), null, "run2"),
                    read);
            assertThatThrownBy(w::flush).isInstanceOf(LedgerConflictException.class).hasMessageContaining("time:a");
        }
    }

    @Test
    void aLostFenceStopsTheChunkBeforeAnythingIsWritten() throws Exception {
        try (LedgerWriter w = store.writer("acme", "run1", 1, c -> {
            throw new SQLException("another run took the feed lock");
        })) {
            DeltaMerge merge = new DeltaMerge(store, "acme", "run1", TARGETS, STYLES, CatchUp.NONE);
            assertThatThrownBy(() -> merge.merge(full(), List.of(line("a", "7.50")).iterator(), Set.of(), Set.of(), w, new Collecting()))
                    .hasMessageContaining("another run took the feed lock");
        }
        assertThat(rows()).isEmpty();
    }

    // ---- helpers ------------------------------------------------------------------------------

    private record Result(Map<String, List<String>> lines, Set<String> released, long changed) {
    }

    private Result merge(DeltaMerge.Pass pass, String runId, List<Desired> desired, Set<String> quarantined) throws Exception {
        List<Desired> sorted = new ArrayList<>(desired);
        sorted.sort(Comparator.comparing(Desired::lineId));
        Collecting sink = new Collecting();
        DeltaMerge.Outcome outcome;
        try (LedgerWriter w = store.writer("acme", runId, 1, LedgerStore.Fence.NONE)) {
            outcome = new DeltaMerge(store, "acme", runId, TARGETS, STYLES, CatchUp.NONE).merge(pass, sorted.iterator(), quarantined, Set.of(), w, sink);
        }
        return new Result(sink.lines, outcome.released, outcome.linesChanged);
    }

    private static final class Collecting implements DeltaMerge.Sink {
        final Map<String, List<String>> lines = new LinkedHashMap<>();

        Collecting() {
            TARGETS.forEach(t -> lines.put(t, new ArrayList<>()));
        }

        @Override
        public void lines(int target, List<DropLine> drops) {
            for (DropLine d : drops) {
                String name = TARGETS.get(target);
                String what = d.documentNumber() == null ? "" : (d.cancellation() ? " cancel " : " new ") + d.documentNumber();
                lines.get(name).add(d.line().lineId() + " " + d.line().quantity() + what);
            }
        }

        @Override
        public void changed(int target, LedgerEntry before, LedgerEntry after, boolean released) {
            if (TARGETS.get(target).equals("jdbc") && !after.held()) {
                lines.get("jdbc").add(after.line().lineId() + " " + after.line().quantity() + " cancelled");
            }
        }
    }

    private DeltaMerge.Pass full() {
        return new DeltaMerge.Pass("time", true, FROM, TO, FROM);
    }

    private DeltaMerge.Pass changes() {
        return changes("time");
    }

    private DeltaMerge.Pass changes(String feed) {
        return new DeltaMerge.Pass(feed, false, null, null, FROM);
    }

    private Desired line(String id, String hours) {
        return ready("time", id, hours, true);
    }

    private Desired remapped(String id, String hours) {
        return ready("time", id, hours, false);
    }

    private Desired ready(String feed, String id, String hours, boolean fetched) {
        PayrollLine l = new PayrollLine(feed + ":" + id, "1001", LocalDate.of(2026, 10, 5), "1000", new BigDecimal(hours),
                "P-1", null, "Avd", "tekst", feed, id, Instant.parse("2026-10-06T10:00:00Z"));
        return new Desired(l.lineId(), seq++, Desired.Kind.LINE, fetched, MappingResult.Status.READY, l,
                new LedgerRow.MappingInputs("user-1", null, null));
    }

    private Desired held(String id) {
        return new Desired("time:" + id, seq++, Desired.Kind.LINE, true, MappingResult.Status.HELD, null, null);
    }

    private Desired deleted(String id) {
        return new Desired("time:" + id, seq++, Desired.Kind.LINE, true, MappingResult.Status.DELETED, null, null);
    }

    private Desired parent(String day) {
        return new Desired("payroll:" + day + ":", seq++, Desired.Kind.PARENT, true, null, null, null);
    }

    private Desired part(String day, String part, String hours) {
        return ready("payroll", day + ":" + part, hours, true);
    }

    private static String doc(String id, int version) {
        return LedgerDelta.documentNumber("time:" + id, version);
    }

    private void forgetUndo(String runId) throws SQLException {
        store.forgetUndo("acme", runId);
    }

    private List<String> rows() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT line_id, quantity, targets, version, run_id FROM ledger_line ORDER BY line_id")) {
            while (rs.next()) {
                out.add(rs.getString(1) + " " + rs.getBigDecimal(2) + " " + rs.getString(3) + " v" + rs.getInt(4) + " "
                        + rs.getString(5));
            }
        }
        return out;
    }
}
