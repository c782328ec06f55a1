package no.ditiosync.app;

import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

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

    /** A run of the company in progress (its feed lock held): preview and reconcile say so and do nothing. */
    @Test
    void aBusyCompanyIsSaidToBeBusy(@TempDir Path dir) throws Exception {
        TestDatabase db = TestDatabase.postgres();
        try (PayrollOfficerTest.Officer o = PayrollOfficerTest.Officer.start(dir, db)) {
            CommandLineTest.Result first = o.run("preview");
            assertThat(first.exit()).as(first.err()).isZero();
            try (Connection c = db.connect()) {
                c.setAutoCommit(false);
                // what a run holds while it runs
                c.createStatement().executeQuery("SELECT feed FROM sync_lock WHERE company = 'cli' AND feed = 'time' FOR UPDATE")
                        .close();
                Map<String, java.util.List<String>> before = PayrollOfficerTest.dump(db);
                CommandLineTest.Result preview = o.run("preview");
                assertThat(preview.exit()).as(preview.out() + preview.err()).isEqualTo(3);
                assertThat(preview.err()).contains("Preview not made: company cli is busy");
                CommandLineTest.Result reconcile = o.run("reconcile");
                assertThat(reconcile.exit()).as(reconcile.out() + reconcile.err()).isEqualTo(3);
                assertThat(reconcile.err()).contains("Reconcile not made: company cli is busy");
                assertThat(PayrollOfficerTest.dump(db)).isEqualTo(before);
                c.rollback();
            }
        }
    }
}
