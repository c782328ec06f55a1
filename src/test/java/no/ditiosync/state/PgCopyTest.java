package no.ditiosync.state;

import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** On a real PostgreSQL: rows COPYed in are stored as the same rows bound to an INSERT are. */
class PgCopyTest {

    private static final List<List<Object>> ROWS = List.of(
            Arrays.asList(1, "plain", new BigDecimal("7.50"), LocalDate.of(2026, 11, 2),
                    OffsetDateTime.parse("2026-11-02T07:30:00Z")),
            Arrays.asList(2, "tab\there, line\nbreak, return\r, backslash \\ and \\N, ÆØÅ æøå", new BigDecimal("0.25"),
                    LocalDate.of(2026, 10, 19), OffsetDateTime.parse("2026-11-02T07:30:00.1234565Z")),
            Arrays.asList(3, null, new BigDecimal("-1.75"), null, null),
            Arrays.asList(4, "", new BigDecimal("10"), LocalDate.of(2026, 12, 31),
                    OffsetDateTime.parse("2026-12-31T23:59:59.9999995+01:00")),
            Arrays.asList(5, "half a microsecond down", new BigDecimal("1.00"), LocalDate.of(2026, 1, 1),
                    OffsetDateTime.parse("2026-11-02T07:30:00.000000499Z")));

    @Test
    void rowsCopiedInEqualTheSameRowsInsertedWithBoundParameters() throws Exception {
        TestDatabase db = TestDatabase.postgres();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            for (String table : List.of("copied", "bound")) {
                s.execute("CREATE TABLE " + table + " (id INTEGER PRIMARY KEY, text VARCHAR(200), hours DECIMAL(9,2), "
                        + "work_date DATE, modified TIMESTAMP WITH TIME ZONE)");
            }
            c.setAutoCommit(false);
            PgCopy copy = new PgCopy(ROWS.size());
            ROWS.forEach(copy::row);
            copy.into(c, "copied", "id, text, hours, work_date, modified");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO bound VALUES (?, ?, ?, ?, ?)")) {
                for (List<Object> row : ROWS) {
                    for (int i = 0; i < row.size(); i++) {
                        ps.setObject(i + 1, row.get(i));
                    }
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();

            assertThat(copy.rows()).isEqualTo(ROWS.size());
            List<String> copied = rows(c, "copied");
            assertThat(copied).hasSize(ROWS.size()).isEqualTo(rows(c, "bound"));
            assertThat(copied.get(1)).contains("tab\there, line\nbreak, return\r, backslash \\ and \\N, ÆØÅ æøå")
                    .contains("07:30:00.123457");
            assertThat(copied.get(2)).isEqualTo("3|null|-1.75|null|null");
        }
    }

    private static List<String> rows(Connection c, String table) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, text, hours, work_date, "
                     + "to_char(modified AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') FROM " + table + " ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getInt(1) + "|" + rs.getString(2) + "|" + rs.getBigDecimal(3) + "|" + rs.getDate(4) + "|"
                        + rs.getString(5));
            }
        }
        return rows;
    }
}
