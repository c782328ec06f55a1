package no.ditiosync.app;

import no.ditiosync.ledger.LedgerRow;
import no.ditiosync.run.SyncRun;
import no.ditiosync.state.SqlDialect;
import no.ditiosync.state.StateDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.Random;

import static no.ditiosync.app.IncrementalLedgerTest.assertEveryTargetHoldsTheTruth;
import static no.ditiosync.app.IncrementalLedgerTest.desired;
import static no.ditiosync.app.IncrementalLedgerTest.expectedLines;
import static no.ditiosync.app.SyncEndToEndTest.LAST;
import static no.ditiosync.app.SyncEndToEndTest.company;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An upgrade keeps what every target received. A state DB of the earlier layout (a ledger row per
 * line and target in export_ledger, every registration staged in source_record) is moved to one row
 * per line at start-up, once, and the first run after it delivers only what changed in Ditio since:
 * one line per key that changed, per target style, and every target equals Ditio's truth.
 */
class LedgerMigrationTest {

    @Test
    void theFirstRunAfterTheUpgradeDeliversOnlyWhatChanged(@TempDir Path dir) throws Exception {
        try (SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), Map.of("payroll.targets", IncrementalLedgerTest.ALL_TARGETS))) {
            h.runOnce();
            int lines = asTheEarlierVersionLeftIt(h);
            assertThat(lines).as("ledger lines of the first run").isGreaterThan(500);

            h.restartWith(Map.of());
            Map<String, String[]> before = desired(h);
            h.ditio.data().randomMutations(new Random(11), 25);
            int[] expected = expectedLines(before, desired(h));
            SyncRun run = h.runOnce();

            assertThat(count(h, "SELECT COUNT(*) FROM ledger_line")).as("ledger lines after the move").isGreaterThanOrEqualTo(lines);
            assertThat(tableExists(h, "export_ledger")).as("the earlier table, once moved").isFalse();
            assertEveryTargetHoldsTheTruth(h, "after the upgrade and a run");
            assertThat(new int[]{run.linesByTarget().get("visma"), run.linesByTarget().get("sap"), run.linesByTarget().get("jdbc")})
                    .as("lines visma, sap, jdbc of the first run after the upgrade").containsExactly(expected);
        }
    }

    /**
     * The state DB as version 0.1 left it after the same run: its ledger's rows one per line and
     * target, every record staged (those in quarantine too, which kept only the reason); no
     * ledger_line, no delivered hours.
     */
    private static int asTheEarlierVersionLeftIt(SyncHarness h) throws Exception {
        int lines = 0;
        try (Connection c = h.stateDb().connect()) {
            StateDb.runScript(c, SqlDialect.H2, "/db/ledger-v1.sql");
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT company, line_id, employee_number, "
                    + "work_date, wage_type, project_number, task_number, department, text, quantity, source_modified, "
                    + "user_id, reg_employee_number, source_fields, targets, stale_lines, run_id FROM ledger_line");
                 PreparedStatement ledger = c.prepareStatement("INSERT INTO export_ledger (company, target, line_id, "
                         + "employee_number, work_date, wage_type, project_number, task_number, department, text, quantity, "
                         + "held, document_number, version, source_id, source_modified, run_id) "
                         + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
                 PreparedStatement staged = c.prepareStatement("INSERT INTO source_record (company, feed, record_id, line_id, "
                         + "user_id, user_employee_number, source_fields, deleted, status, staged_seq) "
                         + "VALUES (?, ?, ?, ?, ?, ?, ?, FALSE, 'READY', 1)")) {
                while (rs.next()) {
                    lines++;
                    String lineId = rs.getString(2);
                    int colon = lineId.indexOf(':');
                    for (Map.Entry<String, LedgerRow.TargetState> t
                            : LedgerRow.decodeTargets(rs.getString(15), rs.getString(16)).entrySet()) {
                        int i = 1;
                        ledger.setString(i++, rs.getString(1));
                        ledger.setString(i++, t.getKey());
                        ledger.setString(i++, lineId);
                        for (int column = 3; column <= 10; column++) {
                            ledger.setObject(i++, rs.getObject(column));
                        }
                        ledger.setBoolean(i++, t.getValue().held());
                        ledger.setString(i++, t.getValue().documentNumber());
                        ledger.setInt(i++, t.getValue().version());
                        ledger.setString(i++, lineId.substring(colon + 1));
                        ledger.setObject(i++, rs.getObject(11));
                        ledger.setString(i, rs.getString(17));
                        ledger.addBatch();
                    }
                    staged.setString(1, rs.getString(1));
                    staged.setString(2, lineId.substring(0, colon));
                    staged.setString(3, lineId.substring(colon + 1));
                    staged.setString(4, lineId);
                    staged.setString(5, rs.getString(12));
                    staged.setString(6, rs.getString(13));
                    staged.setString(7, rs.getString(14));
                    staged.addBatch();
                }
                ledger.executeBatch();
                staged.executeBatch();
            }
            try (Statement s = c.createStatement()) {
                // the quarantine kept only the reason; the record itself was staged like every other
                s.executeUpdate("INSERT INTO source_record (company, feed, record_id, line_id, work_date_text, qty, user_id, "
                        + "user_employee_number, project_number, task_number, description, approved, payroll_approved, "
                        + "modified, source_fields, parent_id, deleted, status, reason, staged_seq) "
                        + "SELECT company, feed, record_id, feed || ':' || record_id, work_date_text, qty, user_id, "
                        + "user_employee_number, project_number, task_number, description, approved, payroll_approved, "
                        + "modified, source_fields, parent_id, FALSE, 'QUARANTINED', reason, 1 FROM quarantine");
                s.executeUpdate("UPDATE quarantine SET work_date_text = NULL, qty = NULL, user_name = NULL, "
                        + "user_employee_number = NULL, project_number = NULL, task_number = NULL, description = NULL, "
                        + "approved = NULL, payroll_approved = NULL, modified = NULL, source_fields = NULL, parent_id = NULL");
                s.executeUpdate("DELETE FROM ledger_line");
                s.executeUpdate("DELETE FROM delivered_hours");
            }
        }
        return lines;
    }

    private static long count(SyncHarness h, String sql) throws Exception {
        try (Connection c = h.stateDb().connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static boolean tableExists(SyncHarness h, String table) throws Exception {
        try (Connection c = h.stateDb().connect();
             ResultSet rs = c.getMetaData().getTables(null, null, table.toUpperCase(), new String[]{"TABLE"})) {
            return rs.next();
        }
    }
}
