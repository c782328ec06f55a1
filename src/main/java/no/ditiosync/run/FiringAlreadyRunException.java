package no.ditiosync.run;

import java.time.Instant;

/** A scheduled firing that a run already answered (a job Quartz recovered after its node died). */
public class FiringAlreadyRunException extends RuntimeException {

    public FiringAlreadyRunException(String company, Instant firing) {
        super("the firing of " + firing + " for company '" + company + "' already has a succeeded run; nothing to do");
    }
}
