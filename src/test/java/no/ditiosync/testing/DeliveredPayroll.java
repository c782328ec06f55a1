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
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * What payroll received, read the way a payroll system reads it: Visma, SAP, Tripletex and generic
 * CSV drop files (RFC 4180 quoting, their own encodings) and the active rows of payroll_line.
 */
public final class DeliveredPayroll {

    public static final String SAP_HEADER = "EXTSYSTEM;EXTDOCUMENTNO;STOKZ;PERNR;WORKDATE;LGART;CATSHOURS;MEINH;POSID;LTXA1";
    public static final String CSV_HEADER = "lineId,employeeNumber,workDate,wageType,quantity,projectNumber,taskNumber,"
            + "department,text,source,sourceId,sourceModified,bookedDate";
    private static final Charset VISMA_CHARSET = Charset.forName("windows-1252");

    private DeliveredPayroll() {
    }

    /** The lines of a drop without its header, in its target's default encoding (the name of its folder). */
    public static List<String> body(Path file) throws IOException {
        return body(file, file.getParent().getFileName().toString().equals("visma") ? VISMA_CHARSET : StandardCharsets.UTF_8);
    }

    /**
     * The lines of a drop without its header (Visma and Tripletex have none; the CSV's and SAP's,
     * any other folder's, are checked here), decoded strictly in {@code charset}: bytes that are
     * not text in that encoding fail.
     */
    public static List<String> body(Path file, Charset charset) throws IOException {
        List<String> lines = Files.readAllLines(file, charset);
        String header = switch (file.getParent().getFileName().toString()) {
            case "visma", "tripletex" -> null;
            case "csv" -> CSV_HEADER;
            default -> SAP_HEADER;
        };
        if (header == null) {
            return lines;
        }
        assertThat(lines).as("drop %s", file.getFileName()).isNotEmpty();
        assertThat(lines.get(0)).as("header of %s", file.getFileName()).isEqualTo(header);
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

    /**
     * The fields of every Tripletex line in the files, read in {@code charset}:
     * YEAR;MONTH;EMPLOYEE NUMBER;WAGE TYPE NUMBER;COMMENT;QUANTITY;RATE;PROJECT NUMBER;DEPARTMENT NUMBER,
     * checked to have nine fields, a four-digit year, a two-digit month and an empty rate.
     */
    public static List<List<String>> tripletexLines(List<Path> files, Charset charset) throws IOException {
        List<List<String>> out = new ArrayList<>();
        for (Path f : files) {
            for (String line : body(f, charset)) {
                List<String> c = fields(line);
                assertThat(c).as("fields of Tripletex line '%s' in %s", line, f.getFileName()).hasSize(9);
                assertThat(c.get(0) + ";" + c.get(1)).as("YEAR;MONTH of '%s' in %s", line, f.getFileName())
                        .matches("\\d{4};(0[1-9]|1[0-2])");
                assertThat(c.get(6)).as("RATE of '%s' in %s", line, f.getFileName()).isEmpty();
                out.add(c);
            }
        }
        return out;
    }

    /** Every Tripletex line in the files, summed per employee and wage type (fields 3, 4, 6), as Visma is. */
    public static Map<String, BigDecimal> tripletexTotals(List<Path> files, Charset charset) throws IOException {
        return sum(tripletexLines(files, charset), c -> normalEmployee(c.get(2)) + "|" + c.get(3), c -> c.get(5));
    }

    /** Every Tripletex line in the files, summed per employee, payroll period ({@code yyyy-MM}) and wage type. */
    public static Map<String, BigDecimal> tripletexMonthTotals(List<Path> files, Charset charset) throws IOException {
        return sum(tripletexLines(files, charset), c -> normalEmployee(c.get(2)) + "|" + c.get(0) + "-" + c.get(1) + "|" + c.get(3),
                c -> c.get(5));
    }

    /**
     * The rows of the generic CSV drops (UTF-8, header checked, {@code ,} with RFC 4180 quoting), each
     * as field name to value in the order of {@link #CSV_HEADER}.
     */
    public static List<Map<String, String>> csvRows(List<Path> files) throws IOException {
        List<String> names = fields(CSV_HEADER, ',');
        List<Map<String, String>> out = new ArrayList<>();
        for (Path f : files) {
            for (String line : body(f, StandardCharsets.UTF_8)) {
                List<String> c = fields(line, ',');
                assertThat(c).as("fields of CSV line '%s' in %s", line, f.getFileName()).hasSameSizeAs(names);
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 0; i < names.size(); i++) {
                    row.put(names.get(i), c.get(i));
                }
                out.add(row);
            }
        }
        return out;
    }

    /** Every CSV line in the files, summed per employee, day and wage type. */
    public static Map<String, BigDecimal> csvTotals(List<Path> files) throws IOException {
        return sum(csvRows(files), r -> normalEmployee(r.get("employeeNumber")) + "|" + r.get("workDate") + "|" + r.get("wageType"),
                r -> r.get("quantity"));
    }

    /**
     * Every CSV line in the files, summed per lineId, employee, day and wage type: the offsets of a
     * line sum to what payroll holds for it now, under its own lineId.
     */
    public static Map<String, BigDecimal> csvLineTotals(List<Path> files) throws IOException {
        return sum(csvRows(files), r -> r.get("lineId") + "|" + normalEmployee(r.get("employeeNumber")) + "|"
                + r.get("workDate") + "|" + r.get("wageType"), r -> r.get("quantity"));
    }

    /** Quantities summed per key, normalised. */
    private static <T> Map<String, BigDecimal> sum(List<T> lines, Function<T, String> key, Function<T, String> quantity) {
        Map<String, BigDecimal> sums = new TreeMap<>();
        for (T line : lines) {
            sums.merge(key.apply(line), new BigDecimal(quantity.apply(line)), BigDecimal::add);
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
        return fields(line, ';');
    }

    /** Splits a line at {@code separator} with RFC 4180 quoting ("" inside quotes is a quote). */
    public static List<String> fields(String line, char separator) {
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
            } else if (ch == separator) {
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
