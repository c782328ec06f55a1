package no.ditiosync.app;

/** A setting is missing or wrong. The message is one line that names the key and the problem. */
public class SettingsException extends RuntimeException {

    public SettingsException(String message) {
        super(message);
    }
}
