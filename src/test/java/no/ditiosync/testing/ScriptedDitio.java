package no.ditiosync.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A Ditio API that is not our simulator: a JDK HttpServer on loopback answering each request as a
 * test scripts it, to check the client against what docs/ditio-contract.md allows but the simulator does not
 * do (token shapes, page shapes, timestamps, error bodies). It decodes queries as a web framework
 * does ('+' is a space) and records every request. An answer with the header
 * {@code Content-Encoding: gzip} has its body gzipped (unless it brings its bytes already encoded).
 *
 * <p>By default the token endpoint answers a fresh token valid 30 minutes, and every data endpoint
 * one empty last page.
 */
public final class ScriptedDitio implements AutoCloseable {

    /** One request as the server saw it; parameter names lower-cased (they are case-insensitive). */
    public record Request(String path, String rawQuery, Map<String, String> params, String authorization, String body,
                          String acceptEncoding) {

        public String param(String name) {
            return params.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /**
     * An answer: status, headers, body; or, with {@code encoded}, those bytes sent as they are (a body
     * already gzipped, say, or one too big for a String).
     */
    public record Answer(int status, Map<String, String> headers, String body, byte[] encoded) {

        public Answer(int status, Map<String, String> headers, String body) {
            this(status, headers, body, null);
        }

        /** A JSON answer of these bytes, already gzipped: sent as they are, with {@code Content-Encoding: gzip}. */
        public static Answer gzippedJson(byte[] gzipped) {
            return new Answer(200, Map.of("Content-Type", "application/json; charset=utf-8", "Content-Encoding", "gzip"),
                    null, gzipped);
        }

        public static Answer json(int status, String body) {
            return new Answer(status, Map.of("Content-Type", "application/json; charset=utf-8"), body);
        }

        public static Answer json(String body) {
            return json(200, body);
        }

        public Answer withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Answer(status, h, body, encoded);
        }
    }

    private final HttpServer server;
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Function<Request, Answer>> handlers = new ConcurrentHashMap<>();
    private volatile Function<Request, Answer> token;
    private int tokensIssued;

    public ScriptedDitio() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        token = request -> Answer.json("{\"access_token\":\"" + nextToken()
                + "\",\"token_type\":\"Bearer\",\"expires_in\":1800,\"scope\":\"reportingapiv1\"}");
        server.createContext("/", this::handle);
        server.start();
    }

    /** A new access token each time: tok-1, tok-2, … */
    public synchronized String nextToken() {
        return "tok-" + ++tokensIssued;
    }

    public synchronized int tokensIssued() {
        return tokensIssued;
    }

    public String identityBase() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public String reportingBase() {
        return identityBase() + "/reporting";
    }

    /** How the token endpoint answers. */
    public ScriptedDitio token(Function<Request, Answer> answer) {
        this.token = answer;
        return this;
    }

    /** How an endpoint under the reporting base ({@code /v1/time-registrations}) answers. */
    public ScriptedDitio on(String path, Function<Request, Answer> answer) {
        handlers.put("/reporting" + path, answer);
        return this;
    }

    /** Every request so far, token requests included. */
    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** The requests to one endpoint under the reporting base. */
    public List<Request> requests(String path) {
        return requests().stream().filter(r -> r.path().equals("/reporting" + path)).toList();
    }

    /** The settings that point the application at this server, as {@link TestSettings#simulator} does at the simulator. */
    public Map<String, String> settings(String company, java.time.LocalDate startDate, java.nio.file.Path dir) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("ditio.identity-base", identityBase());
        s.put("ditio.reporting-base", reportingBase());
        s.put("ditio.client-id", "scripted-client");
        s.put("ditio.client-secret", "scripted-secret");
        s.put("payroll.company", company);
        s.put("payroll.start-date", startDate.toString());
        s.put("payroll.drop-dir", dir.resolve("out").toString());
        s.put("payroll.jdbc-url", "");
        s.put("payroll.targets", "jdbc");
        s.put("payroll.state-db-url", "jdbc:h2:file:" + dir.resolve("data/state").toAbsolutePath());
        // in the test's folder whatever state DB a test puts in (the default is beside an H2 file, else ./data/runs)
        s.put("sync.report-dir", dir.resolve("data/runs").toString());
        s.put("ditio.chunk-limit", "100");
        s.put("ditio.retry.initial-delay", "20ms");
        s.put("ditio.retry.max-delay", "200ms");
        return s;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String raw = exchange.getRequestURI().getRawQuery();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Request request = new Request(exchange.getRequestURI().getRawPath(), raw, decode(raw),
                    exchange.getRequestHeaders().getFirst("Authorization"), body,
                    exchange.getRequestHeaders().getFirst("Accept-Encoding"));
            requests.add(request);
            Function<Request, Answer> handler = request.path().equals("/connect/token") ? token
                    : handlers.getOrDefault(request.path(), r -> r.path().startsWith("/reporting/v1/")
                    ? Answer.json("{\"data\":[]}") : Answer.json(404, "{\"error\":\"NotFound\"}"));
            Answer answer = handler.apply(request);
            answer.headers().forEach(exchange.getResponseHeaders()::set);
            byte[] bytes = answer.encoded() != null ? answer.encoded()
                    : answer.body() == null ? new byte[0] : answer.body().getBytes(StandardCharsets.UTF_8);
            if (answer.encoded() == null && "gzip".equals(answer.headers().get("Content-Encoding"))) {
                java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
                try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(zipped)) {
                    gzip.write(bytes);
                }
                bytes = zipped.toByteArray();
            }
            exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            throw e;
        }
    }

    /** As ASP.NET reads a query: names case-insensitive, '+' a space, %-escapes decoded. */
    static Map<String, String> decode(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String piece : raw.split("&")) {
            int eq = piece.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? piece : piece.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(piece.substring(eq + 1), StandardCharsets.UTF_8);
            out.putIfAbsent(name.toLowerCase(Locale.ROOT), value);
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
