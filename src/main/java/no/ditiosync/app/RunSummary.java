package no.ditiosync.app;

import no.ditiosync.run.SyncRun;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;

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
        out.printf("Run %s (%s pass%s) succeeded in %.1f s%s%n", run.runId(), run.mode().name().toLowerCase(),
                company, took.toMillis() / 1000.0, run.failedFeeds().isEmpty() ? ""
                        : ", without feed " + String.join(", ", run.failedFeeds().keySet()));
        run.failedFeeds().forEach((feed, why) -> out.printf("  NOT DELIVERED: feed %s: %s%n", feed, why));
        // a payroll line counts as the parts it is stored as (overtime lines, deductions, ordinary hours)
        out.printf("  records read:  %d of %s on %d pages (%d deletions), %d users%n",
                run.recordsRead(), String.join(", ", run.deliveredFeeds()), run.pages(), run.deletedRead(), run.usersRead());
        out.println("  lines delivered:");
        run.linesByTarget().forEach((target, lines) -> out.printf("    %-6s %d%n", target, lines));
        out.printf("  quarantined:   %d%n", run.quarantinedCount());
        for (SyncRun.Quarantined q : run.quarantinedShown()) {
            out.printf("    %s: %s%n", q.recordId(), q.reason());
        }
        if (run.quarantinedCount() > run.quarantinedShown().size()) {
            out.printf("    … and %d more (see the quarantine table)%n", run.quarantinedCount() - run.quarantinedShown().size());
        }
        if (run.files().isEmpty()) {
            out.println("  files written: none (nothing to deliver)");
        } else {
            out.println("  files written:");
            for (Path f : run.files()) {
                out.println("    " + f);
            }
        }
    }
}
