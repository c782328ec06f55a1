package no.ditiosync.run;

/**
 * Told once when a run ends, after its outcome is in the run log and its lock is released: the
 * metrics and the run report hang here. Must not throw; a failing observer never fails a run.
 */
public interface RunObserver {

    RunObserver NONE = new RunObserver() {
        @Override
        public void runSucceeded(SyncRun run) {
        }

        @Override
        public void runFailed(SyncRun run, String message) {
        }
    };

    /** A run not started: another run of the company's feed was still busy (not a failure). */
    default void runSkipped(String company, String feed) {
    }

    void runSucceeded(SyncRun run);

    /** @param message why it failed, as the run log has it */
    void runFailed(SyncRun run, String message);
}
