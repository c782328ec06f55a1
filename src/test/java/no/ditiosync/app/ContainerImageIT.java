package no.ditiosync.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.testing.AppProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Dockerfile, where no container runtime is at hand: its structure (a Maven build stage, a
 * pinned slim Java 17 runtime, a non-root user, the health check on the readiness endpoint, the
 * state and drop folders as volumes, OCI labels, no secret), and then the image's own start command
 * run on the host, from a folder laid out as its COPY lines lay out /app, with the environment its
 * ENV lines set: it becomes ready on the health check's URL and delivers a drop.
 */
class ContainerImageIT {

    private static final Path ROOT = AppProcess.projectRoot();

    /** The instructions of a Dockerfile, continuation lines joined, comments left out. */
    static List<String> instructions(Path dockerfile) throws Exception {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(dockerfile)) {
            String t = line.strip();
            if (t.startsWith("#") || t.isEmpty() && current.isEmpty()) {
                continue;
            }
            if (t.endsWith("\\")) {
                current.append(t, 0, t.length() - 1).append(' ');
            } else {
                out.add(current.append(t).toString().strip());
                current.setLength(0);
            }
        }
        return out;
    }

    private static List<String> runtimeStage(List<String> all) {
        int last = 0;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).startsWith("FROM ")) {
                last = i;
            }
        }
        return all.subList(last, all.size());
    }

    @Test
    void theDockerfileBuildsInOneStageAndRunsSlimAsNonRootWithHealthVolumesAndLabels() throws Exception {
        List<String> all = instructions(ROOT.resolve("Dockerfile"));
        List<String> from = all.stream().filter(i -> i.startsWith("FROM ")).toList();
        assertThat(from).as("multi-stage").hasSize(2);
        assertThat(from.get(0)).matches("FROM maven:3\\.9\\.\\d+-eclipse-temurin-17 AS build");
        assertThat(from.get(1)).as("a slim Java 17 runtime pinned to a release").matches(
                "FROM eclipse-temurin:17\\.0\\.\\d+_\\d+-jre-\\w+");

        List<String> runtime = runtimeStage(all);
        String user = runtime.stream().filter(i -> i.startsWith("USER ")).reduce((a, b) -> b).orElseThrow();
        assertThat(user).doesNotContain("root").doesNotMatch("USER 0(:.*)?");
        assertThat(runtime.indexOf(user)).as("the user is set before the start command")
                .isLessThan(runtime.indexOf(runtime.stream().filter(i -> i.startsWith("ENTRYPOINT")).findFirst().orElseThrow()));
        assertThat(runtime).anySatisfy(i -> assertThat(i).startsWith("HEALTHCHECK ").contains("/observe/health/ready"));
        assertThat(runtime).contains("VOLUME [\"/app/data\", \"/app/out\"]");
        String labels = String.join(" ", runtime.stream().filter(i -> i.startsWith("LABEL ")).toList());
        assertThat(labels).contains("org.opencontainers.image.version=\"${VERSION}\"",
                "org.opencontainers.image.revision=\"${GIT_COMMIT}\"");
        // the version label as --version says it: pom.xml's version
        java.util.regex.Matcher pom = java.util.regex.Pattern.compile("<artifactId>ditio-payroll-sync</artifactId>\\s*"
                + "<version>([^<]+)</version>").matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertThat(pom.find()).as("the project's version in pom.xml").isTrue();
        assertThat(runtime).contains("ARG VERSION=" + pom.group(1));
        assertThat(all).as("no secret in the image").noneMatch(i -> (i.startsWith("ENV ") || i.startsWith("ARG "))
                && i.matches("(?i).*(secret|password|token).*"));
        // what an operator mounts over: the packaged defaults are in /app
        assertThat(runtime).anySatisfy(i -> assertThat(i).endsWith(" /app/routes"))
                .anySatisfy(i -> assertThat(i).endsWith(" /app/application.properties"))
                .anySatisfy(i -> assertThat(i).endsWith(" /app/mappings"));
        assertThat(Files.readAllLines(ROOT.resolve(".dockerignore"))).contains(".git", "target", "data", "out");
    }

    @Test
    void theImagesStartCommandRunsOnTheHostFromTheImagesLayout(@TempDir Path dir) throws Exception {
        List<String> runtime = runtimeStage(instructions(ROOT.resolve("Dockerfile")));
        Path app = Files.createDirectories(dir.resolve("app"));
        // /app as the COPY lines make it: /build/... is the project after the build stage
        Pattern copy = Pattern.compile("COPY --from=build /build/(\\S+) /app/(\\S+)");
        int copied = 0;
        for (String i : runtime) {
            Matcher m = copy.matcher(i);
            if (m.matches()) {
                copyTree(ROOT.resolve(m.group(1)), app.resolve(m.group(2)));
                copied++;
            }
        }
        assertThat(copied).isEqualTo(4);
        assertThat(app.resolve("ditio-payroll-sync.jar")).as("mvn package ran before this test").isRegularFile();

        Map<String, String> env = new LinkedHashMap<>();
        Matcher envs = Pattern.compile("(\\w+)=(\\S+)").matcher(String.join(" ",
                runtime.stream().filter(i -> i.startsWith("ENV ")).toList()).replace("ENV ", ""));
        while (envs.find()) {
            env.put(envs.group(1), envs.group(2));
        }
        assertThat(env).containsEntry("OBSERVE_HOST", "0.0.0.0");
        int port = AppProcess.freePort();
        env.put("OBSERVE_PORT", Integer.toString(port));

        List<String> command = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String i : runtime) {
            if (i.startsWith("ENTRYPOINT ") || i.startsWith("CMD ")) {
                for (Object part : json.readValue(i.substring(i.indexOf(' ') + 1), List.class)) {
                    command.add(part.toString().replace("/app/", app + "/"));
                }
            }
        }
        assertThat(command).containsExactly("java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar",
                app + "/ditio-payroll-sync.jar", "run");
        String health = runtime.stream().filter(i -> i.startsWith("HEALTHCHECK ")).findFirst().orElseThrow();
        Matcher url = Pattern.compile("\"(http://127\\.0\\.0\\.1:)\\$\\{OBSERVE_PORT}(/observe/health/ready)\"").matcher(health);
        assertThat(url.find()).as(health).isTrue();
        URI ready = URI.create(url.group(1) + port + url.group(2));

        try (SimulatedDitio ditio = SimulatedDitio.start(SimulatorConfig.defaults().seed(9).workers(5).weeks(1), 0)) {
            env.putAll(Map.of("DITIO_IDENTITY_BASE", ditio.identityBase(), "DITIO_REPORTING_BASE", ditio.reportingBase(),
                    "DITIO_CLIENT_ID", ditio.clientId(), "DITIO_CLIENT_SECRET", ditio.clientSecret(),
                    "PAYROLL_START_DATE", ditio.data().firstWorkDate().toString(), "SYNC_CRON", "0/5 * * * * ?",
                    // bound to every interface, the service needs the operator page's login
                    "OBSERVE_USER", "ops", "OBSERVE_PASSWORD", "page-login",
                    // a small generated week has few payroll-approved hours yet: every approved state delivers
                    "PAYROLL_APPROVAL", "all"));
            command.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
            ProcessBuilder pb = new ProcessBuilder(command).directory(app.toFile())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("output.txt").toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("DITIO_") || k.startsWith("PAYROLL_")
                    || k.startsWith("SYNC_") || k.startsWith("COMPANY_") || k.startsWith("OBSERVE_"));
            pb.environment().putAll(env);
            Process service = pb.start();
            try {
                HttpClient http = HttpClient.newHttpClient();
                await("ready on the health check's URL").atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() ->
                        http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
                await("a drop in the out volume").atMost(Duration.ofSeconds(120)).until(() -> drops(app.resolve("out")) > 0);
                assertThat(http.send(HttpRequest.newBuilder(ready.resolve("/")).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode()).as("the operator's page without its login").isEqualTo(401);
                assertThat(app.resolve("data/ditio-payroll-sync.mv.db")).as("the state DB in the data volume").isRegularFile();
            } finally {
                service.destroy();
                assertThat(service.waitFor(90, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(Files.readString(dir.resolve("output.txt"))).contains("Stopped").doesNotContain(ditio.clientSecret());
        }
    }

    private static long drops(Path folder) throws Exception {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(f -> f.getFileName().toString().startsWith("visma_")).count();
        }
    }

    private static void copyTree(Path from, Path to) throws Exception {
        if (Files.isRegularFile(from)) {
            Files.createDirectories(to.getParent());
            Files.copy(from, to);
            return;
        }
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }
}
