package no.ditiosync.ditio;

/** Ditio answered in a way that ends the run; the message is meant for an operator and holds no secret. */
public class DitioApiException extends RuntimeException {

    public DitioApiException(String message) {
        super(message);
    }

    public DitioApiException(String message, Throwable cause) {
        super(message, cause);
    }
}
