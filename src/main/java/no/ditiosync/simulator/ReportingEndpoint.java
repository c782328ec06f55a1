package no.ditiosync.simulator;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
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
        PageFault.Injected fault = faults.nextDataCall();
        if (fault != null && answerFault(exchange, fault)) {
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
        if (!pause(faults.pageDelay())) {
            return;
        }
        PageResult<T> page = feed.pages().apply(query);
        // Count and run the token-expiry countdown before sending, so the client's next call sees it.
        pagesServed.incrementAndGet();
        faults.pageServed();
        exchange.getResponseHeaders().set("Content-Type", HttpIo.JSON_TYPE);
        if (fault != null && fault.kind() == PageFault.Kind.CUT_OFF) {
            sendHalf(exchange, feed, query, page);
            return;
        }
        exchange.sendResponseHeaders(200, 0);
        PageWriter.write(exchange.getResponseBody(), feed, query, page);
    }

    /** The cut-off fault: the page's length announced, half of it sent, the connection closed. */
    private static <T> void sendHalf(HttpExchange exchange, Feed<T> feed, PageQuery query, PageResult<T> page)
            throws IOException {
        java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream();
        PageWriter.write(whole, feed, query, page);
        byte[] bytes = whole.toByteArray();
        exchange.sendResponseHeaders(200, bytes.length);
        OutputStream out = exchange.getResponseBody();
        out.write(bytes, 0, bytes.length / 2);
        out.flush();
        // a handler that fails with an I/O error makes the JDK server close the connection, the rest unsent
        throw new IOException("simulated fault: the connection is closed in the middle of the page");
    }

    /** Applies a fault; false when the call goes on normally afterwards (a slow answer). */
    private static boolean answerFault(HttpExchange exchange, PageFault.Injected fault) throws IOException {
        switch (fault.kind()) {
            case STATUS -> {
                if (fault.retryAfter() != null) {
                    exchange.getResponseHeaders().set("Retry-After", fault.retryAfter());
                }
                HttpIo.sendError(exchange, fault.status(), fault.error(), fault.message());
            }
            case REJECT_401 -> unauthorized(exchange, fault.message());
            case DROP_CONNECTION -> {
                // nothing sent: the server closes the exchange, and with it the connection, without an answer
            }
            case SLOW -> {
                return !pause(fault.delayMillis());
            }
            case CUT_OFF -> {
                return false; // the page is served, and cut off on the way
            }
            case MALFORMED_JSON -> send(exchange, HttpIo.JSON_TYPE,
                    "{\"data\":[{\"id\":\"a1b2\",\"workDate\":\"2026-11-02T00:00:00Z\",\"qty\":7.5},{\"id\":\"c3");
            case PAGE_WITHOUT_DATA -> send(exchange, HttpIo.JSON_TYPE,
                    "{\"links\":{\"next\":null},\"continuationToken\":null,\"syncTypeName\":\"full\","
                            + "\"recordCount\":0,\"deletedRecordCount\":0}");
            case WRONG_CONTENT_TYPE -> send(exchange, "text/html; charset=utf-8",
                    "<html><head><title>Maintenance</title></head><body>Back soon.</body></html>");
        }
        return true;
    }

    private static void send(HttpExchange exchange, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** @return false when interrupted (the simulator is closing) */
    private static boolean pause(long millis) {
        if (millis <= 0) {
            return true;
        }
        try {
            Thread.sleep(millis); // the "slow pages" faults
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
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
