package no.ditiosync.simulator;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /reporting/v1/<feed>}: faults first (as a gateway would answer them), then the
 * bearer token, then the parameters, then the page.
 */
final class ReportingEndpoint {

    private final TokenStore tokens;
    private final SimulatorFaults faults;
    private final AtomicInteger pagesServed = new AtomicInteger();

    ReportingEndpoint(TokenStore tokens, SimulatorFaults faults) {
        this.tokens = tokens;
        this.faults = faults;
    }

    int pagesServed() {
        return pagesServed.get();
    }

    <T> void handle(HttpExchange exchange, Feed<T> feed) throws IOException {
        SimulatorFaults.Injected fault = faults.nextDataCall();
        if (fault != null) {
            if (fault.retryAfter() != null) {
                exchange.getResponseHeaders().set("Retry-After", fault.retryAfter());
            }
            if (fault.status() == 401) {
                unauthorized(exchange, fault.message());
            } else {
                HttpIo.sendError(exchange, fault.status(), fault.error(), fault.message());
            }
            return;
        }
        String token = bearer(exchange);
        if (token == null) {
            unauthorized(exchange, "Missing bearer token.");
            return;
        }
        if (!tokens.isValid(token)) {
            unauthorized(exchange, "The token is unknown, expired or revoked.");
            return;
        }
        PageQuery query;
        try {
            query = PageQuery.parse(exchange.getRequestURI().getRawQuery(), feed.name(), feed.dateWindow());
        } catch (BadRequest e) {
            HttpIo.sendError(exchange, 400, e.error(), e.getMessage());
            return;
        }
        long delay = faults.pageDelay();
        if (delay > 0) {
            try {
                Thread.sleep(delay); // the "slow pages" fault
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        PageResult<T> page = feed.pages().apply(query);
        // Count and run the token-expiry countdown before sending, so the client's next call sees it.
        pagesServed.incrementAndGet();
        faults.pageServed();
        exchange.getResponseHeaders().set("Content-Type", HttpIo.JSON_TYPE);
        exchange.sendResponseHeaders(200, 0);
        PageWriter.write(exchange.getResponseBody(), feed, query, page);
    }

    private static String bearer(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    private static void unauthorized(HttpExchange exchange, String message) throws IOException {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        HttpIo.sendError(exchange, 401, "Unauthorized", message);
    }
}
