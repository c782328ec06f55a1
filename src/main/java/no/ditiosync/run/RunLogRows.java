package no.ditiosync.run;

import no.ditiosync.state.RunStore;

/** A run as its row of the run log: when it started, and how it ended. */
final class RunLogRows {

    private RunLogRows() {
    }

    static RunStore.Run row(SyncRun run) {
        return new RunStore.Run(run.runId(), run.company(), run.feed(),
                run.mode() == null ? "-" : run.loggedMode(), run.startedAt(), run.scheduledFor());
    }

    static RunStore.Outcome outcome(SyncRun run, String outcome, String message, boolean committed) {
        return new RunStore.Outcome(run.endedAt(), outcome, committed, run.pages(), run.recordsRead(),
                run.deletedRead(), run.linesSummary(), committed ? run.quarantinedCount() : 0, committed ? run.lineCounts() : null,
                committed ? run.quarantineCounts() : null, message);
    }
}
