package no.ditiosync.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import no.ditiosync.testing.DeliveredPayroll;
import no.ditiosync.testing.OpenSshServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static no.ditiosync.app.SftpDeliveryTest.assertDeliveredOnceAndEqualToTruth;
import static no.ditiosync.app.SftpDeliveryTest.outbox;
import static no.ditiosync.app.SyncEndToEndTest.LAST;
import static no.ditiosync.app.SyncEndToEndTest.company;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application in this JVM delivering to a real OpenSSH server (Debian's sshd and sftp-server on
 * loopback, {@link OpenSshServer}), where OpenSSH behaves otherwise than the in-JVM test server: a
 * server set up to refuse mode changes, and a rename that replaces a file of the target name
 * ({@code posix-rename@openssh.com}, which JSch uses when the server offers it).
 * {@code OpenSshDeliveryIT} runs the packaged jar against the same server.
 */
class SftpOnOpenSshTest {

    private static Map<String, String> sftpSettings(OpenSshServer server) throws Exception {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("payroll.sftp.url", server.url("/payroll"));
        s.put("payroll.sftp.user", server.user());
        s.put("payroll.sftp.private-key-file", server.userKey("ed25519").toString());
        s.put("payroll.sftp.known-hosts", server.knownHosts("ed25519").toString());
        s.put("payroll.sftp.retry-delay", "10ms");
        return s;
    }

    /**
     * A server that refuses SETSTAT and FSETSTAT (sftp-server -P, as some providers set theirs up; AWS
     * Transfer Family on S3 has no modes at all) still gets every drop, complete and once: the mode is
     * only asked for, and one WARN names PAYROLL_FILE_MODE as not taken.
     */
    @Test
    void aServerThatRefusesModeChangesGetsTheDropsWithoutTheModeAndOneWarning(@TempDir Path dir) throws Exception {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        root.addAppender(log);
        try (OpenSshServer server = new OpenSshServer(dir.resolve("sshd"));
             SyncHarness h = new SyncHarness(company(), dir.resolve("app"), LAST.minusWeeks(3), sftpSettings(server))) {
            Path gate = dir.resolve("sshd/sftp-gate.sh");
            Files.writeString(gate, Files.readString(gate).replace("-e -l INFO", "-e -l INFO -P setstat,fsetstat"));

            h.runOnce();
            h.ditio.data().randomMutations(new Random(31), 30);
            h.runOnce();

            assertDeliveredOnceAndEqualToTruth(h, server, 2);
            // the server refused the mode, so the test tests what it says: the drops have the server's own
            assertThat(Files.readString(dir.resolve("sshd/sftp-server.log"))).contains("sent status Permission denied");
            for (String f : server.files("payroll")) {
                assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(
                        server.root().resolve(f)))).as("mode of %s on the server", f).isNotEqualTo("rw-------");
            }
            List<String> warnings;
            synchronized (log) {
                warnings = log.list.stream().filter(e -> e.getLevel() == Level.WARN)
                        .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("PAYROLL_FILE_MODE")).toList();
            }
            assertThat(warnings).as("WARNs naming PAYROLL_FILE_MODE over two runs").hasSize(1)
                    .allSatisfy(w -> assertThat(w).contains("127.0.0.1:" + server.port()));
        } finally {
            root.detachAppender(log);
        }
    }

    /**
     * A file already on the server under a drop's final name that is not that drop is never replaced
     * (OpenSSH's posix-rename would replace it): the run fails naming it and the drop waits; once the
     * file is gone, the next run delivers the drop.
     */
    @Test
    void aFileUnderTheDropsNameThatIsNotTheDropIsNeverOverwritten(@TempDir Path dir) throws Exception {
        try (OpenSshServer server = new OpenSshServer(dir.resolve("sshd"));
             SyncHarness h = new SyncHarness(company(), dir.resolve("app"), LAST.minusWeeks(3), sftpSettings(server))) {
            Path theirs = underTheSapDropsName(h, server,
                    "a file the provider has under this name\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String sapName = theirs.getFileName().toString();

            String failure = runExpectingFailure(h);
            assertThat(Files.readString(theirs)).as("the provider's file").isEqualTo("a file the provider has under this name\r\n");
            assertThat(failure).as("the run's message").contains("the sap drop of run ",
                    "/payroll/sap/" + sapName + " on SFTP server 127.0.0.1:" + server.port()
                            + " is not this drop (its content differs); it is not overwritten");
            assertThat(outbox(h)).containsExactly("jdbc=published", "sap=renaming", "visma=published");
            assertThat(server.finalsCreated()).as("renames to a final name").noneMatch(f -> f.contains("/sap/"));

            // the same again on the next run: nothing replaced, nothing marked published
            runExpectingFailure(h);
            assertThat(Files.readString(theirs)).isEqualTo("a file the provider has under this name\r\n");
            assertThat(outbox(h)).containsExactly("jdbc=published", "sap=renaming", "visma=published");

            Files.move(theirs, dir.resolve("taken-aside.csv"));
            h.runOnce();
            assertDeliveredOnceAndEqualToTruth(h, server, 1);
        }
    }

    /**
     * A file under the drop's final name with the drop's own bytes is that drop (put there before the
     * outbox could say so): it counts as published, is not refused and not renamed over again.
     */
    @Test
    void aFileUnderTheDropsNameWithTheDropsBytesCountsAsPublished(@TempDir Path dir) throws Exception {
        try (OpenSshServer server = new OpenSshServer(dir.resolve("sshd"));
             SyncHarness h = new SyncHarness(company(), dir.resolve("app"), LAST.minusWeeks(3), sftpSettings(server))) {
            Path same = underTheSapDropsName(h, server, null);
            byte[] drop = Files.readAllBytes(same);

            h.runOnce();
            assertThat(Files.readAllBytes(same)).as("the sap drop on the server").isEqualTo(drop);
            assertThat(server.finalsCreated()).as("renames to a final name").containsExactly("payroll/visma/"
                    + Path.of(visma(h)).getFileName());
            assertThat(outbox(h)).allMatch(row -> row.endsWith("=published"));
            assertThat(server.files("payroll")).as("temporary files on the server").noneMatch(f -> f.endsWith(".tmp"));
            assertThat(DeliveredPayroll.sapTotals(List.of(same))).isEqualTo(h.truth(k -> k[0] + "|" + k[1] + "|" + k[2]));
        }
    }

    /**
     * A run commits its drops while the server is down; back up, the server has a file under the sap drop's
     * final name: {@code content}, or the drop's own bytes when null. That file on the server.
     */
    private static Path underTheSapDropsName(SyncHarness h, OpenSshServer server, byte[] content) throws Exception {
        server.stop();
        runExpectingFailure(h);
        String[] sap = sapDrop(h);
        server.start();
        Path file = server.root().resolve("payroll/sap/" + Path.of(sap[1]).getFileName());
        Files.createDirectories(file.getParent());
        Files.write(file, content != null ? content : Files.readAllBytes(Path.of(sap[0])));
        return file;
    }

    private static String runExpectingFailure(SyncHarness h) {
        try {
            h.runOnce();
        } catch (RuntimeException e) {
            return e.getMessage();
        }
        throw new AssertionError("the run did not fail");
    }

    /** The sap drop's local temporary path and final path, from the outbox. */
    private static String[] sapDrop(SyncHarness h) throws Exception {
        try (Connection c = h.stateDb().connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT temp_path, final_path FROM drop_outbox WHERE target = 'sap'")) {
            assertThat(rs.next()).isTrue();
            return new String[] {rs.getString(1), rs.getString(2)};
        }
    }

    private static String visma(SyncHarness h) throws Exception {
        try (Connection c = h.stateDb().connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT final_path FROM drop_outbox WHERE target = 'visma'")) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

}
