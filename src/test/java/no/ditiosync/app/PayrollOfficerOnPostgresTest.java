package no.ditiosync.app;

import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** {@link PayrollOfficerTest} with the state DB (and the JDBC target) on a real PostgreSQL. */
class PayrollOfficerOnPostgresTest {

    @Test
    void previewShowsWhatTheNextSyncDeliversAndChangesNothing(@TempDir Path dir) throws Exception {
        PayrollOfficerTest.previewThenSync(dir, TestDatabase.postgres());
    }

    @Test
    void reconcileFindsTheDriftIncrementalRunsMissAndDeliverFixesIt(@TempDir Path dir) throws Exception {
        PayrollOfficerTest.reconcile(dir, TestDatabase.postgres());
    }
}
