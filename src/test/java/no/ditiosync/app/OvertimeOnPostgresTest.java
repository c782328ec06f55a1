package no.ditiosync.app;

import no.ditiosync.testing.TestDatabase;

import java.nio.file.Path;

/** {@link OvertimeTest} (payroll lines split into parts, parts no longer sent reversed) on a real PostgreSQL. */
class OvertimeOnPostgresTest extends OvertimeTest {

    @Override
    TestDatabase stateDb(Path dir) {
        return TestDatabase.postgres();
    }
}
