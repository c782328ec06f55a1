package no.ditiosync.app;

import no.ditiosync.drops.TextCleaner;
import no.ditiosync.ledger.LedgerStore.HoursKey;
import no.ditiosync.run.SyncRun;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a reconcile found: per target and employee × work date × wage type, the hours Ditio holds now
 * (what payroll should hold after a full pass of the window) against the hours the ledger says the
 * target received. Ditio's hours are the ledger's plus the change the run's delta makes to the key,
 * so every difference is a line the delta delivers (or, without --deliver, would deliver).
 */
final class ReconcileReport {

    static final String HEADER = "company,target,employee_number,employee_name,work_date,wage_type,ditio_hours,"
            + "delivered_hours,difference";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /**
     * One drifting key of one target. {@code ditio} and {@code delivered} are null for a key outside the
     * window whose hours the run changed (a line Ditio moved into the window leaves it): the ledger was
     * read for the window only, so only the difference is known.
     */
    record Drift(String target, HoursKey key, BigDecimal ditio, BigDecimal delivered, BigDecimal difference) {
    }

    /** The reconcile's full pass: its window of work dates. */
    final SyncRun.Pass window;
    final int keysChecked;
    final List<Drift> drift;
    final TreeSet<HoursKey> driftingKeys = new TreeSet<>();

    private ReconcileReport(SyncRun.Pass window, int keysChecked, List<Drift> drift) {
        this.window = window;
        this.keysChecked = keysChecked;
        this.drift = drift;
        drift.forEach(d -> driftingKeys.add(d.key()));
    }

    static ReconcileReport of(SyncRun run) {
        SyncRun.Pass window = run.passes().stream().filter(SyncRun.Pass::delivers).findFirst().orElseThrow();
        Map<String, TreeMap<HoursKey, BigDecimal>> held = run.heldBefore();
        TreeSet<HoursKey> checked = new TreeSet<>();
        List<Drift> drift = new ArrayList<>();
        for (Map.Entry<String, TreeMap<HoursKey, BigDecimal>> target : held.entrySet()) {
            checked.addAll(target.getValue().keySet());
            TreeMap<HoursKey, BigDecimal> changed = run.hoursChanged().getOrDefault(target.getKey(), new TreeMap<>());
            for (Map.Entry<HoursKey, BigDecimal> c : changed.entrySet()) {
                if (c.getValue().signum() == 0) {
                    continue; // lines changed, the key's hours did not
                }
                checked.add(c.getKey());
                java.time.LocalDate day = c.getKey().workDate();
                if (day == null || day.isBefore(window.fromDate()) || day.isAfter(window.toDate())) {
                    drift.add(new Drift(target.getKey(), c.getKey(), null, null, c.getValue()));
                    continue;
                }
                BigDecimal delivered = target.getValue().getOrDefault(c.getKey(), BigDecimal.ZERO);
                drift.add(new Drift(target.getKey(), c.getKey(), delivered.add(c.getValue()), delivered, c.getValue()));
            }
        }
        return new ReconcileReport(window, checked.size(), drift);
    }

    boolean drifts() {
        return !drift.isEmpty();
    }

    /** Writes the drift as CSV into {@code folder} (owner-only), one row per drifting key and target. */
    Path write(Path folder, SyncRun run, Map<String, String> names) throws IOException {
        boolean posix = folder.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (posix) {
            Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectories(folder);
        }
        Path file = folder.resolve("reconcile_" + run.company() + "_" + STAMP.format(run.startedAt()) + "_" + run.runId() + ".csv");
        Path temp = folder.resolve("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        if (posix) {
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        try (BufferedWriter out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
            out.write(HEADER + "\r\n");
            for (Drift d : drift) {
                out.write(String.join(",", csv(run.company()), csv(d.target()), csv(d.key().employeeNumber()),
                        csv(names.get(d.key().employeeNumber())), d.key().workDate() == null ? "" : d.key().workDate().toString(),
                        csv(d.key().wageType()), hours(d.ditio()), hours(d.delivered()), hours(d.difference())) + "\r\n");
            }
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    /** The one-screen summary. */
    void print(SyncRun run, Path file, PrintStream out) {
        out.printf(Locale.ROOT, "Reconcile of company %s, work dates %s to %s (full pass of %s: %d records read)%s%n", run.company(),
                window.fromDate(), window.toDate(), String.join(", ", run.deliveredFeeds()), run.recordsRead(),
                run.dry() ? ": nothing committed, nothing delivered" : "");
        out.printf(Locale.ROOT, "  keys checked:   %d (employee × work date × wage type)%n", keysChecked);
        out.printf(Locale.ROOT, "  keys drifting:  %d%n", driftingKeys.size());
        Map<String, BigDecimal[]> byTarget = new LinkedHashMap<>();
        run.heldBefore().keySet().forEach(t -> byTarget.put(t, new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO}));
        Map<String, Integer> keysByTarget = new LinkedHashMap<>();
        for (Drift d : drift) {
            BigDecimal[] h = byTarget.get(d.target());
            h[0] = h[0].add(d.difference().abs());
            h[1] = h[1].add(d.difference());
            keysByTarget.merge(d.target(), 1, Integer::sum);
        }
        out.printf(Locale.ROOT, "  hours drifting: %s%n", byTarget.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()[0].setScale(2, java.math.RoundingMode.HALF_UP).toPlainString())
                .reduce((a, b) -> a + ", " + b).orElse("0"));
        if (drifts()) {
            out.printf(Locale.ROOT, "    %-10s %14s %15s %24s%n", "target", "keys drifting", "hours drifting", "net (Ditio - delivered)");
            byTarget.forEach((t, h) -> out.printf(Locale.ROOT, "    %-10s %14d %15s %24s%n", t, keysByTarget.getOrDefault(t, 0),
                    h[0].setScale(2, java.math.RoundingMode.HALF_UP).toPlainString(), PreviewSummary.signed(h[1])));
        }
        out.println("  drift report:   " + file);
    }

    private static String csv(String value) {
        return value == null ? "" : TextCleaner.quoteIfNeeded(TextCleaner.forSpreadsheet(value, Integer.MAX_VALUE), ',');
    }

    private static String hours(BigDecimal h) {
        return h == null ? "" : h.setScale(2, java.math.RoundingMode.HALF_UP).toPlainString();
    }
}
