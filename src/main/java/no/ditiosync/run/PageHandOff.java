package no.ditiosync.run;

import no.ditiosync.ditio.PageCursor;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Variable;
import org.apache.camel.support.ExchangeHelper;

/**
 * The hand-off between a feed's page loop and its stage (bean {@code pageHandOff}, routes ditio-feed
 * and feed-stage): the next page is fetched while the one before is mapped and spilled on the
 * stage's own thread (a SEDA queue with one consumer, so a pass's pages are staged in the order they
 * were read). At most {@value #PAGES_OUT} pages of a pass are handed over and not yet staged, so
 * the fetch never runs further ahead than that.
 *
 * <p>A failure of the stage stops the fetch after the page it is reading, and the pass fails with
 * the stage's exception, as if the stage had run on the fetch's thread; a failure of the fetch skips
 * the pages still waiting. Either way the pass ends only once the stage has let go of every page:
 * nothing of the pass is written after its route has ended.
 */
public final class PageHandOff {

    /** The exchange variable holding the pass's hand-off. */
    public static final String VARIABLE = "handOff";
    /** The exchange variable a handed-over page carries: which page it is, for messages ("page 3 of /v1/…"). */
    public static final String PAGE = "page";
    /** Pages of a pass handed over and not yet staged: one being staged, one waiting. */
    static final int PAGES_OUT = 2;
    /** How often a wait looks whether Camel gave up waiting for the run (camel.main.shutdown-timeout). */
    private static final long STOP_CHECK_MILLIS = 200;

    private volatile ProducerTemplate template;

    /** One pass's side of the hand-off; the pass's pages go to {@code stage} (the feed's SEDA queue). */
    public Pass open(String stage) {
        return new Pass(stage);
    }

    /**
     * Hands the page in the body over to the pass's stage, once fewer than {@value #PAGES_OUT} of its
     * pages wait there. Sent as a copy without the run's unit of work: a SEDA producer hands the
     * completions of what it sends over to the copy it queues, and the run's own (its end) must stay
     * with the run. Nothing is handed over once the stage has failed.
     */
    public void handOver(Exchange exchange, @Variable(VARIABLE) Pass pass, @Variable("cursor") PageCursor cursor) {
        CamelContext context = exchange.getContext();
        if (!pass.awaitRoom(context)) {
            return;
        }
        Exchange page = ExchangeHelper.createCorrelatedCopy(exchange, false);
        page.setPattern(ExchangePattern.InOnly);
        page.setVariable(PAGE, cursor == null ? null : cursor.describeRead());
        template(context).send(pass.stage, page);
        if (page.getException() != null) {
            pass.staged(); // never queued
            throw wrapped(page.getException());
        }
    }

    /** The stage has taken every page of the pass; a failure of the stage fails the pass now. */
    public void awaitStaged(Exchange exchange, @Variable(VARIABLE) Pass pass) throws Exception {
        pass.awaitStaged(exchange.getContext());
        pass.throwStageFailure();
    }

    /**
     * The fetch failed (the exception caught): the pages still waiting are skipped and the stage is
     * waited out. The stage's failure, of a page read earlier, is the pass's failure if there is
     * one, as it would have stopped the fetch before this one; otherwise the fetch's failure.
     */
    public void failPass(Exchange exchange, @Variable(VARIABLE) Pass pass) throws Exception {
        stopStage(exchange, pass);
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (caught != null) {
            throw caught;
        }
    }

    /** Skips the pages still waiting, waits the stage out, and fails the pass with the stage's failure if any. */
    public void stopStage(Exchange exchange, @Variable(VARIABLE) Pass pass) throws Exception {
        pass.stop();
        pass.awaitStaged(exchange.getContext());
        pass.throwStageFailure();
    }

    /** The stage's side: its failure stops the pass's fetch and fails the pass. */
    public void stageFailed(Exchange exchange, @Variable(VARIABLE) Pass pass) {
        pass.stageFailed(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
    }

    /** The stage's side: it is done with a page (staged, skipped or failed). */
    public void staged(@Variable(VARIABLE) Pass pass) {
        pass.staged();
    }

    private ProducerTemplate template(CamelContext context) {
        ProducerTemplate t = template;
        if (t == null) {
            synchronized (this) {
                if (template == null) {
                    template = context.createProducerTemplate();
                }
                t = template;
            }
        }
        return t;
    }

    private static RuntimeException wrapped(Exception e) {
        return e instanceof RuntimeException r ? r : new org.apache.camel.RuntimeCamelException(e);
    }

    /** Where one pass's hand-off stands: pages out, the stage's failure, whether the fetch stopped. */
    public static final class Pass {
        private final String stage;
        private int out;
        private Exception stageFailure;
        private boolean stopped;

        Pass(String stage) {
            this.stage = stage;
        }

        /** Whether the pass goes on: the stage has not failed and the fetch has not stopped (the loop's condition). */
        public synchronized boolean goesOn() {
            return stageFailure == null && !stopped;
        }

        /** @return false when the page is not to be handed over (the stage failed, the fetch stopped) */
        synchronized boolean awaitRoom(CamelContext context) {
            while (out >= PAGES_OUT && goesOn()) {
                waitOrGiveUp(context);
            }
            if (!goesOn()) {
                return false;
            }
            out++;
            return true;
        }

        synchronized void awaitStaged(CamelContext context) {
            while (out > 0) {
                waitOrGiveUp(context);
            }
        }

        /**
         * Waits for the stage. Timed, because a stop whose camel.main.shutdown-timeout passed ends the
         * stage's thread with pages still queued: then the run is given up (it is recorded failed).
         */
        private void waitOrGiveUp(CamelContext context) {
            if (context.getShutdownStrategy().isTimeoutOccurred()) {
                throw new IllegalStateException("the application was asked to stop and the run did not end within "
                        + "camel.main.shutdown-timeout");
            }
            try {
                wait(STOP_CHECK_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the stage of the pass finished its pages", e);
            }
        }

        synchronized void stop() {
            stopped = true;
            notifyAll();
        }

        synchronized void stageFailed(Exception e) {
            if (stageFailure == null) {
                stageFailure = e;
            }
            notifyAll();
        }

        synchronized void staged() {
            out--;
            notifyAll();
        }

        synchronized void throwStageFailure() throws Exception {
            if (stageFailure != null) {
                throw stageFailure;
            }
        }
    }
}
