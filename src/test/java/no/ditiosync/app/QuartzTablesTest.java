package no.ditiosync.app;

import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Quartz's cluster tables on a real PostgreSQL, prepared by nodes starting at the same moment. */
class QuartzTablesTest {

    @Test
    void nodesStartingTogetherCreateTheTablesOnceAndTheLockRowsBeforeQuartzNeedsThem() throws Exception {
        TestDatabase db = TestDatabase.postgres();
        DataSource stateDb = db.dataSource();

        ExecutorService nodes = Executors.newFixedThreadPool(4);
        try {
            List<Future<Void>> started = new ArrayList<>();
            for (int node = 0; node < 4; node++) {
                Callable<Void> start = () -> {
                    SyncSchedules.prepareQuartzTables(stateDb, "ditio-payroll-sync");
                    return null;
                };
                started.add(nodes.submit(start));
            }
            for (Future<Void> f : started) {
                f.get(); // none failed on a table or lock row another node created first
            }
        } finally {
            nodes.shutdownNow();
        }
        // a restart, and a second cluster (another camel.main.name) in the same database
        SyncSchedules.prepareQuartzTables(stateDb, "ditio-payroll-sync");
        SyncSchedules.prepareQuartzTables(stateDb, "other-cluster");

        List<String> locks = new ArrayList<>();
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT sched_name, lock_name FROM qrtz_locks ORDER BY sched_name, lock_name")) {
            while (rs.next()) {
                locks.add(rs.getString(1) + "/" + rs.getString(2));
            }
        }
        assertThat(locks).containsExactly("ditio-payroll-sync/STATE_ACCESS", "ditio-payroll-sync/TRIGGER_ACCESS",
                "other-cluster/STATE_ACCESS", "other-cluster/TRIGGER_ACCESS");
    }
}
