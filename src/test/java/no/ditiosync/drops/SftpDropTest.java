package no.ditiosync.drops;

import no.ditiosync.testing.SftpTestServer;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One drop published over SFTP by {@link SftpDrop}, as the outbox drives it run after run. */
class SftpDropTest {

    private static final String PASSWORD = "sftp-drop-test-Pw4";
    private static final byte[] BYTES = "EXTSYSTEM;EXTDOCUMENTNO\r\nDITIO;1\r\n".getBytes(StandardCharsets.UTF_8);

    @FunctionalInterface
    interface OnServer {
        void test(SftpTestServer server, DefaultCamelContext camel) throws Exception;
    }

    /** A test against a fresh SFTP test server, with a started Camel context for the drop. */
    private static void onServer(Path dir, OnServer test) throws Exception {
        try (SftpTestServer server = new SftpTestServer(dir.resolve("sftp"), PASSWORD);
             DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.start();
            test.test(server, camel);
        }
    }

    /** The drop's bytes under its final name in the server's folder payroll/sap already; that folder. */
    private static Path finalAlreadyThere(SftpTestServer server) throws Exception {
        Path folder = Files.createDirectories(server.root().resolve("payroll/sap"));
        Files.write(folder.resolve("sap_x.csv"), BYTES);
        return folder;
    }

    /** A connection dropped while the drop's folder is made is a dropped connection: tried again, delivered once. */
    @Test
    void aConnectionDroppedWhileTheFolderIsMadeIsTriedAgain(@TempDir Path dir) throws Exception {
        onServer(dir, (server, camel) -> {
            Path local = Files.write(dir.resolve(".sap_x.csv.tmp"), BYTES);
            server.breakFolderMakings(1);

            drop(server, camel, 2).publish("sap", SftpDrop.COMMITTED, local, "sap_x.csv", false, status -> { });

            assertThat(server.files("payroll")).containsExactly("payroll/sap/sap_x.csv");
            assertThat(server.root().resolve("payroll/sap/sap_x.csv")).hasBinaryContent(BYTES);
        });
    }

    /** The run's summary and report name a drop by where the provider finds it, also under the login folder. */
    @Test
    void aDropIsNamedByItsUrlOnTheServer() {
        SftpDrop.Config absolute = new SftpDrop.Config("sftp.example", 2222, "/upload/payroll", "acme", null, null, null,
                null, Duration.ofSeconds(1), Duration.ofSeconds(1), 1, Duration.ofMillis(1), "0600");
        SftpDrop.Config loginFolder = new SftpDrop.Config("::1", 22, ".", "acme", null, null, null,
                null, Duration.ofSeconds(1), Duration.ofSeconds(1), 1, Duration.ofMillis(1), "0600");

        assertThat(absolute.location("sap", "sap_x.csv")).isEqualTo("sftp://sftp.example:2222/upload/payroll/sap/sap_x.csv");
        assertThat(loginFolder.location("visma", "visma_x.csv")).isEqualTo("sftp://[::1]:22/~/visma/visma_x.csv");
    }

    /**
     * A file with the drop's name and size already on the server (a rename that copies, cut half-way) is the
     * drop. Taken by the provider before it could be read back, it was still the drop: delivered once, not
     * renamed into place again by the next run.
     */
    @Test
    void aDropFoundUnderItsNameAndTakenBeforeItIsReadBackIsDeliveredOnce(@TempDir Path dir) throws Exception {
        onServer(dir, (server, camel) -> {
            Path folder = finalAlreadyThere(server);
            Path local = Files.write(dir.resolve(".sap_x.csv.tmp"), BYTES);
            SftpDrop drop = drop(server, camel, 2);
            server.takeWhenOpened(dir.resolve("taken"));

            List<String> outbox = new ArrayList<>();
            String status = SftpDrop.COMMITTED;
            for (int run = 1; run <= 2; run++) {
                try {
                    drop.publish("sap", status, local, "sap_x.csv", false, outbox::add);
                    break;
                } catch (Exception e) {
                    status = outbox.get(outbox.size() - 1); // the next run goes on from where the outbox is
                }
            }

            assertThat(dir.resolve("taken/sap_x.csv")).as("taken by the provider").hasBinaryContent(BYTES);
            try (Stream<Path> left = Files.list(folder)) {
                assertThat(left).as("on the server after both runs").isEmpty();
            }
        });
    }

    /**
     * The drop found under its name (as above), its hidden file's deletion cut off with the connection, and
     * the provider taking the drop before the next run: that run only finishes the clean-up, it does not
     * rename the hidden file into place again (which would deliver the drop a second time).
     */
    @Test
    void aDropFoundUnderItsNameIsNotRenamedIntoPlaceAfterItsCleanUpWasCutOff(@TempDir Path dir) throws Exception {
        onServer(dir, (server, camel) -> {
            Path folder = finalAlreadyThere(server);
            Files.write(folder.resolve(".sap_x.csv.tmp"), BYTES);
            Path local = Files.write(dir.resolve(".sap_x.csv.tmp"), BYTES);
            SftpDrop drop = drop(server, camel, 1);
            server.breakRemovals(1);

            List<String> outbox = new ArrayList<>(List.of(SftpDrop.RENAMING));
            assertThatThrownBy(() -> drop.publish("sap", SftpDrop.RENAMING, local, "sap_x.csv", false, outbox::add))
                    .as("the first run, its connection dropped").isInstanceOf(java.io.IOException.class);
            Files.move(folder.resolve("sap_x.csv"), Files.createDirectories(dir.resolve("taken")).resolve("sap_x.csv"));
            drop.publish("sap", outbox.get(outbox.size() - 1), local, "sap_x.csv", false, outbox::add);

            assertThat(server.finalsCreated()).as("renamed into place by either run").isEmpty();
            try (Stream<Path> left = Files.list(folder)) {
                assertThat(left).as("on the server after the provider took the drop and the second run").isEmpty();
            }
            assertThat(local).as("the committed drop, published").doesNotExist();
        });
    }

    /** Drops to the test server's folder /payroll by password, {@code attempts} per publish. */
    private static SftpDrop drop(SftpTestServer server, DefaultCamelContext camel, int attempts) throws Exception {
        return new SftpDrop(new SftpDrop.Config("127.0.0.1", server.port(), "/payroll", SftpTestServer.USER, PASSWORD,
                null, null, server.knownHosts(), Duration.ofSeconds(5), Duration.ofSeconds(5), attempts,
                Duration.ofMillis(20), "0600"), camel);
    }
}
