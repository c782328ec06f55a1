package no.ditiosync.ditio;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.StringEntity;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The access token of one Ditio API client, cached until shortly before it expires.
 *
 * <p>We keep our own cache instead of camel-http's OAuth2 options: those cache tokens by the full
 * request URI, and every page URI carries a different continuation token, which means one token
 * request per page and a cache that only grows.
 *
 * <p>The token itself never leaves this class except as the Authorization header value, and
 * {@link #toString()} does not show it.
 */
public final class DitioTokenCache {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration MAX_REFRESH_MARGIN = Duration.ofMinutes(1);

    private final String credentialSettings;
    private final String clientId;
    private final String clientSecret;
    private final String scope;
    private final Clock clock;
    private String accessToken;
    private Instant refreshAt = Instant.MIN;
    private int tokensFetched;

    /** @param credentialSettings where the operator set the id and secret, as a rejection names them */
    public DitioTokenCache(String clientId, String clientSecret, String scope, Clock clock, String credentialSettings) {
        this.credentialSettings = credentialSettings;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        KnownSecrets.add(clientSecret); // the identity server may quote its form back in an error
        this.scope = scope;
        this.clock = clock;
    }

    public synchronized boolean needsRefresh() {
        return accessToken == null || !clock.instant().isBefore(refreshAt);
    }

    /**
     * Form body of the client-credentials request, as the entity camel-http sends. Not a String: Camel
     * logs what a bean returns, the message body, at TRACE (MethodInfo), and that would be the client
     * secret; an entity shows only what {@link Object#toString()} says, and this one names no secret.
     */
    public HttpEntity tokenRequestBody() {
        String form = "grant_type=client_credentials"
                + "&client_id=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
                + "&client_secret=" + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8)
                + "&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8);
        String client = clientId;
        return new StringEntity(form, ContentType.APPLICATION_FORM_URLENCODED) {
            @Override
            public String toString() {
                return "token request of client " + client + " (its secret not shown)";
            }
        };
    }

    /**
     * Takes the identity server's answer: a token, or a message naming what the operator must check.
     *
     * @param endsWithTheConnection the answer has neither a length nor chunks: JSON begun and cut short
     *                              there is a dropped connection, thrown as an {@link EOFException} for the
     *                              token route to ask again, not an answer
     */
    public synchronized void accept(int status, InputStream body, boolean endsWithTheConnection) throws EOFException {
        // only a token answer can be cut short: a refusal without a body (401, Connection: close) is a refusal
        JsonNode json = readJson(body, status == 200 && endsWithTheConnection);
        if (status == 200 && json != null && json.hasNonNull("access_token")) {
            long expiresIn = json.path("expires_in").asLong(1800);
            Instant now = clock.instant();
            Duration lifetime = Duration.ofSeconds(Math.max(1, expiresIn));
            Duration margin = lifetime.dividedBy(4).compareTo(MAX_REFRESH_MARGIN) < 0 ? lifetime.dividedBy(4) : MAX_REFRESH_MARGIN;
            accessToken = json.get("access_token").asText();
            KnownSecrets.addToken(accessToken);
            refreshAt = now.plus(lifetime).minus(margin);
            tokensFetched++;
            return;
        }
        String error = json == null ? "" : json.path("error").asText("");
        throw new DitioApiException(switch (error) {
            case "invalid_client" -> "Ditio identity rejected the client credentials (invalid_client): check " + credentialSettings + " for this environment";
            case "invalid_scope" -> "Ditio identity refused the scope (invalid_scope): the API client must be granted the '" + scope + "' scope";
            default -> "Ditio identity answered HTTP " + status + (error.isEmpty() ? "" : " (" + error + ")")
                    + " to the token request: check DITIO_IDENTITY_BASE and the API client";
        });
    }

    /** The Authorization header value; never returned to a route (Camel would log it at TRACE), see {@link DitioTokens#authorize}. */
    public synchronized String authorization() {
        if (accessToken == null) {
            throw new IllegalStateException("no Ditio token fetched yet");
        }
        return "Bearer " + accessToken;
    }

    /** After a 401 on a token that looked valid: the next call fetches a new one. */
    public synchronized void invalidate() {
        accessToken = null;
        refreshAt = Instant.MIN;
    }

    public synchronized int tokensFetched() {
        return tokensFetched;
    }

    @Override
    public String toString() {
        return "DitioTokenCache[client=" + clientId + ", cached=" + (accessToken != null) + "]";
    }

    private static JsonNode readJson(InputStream body, boolean endsWithTheConnection) throws EOFException {
        if (body == null) {
            return null;
        }
        EndSeen source = new EndSeen(body);
        boolean begun = false;
        try (JsonParser parser = MAPPER.getFactory().createParser(source)) {
            JsonToken first = parser.nextToken();
            begun = first == JsonToken.START_OBJECT;
            if (first == null && endsWithTheConnection) {
                throw new EOFException("the token answer ended before its JSON began");
            }
            return first == null ? null : MAPPER.readTree(parser);
        } catch (EOFException e) {
            throw e;
        } catch (IOException e) {
            // whatever the parser said ("end-of-input", "unrecognized token 'tr'"), it asked for more than there was
            if (endsWithTheConnection && begun && source.ended) {
                throw (EOFException) new EOFException("the token answer ended before its JSON did").initCause(e);
            }
            return null;
        }
    }
}
