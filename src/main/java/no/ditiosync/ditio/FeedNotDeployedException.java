package no.ditiosync.ditio;

/**
 * Ditio answered 404 on the first page of a pass: the endpoint is not deployed on this environment
 * (docs/ditio-contract.md, "Errors"). It fails that feed only; the run goes on with its other feeds.
 */
public final class FeedNotDeployedException extends DitioApiException {

    private final String feed;
    private final String endpoint;

    public FeedNotDeployedException(String feed, String endpoint, String message) {
        super(message);
        this.feed = feed;
        this.endpoint = endpoint;
    }

    /** The watermark row of the feed: time, absence, payroll, user or project. */
    public String feed() {
        return feed;
    }

    /** The path under DITIO_REPORTING_BASE, e.g. {@code /v1/absence-registrations}. */
    public String endpoint() {
        return endpoint;
    }
}
