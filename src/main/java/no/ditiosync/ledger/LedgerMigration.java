package no.ditiosync.ledger;

import no.ditiosync.state.SqlDialect;
import no.ditiosync.payroll.PayrollLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Brings a state DB written by an earlier version (an export ledger row per line and target in
 * {@code export_ledger}, every registration staged in {@code source_record}) to one ledger row per
 * line ({@code ledger_line}), once, at start-up, before any run: what each target received is kept
 * exactly, so the first run after the upgrade delivers only what changed. Safe to repeat after a crash
 * half-way: the old tables go last, and until they are gone the migration starts over.
 */
public final class LedgerMigration {

    private static final Logger LOG = LoggerFactory.getLogger(LedgerMigration.class);

    private LedgerMigration() {
    }

    /** @param jdbcDrop where a company's JDBC drops are written (the JDBC target's folder) */
    public static void migrate(DataSource db, SqlDialect dialect, Function<String, java.nio.file.Path> jdbcDrop)
            throws Exception {
        try (Connection c = db.getConnection()) {
            if (!exists(c, "export_ledger") || hasRows(c, "ledger_line")) {
                return;
            }
            LOG.info("Moving the export ledger to one row per line (ledger_line); this happens once");
            c.setAutoCommit(false);
            try {
                writeJdbcDropsOfUnpublishedRuns(c, jdbcDrop);
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("DELETE FROM ledger_line");
                    s.executeUpdate("DELETE FROM delivered_hours");
                }
                long lines = copyLedger(c, dialect);
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("INSERT INTO delivered_hours (company, target, work_date, hours, lines) "
                            + "SELECT company, target, work_date, SUM(quantity), COUNT(*) FROM export_ledger "
                            + "WHERE held = TRUE AND quantity <> 0 AND work_date IS NOT NULL GROUP BY company, target, work_date");
                    if (exists(c, "source_record")) {
                        // the raw record each quarantined line came from, so later runs can map it again
                        s.executeUpdate("UPDATE quarantine q SET (work_date_text, qty, user_employee_number, project_number, "
                                + "task_number, description, approved, payroll_approved, modified, source_fields, parent_id) = "
                                + "(SELECT s.work_date_text, s.qty, s.user_employee_number, s.project_number, s.task_number, "
                                + "s.description, s.approved, s.payroll_approved, s.modified, s.source_fields, s.parent_id "
                                + "FROM source_record s WHERE s.company = q.company AND s.feed = q.feed AND s.record_id = q.record_id)");
                    }
                    c.commit();
                    s.execute("DROP TABLE export_ledger");
                    s.execute("DROP TABLE IF EXISTS source_record");
                    c.commit();
                }
                LOG.info("Export ledger moved: {} line(s)", lines);
            } catch (Exception e) {
                c.rollback();
                throw new SQLException("cannot move the export ledger to its new layout (the old tables are kept; "
                        + "the next start tries again): " + e.getMessage(), e);
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /**
     * The earlier version wrote {@code payroll_line} after its commit from the run's ledger rows, which
     * are about to be regrouped: a run committed but not yet written there gets its JDBC drop now, from
     * those rows, and its outbox row names it, as a run of this version would have.
     */
    private static void writeJdbcDropsOfUnpublishedRuns(Connection c, Function<String, java.nio.file.Path> jdbcDrop)
            throws Exception {
        List<String[]> runs = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT o.run_id, o.company, r.started_at "
                + "FROM drop_outbox o LEFT JOIN sync_run r ON r.run_id = o.run_id "
                + "WHERE o.target = 'jdbc' AND o.status <> 'published' AND o.temp_path IS NULL")) {
            while (rs.next()) {
                OffsetDateTime started = rs.getObject(3, OffsetDateTime.class);
                runs.add(new String[]{rs.getString(1), rs.getString(2),
                        (started == null ? java.time.Instant.EPOCH : started.toInstant()).toString()});
            }
        }
        for (String[] run : runs) {
            java.nio.file.Path folder = jdbcDrop.apply(run[1]);
            String name = "." + no.ditiosync.drops.AtomicDropFile.fileName("jdbc", run[1], java.time.Instant.parse(run[2]),
                    run[0]).replace(".csv", ".rows") + ".tmp";
            try (no.ditiosync.drops.JdbcDropFile file = no.ditiosync.drops.JdbcDropFile.create(folder, name);
                 PreparedStatement ps = c.prepareStatement("SELECT line_id, employee_number, work_date, wage_type, "
                         + "project_number, task_number, department, text, quantity, held, source_id, source_modified "
                         + "FROM export_ledger WHERE company = ? AND target = 'jdbc' AND run_id = ? ORDER BY line_id")) {
                ps.setString(1, run[1]);
                ps.setString(2, run[0]);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String lineId = rs.getString(1);
                        java.sql.Date day = rs.getDate(3);
                        OffsetDateTime modified = rs.getObject(12, OffsetDateTime.class);
                        file.add(new PayrollLine(lineId, rs.getString(2), day == null ? null : day.toLocalDate(),
                                rs.getString(4), rs.getBigDecimal(9), rs.getString(5), rs.getString(6), rs.getString(7),
                                rs.getString(8), lineId.substring(0, lineId.indexOf(':')), rs.getString(11),
                                modified == null ? null : modified.toInstant()), rs.getBoolean(10), null);
                    }
                }
                try (PreparedStatement point = c.prepareStatement(
                        "UPDATE drop_outbox SET temp_path = ? WHERE run_id = ? AND target = 'jdbc'")) {
                    point.setString(1, file.path().toString());
                    point.setString(2, run[0]);
                    point.executeUpdate();
                }
            }
        }
        c.commit();
    }

    private static boolean hasRows(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1 FROM " + table + " LIMIT 1")) {
            return rs.next();
        }
    }

    static boolean exists(Connection c, String table) throws SQLException {
        DatabaseMetaData meta = c.getMetaData();
        for (String name : new String[]{table, table.toUpperCase(Locale.ROOT)}) {
            try (ResultSet rs = meta.getTables(null, null, name, new String[]{"TABLE"})) {
                while (rs.next()) {
                    String schema = rs.getString("TABLE_SCHEM");
                    if (schema == null || !schema.equalsIgnoreCase("information_schema") && !schema.startsWith("pg_")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Groups the old rows by line (one per target) into one row each, with the staged record's mapping inputs. */
    private static long copyLedger(Connection c, SqlDialect dialect) throws SQLException {
        String order = dialect == SqlDialect.POSTGRESQL ? " COLLATE \"C\"" : "";
        boolean staged = exists(c, "source_record");
        String sql = "SELECT l.company, l.line_id, l.target, l.employee_number, l.work_date, l.wage_type, l.project_number, "
                + "l.task_number, l.department, l.text, l.quantity, l.held, l.document_number, l.version, l.source_modified, "
                + "l.run_id, " + (staged ? "s.user_id, s.user_employee_number, s.source_fields" : "NULL, NULL, NULL")
                + " FROM export_ledger l"
                + (staged ? " LEFT JOIN source_record s ON s.company = l.company AND s.feed = "
                + "SUBSTRING(l.line_id FROM 1 FOR POSITION(':' IN l.line_id) - 1) "
                + "AND s.record_id = SUBSTRING(l.line_id FROM POSITION(':' IN l.line_id) + 1)" : "")
                + " ORDER BY l.company, l.line_id" + order + ", l.target";
        long lines = 0;
        try (PreparedStatement ps = c.prepareStatement(sql);
             PreparedStatement insert = c.prepareStatement("INSERT INTO ledger_line (company, line_id, employee_number, "
                     + "work_date, wage_type, project_number, task_number, department, text, quantity, source_modified, "
                     + "user_id, reg_employee_number, source_fields, targets, stale_lines, version, run_id) "
                     + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
                Group group = null;
                while (rs.next()) {
                    String company = rs.getString(1);
                    String lineId = rs.getString(2);
                    if (group != null && !(group.company.equals(company) && group.lineId.equals(lineId))) {
                        group.insert(insert);
                        if (++lines % LedgerStore.CHUNK == 0) {
                            insert.executeBatch();
                            c.commit();
                        }
                        group = null;
                    }
                    if (group == null) {
                        group = new Group(company, lineId, rs.getString(17), rs.getString(18), rs.getString(19), rs.getString(16));
                    }
                    int colon = lineId.indexOf(':');
                    java.sql.Date day = rs.getDate(5);
                    OffsetDateTime modified = rs.getObject(15, OffsetDateTime.class);
                    PayrollLine line = new PayrollLine(lineId, rs.getString(4), day == null ? null : day.toLocalDate(),
                            rs.getString(6), rs.getBigDecimal(11), rs.getString(7), rs.getString(8), rs.getString(9),
                            rs.getString(10), lineId.substring(0, colon), lineId.substring(colon + 1),
                            modified == null ? null : modified.toInstant());
                    group.add(rs.getString(3), new LedgerEntry(line, rs.getBoolean(12), rs.getString(13), rs.getInt(14)));
                }
                if (group != null) {
                    group.insert(insert);
                    lines++;
                }
                insert.executeBatch();
                c.commit();
            }
        }
        return lines;
    }

    /** The old rows of one line, one per target. */
    private static final class Group {
        final String company;
        final String lineId;
        final String userId;
        final String registrationEmployeeNumber;
        final String sourceFields;
        final String runId;
        final Map<String, LedgerEntry> targets = new LinkedHashMap<>();

        Group(String company, String lineId, String userId, String registrationEmployeeNumber, String sourceFields,
              String runId) {
            this.company = company;
            this.lineId = lineId;
            this.userId = userId;
            this.registrationEmployeeNumber = registrationEmployeeNumber;
            this.sourceFields = sourceFields;
            this.runId = runId;
        }

        void add(String target, LedgerEntry entry) {
            targets.put(target, entry);
        }

        void insert(PreparedStatement ps) throws SQLException {
            // the row's line: one a target holds, else any; a target that holds another line keeps its own
            PayrollLine shared = null;
            for (LedgerEntry e : targets.values()) {
                if (shared == null || e.held()) {
                    shared = e.line();
                    if (e.held()) {
                        break;
                    }
                }
            }
            Map<String, LedgerRow.TargetState> states = new LinkedHashMap<>();
            List<String> names = new ArrayList<>(targets.keySet());
            for (String name : names) {
                LedgerEntry e = targets.get(name);
                states.put(name, new LedgerRow.TargetState(e.version(), e.held(), e.documentNumber(),
                        e.line().equals(shared) ? null : e.line()));
            }
            int i = 1;
            ps.setString(i++, company);
            ps.setString(i++, lineId);
            ps.setString(i++, shared.employeeNumber());
            ps.setObject(i++, shared.workDate(), java.sql.Types.DATE);
            ps.setString(i++, shared.wageType());
            ps.setString(i++, shared.projectNumber());
            ps.setString(i++, shared.taskNumber());
            ps.setString(i++, shared.department());
            ps.setString(i++, shared.text());
            ps.setBigDecimal(i++, shared.quantity());
            ps.setObject(i++, shared.sourceModified() == null ? null : shared.sourceModified().atOffset(java.time.ZoneOffset.UTC));
            ps.setString(i++, userId);
            ps.setString(i++, registrationEmployeeNumber);
            ps.setString(i++, sourceFields);
            ps.setString(i++, LedgerRow.encodeTargets(states));
            ps.setString(i++, LedgerRow.encodeStale(states));
            ps.setInt(i++, 1);
            ps.setString(i, runId);
            ps.addBatch();
        }
    }
}
