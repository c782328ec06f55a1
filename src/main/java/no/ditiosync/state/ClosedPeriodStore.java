package no.ditiosync.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Closed payroll periods, as the {@code close-period} command records them (table
 * {@code closed_period}): each closing is kept with who made it and when. A company is closed
 * through the latest date any closing names: a period, once paid, is never opened again by a later
 * closing of an earlier date.
 */
public final class ClosedPeriodStore {

    /** One closing: the last closed work date, who closed it and when. */
    public record Closing(String company, LocalDate through, String closedBy, Instant closedAt) {
    }

    private ClosedPeriodStore() {
    }

    public static void record(Connection c, Closing closing) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO closed_period (company, closed_through, closed_by, closed_at) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, closing.company());
            ps.setObject(2, closing.through());
            ps.setString(3, closing.closedBy());
            ps.setObject(4, closing.closedAt().atOffset(ZoneOffset.UTC));
            ps.executeUpdate();
        }
    }

    /** The closing with the latest date for the company (the latest made among equal dates), or null. */
    public static Closing latest(Connection c, String company) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT closed_through, closed_by, closed_at FROM closed_period "
                + "WHERE company = ? ORDER BY closed_through DESC, closed_at DESC")) {
            ps.setString(1, company);
            ps.setMaxRows(1);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Closing(company, rs.getObject(1, LocalDate.class), rs.getString(2),
                        rs.getObject(3, java.time.OffsetDateTime.class).toInstant()) : null;
            }
        }
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
