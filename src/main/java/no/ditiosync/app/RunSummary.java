package no.ditiosync.app;

import no.ditiosync.run.LineCounts;
import no.ditiosync.run.SyncRun;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The readable summary of a run, as sync --once and demo print it. */
public final class RunSummary {

    private RunSummary() {
    }

    /** The key of the one company of an installation that leaves PAYROLL_COMPANY at its default. */
    static final String UNNAMED_COMPANY = "company";

    public static void print(SyncRun run, PrintStream out) {
        Duration took = Duration.between(run.startedAt(), run.endedAt() == null ? java.time.Instant.now() : run.endedAt());
        // "company company" says nothing: a company is named only when it has a name of its own
        String company = run.company().equals(UNNAMED_COMPANY) ? "" : ", company " + run.company();
        // a reconcile --deliver run is a full pass of its window, but shows as a reconcile, as in status and its report
        String what = "reconcile".equals(run.loggedMode()) ? "reconcile" : run.mode().name().toLowerCase(Locale.ROOT) + " pass";
        List<String> without = run.feedsLeftOut();
        out.printf(Locale.ROOT, "Run %s (%s%s) succeeded in %.1f s%s%n", run.runId(), what, company, took.toMillis() / 1000.0,
                without.isEmpty() ? "" : ", without feed " + String.join(", ", without));
        run.failedFeeds().forEach((feed, why) -> out.printf(Locale.ROOT, "  %s: feed %s: %s%n",
                run.isReadInPart(feed) ? "NOT READ IN FULL" : "NOT DELIVERED", feed, why));
        // a payroll line counts as the parts it is stored as (overtime lines, deductions, ordinary hours)
        out.printf(Locale.ROOT, "  records read:  %d of %s on %d pages (%d deletions), %d users%n",
                run.recordsRead(), String.join(", ", run.deliveredFeeds()), run.pages(), run.deletedRead(), run.usersRead());
        printLines(run, out);
        if (!run.bookedLater().isEmpty()) {
            StringBuilder targets = new StringBuilder();
            run.bookedLater().forEach((t, n) -> targets.append(targets.length() == 0 ? "" : ", ").append(t).append(' ').append(n));
            out.printf(Locale.ROOT, "  booked on %s (closed through %s): lines of closed work dates, labelled with their work date: %s%n",
                    run.closedThrough().plusDays(1), run.closedThrough(), targets);
        }
        printQuarantine(run, out);
        printFiles(run.places(), "  files written: none (nothing to deliver)", "  files written:", out);
    }

    /** The files, one a line under {@code heading}; {@code none} alone when there are none. */
    static void printFiles(List<?> files, String none, String heading, PrintStream out) {
        if (files.isEmpty()) {
            out.println(none);
        } else {
            out.println(heading);
            for (Object f : files) {
                out.println("    " + f);
            }
        }
    }

    /**
     * Per target the lines in its drop, and what they were: new, corrections (of hours delivered before),
     * reversals (of lines deleted or no longer payroll-ready), released from quarantine (delivered now).
     * A correction for SAP is two lines in its file (cancellation and new document), one line here.
     */
    static void printLines(SyncRun run, PrintStream out) {
        out.printf(Locale.ROOT, "  lines:         %8s %8s %10s %9s %9s%n", "in drop", "new", "corrected", "reversed", "released");
        Map<String, long[]> kinds = run.lineCountsByTarget();
        java.util.Set<String> targets = new java.util.LinkedHashSet<>(run.linesByTarget().keySet());
        targets.addAll(kinds.keySet());
        for (String target : targets) {
            long[] n = kinds.getOrDefault(target, new long[4]);
            out.printf(Locale.ROOT, "    %-11s %8d %8d %10d %9d %9d%n", target, run.linesByTarget().getOrDefault(target, 0),
                    n[LineCounts.NEW], n[LineCounts.CORRECTED], n[LineCounts.REVERSED], n[LineCounts.RELEASED]);
        }
    }

    /** The quarantine after the run: newly quarantined, released and still open, each grouped by reason. */
    static void printQuarantine(SyncRun run, PrintStream out) {
        out.printf(Locale.ROOT, "  quarantine:    %d newly quarantined, %d released, %d still open%n", run.quarantineNew(),
                run.quarantineReleased(), run.quarantineOpen());
        printReasons("newly quarantined", run.quarantineNewByReason(), out);
        printReasons("released", run.quarantineReleasedByReason(), out);
        printReasons("still open", run.quarantineOpenByReason(), out);
        if (run.quarantineOpen() > 0) {
            out.println("    (every open record: status --quarantine)");
        }
    }

    private static void printReasons(String what, Map<String, Integer> reasons, PrintStream out) {
        if (reasons.isEmpty()) {
            return;
        }
        out.printf(Locale.ROOT, "    %s:%n", what);
        // a reason may quote what Ditio sent (a user id, a date as written)
        reasons.forEach((reason, n) -> out.printf(Locale.ROOT, "      %6d  %s%n", n, no.ditiosync.drops.TextCleaner.shown(reason)));
    }
}
