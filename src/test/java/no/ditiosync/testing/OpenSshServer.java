package no.ditiosync.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/**
 * A real OpenSSH server for the tests: Debian's {@code sshd} (package openssh-server) on a free
 * loopback port, with its own config, host keys of every type a stock server has (ed25519, RSA,
 * ECDSA, made by {@code ssh-keygen} as the package does), public-key login for the user running the
 * tests, and Debian's own {@code sftp-server} as the SFTP subsystem, logging every file operation.
 * Nothing of the machine's own SSH setup is read or changed; as root, sshd needs its
 * privilege-separation folder {@code /run/sshd}, made here when missing (as the package's service does).
 * <p>
 * The subsystem runs through a small gate script: {@link #holdSessionsAfter} makes every SFTP session
 * after the first few wait there, so a test can take the server down at a known point of a run.
 */
public final class OpenSshServer implements AutoCloseable, SftpServerSeen {

    public static final Path SSHD = Path.of("/usr/sbin/sshd");
    private static final Path SFTP_SERVER = Path.of("/usr/lib/openssh/sftp-server");
    public static final List<String> KEY_TYPES = List.of("ed25519", "rsa", "ecdsa");

    private final Path dir;
    private final Path root;
    private final Path sftpLog;
    private final Path sshdLog;
    private final int port;
    private final String user = System.getProperty("user.name");
    private Process sshd;

    /** Makes the keys and config in {@code dir} and starts the server; the provider's files are under {@code dir/root}. */
    public OpenSshServer(Path dir) throws Exception {
        for (Path binary : List.of(SSHD, SFTP_SERVER, Path.of("/usr/bin/ssh-keygen"), Path.of("/usr/bin/ssh-keyscan"))) {
            if (!Files.isExecutable(binary)) {
                throw new IllegalStateException(binary + " is missing: install OpenSSH (apt-get install -y openssh-server"
                        + " openssh-client; .ci/run does)");
            }
        }
        this.dir = Files.createDirectories(dir);
        this.root = Files.createDirectories(dir.resolve("root"));
        this.sftpLog = dir.resolve("sftp-server.log");
        this.sshdLog = dir.resolve("sshd.log");
        this.port = AppProcess.freePort();
        StringBuilder authorized = new StringBuilder();
        for (String type : KEY_TYPES) {
            keygen(type, dir.resolve("host_" + type));
            keygen(type, dir.resolve("id_" + type));
            authorized.append(Files.readString(dir.resolve("id_" + type + ".pub")));
        }
        Files.writeString(dir.resolve("authorized_keys"), authorized);
        writeGate();
        writeConfig();
        privilegeSeparationFolder();
        start();
    }

    private static void keygen(String type, Path file) throws Exception {
        run(List.of("ssh-keygen", "-q", "-t", type, "-N", "", "-C", "ditio-test-" + type, "-f", file.toString()));
    }

    /** The subsystem: sessions beyond the number in hold-after wait (until the server is stopped). */
    private void writeGate() throws IOException {
        Path gate = dir.resolve("sftp-gate.sh");
        Files.writeString(gate, String.join("\n",
                "#!/bin/sh",
                "d='" + dir + "'",
                "echo $$ >> \"$d/sessions\"",
                "if [ -f \"$d/hold-after\" ] && [ \"$(wc -l < \"$d/sessions\")\" -gt \"$(cat \"$d/hold-after\")\" ]; then",
                "  touch \"$d/held\"",
                "  exec sleep 600",
                "fi",
                "exec " + SFTP_SERVER + " -e -l INFO 2>> \"$d/sftp-server.log\"",
                ""));
        Files.setPosixFilePermissions(gate, PosixFilePermissions.fromString("rwx------"));
    }

    private void writeConfig() throws IOException {
        List<String> config = new ArrayList<>(List.of(
                "ListenAddress 127.0.0.1",
                "Port " + port,
                "PidFile " + dir.resolve("sshd.pid"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "AllowUsers " + user,
                "PermitRootLogin prohibit-password",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                // the test's folders are under /tmp, which is writable by all
                "StrictModes no",
                "DisableForwarding yes",
                "PermitTTY no",
                "LogLevel VERBOSE",
                "ForceCommand " + dir.resolve("sftp-gate.sh"),
                "Subsystem sftp " + dir.resolve("sftp-gate.sh")));
        for (String type : KEY_TYPES) {
            config.add("HostKey " + dir.resolve("host_" + type));
        }
        Files.write(dir.resolve("sshd_config"), config);
    }

    /** As root, sshd insists on its privilege-separation folder, which Debian's service makes at each start. */
    private static void privilegeSeparationFolder() throws IOException {
        Path privsep = Path.of("/run/sshd");
        if ("root".equals(System.getProperty("user.name")) && !Files.isDirectory(privsep)) {
            Files.createDirectories(privsep);
            Files.setPosixFilePermissions(privsep, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    /** Starts sshd (again) on the same port with the same keys, and waits until it listens. */
    public synchronized void start() throws Exception {
        String before = Files.exists(sshdLog) ? Files.readString(sshdLog) : "";
        sshd = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(sshdLog.toFile())).start();
        Process started = sshd;
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .failFast("sshd ended", () -> !started.isAlive())
                .until(() -> Files.readString(sshdLog).substring(before.length())
                        .contains("Server listening on 127.0.0.1 port " + port));
    }

    /**
     * An outage: the server and every session it runs die at once (SIGKILL), as in a crash or a
     * power cut; connections in flight break, new ones are refused until {@link #start}.
     */
    public synchronized void stop() throws Exception {
        if (sshd == null || !sshd.isAlive()) {
            return;
        }
        // stopped first, so that it forks no session between the look at its children and its end
        run(List.of("kill", "-STOP", Long.toString(sshd.pid())));
        List<ProcessHandle> sessions = sshd.descendants().toList();
        sshd.destroyForcibly();
        sessions.forEach(ProcessHandle::destroyForcibly);
        sshd.waitFor(30, TimeUnit.SECONDS);
        for (ProcessHandle session : sessions) {
            session.onExit().get(30, TimeUnit.SECONDS);
        }
    }

    /** From now on, the SFTP sessions after the next {@code sessions} wait at the start until the server is stopped. */
    public void holdSessionsAfter(int sessions) throws IOException {
        Path started = dir.resolve("sessions");
        long before = Files.exists(started) ? Files.readAllLines(started).size() : 0;
        Files.writeString(dir.resolve("hold-after"), Long.toString(before + sessions));
        Files.deleteIfExists(dir.resolve("held"));
    }

    /** Whether a session is waiting at the gate. */
    public boolean sessionHeld() {
        return Files.exists(dir.resolve("held"));
    }

    /** No session is held any more (for the next start). */
    public void releaseHold() throws IOException {
        Files.deleteIfExists(dir.resolve("hold-after"));
        Files.deleteIfExists(dir.resolve("held"));
    }

    public int port() {
        return port;
    }

    public String user() {
        return user;
    }

    /** The provider's folder: the SFTP URL's folder lies in it (no chroot, absolute paths). */
    @Override
    public Path root() {
        return root;
    }

    public String url(String folder) {
        return "sftp://127.0.0.1:" + port + root + folder;
    }

    /** The login key of a type (OpenSSH format, no passphrase), as {@code ssh-keygen -t TYPE} makes it. */
    public Path userKey(String type) {
        return dir.resolve("id_" + type);
    }

    /** Another login key of a type, encrypted with a passphrase (as {@code ssh-keygen -t TYPE -N PASSPHRASE}), and authorized. */
    public Path userKeyWithPassphrase(String type, String passphrase) throws Exception {
        Path key = dir.resolve("id_" + type + "-encrypted");
        run(List.of("ssh-keygen", "-q", "-t", type, "-N", passphrase, "-C", "ditio-test-encrypted-" + type, "-f",
                key.toString()));
        Files.writeString(dir.resolve("authorized_keys"), Files.readString(dir.resolve("id_" + type + "-encrypted.pub")),
                java.nio.file.StandardOpenOption.APPEND);
        return key;
    }

    /** A login key's fingerprint as sshd logs it ("SHA256:…"), from {@code ssh-keygen -lf KEY.pub}. */
    public static String fingerprint(Path privateKey) throws Exception {
        return run(List.of("ssh-keygen", "-lf", privateKey + ".pub")).split(" ")[1];
    }

    /** A known_hosts file with the server's key of one type, as {@code ssh-keyscan -p PORT -t TYPE 127.0.0.1} writes it. */
    public Path knownHosts(String type) throws Exception {
        Path file = dir.resolve("known_hosts-" + type);
        // its comments ("# 127.0.0.1:PORT SSH-2.0-OpenSSH_…") go to stderr, the known_hosts line to stdout
        String line = run(List.of("ssh-keyscan", "-p", Integer.toString(port), "-t", type, "127.0.0.1"), false);
        if (!line.startsWith("[127.0.0.1]:" + port + " ")) {
            throw new IllegalStateException("ssh-keyscan gave no " + type + " key: " + line);
        }
        Files.writeString(file, line);
        return file;
    }

    /** A known_hosts file naming another ed25519 key for this server: a changed (or spoofed) host. */
    public Path knownHostsWithAnotherKey() throws Exception {
        Path other = dir.resolve("other_host_ed25519");
        if (!Files.exists(other)) {
            keygen("ed25519", other);
        }
        Path file = dir.resolve("known_hosts-other");
        String key = Files.readString(dir.resolve("other_host_ed25519.pub")).strip();
        Files.writeString(file, "[127.0.0.1]:" + port + " " + key.substring(0, key.lastIndexOf(' ')) + "\n");
        return file;
    }

    /** sshd's own log (logins: "Accepted publickey for USER … ssh2: ED25519 SHA256:…"). */
    public String sshdLog() throws IOException {
        return Files.exists(sshdLog) ? Files.readString(sshdLog) : "";
    }

    /**
     * Every rename sftp-server did to a final (not hidden) name, relative to the root, in order: a
     * drop delivered twice shows here twice, even if the provider took it away in between.
     */
    @Override
    public List<String> finalsCreated() throws IOException {
        List<String> finals = new ArrayList<>();
        if (!Files.exists(sftpLog)) {
            return finals;
        }
        Matcher m = Pattern.compile("rename old \"([^\"]*)\" new \"([^\"]*)\"").matcher(Files.readString(sftpLog));
        while (m.find()) {
            Path to = Path.of(m.group(2));
            if (!to.getFileName().toString().startsWith(".")) {
                finals.add(to.startsWith(root) ? root.relativize(to).toString() : to.toString());
            }
        }
        return finals;
    }

    /** Regular files under a folder of the root (relative paths), sorted: what the provider sees. */
    @Override
    public List<String> files(String folder) throws IOException {
        return SftpTestServer.files(root, folder);
    }

    @Override
    public void close() throws Exception {
        stop();
    }

    private static String run(List<String> command) throws Exception {
        return run(command, true);
    }

    private static String run(List<String> command, boolean withErrors) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (withErrors) {
            pb.redirectErrorStream(true);
        } else {
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
