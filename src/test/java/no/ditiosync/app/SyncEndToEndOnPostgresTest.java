package no.ditiosync.app;

import no.ditiosync.testing.TestDatabase;

import java.nio.file.Path;

/** {@link SyncEndToEndTest} (the whole chain) with the state DB and the JDBC target on a real PostgreSQL. */
class SyncEndToEndOnPostgresTest extends SyncEndToEndTest {

    @Override
    TestDatabase stateDb(Path dir) {
        return TestDatabase.postgres();
    }
}
