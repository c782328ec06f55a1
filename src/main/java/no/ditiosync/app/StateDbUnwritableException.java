package no.ditiosync.app;

/**
 * An H2 database (the state DB, or an H2 JDBC target) that cannot be opened because its file cannot be
 * written (a full disk): the command ends with exit status 1, as when the disk fills during a run, not
 * 2, since no setting is wrong; once there is room, the next start goes on.
 */
public class StateDbUnwritableException extends SettingsException {

    public StateDbUnwritableException(String message) {
        super(message);
    }
}
