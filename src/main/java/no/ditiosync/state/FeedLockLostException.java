package no.ditiosync.state;

import java.sql.SQLException;

/**
 * Another run took the feed lock while this one went on: the connection that held this run's
 * lock went away (a database restart, a failover, a proxy that timed it out) and the lock with
 * it. Thrown by the run's next write, which the fencing token keeps from committing.
 */
public class FeedLockLostException extends SQLException {

    public FeedLockLostException(Throwable cause) {
        super("another run took the feed lock while this one ran; nothing of this run was delivered "
                + "(the state DB connection that held its lock was lost; the other run delivers)", cause);
    }
}
