package no.ditiosync.app;

import no.ditiosync.testing.TestDatabase;

import java.nio.file.Path;

/** {@link IncrementalLedgerTest} (the incremental ledger suite) with the state DB and the JDBC target on a real PostgreSQL. */
class IncrementalLedgerOnPostgresTest extends IncrementalLedgerTest {

    @Override
    TestDatabase stateDb(Path dir) {
        return TestDatabase.postgres();
    }
}
