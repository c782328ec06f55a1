package no.ditiosync.app;

import no.ditiosync.testing.TestDatabase;

import java.nio.file.Path;

/** {@link RunSummaryTest} (the summaries and status --quarantine) with the state DB on a real PostgreSQL. */
class RunSummaryOnPostgresTest extends RunSummaryTest {

    @Override
    TestDatabase stateDb(Path dir) {
        return TestDatabase.postgres();
    }
}
