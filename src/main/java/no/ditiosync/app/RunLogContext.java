package no.ditiosync.app;

import no.ditiosync.run.SyncRun;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.processor.DelegateAsyncProcessor;
import org.slf4j.MDC;

/**
 * Puts the company and the run id of the exchange a route step works on into the logging context
 * (MDC keys {@value #COMPANY} and {@value #RUN_ID}) while the step runs, so every log line of a run,
 * a route's {@code log:} step included, carries them (the JSON log writes them as fields). Set around
 * each step and put back after it, on whichever thread runs the step. The run's own first lines
 * (logged while {@code runStart.begin} makes the run) have the company but not yet the run id.
 */
final class RunLogContext implements InterceptStrategy {

    static final String COMPANY = "company";
    static final String RUN_ID = "runId";

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target,
                                                 Processor nextTarget) {
        return new DelegateAsyncProcessor(target) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                Object company = exchange.getVariable(COMPANY);
                Object run = exchange.getVariable("run");
                if (company == null && !(run instanceof SyncRun)) {
                    return super.process(exchange, callback);
                }
                String companyBefore = MDC.get(COMPANY);
                String runBefore = MDC.get(RUN_ID);
                if (company != null) {
                    MDC.put(COMPANY, company.toString());
                }
                if (run instanceof SyncRun r) {
                    MDC.put(RUN_ID, r.runId());
                }
                try {
                    return super.process(exchange, callback);
                } finally {
                    putBack(COMPANY, companyBefore);
                    putBack(RUN_ID, runBefore);
                }
            }
        };
    }

    private static void putBack(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
