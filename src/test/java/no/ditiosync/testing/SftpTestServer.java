package no.ditiosync.testing;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.CopyOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A real SFTP server for the tests: Apache MINA SSHD on a free loopback port, with a host key
 * generated for the test, password and public-key login for one user, and a file system rooted in
 * a folder of the test. It records every rename to a final (not hidden) name, so a test can tell
 * that no drop was ever delivered twice, even if the "provider" took it away in between; and it can
 * drop the connection in the middle of uploads.
 */
public final class SftpTestServer implements AutoCloseable, SftpServerSeen {

    public static final String USER = "payroll";

    private final SshServer sshd;
    private final Path root;
    private final Path dir;
    private final PublicKey hostKey;
    private final KeyPair clientKey;
    private final List<String> finalsCreated = new ArrayList<>();
    private final AtomicInteger uploadsToBreak = new AtomicInteger();
    private final AtomicLong breakAfterBytes = new AtomicLong();
    private final AtomicInteger uploadsBroken = new AtomicInteger();
    private final AtomicInteger renamesToBreak = new AtomicInteger();
    private final AtomicInteger removalsToBreak = new AtomicInteger();
    private final AtomicInteger folderMakingsToBreak = new AtomicInteger();
    private final AtomicInteger sessionsOpened = new AtomicInteger();
    private final AtomicInteger passwordsTried = new AtomicInteger();
    private final AtomicInteger listingsToStall = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicReference<Path> takeWhenOpened = new java.util.concurrent.atomic.AtomicReference<>();
    private final java.util.concurrent.CountDownLatch closing = new java.util.concurrent.CountDownLatch(1);
    private final List<String> modesAtFirstWrite = new ArrayList<>();
    private final java.util.Set<ServerSession> brokenSessions = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** @param dir a folder of the test: the server's files are in {@code dir/root}, its keys beside it */
    public SftpTestServer(Path dir, String password) throws IOException, GeneralSecurityException {
        this.dir = Files.createDirectories(dir);
        this.root = Files.createDirectories(dir.resolve("root"));
        this.clientKey = KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
        sshd = SshServer.setUpDefaultServer();
        sshd.setHost("127.0.0.1");
        sshd.setPort(0);
        SimpleGeneratorHostKeyProvider hostKeys = new SimpleGeneratorHostKeyProvider(dir.resolve("host-key"));
        hostKeys.setAlgorithm("EC");
        hostKeys.setKeySize(256);
        sshd.setKeyPairProvider(hostKeys);
        this.hostKey = hostKeys.loadKeys(null).iterator().next().getPublic();
        sshd.setPasswordAuthenticator((user, given, session) -> {
            passwordsTried.incrementAndGet();
            return USER.equals(user) && password.equals(given);
        });
        sshd.setPublickeyAuthenticator((user, key, session) -> USER.equals(user)
                && KeyUtils.compareKeys(key, clientKey.getPublic()));
        sshd.setKeyboardInteractiveAuthenticator(null);
        sshd.setFileSystemFactory(new VirtualFileSystemFactory(root));
        SftpSubsystemFactory sftp = new SftpSubsystemFactory();
        sftp.addSftpEventListener(new Recorder());
        sshd.setSubsystemFactories(List.of(sftp));
        sshd.addSessionListener(new org.apache.sshd.common.session.SessionListener() {
            @Override
            public void sessionCreated(org.apache.sshd.common.session.Session session) {
                sessionsOpened.incrementAndGet();
            }
        });
        sshd.start();
    }

    public int port() {
        return sshd.getPort();
    }

    /** The server's "/": what the payroll provider sees. */
    @Override
    public Path root() {
        return root;
    }

    public String url(String folder) {
        return "sftp://127.0.0.1:" + port() + folder;
    }

    /** A known_hosts file listing this server's host key. */
    public Path knownHosts() throws IOException {
        return writeKnownHosts(dir.resolve("known_hosts"), hostKey);
    }

    /** A known_hosts file listing another key for this server: what a changed (or spoofed) host looks like. */
    public Path knownHostsWithAnotherKey() throws IOException, GeneralSecurityException {
        return writeKnownHosts(dir.resolve("known_hosts-other"),
                KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256).getPublic());
    }

    private Path writeKnownHosts(Path file, PublicKey key) throws IOException {
        Files.writeString(file, "[127.0.0.1]:" + port() + " " + PublicKeyEntry.toString(key) + "\n", StandardCharsets.UTF_8);
        return file;
    }

    /** The client's private key in OpenSSH format, encrypted with the passphrase (none if null). */
    public Path clientPrivateKey(String passphrase) throws IOException, GeneralSecurityException {
        Path file = dir.resolve(passphrase == null ? "id_ecdsa" : "id_ecdsa-encrypted");
        OpenSSHKeyEncryptionContext encryption = null;
        if (passphrase != null) {
            encryption = new OpenSSHKeyEncryptionContext();
            encryption.setCipherName("AES");
            encryption.setCipherType("256");
            encryption.setPassword(passphrase);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(clientKey, "payroll@test", encryption, out);
        }
        return file;
    }

    /** The next {@code uploads} uploads to a hidden temporary name lose their connection after {@code afterBytes}. */
    public void breakUploads(int uploads, long afterBytes) {
        breakAfterBytes.set(afterBytes);
        uploadsToBreak.set(uploads);
    }

    /**
     * The next {@code renames} renames to a final name happen, and then the connection drops before the
     * client hears so: what a network fault right after the rename looks like to the client.
     */
    public void breakAfterRenames(int renames) {
        renamesToBreak.set(renames);
    }

    /**
     * The next {@code removals} deletions of a hidden temporary file do not happen: the connection drops
     * first, as a network fault in the middle of a client's clean-up looks to it.
     */
    public void breakRemovals(int removals) {
        removalsToBreak.set(removals);
    }

    /** The next {@code folders} folders a client makes are not made: the connection drops first. */
    public void breakFolderMakings(int folders) {
        folderMakingsToBreak.set(folders);
    }

    /**
     * The server ends a login after {@code requests} authentication requests with "Too many authentication
     * failures", as OpenSSH does after its MaxAuthTries, instead of answering each with a failure.
     */
    public void limitAuthRequests(int requests) {
        org.apache.sshd.core.CoreModuleProperties.MAX_AUTH_REQUESTS.set(sshd, requests);
    }

    /**
     * The next {@code listings} folder listings hang (until the server closes) while the SSH connection
     * keeps answering: an SFTP side stuck behind a live connection, as a hung disk makes it.
     */
    /**
     * The provider takes the file (moves it to {@code takenTo}) as soon as a client opens it for reading, after
     * it was listed: what a provider collecting its drops looks like to a client that reads one back.
     */
    public void takeWhenOpened(Path takenTo) {
        takeWhenOpened.set(takenTo);
    }

    public void stallListings(int listings) {
        listingsToStall.set(listings);
    }

    /** How many passwords clients tried, right or wrong: what a provider's lockout counts. */
    public int passwordsTried() {
        return passwordsTried.get();
    }

    /** How many SSH connections clients opened. */
    public int sessionsOpened() {
        return sessionsOpened.get();
    }

    /** How many uploads had their connection dropped. */
    public int uploadsBroken() {
        return uploadsBroken.get();
    }

    /** The mode (as {@code rw-------}) each hidden temporary file had when the first bytes of it were written. */
    public synchronized List<String> modesAtFirstWrite() {
        return List.copyOf(modesAtFirstWrite);
    }

    /** Every final (not hidden) name a file was renamed to, relative to the root, in order. */
    @Override
    public synchronized List<String> finalsCreated() {
        return List.copyOf(finalsCreated);
    }

    /** Regular files under a folder of the root (relative paths), sorted. */
    @Override
    public List<String> files(String folder) throws IOException {
        return files(root, folder);
    }

    /** Regular files under a folder of a server's root (paths relative to the root), sorted: what the provider sees. */
    static List<String> files(Path root, String folder) throws IOException {
        Path f = root.resolve(folder);
        if (!Files.isDirectory(f)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(f)) {
            return files.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    @Override
    public void close() {
        closing.countDown();
        try {
            sshd.stop(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A path as the SFTP subsystem gives it (rooted "/a/b", or native), relative to the root. */
    private String relative(Path path) {
        String p = path.toString();
        if (p.startsWith(root.toString())) {
            return root.relativize(Path.of(p)).toString();
        }
        return p.startsWith("/") ? p.substring(1) : p;
    }

    private final class Recorder implements SftpEventListener {
        @Override
        public void opening(ServerSession session, String remoteHandle, org.apache.sshd.sftp.server.Handle localHandle)
                throws IOException {
            Path to = takeWhenOpened.get();
            Path file = localHandle.getFile();
            // a folder's handle too ("/" has no file name): only a drop's file is taken
            if (to == null || !(localHandle instanceof FileHandle) || file.getFileName() == null
                    || file.getFileName().toString().startsWith(".") || !Files.isRegularFile(file)) {
                return;
            }
            Files.createDirectories(to);
            Files.move(file, to.resolve(file.getFileName().toString()));
        }

        @Override
        public void readingEntries(ServerSession session, String remoteHandle,
                                   org.apache.sshd.sftp.server.DirectoryHandle localHandle) {
            if (listingsToStall.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                try {
                    closing.await(5, java.util.concurrent.TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void writing(ServerSession session, String remoteHandle, FileHandle localHandle, long offset, byte[] data,
                            int dataOffset, int dataLen) throws IOException {
            String name = localHandle.getFile().getFileName().toString();
            if (offset == 0 && dataLen > 0 && name.startsWith(".") && name.endsWith(".tmp")) {
                synchronized (SftpTestServer.this) {
                    modesAtFirstWrite.add(java.nio.file.attribute.PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(localHandle.getFile())));
                }
            }
            if (brokenSessions.contains(session)) {
                // a write still in flight on a session being closed: the same break, not another
                throw new IOException("test server: connection dropped");
            }
            if (name.startsWith(".") && name.endsWith(".tmp") && offset + dataLen > breakAfterBytes.get()
                    && uploadsToBreak.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                brokenSessions.add(session);
                uploadsBroken.incrementAndGet();
                session.close(true); // the connection drops, as a network or server fault would
                throw new IOException("test server: connection dropped after " + offset + " bytes of " + name);
            }
        }

        @Override
        public void creating(ServerSession session, Path path, Map<String, ?> attrs) throws IOException {
            if (folderMakingsToBreak.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                brokenSessions.add(session);
                session.close(true);
                throw new IOException("test server: connection dropped before folder " + path.getFileName() + " was made");
            }
        }

        @Override
        public void removing(ServerSession session, Path path, boolean isDirectory) throws IOException {
            String name = path.getFileName() == null ? "" : path.getFileName().toString();
            if (!isDirectory && name.startsWith(".") && name.endsWith(".tmp")
                    && removalsToBreak.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                brokenSessions.add(session);
                session.close(true);
                throw new IOException("test server: connection dropped before " + name + " was removed");
            }
        }

        @Override
        public void moved(ServerSession session, Path srcPath, Path dstPath, Collection<CopyOption> opts, Throwable thrown) {
            if (thrown == null && !dstPath.getFileName().toString().startsWith(".")) {
                synchronized (SftpTestServer.this) {
                    finalsCreated.add(relative(dstPath));
                }
                if (renamesToBreak.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    brokenSessions.add(session);
                    try {
                        session.close(true); // before the rename's reply is sent
                    } catch (RuntimeException ignored) {
                        // closed either way
                    }
                }
            }
        }
    }
}
