package no.ditiosync.ditio;

/**
 * What counts the retries of a run: the run itself, in the exchange variable {@code run}.
 * {@link DitioRetries} tells it of every retry it allows (metrics and run reports show them).
 */
public interface RetryCounter {

    void countRetry();

    /** The run's id, for the log lines of its retries. */
    String runId();
}
