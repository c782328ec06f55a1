package no.ditiosync.ditio;

import org.slf4j.MDC;

/**
 * The company and run id of log lines (MDC keys {@value #COMPANY} and {@value #RUN_ID}, fields of the
 * JSON log), set around a piece of a run's work and put back as they were after it: by the route steps
 * (app's RunLogContext), and by what logs outside a step, such as the error handler's retry decision.
 */
public final class RunLogFields implements AutoCloseable {

    public static final String COMPANY = "company";
    public static final String RUN_ID = "runId";

    private final String companyBefore;
    private final String runBefore;

    private RunLogFields(String company, String runId) {
        companyBefore = MDC.get(COMPANY);
        runBefore = MDC.get(RUN_ID);
        if (company != null) {
            MDC.put(COMPANY, company);
        }
        if (runId != null) {
            MDC.put(RUN_ID, runId);
        }
    }

    /** Sets each that is not null until {@link #close}. */
    public static RunLogFields of(String company, String runId) {
        return new RunLogFields(company, runId);
    }

    @Override
    public void close() {
        putBack(COMPANY, companyBefore);
        putBack(RUN_ID, runBefore);
    }

    private static void putBack(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
