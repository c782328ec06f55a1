package no.ditiosync.app;

import no.ditiosync.testing.TestDatabase;

import java.nio.file.Path;

/** {@link ProjectAndUserPassTest} (project and user metadata passes) on a real PostgreSQL. */
class ProjectAndUserPassOnPostgresTest extends ProjectAndUserPassTest {

    @Override
    TestDatabase stateDb(Path dir) {
        return TestDatabase.postgres();
    }
}
