package no.ditiosync.app;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** GETs of the run service's health and metrics endpoints over loopback, and what a scrape says. */
public final class ObserveClient {

    public record Response(int status, String body) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final int port;

    public ObserveClient(int port) {
        this.port = port;
    }

    /** A loopback port nothing listens on right now ({@link no.ditiosync.testing.AppProcess#freePort}). */
    public static int freePort() throws IOException {
        return no.ditiosync.testing.AppProcess.freePort();
    }

    public Response get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.body());
    }

    /** Every sample of a Prometheus text scrape: {@code name{labels}} → value. */
    public static Map<String, Double> samples(String scrape) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }
}
