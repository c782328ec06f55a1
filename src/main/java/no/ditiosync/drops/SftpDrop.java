package no.ditiosync.drops;

import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.JSchChangedHostKeyException;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.JSchHostKeyException;
import com.jcraft.jsch.SftpException;
import no.ditiosync.state.CrashPoints;
import no.ditiosync.state.OutboxStore;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.file.GenericFileOperationFailedException;
import org.apache.camel.component.file.remote.SftpComponent;
import org.apache.camel.component.file.remote.SftpConfiguration;
import org.apache.camel.component.file.remote.SftpEndpoint;
import org.apache.camel.component.file.remote.SftpOperations;
import org.apache.camel.component.file.remote.SftpRemoteFile;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Publishes committed drops to an SFTP server, one folder per target ({@code <base>/<target>/}),
 * so that the payroll provider never sees half a file and no drop lands twice, whatever crashes.
 * <p>
 * The protocol. Every remote step is preceded by the outbox state that says how to finish it after
 * a crash (the provider may take a final file away at any moment, so "upload again if the final
 * file is missing" would deliver twice):
 * <ol>
 *   <li>{@code committed} → record {@code uploading}; upload the local temp file to the remote
 *       temp {@code .<name>.tmp} (a stale one deleted first), set its mode, check its size.
 *       Found {@code uploading} after a crash: the rename has not happened (it is only done after
 *       {@code renaming} is recorded), so the remote temp is deleted and uploaded again.</li>
 *   <li>→ record {@code renaming}; rename the remote temp to the final name (atomic on the server).
 *       A file already under the final name is never renamed over (OpenSSH's
 *       {@code posix-rename@openssh.com}, which JSch uses when offered, would replace it): with the
 *       drop's bytes it is this drop, put there before the outbox could say so, and the remote temp is
 *       deleted after recording {@code found-there}; with other bytes the drop fails, permanently, the
 *       remote temp kept for the next run.
 *       Found {@code renaming} after a crash: if the remote temp is still there, rename it as above;
 *       if not, the rename happened, and the final file may already be gone to the provider: nothing
 *       is uploaded again. Found {@code found-there}: the drop was judged in place, and the provider may
 *       have taken it since; only the remote temp is deleted, never renamed.</li>
 *   <li>the {@code .done} marker, if the target has them, only while its final file is still there;
 *       the local temp file is deleted; the caller then records {@code published}.</li>
 * </ol>
 * Transient failures (connection refused or dropped, timeouts) are retried with a small doubling
 * backoff, each attempt on a new connection and from the state reached; what is left fails, and
 * the drop stays in the outbox for the next run. An unknown or changed host key, a refused login
 * and a permission denied are not retried.
 * <p>
 * Camel's sftp producer alone cannot do this: it uploads and renames in one call (its
 * {@code tempFileName} option), with no place to record the state in between, and cannot tell after
 * a crash whether its rename happened. So this class drives the operations the sftp component's
 * producer itself uses ({@link SftpOperations}, over JSch), with the component's configuration:
 * known_hosts, strict host-key checking, password or key login, timeouts. The mode is set by this class
 * ({@link #mode}), as a request a server may refuse.
 */
public final class SftpDrop {

    public static final String UPLOADING = "uploading";
    public static final String RENAMING = "renaming";
    public static final String COMMITTED = "committed";
    /** The drop's bytes were found under its final name; what is left is deleting the remote temp. */
    public static final String FOUND_THERE = OutboxStore.FOUND_THERE;

    private static final Logger LOG = LoggerFactory.getLogger(SftpDrop.class);
    private static final Duration MAX_DELAY = Duration.ofSeconds(30);

    /**
     * Where and how to deliver. Secrets (password, passphrase) come only from the environment and
     * are never printed ({@link #toString}).
     *
     * @param folder     the base folder on the server: absolute, or "." for the login folder
     * @param fileMode   {@code 0600} or {@code 0640}: the mode of the drops on the server
     * @param privateKey null for password login
     */
    public record Config(String host, int port, String folder, String user, String password, Path privateKey,
                         String passphrase, Path knownHosts, Duration connectTimeout, Duration timeout,
                         int maxAttempts, Duration retryDelay, String fileMode) {

        /** The folder of a target's drops on the server. */
        public String folderOf(String target) {
            return (folder.endsWith("/") ? folder : folder + "/") + target;
        }

        /**
         * Where a drop lands, as a user finds it: {@code sftp://host:port/folder/target/name}, a folder under
         * the login folder as {@code /~/} (as curl and others read such a URL).
         */
        public String location(String target, String name) {
            String path = folderOf(target);
            return "sftp://" + server() + (path.startsWith("/") ? "" : "/~/")
                    + (path.startsWith("./") ? path.substring(2) : path) + "/" + name;
        }

        /** {@code host:port}, for messages. */
        public String server() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }

        @Override
        public String toString() {
            return "SftpDrop.Config[" + user + "@" + server() + folder + "]";
        }
    }

    /** Records a drop's outbox state before the remote step it announces. */
    @FunctionalInterface
    public interface OutboxState {
        void record(String status) throws Exception;
    }

    private final Config config;
    private final CamelContext context;
    private SftpEndpoint endpoint;
    private final java.util.concurrent.atomic.AtomicBoolean modeRefusedSaid = new java.util.concurrent.atomic.AtomicBoolean();

    public SftpDrop(Config config, CamelContext context) {
        this.config = config;
        this.context = context;
    }

    public Config config() {
        return config;
    }

    /** The folder of a target's drops on the server. */
    public String folder(String target) {
        return config.folderOf(target);
    }

    /**
     * Publishes one committed drop from the state the outbox holds for it (see the class comment).
     * On return the drop is complete on the server (or already taken by the provider) and the local
     * temp file is gone; the caller records {@code published}.
     *
     * @param status     the drop's outbox state: {@code committed}, {@code uploading} or {@code renaming}
     * @param localTemp  the committed drop, under its local temporary name
     * @param finalName  the drop's name on the server
     * @param doneMarker whether an empty {@code <finalName>.done} follows the drop
     */
    public void publish(String target, String status, Path localTemp, String finalName, boolean doneMarker,
                        OutboxState outbox) throws Exception {
        // the state the outbox holds, also when an attempt fails after recording one: an attempt cut off
        // after the rename goes on from renaming, never from the state it started in (that would upload again)
        String[] reached = {status};
        OutboxState recording = next -> {
            outbox.record(next);
            reached[0] = next;
        };
        for (int attempt = 1; ; attempt++) {
            try {
                Outcome outcome = attempt(target, reached[0], localTemp, finalName, doneMarker, recording);
                Files.deleteIfExists(localTemp);
                if (outcome == Outcome.RENAMED) {
                    LOG.info("Delivered {} to {} {}", finalName, config.server(), folder(target));
                } else if (outcome == Outcome.FOUND_THERE) {
                    LOG.info("{} was already on {} {} with the same content (put there before the outbox said so); "
                            + "not renamed over it", finalName, config.server(), folder(target));
                } else {
                    // said once per drop: a second "Delivered" would read as a drop paid twice
                    LOG.info("{} was already delivered to {} {} (renamed there before a crash or a lost connection); "
                            + "not uploaded again", finalName, config.server(), folder(target));
                }
                return;
            } catch (RemoteFailure e) {
                if (e.notLetIn) {
                    throw new NotLetIn(e.getMessage(), e.getCause());
                }
                if (e.permanent || attempt >= config.maxAttempts()) {
                    throw new IOException(e.getMessage() + (e.permanent ? "" : " (gave up after " + attempt
                            + " attempt" + (attempt > 1 ? "s" : "") + ")"), e.getCause());
                }
                Duration delay = delay(attempt);
                LOG.warn("SFTP delivery of {} to {}: {}; attempt {} of {}, again in {} ms", finalName, config.server(),
                        e.getMessage(), attempt + 1, config.maxAttempts(), delay.toMillis());
                Thread.sleep(delay.toMillis());
            }
        }
    }

    /**
     * Connects and logs in once, the host key checked as for a delivery, and looks for the base folder;
     * uploads nothing and is not retried (the check command).
     *
     * @return what was found, for a line of the check
     * @throws IOException with what to fix, in the words a failed delivery uses
     */
    public String check() throws IOException {
        Operations sftp;
        try {
            sftp = operations();
        } catch (Exception e) {
            throw new IOException(failure(e).getMessage(), e);
        }
        try {
            remote(() -> sftp.connect(endpoint().getConfiguration(), null));
            String folder = config.folder();
            int slash = folder.lastIndexOf('/');
            boolean there = folder.equals(".") || folder.equals("/")
                    || size(sftp, slash <= 0 ? "/" : folder.substring(0, slash), folder.substring(slash + 1)) >= 0;
            return "logged in as '" + config.user() + "', host key known; folder " + folder
                    + (there ? " is there" : " is not there yet (made at the first delivery)");
        } catch (RemoteFailure e) {
            throw new IOException(e.getMessage(), e.getCause());
        } finally {
            try {
                sftp.forceDisconnect();
            } catch (RuntimeException ignored) {
                // the connection is gone either way
            }
        }
    }

    /** How an attempt found or put the drop in place. */
    private enum Outcome {
        /** renamed into place by this attempt */
        RENAMED,
        /** renamed by an earlier attempt or run (the remote temp was gone) */
        RENAMED_BEFORE,
        /** a file with the drop's bytes was under its final name already */
        FOUND_THERE
    }

    /** One attempt on one connection, from {@code state}; each state reached is recorded before its step. */
    private Outcome attempt(String target, String state, Path localTemp, String finalName, boolean doneMarker,
                            OutboxState outbox) throws Exception {
        String folder = folder(target);
        String temp = folder + "/." + finalName + ".tmp";
        String fin = folder + "/" + finalName;
        Operations sftp = operations();
        try {
            remote(() -> sftp.connect(endpoint().getConfiguration(), null));
            if (COMMITTED.equals(state)) {
                outbox.record(UPLOADING);
                state = UPLOADING;
            }
            if (UPLOADING.equals(state)) {
                upload(sftp, folder, localTemp, temp);
                CrashPoints.reached(CrashPoints.AFTER_UPLOAD);
                outbox.record(RENAMING);
                state = RENAMING;
                CrashPoints.reached(CrashPoints.BEFORE_REMOTE_RENAME);
            }
            Outcome outcome;
            if (FOUND_THERE.equals(state)) {
                // judged in place before the clean-up was cut off: the final file may be gone to the provider since
                outcome = Outcome.FOUND_THERE;
                if (size(sftp, folder, "." + finalName + ".tmp") >= 0) {
                    remote(sftp, () -> sftp.deleteFile(temp));
                }
            } else if (!RENAMING.equals(state)) {
                throw new IllegalStateException("drop " + finalName + " has the unknown outbox state '" + state + "'");
            } else if (size(sftp, folder, "." + finalName + ".tmp") >= 0) {
                outcome = renameUnlessThere(sftp, folder, temp, finalName, localTemp, outbox);
            } else {
                // renamed before a crash or a dropped connection; the provider may have taken it already
                outcome = Outcome.RENAMED_BEFORE;
            }
            CrashPoints.reached(CrashPoints.AFTER_REMOTE_RENAME);
            if (doneMarker) {
                String marker = fin + ".done";
                // a marker only next to its drop: after the provider took the drop, a marker would announce nothing
                if (size(sftp, folder, finalName) >= 0 && size(sftp, folder, finalName + ".done") < 0) {
                    remote(sftp, () -> sftp.storeFile(marker, exchange(InputStream.nullInputStream()), 0));
                    mode(sftp, marker, fileMode());
                }
            }
            return outcome;
        } finally {
            try {
                sftp.forceDisconnect();
            } catch (RuntimeException ignored) {
                // the connection is gone either way
            }
        }
    }

    /**
     * Renames the remote temp to the final name, never over a file of that name. The look and the rename
     * are two steps: a file put under the name in between (by the provider: the name holds the run's id)
     * would be replaced on a server whose rename replaces.
     */
    private Outcome renameUnlessThere(Operations sftp, String folder, String temp, String finalName, Path localTemp,
                                      OutboxState outbox) throws Exception {
        String fin = folder + "/" + finalName;
        long there = size(sftp, folder, finalName);
        if (there < 0) {
            remote(sftp, () -> sftp.renameFile(temp, fin));
            return Outcome.RENAMED;
        }
        boolean thisDrop;
        try {
            if (there != Files.size(localTemp)) {
                thisDrop = false;
            } else {
                InputStream theirs = remoteStreamIfThere(sftp, fin);
                // gone since it was listed with the drop's size: the provider took it, and only this drop has its name
                thisDrop = theirs == null || sameContent(theirs, localTemp);
            }
        } catch (NoSuchFileException e) {
            throw new RemoteFailure(fin + " is on SFTP server " + config.server() + " already and the committed drop "
                    + localTemp + " is missing locally, so they cannot be compared; it is not overwritten", e, true);
        }
        if (!thisDrop) {
            // kept: with 'renaming' recorded, a remote temp found gone would read as the drop delivered
            throw new RemoteFailure(fin + " on SFTP server " + config.server() + " is not this drop (its content differs); "
                    + "it is not overwritten (once it is moved away, the next run delivers the drop)", null, true);
        }
        // recorded first: once the provider takes the file, a retry that found only the remote temp would rename it
        outbox.record(FOUND_THERE);
        remote(sftp, () -> sftp.deleteFile(temp));
        return Outcome.FOUND_THERE;
    }

    /** Whether the remote file holds the local file's bytes (read whole: no bound on a drop's length to watch by). */
    private boolean sameContent(InputStream remote, Path local) throws Exception {
        try (InputStream theirs = remote;
             InputStream ours = new java.io.BufferedInputStream(Files.newInputStream(local), 1 << 16)) {
            byte[] a = new byte[1 << 16];
            byte[] b = new byte[a.length];
            while (true) {
                int n = theirs.readNBytes(a, 0, a.length);
                int m = ours.readNBytes(b, 0, n == 0 ? 1 : n);
                if (n != m || !java.util.Arrays.equals(a, 0, n, b, 0, m)) {
                    return false;
                }
                if (n == 0) {
                    return true;
                }
            }
        } catch (IOException e) {
            throw failure(e);
        }
    }

    /** The remote file to read, or null when there is none (any more). */
    private InputStream remoteStreamIfThere(Operations sftp, String path) throws RemoteFailure {
        try {
            return sftp.channel().get(path);
        } catch (SftpException e) {
            if (e.id == ChannelSftp.SSH_FX_NO_SUCH_FILE) {
                return null;
            }
            throw failure(e);
        }
    }

    private void upload(Operations sftp, String folder, Path localTemp, String temp) throws Exception {
        long size;
        try {
            size = Files.size(localTemp);
        } catch (NoSuchFileException e) {
            throw new RemoteFailure("the committed drop " + localTemp + " is missing locally, so it cannot be uploaded", e,
                    true);
        }
        // the folders this attempt makes get the folder mode; one that is there already is left as it is
        List<String> missing = new ArrayList<>();
        for (String f = folder; !exists(sftp, f); f = f.substring(0, f.lastIndexOf('/'))) {
            missing.add(0, f);
            if (f.lastIndexOf('/') <= 0) {
                break;
            }
        }
        boolean[] made = {false};
        remote(sftp, () -> made[0] = sftp.buildDirectory(folder, true));
        // the component only says false, also when the connection dropped on the way: asked again, a dropped
        // connection fails as one (tried again), and a folder the server would not make is named
        if (!made[0] && !isFolder(sftp, folder)) {
            throw new RemoteFailure("SFTP server " + config.server() + " refused: cannot make the folder " + folder
                    + " (does its parent exist, and may '" + config.user() + "' write there?)", null, true);
        }
        for (String f : missing) {
            mode(sftp, f, config.fileMode().equals(AtomicDropFile.OWNER_ONLY) ? 0700 : 0750);
        }
        String tempName = temp.substring(temp.lastIndexOf('/') + 1);
        if (size(sftp, folder, tempName) >= 0) {
            // what an interrupted attempt left: uploaded again from the start
            remote(sftp, () -> sftp.deleteFile(temp));
        }
        // the temp is made empty first and given the configured mode: a file the server creates gets its
        // default mode, 0644 under a umask of 022, so the content goes into a file that is already the
        // owner's only (overwriting keeps a file's mode)
        remote(sftp, () -> sftp.storeFile(temp, exchange(InputStream.nullInputStream()), 0));
        mode(sftp, temp, fileMode());
        try (InputStream in = Files.newInputStream(localTemp)) {
            remote(() -> sftp.storeFile(temp, exchange(in), size));
        }
        long uploaded = size(sftp, folder, tempName);
        if (uploaded != size) {
            throw new RemoteFailure("the uploaded " + tempName + " has " + uploaded + " bytes instead of " + size, null, false);
        }
    }

    private int fileMode() {
        return Integer.parseInt(config.fileMode(), 8);
    }

    /**
     * Asks the server to give a file or folder the mode. Some servers refuse any mode change (OpenSSH's
     * sftp-server -P setstat,fsetstat; AWS Transfer Family on S3 has no modes): the drop is still
     * delivered, with the mode the server gives it, and a WARN says so once (each drop would repeat it).
     * A dropped connection still fails the step, as any other.
     */
    private void mode(Operations sftp, String path, int mode) throws RemoteFailure {
        Watch watch = new Watch(sftp);
        try {
            sftp.channel().chmod(mode, path);
        } catch (SftpException e) {
            if (watch.cut()) {
                throw watch.failure(e);
            }
            // the server's own answer (JSch gives a broken connection as a failure with its cause)
            boolean answered = e.id == ChannelSftp.SSH_FX_PERMISSION_DENIED || e.id == ChannelSftp.SSH_FX_OP_UNSUPPORTED
                    || (e.id == ChannelSftp.SSH_FX_FAILURE && e.getCause() == null);
            if (!answered) {
                throw failure(e);
            }
            if (modeRefusedSaid.compareAndSet(false, true)) {
                LOG.warn("SFTP server {} did not take the mode {} (PAYROLL_FILE_MODE) for {}: {}; drops are delivered with "
                        + "the mode the server gives them (said once while the application runs)", config.server(),
                        config.fileMode(), path, oneLine(e));
            }
        } catch (RuntimeException e) {
            throw watch.cut() ? watch.failure(e) : failure(e);
        } finally {
            watch.end();
        }
    }

    /** Whether a path exists on the server. */
    private boolean exists(Operations sftp, String path) throws RemoteFailure {
        return stat(sftp, path) != null;
    }

    /** Whether a path on the server is a folder. */
    private boolean isFolder(Operations sftp, String path) throws RemoteFailure {
        com.jcraft.jsch.SftpATTRS attributes = stat(sftp, path);
        return attributes != null && attributes.isDir();
    }

    /** A path's attributes on the server, null when there is nothing under it. */
    private com.jcraft.jsch.SftpATTRS stat(Operations sftp, String path) throws RemoteFailure {
        Watch watch = new Watch(sftp);
        try {
            return sftp.channel().stat(path);
        } catch (SftpException e) {
            if (watch.cut()) {
                throw watch.failure(e);
            }
            if (e.id == ChannelSftp.SSH_FX_NO_SUCH_FILE) {
                return null;
            }
            throw failure(e);
        } catch (RuntimeException e) {
            throw watch.cut() ? watch.failure(e) : failure(e);
        } finally {
            watch.end();
        }
    }

    /** Size of a file in a remote folder, -1 when it does not exist (also when the folder does not). */
    private long size(Operations sftp, String folder, String name) throws RemoteFailure {
        SftpRemoteFile<?>[] files;
        Watch watch = new Watch(sftp);
        try {
            files = sftp.listFiles(folder);
        } catch (GenericFileOperationFailedException e) {
            if (watch.cut()) {
                throw watch.failure(e);
            }
            if (e.getCause() instanceof SftpException s && s.id == ChannelSftp.SSH_FX_NO_SUCH_FILE) {
                return -1;
            }
            throw failure(e);
        } catch (RuntimeException e) {
            throw watch.cut() ? watch.failure(e) : failure(e);
        } finally {
            watch.end();
        }
        for (SftpRemoteFile<?> f : files) {
            if (f.getFilename().equals(name)) {
                return f.getFileLength();
            }
        }
        return -1;
    }

    private Exchange exchange(InputStream body) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getIn().setBody(body);
        return exchange;
    }

    @FunctionalInterface
    private interface RemoteStep {
        void run() throws Exception;
    }

    /** A step answered within PAYROLL_SFTP_TIMEOUT, or its connection is cut (see {@link Watch}). */
    private void remote(Operations sftp, RemoteStep step) throws RemoteFailure {
        Watch watch = new Watch(sftp);
        try {
            remote(step);
        } catch (RemoteFailure e) {
            throw watch.cut() ? watch.failure(e.getCause() instanceof Exception c ? c : e) : e;
        } finally {
            watch.end();
        }
    }

    private static final java.util.concurrent.ScheduledExecutorService WATCHDOG =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sftp-step-watchdog");
                t.setDaemon(true);
                return t;
            });

    /**
     * Cuts the connection of a step that gets no answer within PAYROLL_SFTP_TIMEOUT. The socket's own
     * timeout does not see an SFTP side that hangs (a stuck disk) while the SSH side answers JSch's
     * keep-alives: the step would wait for ever, and the run with it. Cut, the step fails as a dropped
     * connection and the attempt is made again on a new one, from the state reached. Not for the
     * content's upload, whose length has no bound to set a deadline by.
     */
    private final class Watch {
        private final java.util.concurrent.atomic.AtomicBoolean cut = new java.util.concurrent.atomic.AtomicBoolean();
        private final java.util.concurrent.ScheduledFuture<?> timer;

        Watch(Operations sftp) {
            timer = WATCHDOG.schedule(() -> {
                cut.set(true);
                // the session itself: Camel's forceDisconnect waits for the lock the hung step holds
                com.jcraft.jsch.Session session = sftp.session;
                if (session != null) {
                    session.disconnect();
                }
            }, config.timeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        boolean cut() {
            return cut.get();
        }

        RemoteFailure failure(Exception e) {
            return new RemoteFailure("SFTP server " + config.server() + " gave no answer within " + config.timeout().toSeconds()
                    + " s (PAYROLL_SFTP_TIMEOUT) though its connection was alive; the connection was closed", e, false);
        }

        void end() {
            timer.cancel(false);
        }
    }

    /**
     * Camel's operations over one connection, which let the watchdog reach the JSch session they open, and
     * {@link SftpDrop#mode} their SFTP channel: the component has no chmod of its own but the one after each
     * store, whose failure cannot be told from the store's.
     */
    private static final class Operations extends SftpOperations {
        private static final java.lang.reflect.Field CHANNEL;

        static {
            try {
                CHANNEL = SftpOperations.class.getDeclaredField("channel");
                CHANNEL.setAccessible(true);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        volatile com.jcraft.jsch.Session session;

        ChannelSftp channel() {
            try {
                return (ChannelSftp) CHANNEL.get(this);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        protected com.jcraft.jsch.Session createSession(org.apache.camel.component.file.remote.RemoteFileConfiguration c)
                throws JSchException {
            session = super.createSession(c);
            return session;
        }
    }

    /** As the endpoint makes its operations (SftpEndpoint.createRemoteFileOperations), as {@link Operations}. */
    private Operations operations() throws Exception {
        Operations operations = new Operations();
        operations.setEndpoint(endpoint());
        return operations;
    }

    private void remote(RemoteStep step) throws RemoteFailure {
        try {
            step.run();
        } catch (RemoteFailure e) {
            throw e;
        } catch (Exception e) {
            throw failure(e);
        }
    }

    /** A failure in words an operator can act on, and whether trying again could help. */
    private RemoteFailure failure(Exception e) {
        String where = "SFTP server " + config.server();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JSchChangedHostKeyException) {
                return new RemoteFailure("the host key of " + where + " does not match the one in the known_hosts file "
                        + config.knownHosts() + " (PAYROLL_SFTP_KNOWN_HOSTS): connection refused, nothing uploaded ("
                        + oneLine(t) + ")", e, true, true);
            }
            if (t instanceof JSchHostKeyException) {
                return new RemoteFailure(where + " is not trusted: its host key is not in the known_hosts file "
                        + config.knownHosts() + " (PAYROLL_SFTP_KNOWN_HOSTS); nothing uploaded (" + oneLine(t)
                        + "; add the key from ssh-keyscan -p " + config.port() + " " + config.host()
                        + " once its fingerprint is confirmed by the provider)", e, true, true);
            }
            String message = t.getMessage() == null ? "" : t.getMessage();
            // JSch says "Auth fail" (or "Auth cancel"), and has no public exception type for it; OpenSSH ends a
            // login after MaxAuthTries with a disconnect instead. Retried, either would only add failed logins
            if (t instanceof JSchException && (message.startsWith("Auth ")
                    || message.contains("Too many authentication failures"))) {
                return new RemoteFailure("login to " + where + " as '" + config.user() + "' refused: check PAYROLL_SFTP_USER "
                        + "and PAYROLL_SFTP_PASSWORD or PAYROLL_SFTP_PRIVATE_KEY_FILE", e, true, true);
            }
            if (t instanceof JSchException && (message.startsWith("Incorrect passphrase")
                    || message.startsWith("invalid privatekey"))) {
                return new RemoteFailure("the private key file " + config.privateKey() + " (PAYROLL_SFTP_PRIVATE_KEY_FILE) "
                        + (message.startsWith("Incorrect passphrase") ? "cannot be opened with PAYROLL_SFTP_PRIVATE_KEY_PASSPHRASE: "
                        + "the passphrase is wrong" : "is not a private key that can be read (" + oneLine(t) + ")")
                        + "; nothing uploaded", e, true, true);
            }
            if (t instanceof SftpException s && (s.id == ChannelSftp.SSH_FX_PERMISSION_DENIED
                    || s.id == ChannelSftp.SSH_FX_NO_SUCH_FILE || s.id == ChannelSftp.SSH_FX_OP_UNSUPPORTED)) {
                return new RemoteFailure(where + " refused: " + oneLine(e), e, true);
            }
        }
        return new RemoteFailure(where + ": " + oneLine(e), e, false);
    }

    /** The messages of an exception and its causes, on one line, each once. */
    private static String oneLine(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (out.indexOf(m) < 0) {
                out.append(out.length() == 0 ? "" : ": ").append(m);
            }
        }
        return out.toString().replaceAll("\\s+", " ").strip();
    }

    private Duration delay(int attempt) {
        Duration d = config.retryDelay().multipliedBy(1L << Math.min(attempt - 1, 10));
        return d.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : d;
    }

    /** Camel's sftp endpoint for this server, configured in code: the secrets never pass through a URI. */
    private synchronized SftpEndpoint endpoint() throws Exception {
        if (endpoint == null) {
            SftpComponent component = context.getComponent("sftp", SftpComponent.class);
            SftpEndpoint e = (SftpEndpoint) component.createEndpoint("sftp://" + config.server());
            SftpConfiguration c = e.getConfiguration();
            c.setUsername(config.user());
            if (config.password() != null && !config.password().isEmpty()) {
                c.setPassword(config.password());
            }
            if (config.privateKey() != null) {
                c.setPrivateKeyFile(config.privateKey().toString());
                if (config.passphrase() != null && !config.passphrase().isEmpty()) {
                    c.setPrivateKeyPassphrase(config.passphrase());
                }
            }
            // host-key checking always on: an unknown or changed key fails the connection
            c.setKnownHostsFile(config.knownHosts().toString());
            c.setUseUserKnownHostsFile(false);
            c.setAutoCreateKnownHostsFile(false);
            c.setStrictHostKeyChecking("yes");
            c.setConnectTimeout(millis(config.connectTimeout()));
            c.setSoTimeout(millis(config.timeout()));
            c.setStepwise(false); // absolute paths, no cd
            // no chmod by the component: its chmod after a store fails the store ("Cannot store file") and its
            // chmod after a mkdir fails the folder, on a server that refuses modes; ours (mode) is only asked for
            c.setChmod(null);
            c.setChmodDirectory(null);
            // a wrong password once per login: Camel's login hands JSch the same password each time it asks, and JSch
            // asks up to 6 times on one connection (OpenSSH logs 6 failed logins, enough for a provider's lockout).
            // JSch's own setting, for every session of this JVM: the app opens no other SSH sessions
            com.jcraft.jsch.JSch.setConfig("MaxAuthTries", "1");
            // JSch's own log (through Camel's logger, at ERROR with a trace for a wrong passphrase) says again what
            // the failure says in one line: heard only at DEBUG, for finding what a failure does not say
            c.setJschLoggingLevel(LoggerFactory.getLogger(SftpOperations.class).isDebugEnabled()
                    ? org.apache.camel.LoggingLevel.DEBUG : org.apache.camel.LoggingLevel.OFF);
            // one connect per attempt: the retries are ours, counted and logged above
            e.setMaximumReconnectAttempts(0);
            e.setReconnectDelay(0);
            endpoint = e;
        }
        return endpoint;
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }

    /**
     * A failed remote step: its one-line description, whether another attempt could succeed, and whether
     * the server would not let this client in at all (so no drop of this server can be delivered now).
     */
    private static final class RemoteFailure extends Exception {
        final boolean permanent;
        final boolean notLetIn;

        RemoteFailure(String message, Throwable cause, boolean permanent) {
            this(message, cause, permanent, false);
        }

        RemoteFailure(String message, Throwable cause, boolean permanent, boolean notLetIn) {
            super(message, cause);
            this.permanent = permanent;
            this.notLetIn = notLetIn;
        }
    }

    /**
     * The server would not let this client in: its host key is unknown or changed, the login was refused,
     * or the private key cannot be opened. Every other drop for the server would fail the same way, and
     * each refused login counts towards a lockout on the provider's server.
     */
    public static final class NotLetIn extends IOException {
        public NotLetIn(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
