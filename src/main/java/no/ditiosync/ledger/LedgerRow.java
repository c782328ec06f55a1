package no.ditiosync.ledger;

import no.ditiosync.payroll.PayrollLine;

import java.math.BigDecimal;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of the export ledger: the payroll line as last delivered, what each target holds of it,
 * and the mapping inputs that let the line be mapped again when its user's employee number or
 * department changes. One row per line whatever the number of targets (table {@code ledger_line}).
 *
 * <p>Every target that holds the line holds {@link #line()}: all targets of a run get every change
 * together. A target switched off keeps what it held; when the line moves on without it, its own
 * line is kept beside ({@link TargetState#staleLine}), so its corrections stay exact once it is on again.
 */
public final class LedgerRow {

    /**
     * What one target holds of the line.
     *
     * @param version        the target's own version of the line (SAP's document numbers count it)
     * @param held           whether the target holds the line's hours (false: delivered, then reversed)
     * @param documentNumber SAP's EXTDOCUMENTNO of the version held, else null
     * @param staleLine      the line this target holds when it differs from the row's, else null
     */
    public record TargetState(int version, boolean held, String documentNumber, PayrollLine staleLine) {
    }

    private final String lineId;
    private final PayrollLine line;
    private final String userId;
    private final String registrationEmployeeNumber;
    private final String sourceFields;
    private final Map<String, TargetState> targets;
    private final int version;
    private final String runId;

    public LedgerRow(String lineId, PayrollLine line, String userId, String registrationEmployeeNumber,
                     String sourceFields, Map<String, TargetState> targets, int version, String runId) {
        this.lineId = lineId;
        this.line = line;
        this.userId = userId;
        this.registrationEmployeeNumber = registrationEmployeeNumber;
        this.sourceFields = sourceFields;
        this.targets = Collections.unmodifiableMap(new LinkedHashMap<>(targets));
        this.version = version;
        this.runId = runId;
    }

    public String lineId() { return lineId; }
    public PayrollLine line() { return line; }
    public String userId() { return userId; }
    /** The employee number the registration itself carried (null: it came from /v1/user). */
    public String registrationEmployeeNumber() { return registrationEmployeeNumber; }
    /** The mapping codes and project id, as {@code TimeRegistration.storedFields()} writes them. */
    public String sourceFields() { return sourceFields; }
    public Map<String, TargetState> targets() { return targets; }
    /** The row's version: every write adds one, and a write expects the version it read. */
    public int version() { return version; }
    /** The run that last changed the row. */
    public String runId() { return runId; }

    /** What {@code target} holds, or null when it never received the line. */
    public LedgerEntry entry(String target) {
        TargetState s = targets.get(target);
        if (s == null) {
            return null;
        }
        return new LedgerEntry(s.staleLine() != null ? s.staleLine() : line, s.held(), s.documentNumber(), s.version());
    }

    /** Whether any target holds hours of the line. */
    public boolean heldAnywhere() {
        return heldIn(targets.keySet());
    }

    /**
     * Whether one of {@code among} holds hours of the line and none of them took it back: they disagree only
     * when one was switched off while the others' lines changed, and then the one switched on again is stale
     * until a reconcile brings it up to date.
     */
    public boolean standsIn(java.util.Collection<String> among) {
        for (String t : among) {
            LedgerEntry e = entry(t);
            if (e != null && !e.held()) {
                return false;
            }
        }
        return heldIn(among);
    }

    /** Whether one of {@code among} holds hours of the line. */
    public boolean heldIn(java.util.Collection<String> among) {
        for (String t : among) {
            LedgerEntry e = entry(t);
            if (e != null && e.holdsHours()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The row after a run changed what some targets hold.
     *
     * @param changed target → what it holds from now on (targets whose delta was nothing are left out)
     * @param inputs  the record's mapping inputs now (its line when it is ready), or null to keep the row's
     */
    public static LedgerRow next(String lineId, LedgerRow before, Map<String, LedgerEntry> changed, MappingInputs inputs,
                                 String runId) {
        PayrollLine sharedNow = before == null ? null : before.line;
        // the row's line is what the changed targets hold now: they all got the same change
        for (LedgerEntry e : changed.values()) {
            sharedNow = e.line();
            if (e.held()) {
                break;
            }
        }
        return next(lineId, before, changed, sharedNow, inputs, runId);
    }

    /**
     * The row after a run that decided its line without changing what any of its targets holds (it wants
     * none, and they hold none; or its change is in what their files do not show, a department and SAP; or
     * it is a worker's move and they never had the line), each keeping what it holds: the run is the row's
     * last, so a target switched off that holds the line gets the decision once it is on again
     * ({@link CatchUp}).
     *
     * @param wanted the line the run wants, null for none
     * @param inputs its mapping inputs (null: the row's kept)
     */
    public static LedgerRow decided(LedgerRow before, PayrollLine wanted, MappingInputs inputs, String runId,
                                    java.util.Collection<String> runTargets) {
        Map<String, LedgerEntry> decided = new LinkedHashMap<>();
        if (wanted == null) {
            // it wants none: a target of the run that never received the line says so (taken back, as none), or
            // one switched on again would take the row's line for the run's decision
            for (String target : runTargets) {
                if (before.entry(target) == null) {
                    decided.put(target, new LedgerEntry(before.line, false, null, 0));
                }
            }
        }
        return next(before.lineId, before, decided, wanted == null ? before.line : wanted, inputs, runId);
    }

    private static LedgerRow next(String lineId, LedgerRow before, Map<String, LedgerEntry> changed, PayrollLine shared,
                                  MappingInputs inputs, String runId) {
        Map<String, TargetState> states = new LinkedHashMap<>();
        if (before != null) {
            for (Map.Entry<String, TargetState> s : before.targets.entrySet()) {
                if (changed.containsKey(s.getKey())) {
                    continue;
                }
                // a target the run left alone keeps its line, written beside the row's when the row's moves on
                LedgerEntry held = before.entry(s.getKey());
                PayrollLine stale = samePayrollLine(held.line(), shared) ? null : held.line();
                states.put(s.getKey(), new TargetState(held.version(), held.held(), held.documentNumber(), stale));
            }
        }
        changed.forEach((t, e) -> states.put(t, new TargetState(e.version(), e.held(), e.documentNumber(),
                samePayrollLine(e.line(), shared) ? null : e.line())));
        MappingInputs kept = inputs != null ? inputs
                : before == null ? MappingInputs.NONE
                : new MappingInputs(before.userId, before.registrationEmployeeNumber, before.sourceFields);
        return new LedgerRow(lineId, shared, kept.userId(), kept.registrationEmployeeNumber(), kept.sourceFields(),
                states, before == null ? 1 : before.version + 1, runId);
    }

    /** Same line in every field a target was given (lineage included): the row's line serves for both. */
    static boolean samePayrollLine(PayrollLine a, PayrollLine b) {
        return a == b || a != null && a.equals(b);
    }

    /** What the mapper needs besides the line to map a record again: its user and codes. */
    public record MappingInputs(String userId, String registrationEmployeeNumber, String sourceFields) {
        public static final MappingInputs NONE = new MappingInputs(null, null, null);
    }

    // ---- the targets column: "visma:3:H;sap:2:R:0AB12CD34EF56-2", stale lines in their own column -------------

    /** {@code name:version:H|R[:document]} per target, {@code ;} between them. */
    public static String encodeTargets(Map<String, TargetState> targets) {
        StringBuilder out = new StringBuilder(targets.size() * 12);
        targets.forEach((name, s) -> {
            if (out.length() > 0) {
                out.append(';');
            }
            out.append(name).append(':').append(s.version()).append(':').append(s.held() ? 'H' : 'R');
            if (s.documentNumber() != null) {
                out.append(':').append(s.documentNumber());
            }
        });
        return out.toString();
    }

    /** The width of column {@code stale_lines} (schema.sql). */
    static final int STALE_WIDTH = 20_000;

    /**
     * The stale lines of the targets that have one ({@code name=fields&...}), or null when none has. Where
     * they would not fit the column (a long description of non-Latin letters, which URL-encoding makes up to
     * nine times as long, in a copy for each target that does not show a department: SAP's after a worker's
     * move), each copy's text is cut to its share. A stale copy's text is only written into a reversal or a
     * cancellation of the line: SAP cuts it to 40 characters, Tripletex to 100; the CSV and payroll_line,
     * which keep it whole, have a stale copy only while switched off.
     */
    public static String encodeStale(Map<String, TargetState> targets) {
        Map<String, String> stale = null; // most rows have none: nothing made for them (every row written asks)
        for (Map.Entry<String, TargetState> s : targets.entrySet()) {
            if (s.getValue().staleLine() != null) {
                stale = stale == null ? new LinkedHashMap<>() : stale;
                stale.put(s.getKey(), encodeLine(s.getValue().staleLine()));
            }
        }
        if (stale == null) {
            return null;
        }
        String whole = joined(stale);
        if (whole.length() <= STALE_WIDTH) {
            return whole;
        }
        int share = STALE_WIDTH / stale.size() - 1;
        stale.replaceAll((name, encoded) -> {
            PayrollLine line = targets.get(name).staleLine();
            if (name.length() + 1 + encoded.length() <= share || line.text() == null) {
                return encoded;
            }
            // the text's room; a code point is at most four bytes of UTF-8, each written %XX: twelve characters
            int room = share - name.length() - 1 - encodeLine(line.withText(null)).length();
            String text = line.text();
            int keep = Math.min(Math.max(0, room) / 12, text.codePointCount(0, text.length()));
            return encodeLine(line.withText(text.substring(0, text.offsetByCodePoints(0, keep))));
        });
        return joined(stale);
    }

    private static String joined(Map<String, String> encodedByTarget) {
        StringBuilder out = new StringBuilder();
        encodedByTarget.forEach((name, encoded) -> out.append(out.length() == 0 ? "" : "\n").append(name).append('=').append(encoded));
        return out.toString();
    }

    public static Map<String, TargetState> decodeTargets(String targets, String stale) {
        Map<String, PayrollLine> staleLines = new LinkedHashMap<>();
        if (stale != null && !stale.isEmpty()) {
            for (String entry : stale.split("\n")) {
                int eq = entry.indexOf('=');
                staleLines.put(entry.substring(0, eq), decodeLine(entry.substring(eq + 1)));
            }
        }
        Map<String, TargetState> out = new LinkedHashMap<>();
        if (targets == null || targets.isEmpty()) {
            return out;
        }
        for (String entry : targets.split(";")) {
            String[] p = entry.split(":", 4);
            out.put(p[0], new TargetState(Integer.parseInt(p[1]), p[2].equals("H"), p.length > 3 ? p[3] : null,
                    staleLines.get(p[0])));
        }
        return out;
    }

    private static final String[] NO_FIELDS = {};

    static String encodeLine(PayrollLine l) {
        String[] f = {l.lineId(), l.employeeNumber(), l.workDate() == null ? null : l.workDate().toString(), l.wageType(),
                l.quantity() == null ? null : l.quantity().toPlainString(), l.projectNumber(), l.taskNumber(), l.department(),
                l.text(), l.source(), l.sourceId(), l.sourceModified() == null ? null : l.sourceModified().toString()};
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < f.length; i++) {
            out.append(i == 0 ? "" : "&").append(f[i] == null ? "~" : URLEncoder.encode(f[i], StandardCharsets.UTF_8));
        }
        return out.toString();
    }

    static PayrollLine decodeLine(String encoded) {
        String[] f = encoded.split("&", -1);
        for (int i = 0; i < f.length; i++) {
            f[i] = f[i].equals("~") ? null : URLDecoder.decode(f[i], StandardCharsets.UTF_8);
        }
        return new PayrollLine(f[0], f[1], f[2] == null ? null : LocalDate.parse(f[2]), f[3],
                f[4] == null ? null : new BigDecimal(f[4]), f[5], f[6], f[7], f[8], f[9], f[10],
                f[11] == null ? null : Instant.parse(f[11]));
    }
}
