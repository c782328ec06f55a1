package no.ditiosync.state;

import no.ditiosync.ditio.DitioDates;
import no.ditiosync.ditio.DitioProject;
import no.ditiosync.ditio.DitioUser;
import no.ditiosync.drops.TextCleaner;
import no.ditiosync.payroll.EmployeeDirectory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static no.ditiosync.state.StateDb.odt;

/** Every SQL statement of the users and projects Ditio's metadata passes bring ({@code ditio_user}, {@code ditio_project}). */
public final class DirectoryStore {

    /** The department columns' width (schema.sql, target-schema.sql). */
    public static final int DEPARTMENT_WIDTH = 200;

    private final StateDb db;
    private final String upsertUser;
    private final String upsertProfile;
    private final String upsertProject;

    public DirectoryStore(StateDb db) {
        this.db = db;
        upsertUser = upsertUser(db.dialect());
        upsertProfile = db.dialect().upsert("ditio_user_profile", List.of("company", "identity_user_id", "profile_id"),
                List.of("employee_number", "department", "modified", "deleted", "name"));
        upsertProject = db.dialect().upsert("ditio_project", List.of("company", "project_id"),
                List.of("project_number", "name", "modified", "deleted"));
    }

    // ---- users --------------------------------------------------------------------------------

    /**
     * Stores a page of users. A known user whose lines may read otherwise now is flagged
     * {@code remap_pending} until a run commits, so the change reaches the user's delivered lines even
     * when the run that saw it fails: a department changed, or an employee number the user had changed
     * (a first number reaches no delivered line: the registrations of a user without one carried their
     * own, or waited in quarantine, which is mapped again every run), or a first department of a user
     * whose lines were delivered before he was seen.
     *
     * @return the departments of the page longer than the {@value #DEPARTMENT_WIDTH} characters kept, as
     *         Ditio sent them: kept cleaned and cut (a cost label is no reason to hold back pay), and said
     */
    public List<String> upsertUsers(String company, List<DitioUser> users) throws SQLException {
        Set<String> identities = new LinkedHashSet<>();
        Set<String> cut = new java.util.TreeSet<>();
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(upsertProfile)) {
                for (DitioUser u : users) {
                    if (u.identityUserId == null || u.identityUserId.isBlank() || u.identityUserId.length() > 64) {
                        continue;
                    }
                    // kept at the columns' widths: one odd user must not fail the page of users on every run (a number
                    // that long is no employee number: its registrations are quarantined as such)
                    String number = u.employeeNumber == null || u.employeeNumber.isBlank() ? null : clip(u.employeeNumber, 64);
                    ps.setString(1, company);
                    db.str(ps, 2, u.identityUserId);
                    db.str(ps, 3, u.id == null ? "" : clip(u.id, 64));
                    db.str(ps, 4, number);
                    String department = u.department;
                    if (department != null && department.length() > DEPARTMENT_WIDTH) {
                        cut.add(department);
                        department = TextCleaner.cleanToUtf16Units(department, DEPARTMENT_WIDTH);
                    }
                    db.str(ps, 5, department);
                    ps.setObject(6, odt(safeInstant(u.modifiedDateTime)));
                    ps.setBoolean(7, u.isDeleted);
                    db.str(ps, 8, clip(u.name, 200));
                    ps.addBatch();
                    identities.add(db.dialect().storable(u.identityUserId));
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement(upsertUser)) {
                for (Profile p : firstRanking(c, company, identities)) {
                    ps.setString(1, company);
                    ps.setString(2, p.identityUserId());
                    ps.setString(3, p.profileId().isEmpty() ? null : p.profileId());
                    ps.setString(4, p.employeeNumber());
                    ps.setString(5, p.department());
                    ps.setObject(6, p.modified());
                    ps.setBoolean(7, p.deleted());
                    ps.setString(8, p.name());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
        return List.copyOf(cut);
    }

    private record Profile(String identityUserId, String profileId, String employeeNumber, String department,
                           java.time.OffsetDateTime modified, boolean deleted, String name) {
    }

    /**
     * Of each user's profiles, the one kept: one with an employee number before one without, then live
     * before deleted, then the smaller profile id. So a profile without a number never hides the number
     * another gives, and of two numbered profiles the same one is kept whatever the order of the pages and
     * runs that bring them (a flip would reverse the user's delivered lines and deliver them again under
     * the other number).
     */
    private static final java.util.Comparator<Profile> RANK = java.util.Comparator
            .comparing((Profile p) -> p.employeeNumber() == null)
            .thenComparing(Profile::deleted)
            .thenComparing(p -> p.profileId().isEmpty()) // a profile Ditio sent without an id: after the others
            .thenComparing(Profile::profileId);

    /** Looked up one user at a time along the key: a long IN list made H2 read every profile of the company. */
    private static List<Profile> firstRanking(Connection c, String company, Set<String> identities) throws SQLException {
        List<Profile> first = new java.util.ArrayList<>(identities.size());
        try (PreparedStatement ps = c.prepareStatement("SELECT identity_user_id, profile_id, employee_number, department, "
                + "modified, deleted, name FROM ditio_user_profile WHERE company = ? AND identity_user_id = ?")) {
            ps.setString(1, company);
            for (String identity : identities) {
                ps.setString(2, identity);
                Profile kept = null;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Profile p = new Profile(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getObject(5, java.time.OffsetDateTime.class), rs.getBoolean(6), rs.getString(7));
                        kept = kept == null || RANK.compare(p, kept) < 0 ? p : kept;
                    }
                }
                if (kept != null) {
                    first.add(kept);
                }
            }
        }
        return first;
    }

    /** Flagged for a remap when a kept number changes, or the department (see {@link #upsertUsers}). */
    private static String remap(String s) {
        return "CASE WHEN COALESCE(k.employee_number, '') <> '' AND k.employee_number IS DISTINCT FROM " + s + ".employee_number "
                + "OR k.department IS DISTINCT FROM " + s + ".department THEN TRUE ELSE k.remap_pending END";
    }

    private static final String USER_COLUMNS = "company, identity_user_id, user_id, employee_number, department, modified, deleted, name";

    /**
     * One row per user: its first ranking profile ({@link #RANK}) replaces what was kept. The kept row is
     * {@code k}; the row offered is {@code s} on H2, {@code EXCLUDED} on PostgreSQL.
     */
    private static String upsertUser(SqlDialect dialect) {
        String s = dialect == SqlDialect.H2 ? "s" : "EXCLUDED";
        String set = "user_id = " + s + ".user_id, employee_number = " + s + ".employee_number, department = " + s
                + ".department, modified = " + s + ".modified, deleted = " + s + ".deleted, name = " + s + ".name, "
                + "remap_pending = " + remap(s);
        return switch (dialect) {
            case H2 -> "MERGE INTO ditio_user k USING (VALUES (CAST(? AS VARCHAR(64)), CAST(? AS VARCHAR(64)), "
                    + "CAST(? AS VARCHAR(64)), CAST(? AS VARCHAR(64)), CAST(? AS VARCHAR(200)), "
                    + "CAST(? AS TIMESTAMP WITH TIME ZONE), CAST(? AS BOOLEAN), CAST(? AS VARCHAR(200)))) s(" + USER_COLUMNS + ") "
                    + "ON k.company = s.company AND k.identity_user_id = s.identity_user_id "
                    + "WHEN MATCHED THEN UPDATE SET " + set + " "
                    + "WHEN NOT MATCHED THEN INSERT (" + USER_COLUMNS + ", remap_pending) VALUES (s.company, s.identity_user_id, "
                    + "s.user_id, s.employee_number, s.department, s.modified, s.deleted, s.name, " + remapNew("s") + ")";
            // PostgreSQL names the row kept by its table and the one offered EXCLUDED; one statement per row of a batch
            // (WHERE TRUE: without it PostgreSQL would read ON CONFLICT as the ON of a join of the FROM)
            case POSTGRESQL -> "INSERT INTO ditio_user AS k (" + USER_COLUMNS + ", remap_pending) SELECT v.*, " + remapNew("v")
                    + " FROM (VALUES (CAST(? AS VARCHAR(64)), CAST(? AS VARCHAR(64)), CAST(? AS VARCHAR(64)), "
                    + "CAST(? AS VARCHAR(64)), CAST(? AS VARCHAR(200)), CAST(? AS TIMESTAMP WITH TIME ZONE), CAST(? AS BOOLEAN), "
                    + "CAST(? AS VARCHAR(200)))) v(" + USER_COLUMNS + ") WHERE TRUE "
                    + "ON CONFLICT (company, identity_user_id) DO UPDATE SET " + set;
        };
    }

    /**
     * A user first seen with a department who already has delivered lines (they carried his number: he
     * was made after a run's user pass, or /v1/user was not deployed) is flagged, so they get it.
     */
    private static String remapNew(String s) {
        return "CASE WHEN " + s + ".department IS NOT NULL AND EXISTS (SELECT 1 FROM ledger_user_lines u WHERE u.company = "
                + s + ".company AND u.user_id = " + s + ".identity_user_id) THEN TRUE ELSE FALSE END";
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    /** The employees of a company by identityUserId, as last seen; deleted users are kept as last known. */
    public Map<String, EmployeeDirectory.Employee> employees(String company) throws SQLException {
        Map<String, EmployeeDirectory.Employee> byId = new HashMap<>();
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT identity_user_id, employee_number, department FROM ditio_user WHERE company = ?")) {
            ps.setString(1, company);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byId.put(rs.getString(1), new EmployeeDirectory.Employee(rs.getString(2), rs.getString(3)));
                }
            }
        }
        return byId;
    }

    /**
     * The names of a company's employees by employee number, as last seen (a number given twice: the name
     * last stored); and where one of {@code shown} is no user's number now (it changed in Ditio since the
     * ledger delivered lines under it), the name of the user those lines are of: the officer's reports
     * still name the worker whose earlier lines they correct. Only then is the whole ledger read, once.
     */
    public Map<String, String> namesByEmployeeNumber(String company, java.util.Collection<String> shown) throws SQLException {
        Map<String, String> names = new HashMap<>();
        try (Connection c = db.connection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT employee_number, name FROM ditio_user WHERE company = ? "
                    + "AND employee_number IS NOT NULL AND name IS NOT NULL ORDER BY modified")) {
                ps.setString(1, company);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        names.put(rs.getString(1), rs.getString(2));
                    }
                }
            }
            if (names.keySet().containsAll(shown)) {
                return names;
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT l.employee_number, u.name FROM ledger_line l "
                    + "JOIN ditio_user u ON u.company = l.company AND u.identity_user_id = l.user_id "
                    + "WHERE l.company = ? AND l.employee_number IS NOT NULL AND u.name IS NOT NULL "
                    + "AND (u.employee_number IS NULL OR u.employee_number <> l.employee_number)")) {
                ps.setString(1, company);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        names.putIfAbsent(rs.getString(1), rs.getString(2));
                    }
                }
            }
        }
        return names;
    }

    /** The users whose delivered lines must be mapped again ({@link #upsertUsers}). */
    public Set<String> usersToMapAgain(String company) throws SQLException {
        Set<String> ids = new LinkedHashSet<>();
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT identity_user_id FROM ditio_user WHERE company = ? AND remap_pending = TRUE")) {
            ps.setString(1, company);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }

    /** In the run's commit: the users' lines are mapped again; whether any user was flagged. */
    public boolean mappedAgain(Connection c, String company) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE ditio_user SET remap_pending = FALSE WHERE company = ? AND remap_pending = TRUE")) {
            ps.setString(1, company);
            return ps.executeUpdate() > 0;
        }
    }

    // ---- projects -----------------------------------------------------------------------------

    /**
     * Stores a page of projects. A deleted project comes as its last version flagged deleted and is
     * kept so, number included: registrations made before still name it.
     */
    public void upsertProjects(String company, List<DitioProject> projects) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(upsertProject)) {
            for (DitioProject p : projects) {
                if (p.id == null || p.id.isBlank() || p.id.length() > 64) {
                    continue;
                }
                ps.setString(1, company);
                db.str(ps, 2, p.id);
                db.str(ps, 3, p.number == null || p.number.length() > 100 ? null : p.number);
                db.str(ps, 4, clip(p.name, 200));
                ps.setObject(5, odt(safeInstant(p.modifiedDateTime)));
                ps.setBoolean(6, p.isDeleted);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Project numbers of a company by project id, as last seen; deleted projects as last known. */
    public Map<String, String> projectNumbers(String company) throws SQLException {
        Map<String, String> byId = new HashMap<>();
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT project_id, project_number FROM ditio_project WHERE company = ?")) {
            ps.setString(1, company);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byId.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return byId;
    }

    private static Instant safeInstant(String text) {
        try {
            return DitioDates.instant(text);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
