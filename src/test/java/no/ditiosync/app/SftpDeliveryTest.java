package no.ditiosync.app;

import no.ditiosync.run.SyncRun;
import no.ditiosync.testing.DeliveredPayroll;
import no.ditiosync.testing.SftpServerSeen;
import no.ditiosync.testing.SftpTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static no.ditiosync.app.SyncEndToEndTest.LAST;
import static no.ditiosync.app.SyncEndToEndTest.company;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Drops delivered to a real SFTP server (Apache MINA SSHD on loopback, in this JVM): complete, once,
 * with the configured mode; a connection dropped mid-upload is retried; an untrusted host key is
 * refused before anything is uploaded.
 */
class SftpDeliveryTest {

    private static final String PASSWORD = "sftp-test-password-Kv3";

    private static Map<String, String> sftpSettings(SftpTestServer server) throws Exception {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("payroll.sftp.url", server.url("/payroll"));
        s.put("payroll.sftp.user", SftpTestServer.USER);
        s.put("payroll.sftp.password", PASSWORD);
        s.put("payroll.sftp.known-hosts", server.knownHosts().toString());
        s.put("payroll.sftp.retry-delay", "50ms");
        return s;
    }

    @Test
    void fullAndIncrementalSyncDeliverEachDropCompleteAndOnceWithPasswordLogin(@TempDir Path dir) throws Exception {
        try (SftpTestServer server = new SftpTestServer(dir.resolve("sftp"), PASSWORD);
             SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), sftpSettings(server))) {
            SyncRun full = h.runOnce();
            assertThat(full.mode()).isEqualTo(SyncRun.Mode.FULL);
            assertThat(server.files("payroll")).as("on the server after the full run")
                    .hasSize(2).allMatch(f -> f.matches("payroll/(visma|sap)/\\1_acme_\\d{8}T\\d{6}Z_[0-9a-f]{8}\\.csv"));
            assertThat(full.places()).as("where the run's summary and report say its drops went")
                    .containsExactlyInAnyOrderElementsOf(server.files("payroll").stream()
                            .map(f -> "sftp://127.0.0.1:" + server.port() + "/" + f).toList());

            h.ditio.data().randomMutations(new Random(11), 30);
            SyncRun incremental = h.runOnce();
            assertThat(incremental.mode()).isEqualTo(SyncRun.Mode.INCREMENTAL);

            assertDeliveredOnceAndEqualToTruth(h, server, 2);
            for (String f : server.files("payroll")) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(server.root().resolve(f))))
                        .as("mode of %s on the server (PAYROLL_FILE_MODE default 0600)", f).isEqualTo("rw-------");
            }
            // and so while it was uploaded: the server makes a new file with its own default mode (0644 here)
            assertThat(server.modesAtFirstWrite()).as("modes of the temporary files when their first bytes arrived")
                    .hasSize(4).containsOnly("rw-------");
            assertThat(localFiles(dir.resolve("out"))).as("local staging files left after publishing").isEmpty();
        }
    }

    @Test
    void privateKeyLoginWithPassphraseGroupModeAndDoneMarkers(@TempDir Path dir) throws Exception {
        try (SftpTestServer server = new SftpTestServer(dir.resolve("sftp"), "not-the-one-used")) {
            Map<String, String> settings = sftpSettings(server);
            settings.remove("payroll.sftp.password");
            settings.put("payroll.sftp.private-key-file", server.clientPrivateKey("key-passphrase-7").toString());
            settings.put("payroll.sftp.private-key-passphrase", "key-passphrase-7");
            settings.put("payroll.file-mode", "0640");
            settings.put("payroll.done-marker", "true");
            try (SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), settings)) {
                h.runOnce();
                h.ditio.data().randomMutations(new Random(12), 30);
                h.runOnce();

                List<String> drops = assertDeliveredOnceAndEqualToTruth(h, server, 2);
                for (String f : drops) {
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(server.root().resolve(f))))
                            .as("mode of %s on the server (PAYROLL_FILE_MODE 0640)", f).isEqualTo("rw-r-----");
                    assertThat(server.root().resolve(f + ".done")).as("marker of %s", f).isEmptyFile();
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(server.root().resolve(f + ".done"))))
                            .as("mode of the marker of %s on the server", f).isEqualTo("rw-r-----");
                }
                assertThat(server.files("payroll")).as("drops and their markers").hasSize(2 * drops.size());
            }
        }
    }

    @Test
    void connectionDroppedMidUploadIsRetriedAndTheDropLandsOnceComplete(@TempDir Path dir) throws Exception {
        try (SftpTestServer server = new SftpTestServer(dir.resolve("sftp"), PASSWORD);
             SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), sftpSettings(server))) {
            // the first two uploads of the run (4 attempts per drop) lose their connection after 4 KiB
            server.breakUploads(2, 4096);
            h.runOnce();
            assertThat(server.uploadsBroken()).as("uploads whose connection was dropped").isEqualTo(2);

            h.ditio.data().randomMutations(new Random(13), 30);
            server.breakUploads(1, 100);
            h.runOnce();
            assertThat(server.uploadsBroken()).isEqualTo(3);

            assertDeliveredOnceAndEqualToTruth(h, server, 2);
        }
    }

    /**
     * The connection drops right after a rename, before its reply: the next attempt goes on from
     * {@code renaming} (the temporary file is gone, so the drop is on the server or taken by the
     * provider) and does not upload and rename the drop again, even though the provider took it.
     */
    @Test
    void connectionDroppedAfterTheRenameDoesNotDeliverTheDropAgain(@TempDir Path dir) throws Exception {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log = new ch.qos.logback.core.read.ListAppender<>();
        log.start();
        root.addAppender(log);
        try (SftpTestServer server = new SftpTestServer(dir.resolve("sftp"), PASSWORD);
             SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), sftpSettings(server))) {
            server.breakAfterRenames(2);
            h.runOnce();
            assertThat(server.finalsCreated()).as("drops renamed into place").hasSize(2);

            h.ditio.data().randomMutations(new Random(14), 30);
            server.breakAfterRenames(2);
            h.runOnce();

            List<String> drops = assertDeliveredOnceAndEqualToTruth(h, server, 2);
            List<String> said;
            synchronized (log) {
                said = log.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                        .filter(m -> m.startsWith("Delivered ") || m.contains(" was already delivered to ")).toList();
            }
            // the retry after the dropped connection found each drop in place: said so, not "Delivered" (its first)
            assertThat(said).hasSize(drops.size()).allSatisfy(m -> assertThat(m).contains(" was already delivered to 127.0.0.1:"
                    + server.port() + " /payroll/", "(renamed there before a crash or a lost connection); not uploaded again"));
            assertThat(drops).allSatisfy(d -> assertThat(said).filteredOn(m -> m.startsWith(d.substring(d.lastIndexOf('/') + 1) + " "))
                    .hasSize(1));
        } finally {
            root.detachAppender(log);
        }
    }

    @Test
    void serverThatKeepsDroppingFailsTheRunAndTheNextRunPublishesTheCommittedDropsOnce(@TempDir Path dir) throws Exception {
        try (SftpTestServer server = new SftpTestServer(dir.resolve("sftp"), PASSWORD);
             SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), sftpSettings(server))) {
            server.breakUploads(1000, 1024);
            assertThatThrownBy(h::runOnce).hasMessageContaining("is committed but could not be published")
                    .hasMessageContaining("SFTP server 127.0.0.1:" + server.port())
                    .hasMessageContaining("gave up after 4 attempts");
            assertThat(server.uploadsBroken()).as("4 attempts for each of the 2 drops").isEqualTo(8);
            assertThat(server.finalsCreated()).isEmpty();
            assertThat(outbox(h)).as("outbox after the failed publish").containsExactly(
                    "jdbc=published", "sap=uploading", "visma=uploading");

            server.breakUploads(0, 0);
            SyncRun next = h.runOnce();
            assertThat(next.files()).as("the next run had nothing new; it published the committed drops").isEmpty();
            assertDeliveredOnceAndEqualToTruth(h, server, 1);
        }
    }

    /**
     * A committed drop waits for its upload as a file in the drop folder of the node that committed it. Gone
     * (that node lost, its folder not shared), no run can publish it: the message says so, and what to do,
     * instead of promising it to the next run.
     */
    @Test
    void aCommittedDropWhoseFileIsGoneIsNotPromisedToTheNextRun(@TempDir Path dir) throws Exception {
        try (SftpTestServer server = new SftpTestServer(dir.resolve("sftp"), PASSWORD);
             SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), sftpSettings(server))) {
            server.breakUploads(1000, 1024);
            assertThatThrownBy(h::runOnce).hasMessageContaining("is committed but could not be published");
            for (Path file : localFiles(dir.resolve("out"))) {
                Files.delete(file);
            }
            server.breakUploads(0, 0);

            assertThatThrownBy(h::runOnce).as("the next run")
                    .hasMessageContaining("is missing locally")
                    .hasMessageContaining("every node needs the same drop folder")
                    .hasMessageNotContaining("it is published by the next run");
            assertThat(outbox(h)).containsExactly("jdbc=published", "sap=uploading", "visma=uploading");
        }
    }

    /**
     * Every file drop left for the next run: the run's message, and so its report and the run log that
     * status and the operator's page read (its first 1000 characters), names each, not only the first.
     */
    @Test
    void everyDropLeftForTheNextRunIsNamedInTheRunsMessageAndReport(@TempDir Path dir) throws Exception {
        try (SftpTestServer server = new SftpTestServer(dir.resolve("sftp"), PASSWORD)) {
            Map<String, String> settings = sftpSettings(server);
            settings.put("payroll.sftp.url", server.url("/payroll/exports-from-ditio-for-the-payroll-provider"));
            settings.put("payroll.targets", "visma,sap,tripletex,csv,jdbc");
            try (SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), settings)) {
                server.breakUploads(1000, 1024);
                Throwable failed = catchRun(h);
                assertThat(outbox(h)).containsExactly("csv=uploading", "jdbc=published", "sap=uploading",
                        "tripletex=uploading", "visma=uploading");
                assertThat(failed.getMessage()).as("the run's message").doesNotContain("\n")
                        .contains("the sap drop of run", "the visma drop of run");
                String logged;
                try (java.sql.Connection c = h.stateDb().connect(); java.sql.ResultSet rs = c.createStatement()
                        .executeQuery("SELECT message FROM sync_run")) {
                    assertThat(rs.next()).isTrue();
                    logged = rs.getString(1);
                }
                assertThat(logged).as("the run log's message").contains("the visma drop of run", "the sap drop of run",
                        "the tripletex drop of run", "the csv drop of run");
                assertReportNamesSapAndVisma(dir);
            }
        }
    }

    private static void assertReportNamesSapAndVisma(Path dir) throws Exception {
        List<Path> reports;
        try (Stream<Path> files = Files.list(dir.resolve("data/runs"))) {
            reports = files.filter(f -> f.toString().endsWith(".json")).toList();
        }
        assertThat(reports).as("run reports").hasSize(1);
        com.fasterxml.jackson.databind.JsonNode report = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(reports.get(0).toFile());
        assertThat(report.path("outcome").asText()).isEqualTo("failed");
        assertThat(report.path("message").asText()).as("the report's message")
                .contains("the sap drop of run", "the visma drop of run");
    }

    /**
     * A scheduled run whose drops are committed but cannot be published: the schedule's line says it
     * failed, without claiming the watermark and ledger were left as they were (they moved: the run's
     * own line says its deltas are committed, and the next run publishes them).
     */
    @Test
    void aScheduledRunThatCommittedButCouldNotPublishIsNotSaidToLeaveTheLedgerUnchanged(@TempDir Path dir) throws Exception {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log = new ch.qos.logback.core.read.ListAppender<>();
        log.start();
        root.addAppender(log);
        try (SftpTestServer server = new SftpTestServer(dir.resolve("sftp"), PASSWORD);
             SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), sftpSettings(server))) {
            server.breakUploads(1000, 1024);
            RecoveredFiringTest.fire(h, java.time.Instant.parse("2026-11-28T12:00:00Z"));
            List<String> errors;
            synchronized (log) {
                errors = log.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR)
                        .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
            }
            assertThat(errors).anySatisfy(l -> assertThat(l).startsWith("Run ")
                    .contains("failed, its deltas are committed (the next run publishes what is left)"));
            assertThat(errors).anySatisfy(l -> assertThat(l).startsWith("Scheduled run of company acme failed: ")
                    .contains("is committed but could not be published"));
            assertThat(errors).noneSatisfy(l -> assertThat(l).contains("unchanged"));
        } finally {
            root.detachAppender(log);
        }
    }

    @Test
    void unknownOrChangedHostKeyIsRefusedWithOneLineAndNothingIsUploaded(@TempDir Path dir) throws Exception {
        try (SftpTestServer server = new SftpTestServer(dir.resolve("sftp"), PASSWORD)) {
            Map<String, String> settings = sftpSettings(server);
            Path knownHosts = dir.resolve("known_hosts");
            Files.writeString(knownHosts, "");
            settings.put("payroll.sftp.known-hosts", knownHosts.toString());
            try (SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), settings)) {
                Throwable unknown = catchRun(h);
                assertThat(unknown.getMessage()).as("one line").doesNotContain("\n")
                        .contains("the sap drop of run", "SFTP server 127.0.0.1:" + server.port()
                                + " is not trusted: its host key is not in the known_hosts file " + knownHosts
                                + " (PAYROLL_SFTP_KNOWN_HOSTS); nothing uploaded (reject HostKey: [127.0.0.1]:" + server.port()
                                + "; add the key from ssh-keyscan -p " + server.port()
                                + " 127.0.0.1 once its fingerprint is confirmed by the provider)")
                        .doesNotContain("gave up"); // not retried
                assertThat(server.files("")).as("files on the server").isEmpty();
                assertThat(outbox(h)).containsExactly("jdbc=published", "sap=committed", "visma=committed");

                Files.copy(server.knownHostsWithAnotherKey(), knownHosts, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Throwable changed = catchRun(h);
                assertThat(changed.getMessage()).doesNotContain("\n")
                        .contains("the host key of SFTP server 127.0.0.1:" + server.port()
                                + " does not match the one in the known_hosts file " + knownHosts
                                + " (PAYROLL_SFTP_KNOWN_HOSTS): connection refused, nothing uploaded");
                assertThat(server.files("")).isEmpty();

                Files.copy(server.knownHosts(), knownHosts, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                h.runOnce();
                assertDeliveredOnceAndEqualToTruth(h, server, 1);
            }
        }
    }

    /**
     * A login the server refuses (a wrong password on a server that ends the login after a few tries, as
     * OpenSSH does; a key whose passphrase is wrong) is not retried: retries would only add failed logins,
     * which a provider's server may answer by locking the account. The message names what to check.
     */
    @Test
    void aRefusedLoginOrAWrongPassphraseIsNotRetriedAndSaysWhatToCheck(@TempDir Path dir) throws Exception {
        try (SftpTestServer server = new SftpTestServer(dir.resolve("sftp"), PASSWORD)) {
            server.limitAuthRequests(1);
            Map<String, String> settings = sftpSettings(server);
            settings.put("payroll.sftp.password", PASSWORD + "-but-wrong");
            try (SyncHarness h = new SyncHarness(company(), dir.resolve("password"), LAST.minusWeeks(3), settings)) {
                Throwable refused = catchRun(h);
                assertThat(refused.getMessage()).contains("login to SFTP server 127.0.0.1:" + server.port()
                        + " as 'payroll' refused: check PAYROLL_SFTP_USER and PAYROLL_SFTP_PASSWORD or PAYROLL_SFTP_PRIVATE_KEY_FILE")
                        .doesNotContain("gave up");
                assertThat(refused.getSuppressed()).as("the run's other drop").anySatisfy(other -> assertThat(other.getMessage())
                        .contains("not tried, as the server did not let this run in for an earlier drop: login to SFTP server"));
                assertThat(server.sessionsOpened()).as("connections: one login for the run's two drops (visma, sap), "
                        + "not one per drop or attempt").isEqualTo(1);
                assertThat(outbox(h)).containsExactly("jdbc=published", "sap=committed", "visma=committed");
            }
            // a server that lets a client try again on the same connection (OpenSSH: MaxAuthTries 6): one try each
            server.limitAuthRequests(20);
            try (SyncHarness h = new SyncHarness(company(), dir.resolve("password-tries"), LAST.minusWeeks(3), settings)) {
                int before = server.passwordsTried();
                assertThat(catchRun(h).getMessage()).contains("login to SFTP server 127.0.0.1:" + server.port()
                        + " as 'payroll' refused");
                assertThat(server.passwordsTried() - before).as("wrong passwords sent: one, for the run's first drop")
                        .isEqualTo(1);
            }

            Path key = server.clientPrivateKey("the-right-passphrase");
            settings = sftpSettings(server);
            settings.remove("payroll.sftp.password");
            settings.put("payroll.sftp.private-key-file", key.toString());
            settings.put("payroll.sftp.private-key-passphrase", "a-wrong-passphrase");
            ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                    org.slf4j.Logger.ROOT_LOGGER_NAME);
            ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log = new ch.qos.logback.core.read.ListAppender<>();
            log.start();
            root.addAppender(log);
            try (SyncHarness h = new SyncHarness(company(), dir.resolve("passphrase"), LAST.minusWeeks(3), settings)) {
                assertThat(catchRun(h).getMessage()).contains("the private key file " + key
                        + " (PAYROLL_SFTP_PRIVATE_KEY_FILE) cannot be opened with PAYROLL_SFTP_PRIVATE_KEY_PASSPHRASE")
                        .doesNotContain("gave up");
            } finally {
                root.detachAppender(log);
            }
            synchronized (log) {
                assertThat(log.list).as("JSch's own 'failed to parse key' with a trace, before the run's one line")
                        .noneSatisfy(e -> assertThat(e.getFormattedMessage()).contains("JSCH"));
            }
            assertThat(server.files("")).isEmpty();
        }
    }

    /** A drop folder the server cannot make (a file of that name is in the way) is named, not a missing file. */
    @Test
    void aFolderTheServerCannotMakeIsNamed(@TempDir Path dir) throws Exception {
        try (SftpTestServer server = new SftpTestServer(dir.resolve("sftp"), PASSWORD);
             SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), sftpSettings(server))) {
            Files.writeString(server.root().resolve("payroll"), "a file, not a folder");
            assertThat(catchRun(h).getMessage()).containsPattern("SFTP server 127\\.0\\.0\\.1:" + server.port()
                    + " refused: cannot make the folder /payroll/(visma|sap) \\(does its parent exist, and may 'payroll' write there\\?\\)")
                    .doesNotContain("gave up");
        }
    }

    /**
     * A listing that gets no answer while the SSH connection lives on (the server's SFTP side hung):
     * the step is cut after PAYROLL_SFTP_TIMEOUT and the attempt is made again on a new connection, so
     * the run ends instead of waiting for ever, with each drop delivered once.
     */
    @Test
    @org.junit.jupiter.api.Timeout(120)
    void anSftpSideThatHangsBehindALiveConnectionIsCutAfterTheTimeout(@TempDir Path dir) throws Exception {
        try (SftpTestServer server = new SftpTestServer(dir.resolve("sftp"), PASSWORD)) {
            Map<String, String> settings = sftpSettings(server);
            settings.put("payroll.sftp.timeout", "2s");
            try (SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), settings)) {
                server.stallListings(1);
                h.runOnce();
                assertDeliveredOnceAndEqualToTruth(h, server, 1);
            }
        }
    }

    private static Throwable catchRun(SyncHarness h) {
        try {
            h.runOnce();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("the run did not fail");
    }

    /**
     * Every drop on the server is complete, was created under its final name once, and the drops
     * (oldest run first) sum to Ditio's truth; so does payroll_line; the outbox is all published.
     *
     * @return the drops on the server (markers left out)
     */
    static List<String> assertDeliveredOnceAndEqualToTruth(SyncHarness h, SftpServerSeen server, int dropsPerTarget)
            throws Exception {
        List<String> all = new ArrayList<>();
        for (String target : List.of("visma", "sap")) {
            List<String> drops = server.files("payroll/" + target).stream().filter(f -> f.endsWith(".csv")).toList();
            assertThat(drops).as("%s drops on the server", target).hasSize(dropsPerTarget)
                    .noneMatch(f -> Path.of(f).getFileName().toString().startsWith("."));
            all.addAll(drops);
        }
        assertThat(server.files("payroll")).as("temporary files on the server").noneMatch(f -> f.endsWith(".tmp"));
        assertThat(server.finalsCreated()).as("every final name created once").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(all);
        assertThat(DeliveredPayroll.vismaTotals(byRun(h, server, "visma"))).isEqualTo(h.truth(k -> k[0] + "|" + k[2]));
        assertThat(DeliveredPayroll.sapTotals(byRun(h, server, "sap"))).isEqualTo(h.truth(k -> k[0] + "|" + k[1] + "|" + k[2]));
        assertThat(h.jdbcTotals()).isEqualTo(h.truth(k -> k[0] + "|" + k[1] + "|" + k[2]));
        assertThat(outbox(h)).allMatch(row -> row.endsWith("=published"));
        return all;
    }

    /** A target's drops on the server, in the order of the runs that wrote them. */
    static List<Path> byRun(SyncHarness h, SftpServerSeen server, String target) throws Exception {
        Map<String, String> runStart = new HashMap<>();
        try (Connection c = h.stateDb().connect();
             ResultSet rs = c.createStatement().executeQuery("SELECT run_id, started_at FROM sync_run")) {
            while (rs.next()) {
                runStart.put(rs.getString(1), rs.getObject(2, java.time.OffsetDateTime.class).toInstant().toString());
            }
        }
        return server.files("payroll/" + target).stream().filter(f -> f.endsWith(".csv")).map(server.root()::resolve)
                .sorted(Comparator.comparing(p -> runStart.get(runIdOf(p)))).toList();
    }

    private static String runIdOf(Path file) {
        String name = file.getFileName().toString();
        return name.substring(name.lastIndexOf('_') + 1, name.length() - ".csv".length());
    }

    /** target=status of each outbox row, ordered by run and target. */
    static List<String> outbox(SyncHarness h) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = h.stateDb().connect();
             ResultSet rs = c.createStatement().executeQuery("SELECT target, status FROM drop_outbox ORDER BY run_id, target")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + "=" + rs.getString(2));
            }
        }
        return rows;
    }

    private static List<Path> localFiles(Path folder) throws Exception {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
