package no.ditiosync.state;

import no.ditiosync.ditio.DitioDates;
import no.ditiosync.ditio.DitioProject;
import no.ditiosync.ditio.DitioUser;
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

    private final StateDb db;
    private final String upsertUser;
    private final String upsertProject;

    public DirectoryStore(StateDb db) {
        this.db = db;
        upsertUser = db.dialect().upsert("ditio_user", List.of("company", "identity_user_id"),
                List.of("user_id", "employee_number", "department", "modified", "deleted", "name"));
        upsertProject = db.dialect().upsert("ditio_project", List.of("company", "project_id"),
                List.of("project_number", "name", "modified", "deleted"));
    }

    // ---- users --------------------------------------------------------------------------------

    /**
     * Stores a page of users. A known user whose lines may read otherwise now is flagged
     * {@code remap_pending} until a run commits, so the change reaches the user's delivered lines even
     * when the run that saw it fails: a department changed, or an employee number the user had changed
     * (a first number reaches no delivered line: the registrations of a user without one carried their
     * own, or waited in quarantine, which is mapped again every run).
     */
    public void upsertUsers(String company, List<DitioUser> users) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(upsertUser);
             PreparedStatement changed = c.prepareStatement("UPDATE ditio_user SET remap_pending = TRUE "
                     + "WHERE company = ? AND identity_user_id = ? AND ((employee_number IS NOT NULL "
                     + "AND employee_number IS DISTINCT FROM ?) OR department IS DISTINCT FROM ?)")) {
            Map<String, String> numberedProfiles = new HashMap<>();
            for (DitioUser u : users) {
                if (u.identityUserId != null && u.employeeNumber != null && !u.employeeNumber.isBlank()) {
                    numberedProfiles.put(u.identityUserId, u.id);
                }
            }
            for (DitioUser u : users) {
                if (u.identityUserId == null || u.identityUserId.isBlank() || u.identityUserId.length() > 64
                        || lacksTheNumberOfAnotherProfile(c, company, u, numberedProfiles)) {
                    continue;
                }
                // kept at the columns' widths: one odd user must not fail the page of users on every run (a number
                // that long is no employee number: its registrations are quarantined as such)
                String number = clip(u.employeeNumber, 64);
                String department = clip(u.department, 200);
                changed.setString(1, company);
                db.str(changed, 2, u.identityUserId);
                db.str(changed, 3, number);
                db.str(changed, 4, department);
                changed.addBatch();
                ps.setString(1, company);
                db.str(ps, 2, u.identityUserId);
                db.str(ps, 3, clip(u.id, 64));
                db.str(ps, 4, number);
                db.str(ps, 5, department);
                ps.setObject(6, odt(safeInstant(u.modifiedDateTime)));
                ps.setBoolean(7, u.isDeleted);
                db.str(ps, 8, clip(u.name, 200));
                ps.addBatch();
            }
            changed.executeBatch();
            ps.executeBatch();
        }
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    /**
     * /v1/user has one row per company profile, all under the user's identityUserId: a profile
     * without an employee number (the user's profile in a second company) must not erase the number
     * another profile gave, on this page or stored before. The same profile losing its number does.
     */
    private static boolean lacksTheNumberOfAnotherProfile(Connection c, String company, DitioUser u,
                                                          Map<String, String> numberedProfiles) throws SQLException {
        if (u.employeeNumber != null && !u.employeeNumber.isBlank()) {
            return false;
        }
        String onThisPage = numberedProfiles.get(u.identityUserId);
        if (onThisPage != null) {
            return !onThisPage.equals(u.id);
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT user_id, employee_number FROM ditio_user WHERE company = ? AND identity_user_id = ?")) {
            ps.setString(1, company);
            ps.setString(2, u.identityUserId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getString(2) != null && !rs.getString(2).isBlank()
                        && rs.getString(1) != null && !rs.getString(1).equals(u.id);
            }
        }
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

    /** The names of a company's employees by employee number, as last seen (a number given twice: the name last stored). */
    public Map<String, String> namesByEmployeeNumber(String company) throws SQLException {
        Map<String, String> names = new HashMap<>();
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT employee_number, name FROM ditio_user WHERE company = ? "
                     + "AND employee_number IS NOT NULL AND name IS NOT NULL ORDER BY modified")) {
            ps.setString(1, company);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.put(rs.getString(1), rs.getString(2));
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

    /** In the run's commit: the users' lines are mapped again. */
    public void mappedAgain(Connection c, String company) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE ditio_user SET remap_pending = FALSE WHERE company = ? AND remap_pending = TRUE")) {
            ps.setString(1, company);
            ps.executeUpdate();
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
