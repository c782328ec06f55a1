package no.ditiosync.simulator;

/** A 400 answer: {@code {"error": error, "message": message}}. */
final class BadRequest extends RuntimeException {

    private final String error;

    BadRequest(String error, String message) {
        super(message);
        this.error = error;
    }

    String error() {
        return error;
    }
}
