package no.ditiosync.simulator;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The standalone command: options, banner, and the /_sim/mutate admin endpoint. */
class SimulatorCommandTest {

    final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @Test
    void helpPrintsTheOptions() {
        assertThat(SimulatorCommand.run(new String[] {"--help"}, out, err, sim -> {
            throw new AssertionError("must not start");
        })).isZero();
        assertThat(out()).contains("--port", "--seed", "--workers", "--weeks", "--client-id", "--client-secret",
                "--expires-in", "/_sim/mutate");
    }

    @Test
    void badOptionsAreAUsageError() {
        assertThat(SimulatorCommand.run(new String[] {"--workers", "many"}, out, err, sim -> { })).isEqualTo(64);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).contains("--workers");
        assertThat(SimulatorCommand.run(new String[] {"--frobnicate", "1"}, out, err, sim -> { })).isEqualTo(64);
        assertThat(SimulatorCommand.run(new String[] {"--port"}, out, err, sim -> { })).isEqualTo(64);
    }

    @Test
    void servesWithTheGivenOptionsPrintsWhatAClientNeedsAndMutatesOnRequest() {
        AtomicReference<String> mutateBody = new AtomicReference<>();
        int code = SimulatorCommand.run(new String[] {"--port", "0", "--seed", "5", "--workers=20", "--weeks", "2",
                "--client-id", "cli", "--client-secret", "sec", "--expires-in", "120"}, out, err, sim -> {
            SimClient client = new SimClient(sim);
            assertThat(sim.clientId()).isEqualTo("cli");
            assertThat(client.tokenCall(SimClient.params("grant_type", "client_credentials", "client_id", "cli",
                    "client_secret", "sec", "scope", "reportingapiv1")).json().get("expires_in").asLong()).isEqualTo(120);
            int before = sim.data().allTimeRegistrations().size();

            SimClient.Response r = client.send(HttpRequest.newBuilder(
                    URI.create(sim.identityBase() + "/_sim/mutate?count=30&seed=8"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build());
            assertThat(r.status()).isEqualTo(200);
            mutateBody.set(r.body());
            assertThat(r.json().get("count").asInt()).isEqualTo(30);
            assertThat(r.json().get("mutations")).hasSize(30);
            assertThat(sim.data().allTimeRegistrations().size()).isGreaterThan(before); // late registrations added

            assertThat(client.send(HttpRequest.newBuilder(URI.create(sim.identityBase() + "/_sim/mutate")).GET().build())
                    .status()).isEqualTo(405);
            assertThat(client.send(HttpRequest.newBuilder(URI.create(sim.identityBase() + "/_sim/mutate?count=0"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build()).status()).isEqualTo(400);
        });
        assertThat(code).isZero();
        assertThat(out())
                .contains("Built-in Ditio simulator")
                .containsPattern("\\nexport DITIO_IDENTITY_BASE=http://127\\.0\\.0\\.1:\\d+\\n")
                .containsPattern("\\nexport DITIO_REPORTING_BASE=http://127\\.0\\.0\\.1:\\d+/reporting\\n")
                .contains("\nexport DITIO_CLIENT_ID=cli\n", "\nexport DITIO_CLIENT_SECRET=sec\n",
                        "\nexport PAYROLL_START_DATE=2026-11-16\n", "20 users", "work dates 2026-11-16 .. 2026-11-27");
        assertThat(mutateBody.get()).contains("\"seed\":8");
    }

    @Test
    void aBusyPortIsReportedNotThrown() {
        try (SimulatedDitio busy = SimulatedDitio.start(new SimulatorConfig().workers(5), 0)) {
            int code = SimulatorCommand.run(new String[] {"--port", String.valueOf(busy.port()), "--workers", "5"},
                    out, err, sim -> { });
            assertThat(code).isEqualTo(1);
            assertThat(errBytes.toString(StandardCharsets.UTF_8)).contains("Cannot start");
        }
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }
}
