package no.ditiosync.faults;

import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The simulator's faults as a plain HTTP client sees them: what each one answers, and when. */
class SimulatorFaultsTest {

    SimulatedDitio sim;
    HttpClient http;
    String token;

    @BeforeEach
    void start() throws Exception {
        sim = SimulatedDitio.start(new SimulatorConfig().workers(5).weeks(1));
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpResponse<String> t = http.send(HttpRequest.newBuilder(URI.create(sim.identityBase() + "/connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=" + sim.clientId()
                        + "&client_secret=" + sim.clientSecret() + "&scope=reportingapiv1"))
                .build(), HttpResponse.BodyHandlers.ofString());
        token = t.body().replaceAll(".*\"access_token\":\"([^\"]+)\".*", "$1");
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    @Test
    void faultsAimedAtACallNumberWaitForIt() throws Exception {
        sim.faults().atCall(3).failNext(503, 2).atCall(2).failNext(502, 1);
        assertThat(statuses(6)).containsExactly(200, 502, 503, 503, 200, 200);
        assertThat(sim.faults().dataCalls()).isEqualTo(6);
        sim.faults().failAt(8, 504);
        assertThat(statuses(3)).containsExactly(200, 504, 200);
    }

    @Test
    void ofTheFaultsDueTheOneSetFirstApplies() throws Exception {
        sim.faults().reject401Once().failNext(500, 1).atCall(1).failNext(429, 1, "7");
        HttpResponse<String> first = get();
        assertThat(first.statusCode()).isEqualTo(401);
        assertThat(statuses(3)).containsExactly(500, 429, 200);
    }

    @Test
    void aStormFailsEveryNthCallByTurns() throws Exception {
        sim.faults().storm(2, 429, 503, 8);
        assertThat(statuses(10)).containsExactly(429, 200, 503, 200, 429, 200, 503, 200, 200, 200);
        sim.faults().atCall(11).storm(3, 500, 502, 6);
        assertThat(statuses(7)).containsExactly(500, 200, 200, 502, 200, 200, 200);
    }

    @Test
    void aDroppedConnectionGetsNoAnswerAtAll() {
        // two: the JDK client may try a GET once more on a new connection when a kept-alive one closes
        sim.faults().dropConnectionNext(2);
        assertThatThrownBy(this::get).isInstanceOf(IOException.class);
        assertThat(sim.pagesServed()).isZero();
    }

    @Test
    void aSlowCallAnswersLate() {
        sim.faults().slowNext(1500, 1);
        HttpRequest request = request().timeout(Duration.ofMillis(300)).build();
        assertThatThrownBy(() -> http.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
    }

    @Test
    void badPagesAre200sThatAreNotPages() throws Exception {
        sim.faults().malformedJsonNext(1).pageWithoutDataNext().wrongContentTypeNext();

        HttpResponse<String> malformed = get();
        assertThat(malformed.statusCode()).isEqualTo(200);
        assertThat(malformed.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("json"));
        assertThat(malformed.body()).startsWith("{\"data\":[").doesNotEndWith("}");

        HttpResponse<String> noData = get();
        assertThat(noData.statusCode()).isEqualTo(200);
        assertThat(noData.body()).startsWith("{").doesNotContain("\"data\"");

        HttpResponse<String> html = get();
        assertThat(html.statusCode()).isEqualTo(200);
        assertThat(html.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");

        assertThat(get().body()).startsWith("{\"data\":[");
        assertThat(sim.pagesServed()).isEqualTo(1);
    }

    @Test
    void tokenRequestsCanFailToo() throws Exception {
        sim.faults().tokenFailNext(502, 1);
        HttpRequest tokenRequest = HttpRequest.newBuilder(URI.create(sim.identityBase() + "/connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=" + sim.clientId()
                        + "&client_secret=" + sim.clientSecret()))
                .build();
        assertThat(http.send(tokenRequest, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(502);
        assertThat(http.send(tokenRequest, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(sim.faults().dataCalls()).isZero();
    }

    private List<Integer> statuses(int calls) throws Exception {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            out.add(get().statusCode());
        }
        return out;
    }

    private HttpResponse<String> get() throws Exception {
        return http.send(request().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request() {
        return HttpRequest.newBuilder(URI.create(sim.reportingBase() + "/v1/user?ChunkLimit=2"))
                .header("Authorization", "Bearer " + token);
    }
}
