package no.ditiosync.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import no.ditiosync.testing.AppProcess;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster recipe of deploy/kubernetes, read as Kubernetes reads it: two replicas of the service
 * clustered on PostgreSQL, the client secret from a Secret, probes on the health endpoints the
 * application serves, drops on a volume every node shares, and a grace period longer than the time
 * a stop gives a run in progress.
 */
class KubernetesManifestsTest {

    private static final Path MANIFESTS = AppProcess.projectRoot().resolve("deploy/kubernetes/ditio-payroll-sync.yaml");

    private static Map<String, JsonNode> byKind() throws Exception {
        Map<String, JsonNode> kinds = new HashMap<>();
        ObjectMapper yaml = new YAMLMapper();
        try (var parser = new YAMLFactory().createParser(MANIFESTS.toFile())) {
            for (var docs = yaml.readValues(parser, JsonNode.class); docs.hasNext(); ) {
                JsonNode doc = docs.next();
                assertThat(doc.path("apiVersion").asText()).as(doc.toString()).isNotEmpty();
                assertThat(kinds.put(doc.path("kind").asText(), doc)).as("one " + doc.path("kind")).isNull();
            }
        }
        return kinds;
    }

    @Test
    void twoClusteredReplicasOnPostgresqlWithTheSecretProbesSharedDropsAndAGracePeriod() throws Exception {
        Map<String, JsonNode> kinds = byKind();
        assertThat(kinds).containsOnlyKeys("ConfigMap", "PersistentVolumeClaim", "Deployment", "Service");
        JsonNode deployment = kinds.get("Deployment");
        assertThat(deployment.path("apiVersion").asText()).isEqualTo("apps/v1");
        assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(2);
        JsonNode pod = deployment.at("/spec/template/spec");
        assertThat(deployment.at("/spec/selector/matchLabels")).isEqualTo(deployment.at("/spec/template/metadata/labels"));
        assertThat(pod.path("containers")).hasSize(1);
        JsonNode container = pod.path("containers").get(0);
        assertThat(container.path("args").toString()).isEqualTo("[\"run\"]");

        // the settings the container gets: the ConfigMap, then its own env
        JsonNode config = kinds.get("ConfigMap");
        assertThat(container.at("/envFrom/0/configMapRef/name").asText()).isEqualTo(config.at("/metadata/name").asText());
        Map<String, String> env = new HashMap<>();
        config.path("data").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        assertThat(env).containsEntry("SYNC_CLUSTERED", "true");
        assertThat(env.get("PAYROLL_STATE_DB_URL")).startsWith("jdbc:postgresql://");
        assertThat(env).as("no secret in the ConfigMap").doesNotContainKeys("DITIO_CLIENT_SECRET", "PAYROLL_STATE_DB_PASSWORD");
        Map<String, JsonNode> secretRefs = new HashMap<>();
        for (JsonNode e : container.path("env")) {
            assertThat(e.has("value")).as("only references in env: " + e).isFalse();
            secretRefs.put(e.path("name").asText(), e.at("/valueFrom/secretKeyRef"));
        }
        assertThat(secretRefs.get("DITIO_CLIENT_SECRET").path("key").asText()).isEqualTo("DITIO_CLIENT_SECRET");
        assertThat(secretRefs.get("DITIO_CLIENT_SECRET").path("name").asText()).isEqualTo("ditio-payroll-sync");
        assertThat(secretRefs.get("PAYROLL_STATE_DB_PASSWORD").path("key").asText()).isEqualTo("PAYROLL_STATE_DB_PASSWORD");
        // the pods serve the operator's page on every interface (the image's OBSERVE_HOST): its login, from the Secret
        assertThat(secretRefs.get("OBSERVE_USER").path("key").asText()).isEqualTo("OBSERVE_USER");
        assertThat(secretRefs.get("OBSERVE_PASSWORD").path("key").asText()).isEqualTo("OBSERVE_PASSWORD");

        // probes on the paths and the port the application serves them on (OBSERVE_PORT's default)
        int observePort = Integer.parseInt(applicationProperty("observe.port").replaceAll("\\{\\{env:OBSERVE_PORT:(\\d+)}}", "$1"));
        assertThat(container.at("/ports/0/containerPort").asInt()).isEqualTo(observePort);
        String portName = container.at("/ports/0/name").asText();
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/observe/health/ready");
        assertThat(container.at("/readinessProbe/httpGet/port").asText()).isEqualTo(portName);
        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/observe/health/live");
        assertThat(container.at("/livenessProbe/httpGet/port").asText()).isEqualTo(portName);
        JsonNode service = kinds.get("Service");
        assertThat(service.at("/spec/selector")).isEqualTo(deployment.at("/spec/template/metadata/labels"));
        assertThat(service.at("/spec/ports/0/targetPort").asText()).isEqualTo(portName);
        assertThat(service.at("/metadata/annotations/prometheus.io~1path").asText()).isEqualTo("/observe/metrics");

        // a stop lets a run finish for CAMEL_MAIN_SHUTDOWNTIMEOUT; Kubernetes must wait longer before it kills
        int shutdownTimeout = Integer.parseInt(env.get("CAMEL_MAIN_SHUTDOWNTIMEOUT"));
        assertThat(pod.path("terminationGracePeriodSeconds").asInt()).isGreaterThan(shutdownTimeout + 10);

        // the drops on one volume that every node mounts
        String drops = null;
        for (JsonNode m : container.path("volumeMounts")) {
            if (m.path("mountPath").asText().equals("/app/out")) {
                drops = m.path("name").asText();
            }
        }
        assertThat(drops).as("a volume on the image's drop folder").isNotNull();
        String claim = null;
        for (JsonNode v : pod.path("volumes")) {
            if (v.path("name").asText().equals(drops)) {
                claim = v.at("/persistentVolumeClaim/claimName").asText();
            }
        }
        assertThat(claim).isEqualTo(kinds.get("PersistentVolumeClaim").at("/metadata/name").asText());
        assertThat(kinds.get("PersistentVolumeClaim").at("/spec/accessModes").toString()).contains("ReadWriteMany");

        // the image's user (Dockerfile USER), never root
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        String user = ContainerImageIT.instructions(AppProcess.projectRoot().resolve("Dockerfile")).stream()
                .filter(i -> i.startsWith("USER ")).reduce((a, b) -> b).orElseThrow();
        assertThat(user).isEqualTo("USER " + pod.at("/securityContext/runAsUser").asInt() + ":"
                + pod.at("/securityContext/runAsGroup").asInt());
        assertThat(Files.readString(MANIFESTS)).doesNotContainIgnoringCase("password:").doesNotContain("kind: Secret");
    }

    private static String applicationProperty(String key) throws Exception {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(AppProcess.projectRoot().resolve("application.properties"))) {
            p.load(in);
        }
        return p.getProperty(key).strip();
    }
}
