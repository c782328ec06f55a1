package no.ditiosync.app;

import no.ditiosync.testing.TestDatabase;

import java.nio.file.Path;

/**
 * {@link DeliveryFaultTest} with the state DB on a real PostgreSQL: an unwritable drop folder, and
 * a JDBC target that goes down, which here is an H2 server beside a PostgreSQL state DB (the mix).
 */
class DeliveryFaultOnPostgresTest extends DeliveryFaultTest {

    @Override
    TestDatabase stateDb(Path dir) {
        return TestDatabase.postgres();
    }
}
