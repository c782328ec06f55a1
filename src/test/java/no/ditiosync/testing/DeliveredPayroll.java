package no.ditiosync.testing;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * What payroll received, read the way a payroll system reads it: Visma and SAP drop files
 * (RFC 4180 quoting, their own encodings) and the active rows of payroll_line.
 */
public final class DeliveredPayroll {

    public static final String SAP_HEADER = "EXTSYSTEM;EXTDOCUMENTNO;STOKZ;PERNR;WORKDATE;LGART;CATSHOURS;MEINH;POSID;LTXA1";
    private static final Charset VISMA_CHARSET = Charset.forName("windows-1252");

    private DeliveredPayroll() {
    }

    /** The lines of a drop without its header. */
    public static List<String> body(Path file) throws IOException {
        if (file.getParent().getFileName().toString().equals("visma")) {
            return Files.readAllLines(file, VISMA_CHARSET);
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).as("SAP drop %s", file.getFileName()).isNotEmpty();
        assertThat(lines.get(0)).as("header of %s", file.getFileName()).isEqualTo(SAP_HEADER);
        return lines.subList(1, lines.size());
    }

    /** Every Visma line in the files, summed per employee and wage type (fields 3, 4, 6). */
    public static Map<String, BigDecimal> vismaTotals(List<Path> files) throws IOException {
        Map<String, BigDecimal> sums = new TreeMap<>();
        for (Path f : files) {
            for (String line : body(f)) {
                List<String> c = fields(line);
                assertThat(c).as("fields of Visma line '%s' in %s", line, f.getFileName()).hasSize(17);
                sums.merge(normalEmployee(c.get(2)) + "|" + c.get(3), new BigDecimal(c.get(5)), BigDecimal::add);
            }
        }
        return normalise(sums);
    }

    /**
     * SAP documents still standing after every cancellation in the files (oldest first), summed per
     * employee, day and wage type. A document delivered again while it stands, or a cancellation of
     * a document not standing, fails.
     */
    public static Map<String, BigDecimal> sapTotals(List<Path> files) throws IOException {
        Map<String, List<String>> standing = new LinkedHashMap<>();
        for (Path f : files) {
            for (String line : body(f)) {
                List<String> c = fields(line);
                assertThat(c).as("fields of SAP line '%s' in %s", line, f.getFileName()).hasSize(10);
                String document = c.get(1);
                if ("X".equals(c.get(2))) {
                    if (standing.remove(document) == null) {
                        fail("SAP cancellation of document %s in %s, which is not standing", document, f.getFileName());
                    }
                } else {
                    assertThat(c.get(2)).as("STOKZ in %s", f.getFileName()).isEmpty();
                    if (standing.put(document, c) != null) {
                        fail("SAP document %s delivered twice without a cancellation in between (again in %s)",
                                document, f.getFileName());
                    }
                }
            }
        }
        Map<String, BigDecimal> sums = new TreeMap<>();
        for (List<String> c : standing.values()) {
            String d = c.get(4);
            String date = d.substring(0, 4) + "-" + d.substring(4, 6) + "-" + d.substring(6);
            sums.merge(normalEmployee(c.get(3)) + "|" + date + "|" + c.get(5), new BigDecimal(c.get(6)), BigDecimal::add);
        }
        return normalise(sums);
    }

    /** Active rows of payroll_line in an H2 database (user sa), summed per employee, day and wage type. */
    public static Map<String, BigDecimal> jdbcTotals(String url) throws SQLException {
        return jdbcTotals(DriverManager.getConnection(url, "sa", ""));
    }

    /** Active rows of payroll_line in any test database, summed per employee, day and wage type. */
    public static Map<String, BigDecimal> jdbcTotals(TestDatabase db) throws SQLException {
        return jdbcTotals(db.connect());
    }

    /** Active rows of payroll_line, summed per employee, day and wage type; closes the connection. */
    public static Map<String, BigDecimal> jdbcTotals(Connection connection) throws SQLException {
        Map<String, BigDecimal> sums = new TreeMap<>();
        try (Connection c = connection;
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT employee_number, work_date, wage_type, quantity FROM payroll_line WHERE status = 'active'")) {
            while (rs.next()) {
                sums.merge(normalEmployee(rs.getString(1)) + "|" + rs.getDate(2).toLocalDate() + "|" + rs.getString(3),
                        rs.getBigDecimal(4), BigDecimal::add);
            }
        }
        return normalise(sums);
    }

    /** Equal sums, or a failure naming only the keys that differ (delivered vs truth). */
    public static void assertSums(String what, Map<String, BigDecimal> delivered, Map<String, BigDecimal> truth) {
        Map<String, String> differences = new TreeMap<>();
        Set<String> keys = new TreeSet<>(delivered.keySet());
        keys.addAll(truth.keySet());
        for (String k : keys) {
            BigDecimal d = delivered.getOrDefault(k, BigDecimal.ZERO);
            BigDecimal t = truth.getOrDefault(k, BigDecimal.ZERO);
            if (d.compareTo(t) != 0) {
                differences.put(k, "delivered " + d.toPlainString() + ", truth " + t.toPlainString());
            }
        }
        assertThat(differences).as("%s: keys where payroll differs from Ditio (of %d keys)", what, keys.size()).isEmpty();
    }

    /** Splits a {@code ;} line with RFC 4180 quoting ("" inside quotes is a quote). */
    public static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    field.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ';') {
                out.add(field.toString());
                field.setLength(0);
            } else {
                field.append(ch);
            }
        }
        out.add(field.toString());
        return out;
    }

    /** Employee numbers compare as numbers: SAP pads PERNR to 8 digits. */
    public static String normalEmployee(String number) {
        String s = number.strip();
        return s.matches("\\d+") ? new BigDecimal(s).toPlainString() : s;
    }

    /** Zero sums dropped, two decimals. */
    public static Map<String, BigDecimal> normalise(Map<String, BigDecimal> sums) {
        Map<String, BigDecimal> out = new TreeMap<>();
        sums.forEach((k, v) -> {
            if (v.signum() != 0) {
                out.put(k, v.setScale(2, RoundingMode.HALF_UP));
            }
        });
        return out;
    }
}
