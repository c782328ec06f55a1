package no.ditiosync.app;

import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The operator's page and its API over a PostgreSQL state DB: the same checks as on H2. */
class OperatorPageOnPostgresTest {

    @Test
    void pageAndApiShowTheRunsTheLedgerAndTheQuarantine(@TempDir Path dir) throws Exception {
        int port = ObserveClient.freePort();
        try (SyncHarness h = new SyncHarness(OperatorPageTest.company(), dir, OperatorPageTest.START, TestDatabase.postgres(),
                OperatorPageTest.serverOn(port))) {
            OperatorPageTest.pageAndApiShowTheRunsTheLedgerAndTheQuarantine(h, port);
        }
    }
}
