package no.ditiosync.run;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The runs in progress in this process, one per company at most (the feed lock), from the start that
 * planned each to the end or failure that releases it; and who is told when a run ends.
 */
public final class RunsInProgress {

    // guarded by itself: a stop waits on it until the last run has ended
    private final Map<String, SyncRun> running = new HashMap<>();
    private volatile RunObserver observer = RunObserver.NONE;

    /** Told about every run that ends (metrics, run reports). */
    public void setRunObserver(RunObserver observer) {
        this.observer = observer;
    }

    RunObserver observer() {
        return observer;
    }

    /** The company's run in progress in this process, or null. */
    public SyncRun running(String company) {
        synchronized (running) {
            return running.get(company);
        }
    }

    void started(SyncRun run) {
        synchronized (running) {
            running.put(run.company(), run);
        }
    }

    /** Whether the run has not ended or failed yet. */
    boolean inProgress(SyncRun run) {
        return running(run.company()) == run;
    }

    /** The run ended (delivered, dry, or failed): no longer in progress, its delta's scratch files gone. */
    void ended(SyncRun run) {
        synchronized (running) {
            running.remove(run.company(), run);
            running.notifyAll();
        }
        if (run.delta() != null) {
            run.delta().close();
        }
    }

    /**
     * Waits until no run of this process is in progress: the state DB must stay open until each has
     * delivered or recorded its failure (a stop cut short by camel.main.shutdown-timeout).
     *
     * @return whether none is left
     */
    public boolean awaitNoRunInProgress(Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        synchronized (running) {
            while (!running.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                running.wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }
}
