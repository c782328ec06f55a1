package no.ditiosync.drops;

import no.ditiosync.payroll.PayrollLine;
import no.ditiosync.testing.TestDatabase;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The JDBC target's table on H2 and on PostgreSQL: a chunk of new keys is inserted, a chunk touching
 * rows the table holds is merged, and either way the table ends holding each line's latest row, once.
 */
class PayrollLineTableTest {

    private static final OffsetDateTime NOW = OffsetDateTime.of(2026, 12, 5, 12, 0, 0, 0, ZoneOffset.UTC);

    @Test
    void newKeysAreWrittenAndWritingAChunkAgainOrChangedGivesEachLineItsLatestRowOnce() throws Exception {
        PayrollLineTable table = new PayrollLineTable(h2("plain", null));
        table.merge(rows(table, Map.of("time:b", "7.50", "time:c", "2.00")));
        // again, one line changed and one new between them: the range holds rows, so it is merged
        table.merge(rows(table, Map.of("time:b", "7.50", "time:bb", "1.25", "time:c", "-2.00")));

        assertEquals(Map.of("time:b", "7.50", "time:bb", "1.25", "time:c", "-2.00"), quantities(table));
    }

    @Test
    void aKeyTheRangeProbeMissesStillLandsOnce() throws Exception {
        // under an English collation "a" sorts before "B", in Java's order after it: the probe between
        // the chunk's least and greatest id by Java's order ("B" and "a") finds nothing, the insert
        // then meets the row "a" the table holds
        PayrollLineTable table = new PayrollLineTable(h2("collated", "SET COLLATION ENGLISH"));
        table.merge(rows(table, Map.of("a", "1.00")));
        table.merge(rows(table, Map.of("a", "3.00", "B", "4.00")));

        assertEquals(Map.of("a", "3.00", "B", "4.00"), quantities(table));
    }

    @Test
    void onPostgresNewKeysAreCopiedInAndAKeyTheRangeProbeMissesStillLandsOnce() throws Exception {
        TestDatabase db = TestDatabase.postgres();
        DataSource ds = db.dataSource();
        PayrollLineTable table = new PayrollLineTable(ds);
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            // line ids under an ICU collation, as a customer's database may have them: "a" sorts before "B"
            s.execute("ALTER TABLE payroll_line ALTER COLUMN line_id TYPE VARCHAR(120) COLLATE \"en-x-icu\"");
        }
        table.copy(rows(table, Map.of("b", "7.50", "c", "2.00")));
        table.copy(rows(table, Map.of("b", "7.50", "bb", "1.25", "c", "-2.00")));
        table.copy(rows(table, Map.of("a", "1.00")));
        // by Java's order "B" .. "a": an empty range under the collation, so the COPY meets the row "a"
        table.copy(rows(table, Map.of("a", "3.00", "B", "4.00")));

        assertEquals(Map.of("a", "3.00", "B", "4.00", "b", "7.50", "bb", "1.25", "c", "-2.00"), quantities(table));
    }

    private static JdbcDataSource h2(String name, String firstStatement) throws Exception {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:payroll-line-" + name + "-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        if (firstStatement != null) {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute(firstStatement);
            }
        }
        return ds;
    }

    private static List<List<Object>> rows(PayrollLineTable table, Map<String, String> quantities) {
        List<List<Object>> rows = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(quantities).entrySet()) {
            PayrollLine line = new PayrollLine(e.getKey(), "1001", LocalDate.of(2026, 11, 2), "1000",
                    new BigDecimal(e.getValue()), "P-1", null, null, "Formwork", "time", e.getKey(),
                    Instant.parse("2026-11-03T07:00:00Z"));
            rows.add(table.parameters(new JdbcDropFile.Row(line, true, null), "acme", "run-1", NOW));
        }
        return rows;
    }

    private static Map<String, String> quantities(PayrollLineTable table) throws Exception {
        Map<String, String> q = new TreeMap<>();
        try (Connection c = table.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT line_id, quantity FROM payroll_line WHERE company = 'acme'")) {
            while (rs.next()) {
                String previous = q.put(rs.getString(1), rs.getBigDecimal(2).toPlainString());
                assertEquals(null, previous, "line " + rs.getString(1) + " twice");
            }
        }
        return q;
    }
}
