package no.ditiosync.app;

import no.ditiosync.testing.TestDatabase;

import java.nio.file.Path;

/** {@link ClosedPeriodTest} with the state DB (close-period's table) and payroll_line on a real PostgreSQL. */
class ClosedPeriodOnPostgresTest extends ClosedPeriodTest {

    @Override
    TestDatabase stateDb(Path dir) {
        return TestDatabase.postgres();
    }
}
