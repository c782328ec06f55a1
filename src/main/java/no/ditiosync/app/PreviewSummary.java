package no.ditiosync.app;

import no.ditiosync.ledger.LedgerStore.HoursKey;
import no.ditiosync.run.LineCounts;
import no.ditiosync.run.SyncRun;
import no.ditiosync.state.OutboxStore;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** What {@code preview} prints: per target what the next run would deliver, and the net hours it would move. */
final class PreviewSummary {

    private PreviewSummary() {
    }

    /**
     * @param names    employee names by employee number (those not known are shown by number only)
     * @param waiting  drops an earlier run committed and the next run publishes first (not in the preview files)
     */
    static void print(SyncRun run, Map<String, String> names, List<OutboxStore.Entry> waiting, PrintStream out) {
        out.printf(Locale.ROOT, "Preview of company %s (%s): nothing committed, nothing delivered%n", run.company(), passes(run));
        out.printf(Locale.ROOT, "  records read:  %d of %s on %d pages (%d deletions), %d users%n", run.recordsRead(),
                String.join(", ", run.deliveredFeeds()), run.pages(), run.deletedRead(), run.usersRead());
        if (!waiting.isEmpty()) {
            out.printf(Locale.ROOT, "  NOTE: %s; the next run publishes them first (they are not in the preview files)%n",
                    DropsWaiting.named(waiting));
        }
        Map<String, long[]> counts = run.lineCountsByTarget();
        out.println("  what each target would receive:");
        out.printf(Locale.ROOT, "    %-10s %6s %10s %9s %9s %14s%n", "target", "new", "corrected", "reversed", "released", "lines in file");
        for (String target : run.linesByTarget().keySet()) {
            long[] n = counts.getOrDefault(target, new long[4]);
            out.printf(Locale.ROOT, "    %-10s %6d %10d %9d %9d %14d%n", target, n[LineCounts.NEW], n[LineCounts.CORRECTED],
                    n[LineCounts.REVERSED], n[LineCounts.RELEASED], run.linesByTarget().get(target));
        }
        printNetHours(run, names, out);
        out.printf(Locale.ROOT, "  quarantined:   %d record(s) would be held out of payroll%n", run.quarantinedCount());
        RunSummary.printFiles(run.files(), "  preview files: none (the next run would deliver nothing)",
                "  preview files (what the next sync --once would deliver, if Ditio does not change before it):", out);
    }

    private static String passes(SyncRun run) {
        List<String> each = new ArrayList<>();
        for (SyncRun.Pass p : run.passes()) {
            if (p.delivers()) {
                each.add(p.feed() + ": " + (p.mode() == SyncRun.Mode.FULL ? "full pass from " + p.fromDate()
                        : "changes since " + p.modifiedSince()));
            }
        }
        return String.join("; ", each);
    }

    /** One row per employee and wage type whose hours would change, one column per target. */
    private static void printNetHours(SyncRun run, Map<String, String> names, PrintStream out) {
        List<String> targets = new ArrayList<>(run.hoursChanged().keySet());
        TreeMap<String[], BigDecimal[]> rows = new TreeMap<>((a, b) -> {
            int c = compare(a[0], b[0]);
            return c != 0 ? c : compare(a[1], b[1]);
        });
        for (int t = 0; t < targets.size(); t++) {
            for (Map.Entry<HoursKey, BigDecimal> e : run.hoursChanged().get(targets.get(t)).entrySet()) {
                String[] key = {e.getKey().employeeNumber(), e.getKey().wageType()};
                rows.computeIfAbsent(key, k -> zeros(targets.size()))[t] =
                        rows.get(key)[t].add(e.getValue());
            }
        }
        rows.values().removeIf(v -> java.util.Arrays.stream(v).allMatch(h -> h.signum() == 0));
        if (rows.isEmpty()) {
            out.println("  net hours:     no employee's hours would change");
            return;
        }
        out.println("  net hours per employee and wage type:");
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "    %-36s %-10s", "employee", "wage type"));
        targets.forEach(t -> head.append(String.format(Locale.ROOT, " %10s", t)));
        out.println(head);
        rows.forEach((key, hours) -> {
            String name = no.ditiosync.drops.TextCleaner.shown(names.get(key[0])); // a name from Ditio, harmless to a terminal
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "    %-36s %-10s",
                    name == null ? no.ditiosync.drops.TextCleaner.shown(key[0])
                            : name + " (" + no.ditiosync.drops.TextCleaner.shown(key[0]) + ")", key[1]));
            for (BigDecimal h : hours) {
                row.append(String.format(Locale.ROOT, " %10s", signed(h)));
            }
            out.println(row);
        });
    }

    static String signed(BigDecimal h) {
        String plain = h.setScale(2, java.math.RoundingMode.HALF_UP).toPlainString();
        return h.signum() > 0 ? "+" + plain : plain;
    }

    private static BigDecimal[] zeros(int n) {
        BigDecimal[] z = new BigDecimal[n];
        java.util.Arrays.fill(z, BigDecimal.ZERO);
        return z;
    }

    private static int compare(String a, String b) {
        return a == null ? (b == null ? 0 : -1) : b == null ? 1 : a.compareTo(b);
    }
}
