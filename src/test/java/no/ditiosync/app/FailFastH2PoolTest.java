package no.ditiosync.app;

import no.ditiosync.testing.DiskWithRoom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The statements of the state DB's H2 pool once a write to its file failed: a prepared statement kept
 * from before (a run's batch insert) fails at once and names the failed write. H2 2.4.240's own
 * statement says "The database has been closed" here, and after other failures waits forever on its
 * stopped store (StateDbDiskFullTest).
 */
class FailFastH2PoolTest {

    @AfterEach
    void roomAgain() {
        DiskWithRoom.room(Long.MAX_VALUE);
    }

    @Test
    void aStatementPreparedBeforeTheFailedWriteFailsAtOnceAndNamesIt(@TempDir Path dir) throws Exception {
        DiskWithRoom.register();
        String url = "jdbc:h2:room:" + dir.resolve("state").toAbsolutePath();
        DataSource pool = DataSources.open(url, "sa", "", DataSources.Keys.STATE_DB);
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE line (id INT PRIMARY KEY, text VARCHAR(1000))");
            c.setAutoCommit(false);
            PreparedStatement insert = c.prepareStatement("INSERT INTO line VALUES (?, ?)");
            insert.setInt(1, 1);
            insert.setString(2, "x".repeat(1000));
            insert.executeUpdate();
            insert.setInt(1, 2);
            insert.setString(2, "y");

            DiskWithRoom.room(0);
            SQLException commit = catchThrowableOfType(SQLException.class, c::commit);
            SQLException next = assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> catchThrowableOfType(SQLException.class, insert::executeUpdate), "the statement after the failed write ends");

            String said = "the state DB " + url + " can no longer be written: a write to its file failed (No space left on device); "
                    + "make room and start the application again: it goes on from what H2 had written";
            assertThat((Throwable) commit).as("the commit that met the full disk").hasMessage(said);
            assertThat((Throwable) next).as("the statement prepared before it").hasMessage(said);
            assertThat(insert.isClosed()).as("a statement of the stopped database").isTrue();
        } finally {
            ((AutoCloseable) pool).close();
        }
    }
}
