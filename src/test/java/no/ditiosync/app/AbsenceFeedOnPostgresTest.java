package no.ditiosync.app;

import no.ditiosync.testing.TestDatabase;

import java.nio.file.Path;

/** {@link AbsenceFeedTest} (absences through the ledger) on a real PostgreSQL. */
class AbsenceFeedOnPostgresTest extends AbsenceFeedTest {

    @Override
    TestDatabase stateDb(Path dir) {
        return TestDatabase.postgres();
    }
}
