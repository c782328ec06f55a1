package no.ditiosync.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Closed payroll periods (table {@code closed_period}): each closing the {@code close-period} command
 * made, with who made it and when, and each PAYROLL_CLOSED_THROUGH a committed run applied, with the
 * run and when. A company is closed through the latest date any closing names: a period, once paid
 * (or booked as closed), is never opened again by a later closing of an earlier date, nor by a setting
 * lowered or removed.
 */
public final class ClosedPeriodStore {

    /**
     * One closing: the last closed work date, who closed it and when.
     *
     * @param setting the variable a run applied it from (PAYROLL_CLOSED_THROUGH, or a company's own);
     *                null for a close-period closing
     */
    public record Closing(String company, LocalDate through, String closedBy, Instant closedAt, String setting) {

        /** A close-period closing. */
        public Closing(String company, LocalDate through, String closedBy, Instant closedAt) {
            this(company, through, closedBy, closedAt, null);
        }

        /** Where the closing comes from, as status and the log say it. */
        public String origin() {
            return setting == null ? "close-period by " + closedBy : "setting " + setting + " as " + closedBy + " applied it";
        }
    }

    private ClosedPeriodStore() {
    }

    public static void record(Connection c, Closing closing) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO closed_period (company, closed_through, closed_by, "
                + "closed_at, applied_setting) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, closing.company());
            ps.setObject(2, closing.through());
            ps.setString(3, closing.closedBy());
            ps.setObject(4, closing.closedAt().atOffset(ZoneOffset.UTC));
            ps.setString(5, closing.setting());
            ps.executeUpdate();
        }
    }

    /**
     * Keeps the setting a committing run applied, in its transaction, when it closes a later date than
     * anything kept: from then on it counts like a close-period, so lowering or removing the setting
     * cannot reopen days whose later lines were already booked as closed.
     *
     * @return whether it was kept (false: something kept already closes that date)
     */
    public static boolean keepApplied(Connection c, String company, LocalDate setting, String settingName, String runId,
                                      Instant committedAt) throws SQLException {
        if (setting == null) {
            return false;
        }
        Closing kept = latest(c, company);
        if (kept != null && !setting.isAfter(kept.through())) {
            return false;
        }
        record(c, new Closing(company, setting, "run " + runId, committedAt, settingName));
        return true;
    }

    /** The closing with the latest date for the company (the latest made among equal dates), or null. */
    public static Closing latest(Connection c, String company) throws SQLException {
        // SELECT *: status reads a state DB that this version has not upgraded yet (no applied_setting)
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM closed_period "
                + "WHERE company = ? ORDER BY closed_through DESC, closed_at DESC")) {
            ps.setString(1, company);
            ps.setMaxRows(1);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new Closing(company, rs.getObject("closed_through", LocalDate.class), rs.getString("closed_by"),
                        rs.getObject("closed_at", java.time.OffsetDateTime.class).toInstant(),
                        hasColumn(rs.getMetaData(), "applied_setting") ? rs.getString("applied_setting") : null);
            }
        }
    }

    private static boolean hasColumn(ResultSetMetaData meta, String name) throws SQLException {
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            if (meta.getColumnName(i).equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** The later of the setting (null: none) and the latest closing in the state DB; null when neither closes anything. */
    public static LocalDate effective(LocalDate setting, Closing recorded) {
        LocalDate stored = recorded == null ? null : recorded.through();
        if (setting == null) {
            return stored;
        }
        return stored == null || setting.isAfter(stored) ? setting : stored;
    }
}
