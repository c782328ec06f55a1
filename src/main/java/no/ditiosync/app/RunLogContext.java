package no.ditiosync.app;

import no.ditiosync.ditio.RunLogFields;
import no.ditiosync.run.SyncRun;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.processor.DelegateAsyncProcessor;

/**
 * Puts the company and the run id of the exchange a route step works on into the logging context
 * (MDC keys {@value #COMPANY} and {@value #RUN_ID}) while the step runs, so every log line of a run,
 * a route's {@code log:} step included, carries them (the JSON log writes them as fields). Set around
 * each step and put back after it, on whichever thread runs the step ({@link RunLogFields}).
 */
final class RunLogContext implements InterceptStrategy {

    static final String COMPANY = RunLogFields.COMPANY;
    static final String RUN_ID = RunLogFields.RUN_ID;

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
                try (RunLogFields fields = RunLogFields.of(company == null ? null : company.toString(),
                        run instanceof SyncRun r ? r.runId() : null)) {
                    return super.process(exchange, callback);
                }
            }
        };
    }
}
