package no.ditiosync.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the app asks of an H2 state DB beyond its URL, and that a setting the URL gives wins. */
class H2SettingsTest {

    @TempDir
    Path dir;

    @Test
    void commitsAreWrittenAtOnceUnlessTheUrlSays() throws Exception {
        assertEquals(List.of("0"), settings(open("jdbc:h2:file:" + dir.resolve("c/state")), "WRITE_DELAY"));
        assertEquals(List.of("300"), settings(open("jdbc:h2:file:" + dir.resolve("d/state") + ";WRITE_DELAY=300"),
                "WRITE_DELAY"));
    }

    @Test
    void theStateDbIsNotCompactedOnCloseButAJdbcTargetIsUnlessTheUrlSays() throws Exception {
        // the state DB takes its free space back after each run instead (StateDbSpace)
        assertEquals(List.of("0"), settings(open("jdbc:h2:file:" + dir.resolve("e/state")), "MAX_COMPACT_TIME"));
        assertEquals(List.of("200"), settings(DataSources.open("jdbc:h2:file:" + dir.resolve("f/target"), "sa", "",
                DataSources.Keys.JDBC_TARGET), "MAX_COMPACT_TIME"));
        assertEquals(List.of("1000"), settings(open("jdbc:h2:file:" + dir.resolve("g/state") + ";MAX_COMPACT_TIME=1000"),
                "MAX_COMPACT_TIME"));
    }

    @Test
    void eachSettingTheAppAddsIsAddedOnceAndNeverOverAUrlThatSetsIt() {
        String plain = "jdbc:h2:file:./data/state";
        assertEquals(plain + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;TRACE_LEVEL_FILE=0;MAX_COMPACT_TIME=0",
                DataSources.noCompactionOnClose(DataSources.noTraceFile(DataSources.closedByUs(DataSources.durable(plain)))));
        String own = plain + ";write_delay=10;Db_Close_On_Exit=TRUE;TRACE_LEVEL_FILE=1;MAX_COMPACT_TIME=5";
        assertEquals(own, DataSources.noCompactionOnClose(DataSources.noTraceFile(DataSources.closedByUs(DataSources.durable(own)))));
        // an in-memory database has nothing to write; a PostgreSQL URL gets no H2 setting
        assertEquals("jdbc:h2:mem:x", DataSources.durable("jdbc:h2:mem:x"));
        assertEquals("jdbc:postgresql://db/x", DataSources.noTraceFile("jdbc:postgresql://db/x"));
    }

    private static DataSource open(String url) {
        return DataSources.open(url, "sa", "", DataSources.Keys.STATE_DB);
    }

    /** The values of these settings in the open database (null: not set), then closes it. */
    private static List<String> settings(DataSource db, String... names) throws Exception {
        List<String> values = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = ?")) {
            for (String name : names) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    values.add(rs.next() ? rs.getString(1) : null);
                }
            }
        } finally {
            ((AutoCloseable) db).close();
        }
        return values;
    }
}
