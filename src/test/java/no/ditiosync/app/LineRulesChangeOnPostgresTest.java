package no.ditiosync.app;

import no.ditiosync.testing.TestDatabase;

import java.nio.file.Path;

/** {@link LineRulesChangeTest} on a real PostgreSQL. */
class LineRulesChangeOnPostgresTest extends LineRulesChangeTest {

    @Override
    TestDatabase stateDb(Path dir) {
        return TestDatabase.postgres();
    }
}
