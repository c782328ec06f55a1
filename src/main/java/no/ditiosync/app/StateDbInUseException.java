package no.ditiosync.app;

/**
 * An H2 file another process holds open: a run, preview or reconcile of this application (H2 lets one
 * process at a time open a file). Busy, as another run of the company would be, not a wrong setting:
 * exit status 3, and the next try finds it free.
 */
public class StateDbInUseException extends SettingsException {

    public StateDbInUseException(String message) {
        super(message);
    }
}
