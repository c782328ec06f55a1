package no.ditiosync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The application as a separate JVM ({@code no.ditiosync.app.DitioPayrollSync}), as an operator
 * starts it: in the project folder, with only the settings a test gives in its environment.
 */
public final class AppProcess {

    private static final Object SNAPSHOT_LOCK = new Object();
    private static String childClassPath;
    private static Path cdsArchive;
    private static boolean archiveAsked;

    private AppProcess() {
    }

    /**
     * A process builder for {@code DitioPayrollSync args…} in the project folder, with the settings
     * of {@code env} and none of the machine's own {@code DITIO_*}, {@code PAYROLL_*}, {@code SYNC_*}
     * or {@code COMPANY_*}. Short-lived JVM options (C1 only, serial GC, 256 MB heap) and the shared
     * class-data archive make the many processes of the tests start fast on two cores.
     *
     * @param jvmOptions more JVM options, e.g. {@code -Dditio.crash-at=…}
     * @param mayWriteArchive whether this process may write the class-data archive (a normal, complete run)
     */
    public static ProcessBuilder builder(Map<String, String> env, List<String> jvmOptions, boolean mayWriteArchive,
                                         String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.add("-Xmx256m");
        command.addAll(cdsOptions(mayWriteArchive));
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath());
        command.add("no.ditiosync.app.DitioPayrollSync");
        command.addAll(List.of(args));
        return withSettings(new ProcessBuilder(command), env);
    }

    /**
     * The application started as an operator with jars of their own does it
     * ({@code java -cp <app>:<their jars> …DitioPayrollSync}), in a folder of their own (its
     * application.properties, routes/ and mappings/).
     */
    public static ProcessBuilder builderIn(Path workDir, List<Path> ownJars, Map<String, String> env, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(javaExecutable(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xmx256m", "-cp"));
        StringBuilder cp = new StringBuilder(classPath());
        for (Path jar : ownJars) {
            cp.append(java.io.File.pathSeparator).append(jar.toAbsolutePath());
        }
        command.add(cp.toString());
        command.add("no.ditiosync.app.DitioPayrollSync");
        command.addAll(List.of(args));
        return withSettings(new ProcessBuilder(command), env).directory(workDir.toFile());
    }

    /**
     * A process builder for {@code java -jar <jar> args…}: the packaged application exactly as an
     * operator runs it, in the project folder, with the settings of {@code env} as in {@link #builder}.
     */
    public static ProcessBuilder jarBuilder(Path jar, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(javaExecutable(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xmx256m", "-jar", jar.toString()));
        command.addAll(List.of(args));
        return withSettings(new ProcessBuilder(command), env);
    }

    private static ProcessBuilder withSettings(ProcessBuilder pb, Map<String, String> env) throws IOException {
        pb.directory(projectRoot().toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("DITIO_") || k.startsWith("PAYROLL_")
                || k.startsWith("SYNC_") || k.startsWith("COMPANY_"));
        // the run command's health and metrics server: a free port each, so nodes of a test never collide
        pb.environment().put("OBSERVE_PORT", Integer.toString(freePort()));
        pb.environment().putAll(env);
        return pb;
    }

    /**
     * A loopback port nobody listens on right now, for a server started afterwards. Taken below the range
     * the system hands out for port 0 and for outgoing connections: a port of that range can go to any
     * connection the tests (three JVMs at once) open before the server binds it.
     */
    public static int freePort() throws IOException {
        int handedOutFrom = handedOutFrom();
        int lowest = Math.max(1024, handedOutFrom - 12_000);
        for (int tries = 0; lowest < handedOutFrom && tries < 50; tries++) {
            int port = lowest + java.util.concurrent.ThreadLocalRandom.current().nextInt(handedOutFrom - lowest);
            try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
                socket.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 1);
                return port;
            } catch (IOException taken) {
                // someone's; another
            }
        }
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The first port of the system's range for port 0 and outgoing connections (Linux's default when unknown). */
    private static int handedOutFrom() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException unknown) {
            return 32768;
        }
    }

    /**
     * The class path of the application processes: this JVM's, with the compiled main classes copied
     * once into a jar of a temporary folder, so a rebuild of target/classes while the tests run
     * (another build in the same working copy) cannot pull classes away from under a process. Test
     * classes are left out: the application does not need them. Jars only, so the processes can
     * share a class-data archive (AppCDS), written by a demo run right after the copy: about a second
     * less start-up per process.
     */
    private static String classPath() throws IOException {
        synchronized (SNAPSHOT_LOCK) {
            if (childClassPath == null) {
                Path snapshot = Files.createTempDirectory("ditio-app-classes");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(snapshot)));
                List<String> entries = new ArrayList<>();
                for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                    Path path = Path.of(entry);
                    if (!Files.isDirectory(path)) {
                        entries.add(entry);
                    } else if (!path.getFileName().toString().equals("test-classes")) {
                        Path jar = snapshot.resolve("classes-" + entries.size() + ".jar");
                        jarFolder(path, jar);
                        entries.add(jar.toString());
                    }
                }
                cdsArchive = snapshot.resolve("app.jsa");
                childClassPath = String.join(java.io.File.pathSeparator, entries);
                writeArchiveByDemo(snapshot);
            }
            return childClassPath;
        }
    }

    /**
     * Writes the class-data archive up front with one {@code demo} run in a folder of the snapshot (the
     * built-in simulator, a full sync into H2 and drop files: most of the classes the tests' processes
     * load), so every process starts from the archive, the first tests' too, and no test's own process
     * spends its exit writing it (slow on a busy machine, where it ran into the tests' process timeouts).
     * If the demo fails, there is no archive yet and the first normal run of a test writes it.
     */
    private static void writeArchiveByDemo(Path snapshot) {
        try {
            Path work = Files.createDirectories(snapshot.resolve("demo"));
            ProcessBuilder pb = withSettings(new ProcessBuilder(javaExecutable(), "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC", "-Xmx256m", "-XX:ArchiveClassesAtExit=" + cdsArchive, "-cp", childClassPath,
                    "no.ditiosync.app.DitioPayrollSync", "demo"), Map.of());
            Process demo = pb.directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(snapshot.resolve("demo.log").toFile()).start();
            if (!demo.waitFor(180, java.util.concurrent.TimeUnit.SECONDS)) {
                demo.destroyForcibly();
                demo.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
            if (demo.isAlive() || demo.exitValue() != 0) {
                Files.deleteIfExists(cdsArchive);
            }
        } catch (IOException e) {
            // no archive: the processes start without it until a normal run writes it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** JVM options for the shared class-data archive: use it, or have this (normal) run write it. */
    private static List<String> cdsOptions(boolean mayWriteArchive) throws IOException {
        classPath();
        synchronized (SNAPSHOT_LOCK) {
            if (Files.isRegularFile(cdsArchive)) {
                return List.of("-XX:SharedArchiveFile=" + cdsArchive);
            }
            if (mayWriteArchive && !archiveAsked) {
                archiveAsked = true;
                return List.of("-XX:ArchiveClassesAtExit=" + cdsArchive);
            }
            return List.of();
        }
    }

    private static void jarFolder(Path folder, Path jar) throws IOException {
        try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar));
             Stream<Path> files = Files.walk(folder)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                String name = folder.relativize(f).toString().replace('\\', '/');
                if (Files.isRegularFile(f)) {
                    out.putNextEntry(new java.util.jar.JarEntry(name));
                    Files.copy(f, out);
                    out.closeEntry();
                } else if (!name.isEmpty()) {
                    // folder entries too, as a built jar has them: Camel finds classpath:routes/*.camel.yaml
                    // (a working directory without routes/) through them
                    out.putNextEntry(new java.util.jar.JarEntry(name + "/"));
                    out.closeEntry();
                }
            }
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temporary folder: the system cleans it up eventually
        }
    }

    /** The folder holding application.properties and routes/: where an operator starts the application. */
    public static Path projectRoot() {
        Path root = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        if (!Files.isRegularFile(root.resolve("application.properties")) || !Files.isDirectory(root.resolve("routes"))) {
            throw new IllegalStateException("not the project root (no application.properties and routes/): " + root);
        }
        return root;
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * Sends SIGTERM and waits for the process to exit; when it does not within {@code timeout}, its
     * threads (jcmd Thread.print) are returned for the failure message and the process is killed.
     *
     * @return null when it exited in time, else the thread dump
     */
    public static String stopOrDumpThreads(Process process, java.time.Duration timeout) throws Exception {
        process.destroy();
        if (process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            return null;
        }
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(process.pid()), "Thread.print").redirectErrorStream(true).start();
        String dump = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        process.destroyForcibly();
        return dump;
    }
}
