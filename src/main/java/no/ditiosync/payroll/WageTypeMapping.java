package no.ditiosync.payroll;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The customer's Ditio → payroll wage-type mapping (README, "The wage-type mapping"): a CSV of
 * {@code source,field,value,wageType}, first matching row wins, {@code *} matches anything.
 */
public final class WageTypeMapping {

    /** The record fields a row may test, per source; anything else is a typo we refuse at start-up. */
    private static final Map<String, Set<String>> FIELDS = Map.of(
            "time", Set.of("*", "taskWbsNumber", "projectNumber", "projectExternalNumber", "unitName", "resourceNumber"),
            "absence", Set.of("*", "absenceTypeCode"),
            "overtime", Set.of("*", "payrollTypeId", "lineType"));

    private record Rule(String source, String field, String value, String wageType, int line) {
        boolean matches(String src, Function<String, String> fieldValue) {
            if (!source.equals("*") && !source.equals(src)) {
                return false;
            }
            return field.equals("*") || value.equals("*") || value.equals(fieldValue.apply(field));
        }
    }

    private final List<Rule> rules;
    private final String origin;

    private WageTypeMapping(List<Rule> rules, String origin) {
        this.rules = rules;
        this.origin = origin;
    }

    public static WageTypeMapping load(Path file) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    }

    /** @throws IllegalArgumentException naming the line that is wrong */
    public static WageTypeMapping parse(List<String> lines, String origin) {
        List<Rule> rules = new ArrayList<>();
        boolean headerSeen = false;
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (n == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1).strip(); // a byte order mark, as spreadsheets save "CSV UTF-8"
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] cells = cells(line, origin, n + 1);
            if (!headerSeen) {
                headerSeen = true;
                if (String.join(",", cells).replace(" ", "").equalsIgnoreCase("source,field,value,wageType")) {
                    continue;
                }
                throw new IllegalArgumentException(origin + " line " + (n + 1) + ": expected the header 'source,field,value,wageType'");
            }
            if (cells.length != 4) {
                throw new IllegalArgumentException(origin + " line " + (n + 1) + ": expected 4 columns, found " + cells.length);
            }
            String source = cells[0].strip();
            String field = cells[1].strip();
            String wageType = cells[3].strip();
            if (!source.equals("*") && !FIELDS.containsKey(source)) {
                throw new IllegalArgumentException(origin + " line " + (n + 1) + ": unknown source '" + source + "' (time, absence, overtime or *)");
            }
            if (!source.equals("*") && !FIELDS.get(source).contains(field)) {
                throw new IllegalArgumentException(origin + " line " + (n + 1) + ": unknown field '" + field + "' for source " + source);
            }
            // a row of every source tests a field of at least one: a typo here would pass every record on to the rows below
            if (source.equals("*") && FIELDS.values().stream().noneMatch(fields -> fields.contains(field))) {
                throw new IllegalArgumentException(origin + " line " + (n + 1) + ": unknown field '" + field
                        + "' (no source has it)");
            }
            if (!wageType.matches("[A-Za-z0-9]{1,10}")) {
                throw new IllegalArgumentException(origin + " line " + (n + 1) + ": wage type '" + wageType + "' must be 1-10 letters or digits");
            }
            rules.add(new Rule(source, field, cells[2].strip(), wageType, n + 1));
        }
        if (rules.isEmpty()) {
            // an empty file (a save cut short, a deploy gone wrong) would quarantine every record and reverse all paid
            throw new IllegalArgumentException(origin + " holds no mapping rows" + (headerSeen ? " below its header" : "")
                    + ": every registration would be quarantined and every line delivered so far reversed");
        }
        return new WageTypeMapping(List.copyOf(rules), origin);
    }

    /**
     * A row's cells as a spreadsheet saves them (RFC 4180): a cell in double quotes may hold commas, and
     * {@code ""} in it is a quote. Unquoted, a cell is taken as written.
     */
    private static String[] cells(String line, String origin, int lineNumber) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted && ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                cell.append('"');
                i++;
            } else if (ch == '"' && (quoted || cell.toString().isBlank())) {
                quoted = !quoted;
            } else if (ch == ',' && !quoted) {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(ch);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException(origin + " line " + lineNumber + ": a quote opened and never closed");
        }
        cells.add(cell.toString());
        return cells.toArray(String[]::new);
    }

    public Optional<String> wageType(String source, Function<String, String> fieldValue) {
        for (Rule rule : rules) {
            if (rule.matches(source, fieldValue)) {
                return Optional.of(rule.wageType());
            }
        }
        return Optional.empty();
    }

    /** The fields the rows of {@code source} (or of any source) test, '*' left out. */
    public Set<String> testedFields(String source) {
        Set<String> fields = new java.util.LinkedHashSet<>();
        for (Rule rule : rules) {
            if ((rule.source().equals(source) || rule.source().equals("*")) && !rule.field().equals("*")) {
                fields.add(rule.field());
            }
        }
        return fields;
    }

    /** Every wage type the mapping can give, in file order, with the line it first appears on. */
    public Map<String, Integer> wageTypes() {
        Map<String, Integer> out = new java.util.LinkedHashMap<>();
        for (Rule rule : rules) {
            out.putIfAbsent(rule.wageType(), rule.line());
        }
        return out;
    }

    /**
     * SHA-256 of the rows as they map (source, field, value, wage type, in order): the same for a file
     * whose comments, blank lines or spacing alone changed, different when any row did.
     */
    public String digest() {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            for (Rule r : rules) {
                sha.update((r.source() + '\u0000' + r.field() + '\u0000' + r.value() + '\u0000' + r.wageType() + '\n')
                        .getBytes(StandardCharsets.UTF_8));
            }
            return java.util.HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    public String origin() {
        return origin;
    }
}
