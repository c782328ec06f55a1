package no.ditiosync.state;

import no.ditiosync.ditio.DitioDates;
import no.ditiosync.ditio.PageReader;
import no.ditiosync.ditio.TimeRegistration;
import no.ditiosync.drops.TextCleaner;
import no.ditiosync.payroll.PayrollDaySplitter;
import no.ditiosync.payroll.PayrollLineMapper;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import static no.ditiosync.state.StateDb.odt;

/**
 * Every SQL statement of the quarantine: records that cannot become a payroll line, as Ditio last
 * sent them and with why, so every run can map them again (the mapping or the user may be fixed by now).
 */
public final class QuarantineStore {

    /** A record held back, and why. */
    public record Held(TimeRegistration record, String reason) {
    }

    private static final List<String> KEY = List.of("company", "feed", "record_id");
    private static final List<String> COLUMNS = List.of("reason", "work_date", "user_id", "last_run_id", "work_date_text",
            "qty", "user_name", "user_employee_number", "project_number", "task_number", "description", "approved",
            "payroll_approved", "modified", "source_fields", "parent_id");

    private final StateDb db;
    private final String upsert;

    public QuarantineStore(StateDb db) {
        this.db = db;
        this.upsert = db.dialect().upsert("quarantine", KEY, COLUMNS);
    }

    /**
     * Puts records in quarantine, or keeps them there with their reason and content now; the run that
     * first held one is kept. A record already held as it is now is not written again: every run maps
     * the whole quarantine again, and rewriting what did not change cost each run a write per
     * quarantined record, whatever changed in Ditio. {@code last_run_id} is so the run that last put
     * the record in quarantine or found its reason or content changed.
     */
    public void hold(String company, String feed, String runId, List<Held> held) throws SQLException {
        if (held.isEmpty()) {
            return;
        }
        // each record's id as the table holds it, for the read and the write alike
        List<String> ids = held.stream().map(h -> storable(h.record().id)).toList();
        db.inTransaction(c -> {
            Map<String, Stored> stored = stored(c, company, feed, ids);
            List<String> firstHeld = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(upsert)) {
                for (int k = 0; k < held.size(); k++) {
                    String id = ids.get(k);
                    Row row = row(held.get(k));
                    Stored was = stored.get(id);
                    if (was != null && was.row().sameAs(row)) {
                        continue;
                    }
                    if (was == null || was.firstRunId() == null) {
                        firstHeld.add(id);
                    }
                    // a record twice on a page: the second is compared with the first, as written
                    stored.put(id, new Stored(row, was == null ? null : was.firstRunId()));
                    int i = 1;
                    ps.setString(i++, company);
                    ps.setString(i++, feed);
                    ps.setString(i++, id);
                    ps.setString(i++, row.reason());
                    ps.setObject(i++, row.workDate(), Types.DATE);
                    ps.setString(i++, row.userId());
                    ps.setString(i++, runId);
                    ps.setString(i++, row.workDateText());
                    ps.setBigDecimal(i++, row.qty());
                    ps.setString(i++, row.userName());
                    ps.setString(i++, row.employeeNumber());
                    ps.setString(i++, row.projectNumber());
                    ps.setString(i++, row.taskNumber());
                    ps.setString(i++, row.description());
                    ps.setBoolean(i++, row.approved());
                    ps.setBoolean(i++, row.payrollApproved());
                    ps.setObject(i++, odt(row.modified()));
                    ps.setString(i++, row.sourceFields());
                    ps.setString(i, row.parentId());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            // new rows: the upsert leaves first_run_id empty only where the row did not exist before
            try (PreparedStatement first = c.prepareStatement("UPDATE quarantine SET first_run_id = ? "
                    + "WHERE company = ? AND feed = ? AND record_id = ? AND first_run_id IS NULL")) {
                for (String id : firstHeld) {
                    first.setString(1, runId);
                    first.setString(2, company);
                    first.setString(3, feed);
                    first.setString(4, id);
                    first.addBatch();
                }
                first.executeBatch();
            }
        });
    }

    /**
     * Takes out the records first held by runs that did not commit (failed, or abandoned by a crash): a
     * run writes its quarantine as it reads, but what it found counts only if it commits. The next run
     * reads the same window again, and holds them anew, counted as its own. A run no watermark has
     * reached since its start is one that moved none: so a run that committed, and then failed to
     * publish, keeps its records, also one logged before the run log said what committed.
     *
     * @return how many were taken out
     */
    public int forgetUncommitted(String company) throws SQLException {
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM quarantine WHERE company = ? AND first_run_id IN "
                     + "(SELECT r.run_id FROM sync_run r WHERE r.company = ? AND r.committed = FALSE "
                     + "AND r.outcome IN ('failed', 'abandoned') AND NOT EXISTS (SELECT 1 FROM sync_watermark w "
                     + "WHERE w.company = r.company AND w.watermark >= r.started_at))")) {
            ps.setString(1, company);
            ps.setString(2, company);
            return ps.executeUpdate();
        }
    }

    /** What a quarantine row holds besides its key and the runs: what {@link #hold} writes, and compares before it does. */
    private record Row(String reason, LocalDate workDate, String userId, String workDateText, BigDecimal qty,
                       String userName, String employeeNumber, String projectNumber, String taskNumber,
                       String description, boolean approved, boolean payrollApproved, Instant modified,
                       String sourceFields, String parentId) {

        /** Equal as stored: the quantity by value (the column keeps 6 decimals), the time to the microsecond. */
        boolean sameAs(Row o) {
            return Objects.equals(reason, o.reason) && Objects.equals(workDate, o.workDate)
                    && Objects.equals(userId, o.userId) && Objects.equals(workDateText, o.workDateText)
                    && (qty == null ? o.qty == null : o.qty != null && qty.compareTo(o.qty) == 0)
                    && Objects.equals(userName, o.userName) && Objects.equals(employeeNumber, o.employeeNumber)
                    && Objects.equals(projectNumber, o.projectNumber) && Objects.equals(taskNumber, o.taskNumber)
                    && Objects.equals(description, o.description) && approved == o.approved
                    && payrollApproved == o.payrollApproved && Objects.equals(micros(modified), micros(o.modified))
                    && Objects.equals(sourceFields, o.sourceFields) && Objects.equals(parentId, o.parentId);
        }

        private static Instant micros(Instant t) {
            return t == null ? null : t.plusNanos(500).truncatedTo(ChronoUnit.MICROS);
        }
    }

    /** A row as the table holds it, and the run that first held it (empty in rows of older versions). */
    private record Stored(Row row, String firstRunId) {
    }

    private Row row(Held h) {
        TimeRegistration r = h.record();
        String reason = h.reason().length() > 500 ? h.reason().substring(0, 500) : h.reason();
        String userName = r.userName == null || r.userName.length() <= 200 ? r.userName : r.userName.substring(0, 200);
        return new Row(storable(reason), workDateOrNull(r.workDate), storable(r.userId), storable(r.workDate), r.qty,
                storable(userName), storable(r.userEmployeeNumber), storable(r.projectNumber), storable(r.taskWbsNumber),
                storable(r.description), r.approved, r.payrollApproved, safeInstant(r.modifiedDateTime),
                storable(r.storedFields()), storable(r.parentId));
    }

    private String storable(String value) {
        return db.dialect().storable(value);
    }

    /** A quarantine row by its key; {@link SqlDialect#forKeys} adds how the record ids are matched. */
    private static final String STORED = "SELECT record_id, reason, work_date, user_id, work_date_text, qty, user_name, "
            + "user_employee_number, project_number, task_number, description, approved, payroll_approved, modified, "
            + "source_fields, parent_id, first_run_id FROM quarantine WHERE company = ? AND feed = ? AND record_id ";

    /** The rows these record ids have in the quarantine now, by record id. */
    private Map<String, Stored> stored(Connection c, String company, String feed, List<String> ids) throws SQLException {
        Map<String, Stored> rows = new HashMap<>();
        db.dialect().forKeys(c, STORED, List.of(company, feed), ids, rs -> {
            Row row = new Row(rs.getString(2), rs.getObject(3, LocalDate.class), rs.getString(4), rs.getString(5),
                    rs.getBigDecimal(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                    rs.getString(11), rs.getBoolean(12), rs.getBoolean(13), StateDb.instant(rs, 14), rs.getString(15),
                    rs.getString(16));
            rows.put(rs.getString(1), new Stored(row, rs.getString(17)));
        });
        return rows;
    }

    /** The line ids ({@code feed:record_id}) of the feed's records in quarantine now. */
    public Set<String> lineIds(String company, String feed) throws SQLException {
        Set<String> ids = new LinkedHashSet<>();
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT record_id FROM quarantine WHERE company = ? AND feed = ?")) {
            ps.setString(1, company);
            ps.setString(2, feed);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(feed + ":" + rs.getString(1));
                }
            }
        }
        return ids;
    }

    /**
     * The line ids of the feed's records in quarantine now with a work date in {@code from..to}: those
     * a full pass over that window decides on (a reconcile of part of the time).
     */
    public Set<String> lineIds(String company, String feed, java.time.LocalDate from, java.time.LocalDate to)
            throws SQLException {
        Set<String> ids = new LinkedHashSet<>();
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT record_id FROM quarantine WHERE company = ? AND feed = ? "
                     + "AND work_date >= ? AND work_date <= ?")) {
            ps.setString(1, company);
            ps.setString(2, feed);
            ps.setObject(3, from, java.sql.Types.DATE);
            ps.setObject(4, to, java.sql.Types.DATE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(feed + ":" + rs.getString(1));
                }
            }
        }
        return ids;
    }

    /**
     * Reasons, as SQL LIKE patterns (no escape character but {@code !}), that only a new copy from
     * Ditio can change and that what the quarantine keeps of a record cannot tell again: the record
     * is not mapped again from it, where it would be paid. A field unreadable as sent; a
     * modifiedDateTime that did not parse (kept as none); a part of a payroll line held for what its
     * day held (PayrollDaySplitter); a value quoted with a NUL (PostgreSQL keeps it without one).
     */
    private static final List<String> HELD_AS_SENT = java.util.stream.Stream.concat(
            java.util.stream.Stream.of(PageReader.UNREADABLE + "%", PayrollLineMapper.UNPARSEABLE_MODIFIED + "%",
                    "%" + TextCleaner.shown(String.valueOf('\0')) + "%"),
            PayrollDaySplitter.DAY_REASONS_LIKE.stream()).toList();

    /**
     * The feed's quarantined records as Ditio last sent them, to map them again (a mapping, a user,
     * a setting may have changed); not those sent without an id or held for what only Ditio can
     * change ({@link #HELD_AS_SENT}): they wait until Ditio sends them anew.
     */
    public List<TimeRegistration> toMapAgain(String company, String feed) throws SQLException {
        List<TimeRegistration> out = new ArrayList<>();
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT record_id, work_date_text, qty, user_id, user_employee_number, "
                     + "project_number, task_number, description, approved, payroll_approved, modified, source_fields, "
                     + "parent_id, user_name FROM quarantine WHERE company = ? AND feed = ? AND reason <> ? "
                     + "AND work_date_text IS NOT NULL" + " AND reason NOT LIKE ? ESCAPE '!'".repeat(HELD_AS_SENT.size()))) {
            ps.setString(1, company);
            ps.setString(2, feed);
            ps.setString(3, PayrollLineMapper.MISSING_ID);
            for (int i = 0; i < HELD_AS_SENT.size(); i++) {
                ps.setString(4 + i, HELD_AS_SENT.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TimeRegistration r = TimeRegistration.of(feed);
                    r.id = rs.getString(1);
                    r.workDate = rs.getString(2);
                    r.qty = rs.getBigDecimal(3);
                    r.userId = rs.getString(4);
                    r.userEmployeeNumber = rs.getString(5);
                    r.projectNumber = rs.getString(6);
                    r.taskWbsNumber = rs.getString(7);
                    r.description = rs.getString(8);
                    r.approved = rs.getBoolean(9);
                    r.payrollApproved = rs.getBoolean(10);
                    Instant modified = StateDb.instant(rs, 11);
                    r.modifiedDateTime = modified == null ? null : DitioDates.format(modified);
                    r.restoreFields(rs.getString(12));
                    r.parentId = rs.getString(13);
                    r.userName = rs.getString(14);
                    r.mappedAgain = true;
                    out.add(r);
                }
            }
        }
        return out;
    }

    /** In the run's commit: these records left the quarantine (mapped to something else now, or gone from Ditio). */
    public void release(Connection c, String company, String feed, Collection<String> lineIds) throws SQLException {
        if (lineIds.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM quarantine WHERE company = ? AND feed = ? AND record_id = ?")) {
            int n = 0;
            for (String lineId : lineIds) {
                ps.setString(1, company);
                ps.setString(2, feed);
                db.str(ps, 3, lineId.substring(feed.length() + 1));
                ps.addBatch();
                if (++n % 1000 == 0) {
                    ps.executeBatch();
                }
            }
            ps.executeBatch();
        }
    }

    // values that name one record (ids, quoted values, dates, key=value) give way to "…", so records held
    // for the same reason count together
    private static final java.util.regex.Pattern GUID =
            java.util.regex.Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final java.util.regex.Pattern QUOTED = java.util.regex.Pattern.compile("'[^']*'");
    private static final java.util.regex.Pattern DATE = java.util.regex.Pattern.compile("\\b\\d{4}-\\d{2}-\\d{2}\\b");
    private static final java.util.regex.Pattern VALUE = java.util.regex.Pattern.compile("=[^,)\\s]+");
    private static final java.util.regex.Pattern HOURS = java.util.regex.Pattern.compile("^hours \\S+ ");

    /**
     * The reason a record is held, without what names the one record: {@code no employee number for
     * userId … (not on the registration, not in /v1/user)}. Records held for the same reason count together.
     */
    public static String reasonKind(String reason) {
        if (reason == null) {
            return "";
        }
        String kind = GUID.matcher(reason).replaceAll("…");
        kind = QUOTED.matcher(kind).replaceAll("'…'");
        kind = DATE.matcher(kind).replaceAll("…");
        kind = VALUE.matcher(kind).replaceAll("=…");
        return HOURS.matcher(kind).replaceFirst("hours … ");
    }

    /** Counts per reason kind, most first (then by reason), as the summaries print them. */
    public static Map<String, Integer> byCount(Map<String, Integer> counts) {
        Map<String, Integer> sorted = new java.util.LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /** The company's open quarantine, or the records a run held first ({@code firstRunId} not null), per reason kind. */
    public Map<String, Integer> reasons(Connection c, String company, String firstRunId) throws SQLException {
        Map<String, Integer> counts = new java.util.HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT reason, COUNT(*) FROM quarantine WHERE company = ?"
                + (firstRunId == null ? "" : " AND first_run_id = ?") + " GROUP BY reason")) {
            ps.setString(1, company);
            if (firstRunId != null) {
                ps.setString(2, firstRunId);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.merge(reasonKind(rs.getString(1)), rs.getInt(2), Integer::sum);
                }
            }
        }
        return byCount(counts);
    }

    /** Of the records about to be released (line ids per feed), how many per reason kind they were held for. */
    public Map<String, Integer> releasedReasons(Connection c, String company, Map<String, java.util.Set<String>> released)
            throws SQLException {
        Map<String, Integer> counts = new java.util.HashMap<>();
        if (released.values().stream().allMatch(java.util.Set::isEmpty)) {
            return counts;
        }
        // one scan of the company's quarantine rather than a query per record
        try (PreparedStatement ps = c.prepareStatement("SELECT feed, record_id, reason FROM quarantine WHERE company = ?")) {
            ps.setString(1, company);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    java.util.Set<String> ids = released.get(rs.getString(1));
                    if (ids != null && ids.contains(rs.getString(1) + ":" + rs.getString(2))) {
                        counts.merge(reasonKind(rs.getString(3)), 1, Integer::sum);
                    }
                }
            }
        }
        return byCount(counts);
    }

    /** Records of the company a run put in quarantine for the first time. */
    public int heldFirstBy(Connection c, String company, String runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM quarantine WHERE company = ? AND first_run_id = ?")) {
            ps.setString(1, company);
            ps.setString(2, runId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Records of the company in quarantine now. */
    public int open(Connection c, String company) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM quarantine WHERE company = ?")) {
            ps.setString(1, company);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static LocalDate workDateOrNull(String text) {
        try {
            return DitioDates.date(text);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Instant safeInstant(String text) {
        try {
            return DitioDates.instant(text);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
