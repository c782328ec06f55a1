package no.ditiosync.simulator;

import no.ditiosync.testing.MutableClock;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import static no.ditiosync.simulator.SimClient.TIME;
import static no.ditiosync.simulator.SimClient.params;
import static org.assertj.core.api.Assertions.assertThat;

/** The token endpoint, 401 handling, fault injection, counters and routing errors. */
class TokenAndFaultsTest {

    MutableClock clock;
    SimulatedDitio sim;
    SimClient client;

    @BeforeEach
    void start() {
        clock = new MutableClock(Instant.parse("2026-11-28T08:00:00Z"));
        sim = SimulatedDitio.start(new SimulatorConfig().workers(20).tokenExpiresInSeconds(60).clock(clock), 0);
        client = new SimClient(sim);
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    @Test
    void clientCredentialsGiveABearerTokenWithTheConfiguredLifetime() {
        SimClient.Response r = client.tokenCall(form(sim.clientId(), sim.clientSecret(), "reportingapiv1"));
        assertThat(r.status()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.get("access_token").asText()).isNotBlank();
        assertThat(body.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.get("expires_in").asLong()).isEqualTo(60);
        assertThat(body.get("scope").asText()).isEqualTo("reportingapiv1");
        assertThat(client.token()).isNotEqualTo(body.get("access_token").asText());
        assertThat(sim.tokensIssued()).isEqualTo(2);
        assertThat(sim.identityBase()).isEqualTo("http://127.0.0.1:" + sim.port());
        assertThat(sim.reportingBase()).isEqualTo("http://127.0.0.1:" + sim.port() + "/reporting");
    }

    @Test
    void wrongCredentialsScopeOrGrantAre400WithTheOAuthErrorCode() {
        assertOAuthError(form(sim.clientId(), "wrong", "reportingapiv1"), "invalid_client");
        assertOAuthError(form("someone-else", sim.clientSecret(), "reportingapiv1"), "invalid_client");
        assertOAuthError(form(sim.clientId(), sim.clientSecret(), "otherapi"), "invalid_scope");
        Map<String, String> password = form(sim.clientId(), sim.clientSecret(), "reportingapiv1");
        password.put("grant_type", "password");
        assertOAuthError(password, "unsupported_grant_type");
        assertThat(sim.tokensIssued()).isZero();
    }

    @Test
    void httpBasicClientAuthenticationIsAcceptedToo() {
        String basic = Base64.getEncoder().encodeToString((sim.clientId() + ":" + sim.clientSecret())
                .getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(sim.identityBase() + "/connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", "Basic " + basic)
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=reportingapiv1"))
                .build();
        assertThat(client.send(request).status()).isEqualTo(200);
    }

    @Test
    void missingUnknownAndExpiredTokensGet401() {
        assertUnauthorized(client.get(TIME, null, params()));
        assertUnauthorized(client.get(TIME, "made-up", params()));

        String token = client.token();
        assertThat(client.get(TIME, token, params("ChunkLimit", "1")).status()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(59));
        assertThat(client.get(TIME, token, params("ChunkLimit", "1")).status()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(1));
        assertUnauthorized(client.get(TIME, token, params("ChunkLimit", "1")));
        assertThat(client.get(TIME, client.token(), params("ChunkLimit", "1")).status()).isEqualTo(200);
    }

    @Test
    void reject401OnceRejectsOneCallWithAValidToken() {
        String token = client.token();
        sim.faults().reject401Once();
        assertUnauthorized(client.get(TIME, token, params("ChunkLimit", "1")));
        assertThat(client.get(TIME, token, params("ChunkLimit", "1")).status()).isEqualTo(200);
    }

    @Test
    void expireTokensAfterPagesRevokesEveryIssuedToken() {
        String a = client.token();
        String b = client.token();
        sim.faults().expireTokensAfterPages(2);
        assertThat(client.get(TIME, a, params("ChunkLimit", "1")).status()).isEqualTo(200);
        assertThat(client.get(TIME, b, params("ChunkLimit", "1")).status()).isEqualTo(200);
        assertUnauthorized(client.get(TIME, a, params("ChunkLimit", "1")));
        assertUnauthorized(client.get(TIME, b, params("ChunkLimit", "1")));
        String fresh = client.token();
        assertThat(client.get(TIME, fresh, params("ChunkLimit", "1")).status()).isEqualTo(200);
        assertThat(client.get(TIME, fresh, params("ChunkLimit", "1")).status()).as("one-shot").isEqualTo(200);
    }

    @Test
    void failNextAnswersTheStatusTheGivenNumberOfTimes() {
        String token = client.token();
        sim.faults().failNext(503, 2);
        SimClient.Response first = client.get(TIME, token, params("ChunkLimit", "1"));
        assertThat(first.status()).isEqualTo(503);
        assertThat(first.json().get("error").asText()).isNotBlank();
        assertThat(client.get(TIME, token, params("ChunkLimit", "1")).status()).isEqualTo(503);
        assertThat(client.get(TIME, token, params("ChunkLimit", "1")).status()).isEqualTo(200);

        sim.faults().failNext(429, 1, "3");
        SimClient.Response limited = client.get(TIME, token, params("ChunkLimit", "1"));
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("3");

        sim.faults().failNext(429, 1);
        SimClient.Response bare = client.get(TIME, token, params("ChunkLimit", "1"));
        assertThat(bare.status()).isEqualTo(429);
        assertThat(bare.headers().firstValue("Retry-After")).isEmpty();
        assertThat(client.get(TIME, token, params("ChunkLimit", "1")).status()).isEqualTo(200);
    }

    @Test
    void pageDelaySlowsPagesAndClearRemovesEveryFault() {
        String token = client.token();
        sim.faults().pageDelayMillis(300);
        long started = System.nanoTime();
        assertThat(client.get(TIME, token, params("ChunkLimit", "1")).status()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));

        sim.faults().failNext(500, 5).reject401Once().expireTokensAfterPages(1);
        sim.faults().clear();
        started = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            assertThat(client.get(TIME, token, params("ChunkLimit", "1")).status()).isEqualTo(200);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(900));
    }

    @Test
    void pagesServedCountsOnlyDataPagesAnsweredWith200() {
        String token = client.token();
        client.get(TIME, token, params("ChunkLimit", "1"));
        client.get(SimClient.USERS, token, params());
        client.get(TIME, null, params());
        client.get(TIME, token, params("ChunkLimit", "x"));
        sim.faults().failNext(502, 1);
        client.get(TIME, token, params());
        assertThat(sim.pagesServed()).isEqualTo(2);
        assertThat(sim.tokensIssued()).isEqualTo(1);
    }

    @Test
    void unknownPathsAre404AndWrongMethods405WithJsonBodies() {
        SimClient.Response missing = client.get("/v1/no-such-thing", client.token(), params());
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("error").asText()).isEqualTo("NotFound");

        SimClient.Response post = client.send(HttpRequest.newBuilder(URI.create(sim.reportingBase() + TIME))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET");
        assertThat(post.json().get("message").asText()).contains("GET");

        SimClient.Response getToken = client.send(HttpRequest.newBuilder(URI.create(sim.identityBase() + "/connect/token"))
                .GET().build());
        assertThat(getToken.status()).isEqualTo(405);
    }

    private static Map<String, String> form(String id, String secret, String scope) {
        return params("grant_type", "client_credentials", "client_id", id, "client_secret", secret, "scope", scope);
    }

    private void assertOAuthError(Map<String, String> form, String error) {
        SimClient.Response r = client.tokenCall(form);
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().get("error").asText()).isEqualTo(error);
    }

    private static void assertUnauthorized(SimClient.Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    }
}
