package no.ditiosync.run;

/** Another run of the same feed is still busy: this one is skipped, never run alongside. */
public class FeedBusyException extends RuntimeException {

    public FeedBusyException(String company, String feed) {
        super("another run of feed '" + feed + "' for company '" + company + "' is still busy; this run was skipped");
    }
}
