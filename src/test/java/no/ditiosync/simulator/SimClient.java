package no.ditiosync.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A plain HTTP client for the simulator tests: real requests over loopback, no mocks. */
final class SimClient {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String TIME = "/v1/time-registrations";
    static final String USERS = "/v1/user";

    private final SimulatedDitio sim;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    SimClient(SimulatedDitio sim) {
        this.sim = sim;
    }

    record Response(int status, HttpHeaders headers, byte[] bytes) {
        String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return JSON.readTree(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body(), e);
            }
        }
    }

    /** A page pass: the pages in order and their records. */
    record Pass(List<JsonNode> pages) {
        List<JsonNode> records() {
            List<JsonNode> out = new ArrayList<>();
            pages.forEach(p -> p.get("data").forEach(out::add));
            return out;
        }

        List<String> ids() {
            return records().stream().map(r -> r.get("id").asText()).toList();
        }
    }

    Response tokenCall(Map<String, String> form) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(sim.identityBase() + "/connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(encode(form)))
                .build();
        return send(request);
    }

    String token() {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        form.put("client_id", sim.clientId());
        form.put("client_secret", sim.clientSecret());
        form.put("scope", "reportingapiv1");
        Response r = tokenCall(form);
        if (r.status() != 200) {
            throw new AssertionError("token call failed: " + r.status() + " " + r.body());
        }
        return r.json().get("access_token").asText();
    }

    /** GET {reportingBase}{path}?params with the token (null: no Authorization header). */
    Response get(String path, String token, Map<String, String> params) {
        String query = params.isEmpty() ? "" : "?" + encode(params);
        return getUrl(sim.reportingBase() + path + query, token);
    }

    Response getUrl(String url, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.build());
    }

    Response send(HttpRequest request) {
        try {
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Follows continuationToken with identical other parameters until the last page. */
    Pass pass(String path, Map<String, String> params) {
        String token = token();
        Map<String, String> p = new LinkedHashMap<>(params);
        List<JsonNode> pages = new ArrayList<>();
        while (true) {
            Response r = get(path, token, p);
            if (r.status() != 200) {
                throw new AssertionError("page " + (pages.size() + 1) + " failed: " + r.status() + " " + r.body());
            }
            JsonNode page = r.json();
            pages.add(page);
            JsonNode next = page.get("continuationToken");
            if (next == null || next.isNull() || next.asText().isEmpty()) {
                return new Pass(pages);
            }
            if (pages.size() > 100_000) {
                throw new AssertionError("pass does not end");
            }
            p.put("ContinuationToken", next.asText());
        }
    }

    static Map<String, String> params(String... nameValue) {
        Map<String, String> p = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            p.put(nameValue[i], nameValue[i + 1]);
        }
        return p;
    }

    static String encode(Map<String, String> params) {
        return params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
