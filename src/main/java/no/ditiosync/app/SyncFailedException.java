package no.ditiosync.app;

/** A run failed for a checked reason (I/O, SQL); the message is the reason's. */
public class SyncFailedException extends RuntimeException {

    public SyncFailedException(Throwable cause) {
        super(cause.getMessage(), cause);
    }

    public SyncFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
