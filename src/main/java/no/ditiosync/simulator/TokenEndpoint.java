package no.ditiosync.simulator;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code POST /connect/token}, OAuth2 client credentials (docs/ditio-contract.md, "Token"). Client
 * credentials are read from the form, or from HTTP Basic as identity servers also accept.
 * Checks in the order of an identity server: client, grant type, scope. A missing scope
 * grants {@code reportingapiv1}.
 */
final class TokenEndpoint {

    static final String SCOPE = "reportingapiv1";

    private final String clientId;
    private final String clientSecret;
    private final long expiresInSeconds;
    private final TokenStore tokens;
    private final SimulatorFaults faults;
    private final AtomicInteger issued = new AtomicInteger();

    TokenEndpoint(SimulatorConfig config, TokenStore tokens, SimulatorFaults faults) {
        this.clientId = config.clientId();
        this.clientSecret = config.clientSecret();
        this.expiresInSeconds = config.tokenExpiresInSeconds();
        this.tokens = tokens;
        this.faults = faults;
    }

    int issued() {
        return issued.get();
    }

    void handle(HttpExchange exchange) throws IOException {
        int fault = faults.nextTokenCall();
        if (fault != 0) {
            HttpIo.readBody(exchange);
            HttpIo.sendJson(exchange, fault, Map.of("error", PageFault.errorName(fault)));
            return;
        }
        Map<String, String> form = HttpIo.decodeForm(HttpIo.readBody(exchange));
        String id = form.get("client_id");
        String secret = form.get("client_secret");
        String basic = exchange.getRequestHeaders().getFirst("Authorization");
        if (id == null && basic != null && basic.regionMatches(true, 0, "Basic ", 0, 6)) {
            String[] pair = decodeBasic(basic.substring(6).trim());
            id = pair[0];
            secret = pair[1];
        }
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (!clientId.equals(id) || !clientSecret.equals(secret)) {
            HttpIo.sendJson(exchange, 400, Map.of("error", "invalid_client"));
            return;
        }
        String grant = form.get("grant_type");
        if (grant == null || grant.isEmpty()) {
            HttpIo.sendJson(exchange, 400, Map.of("error", "invalid_request"));
            return;
        }
        if (!"client_credentials".equals(grant)) {
            HttpIo.sendJson(exchange, 400, Map.of("error", "unsupported_grant_type"));
            return;
        }
        String scope = form.get("scope");
        if (scope != null && !scope.isBlank() && !Arrays.asList(scope.trim().split("\\s+")).contains(SCOPE)) {
            HttpIo.sendJson(exchange, 400, Map.of("error", "invalid_scope"));
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", tokens.issue(expiresInSeconds));
        body.put("token_type", "Bearer");
        body.put("expires_in", expiresInSeconds);
        body.put("scope", SCOPE);
        issued.incrementAndGet();
        HttpIo.sendJson(exchange, 200, body);
    }

    private static String[] decodeBasic(String encoded) {
        try {
            String text = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
            int colon = text.indexOf(':');
            if (colon < 0) {
                return new String[] {text, null};
            }
            return new String[] {
                    HttpIo.decodeForm("a=" + text.substring(0, colon)).get("a"),
                    HttpIo.decodeForm("a=" + text.substring(colon + 1)).get("a")};
        } catch (IllegalArgumentException e) {
            return new String[] {null, null};
        }
    }
}
