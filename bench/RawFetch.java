import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Baseline (a) of bench/run: the floor of what fetching costs. JDK HttpClient + Jackson streaming,
 * one token, one pass over /v1/time-registrations following continuationToken, every field of every
 * record parsed into a Java value (strings materialised, numbers as BigDecimal/long, booleans), and
 * nothing kept. Prints one line: records, pages, seconds (first request to last page parsed).
 *
 * <pre>
 * java -cp jackson-core.jar:. RawFetch IDENTITY_BASE REPORTING_BASE FROM TO [CHUNK_LIMIT] [--no-parse] [--passes N]
 * </pre>
 * With {@code --passes N} it makes N passes one after the other in the same JVM (a line each), so the
 * later ones show the client warm (bench/README.md, "A warm JVM"); bench/run makes one.
 * With {@code --no-parse} the records are not parsed at all: each page is read as bytes and only its
 * tail is searched for recordCount and continuationToken. That is the ceiling of the server and the
 * transport for a client that fetches one page after the other, whatever the client does.
 * The client id and secret come from the environment (CLIENT_ID, CLIENT_SECRET), never the command line.
 * Compiled by bench/run with javac into a temporary folder; no build tool involved.
 */
public final class RawFetch {

    private static final JsonFactory JSON = new JsonFactory();

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: RawFetch IDENTITY_BASE REPORTING_BASE FROM TO [CHUNK_LIMIT] [--no-parse] [--passes N]");
            System.exit(64);
        }
        String identityBase = args[0];
        String reportingBase = args[1];
        String from = args[2];
        String to = args[3];
        String chunkLimit = args.length > 4 && !args[4].startsWith("--") ? args[4] : null;
        java.util.List<String> options = java.util.Arrays.asList(args);
        boolean noParse = options.contains("--no-parse");
        // --passes N: N full passes one after the other in this JVM, a line each; the later ones run warm
        int passes = options.contains("--passes") ? Integer.parseInt(args[options.indexOf("--passes") + 1]) : 1;
        String clientId = required("CLIENT_ID");
        String clientSecret = required("CLIENT_SECRET");
        for (int pass = 0; pass < passes; pass++) {
            fetch(identityBase, reportingBase, from, to, chunkLimit, noParse, clientId, clientSecret);
        }
    }

    private static void fetch(String identityBase, String reportingBase, String from, String to, String chunkLimit,
                              boolean noParse, String clientId, String clientSecret) throws Exception {
        long started = System.nanoTime();
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();

        String token = token(http, identityBase, clientId, clientSecret);

        String base = reportingBase + "/v1/time-registrations?FromDateTime=" + enc(from) + "&ToDateTime=" + enc(to)
                + (chunkLimit == null ? "" : "&ChunkLimit=" + enc(chunkLimit));
        Stats stats = new Stats();
        String continuation = null;
        do {
            String url = continuation == null ? base : base + "&ContinuationToken=" + enc(continuation);
            HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + token)
                    .header("Accept", "application/json")
                    .GET()
                    .build();
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new IOException("page " + (stats.pages + 1) + ": HTTP " + response.statusCode() + ": "
                            + new String(body.readNBytes(300), StandardCharsets.UTF_8));
                }
                if (noParse) {
                    continuation = skimPage(body.readAllBytes(), stats);
                } else {
                    continuation = readPage(body, stats);
                    body.transferTo(OutputStream.nullOutputStream());
                }
            }
            stats.pages++;
        } while (continuation != null && !continuation.isEmpty());

        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("records=%d pages=%d seconds=%.3f records_per_s=%.0f fields=%d qty_sum=%s text_chars=%d%n",
                stats.records, stats.pages, seconds, stats.records / seconds, stats.fields, stats.qty.toPlainString(),
                stats.textChars);
    }

    /** Per pass: what was parsed, so nothing is optimised away and the totals can be checked. */
    static final class Stats {
        long records;
        int pages;
        long fields;
        long textChars;
        long sink;
        BigDecimal qty = BigDecimal.ZERO;
    }

    private static final java.util.regex.Pattern TAIL_TOKEN =
            java.util.regex.Pattern.compile("\"continuationToken\":(?:null|\"([^\"]*)\")");
    private static final java.util.regex.Pattern TAIL_COUNT = java.util.regex.Pattern.compile("\"recordCount\":(\\d+)");

    /** --no-parse: the page as bytes; recordCount and continuationToken from its last 4 KB only. */
    static String skimPage(byte[] page, Stats stats) throws IOException {
        int from = Math.max(0, page.length - 4096);
        String tail = new String(page, from, page.length - from, StandardCharsets.ISO_8859_1);
        java.util.regex.Matcher count = TAIL_COUNT.matcher(tail);
        java.util.regex.Matcher token = TAIL_TOKEN.matcher(tail);
        if (!count.find()) {
            throw new IOException("page " + (stats.pages + 1) + ": no recordCount in its last 4 KB");
        }
        stats.records += Long.parseLong(count.group(1));
        stats.textChars += page.length;
        return token.find() ? token.group(1) : null;
    }

    /** Streams one page: every record's fields parsed, nothing stored; returns the continuation token. */
    static String readPage(InputStream body, Stats stats) throws IOException {
        String continuation = null;
        JsonParser p = JSON.createParser(body);
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new IOException("page " + (stats.pages + 1) + " is not a JSON object");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if ("data".equals(field) && value == JsonToken.START_ARRAY) {
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    readRecord(p, stats);
                    stats.records++;
                }
            } else if ("continuationToken".equals(field)) {
                continuation = value == JsonToken.VALUE_NULL ? null : p.getText();
            } else {
                p.skipChildren();
            }
        }
        return continuation;
    }

    private static void readRecord(JsonParser p, Stats stats) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            stats.fields++;
            switch (value) {
                case VALUE_STRING -> stats.textChars += p.getText().length();
                case VALUE_NUMBER_INT -> stats.sink += p.getLongValue();
                case VALUE_NUMBER_FLOAT -> {
                    BigDecimal number = p.getDecimalValue();
                    if ("qty".equals(field)) {
                        stats.qty = stats.qty.add(number);
                    } else {
                        stats.sink += number.signum();
                    }
                }
                case VALUE_TRUE, VALUE_FALSE -> stats.sink += p.getBooleanValue() ? 1 : 0;
                case START_OBJECT, START_ARRAY -> p.skipChildren();
                default -> {
                    // null: nothing to parse
                }
            }
        }
    }

    private static String token(HttpClient http, String identityBase, String clientId, String clientSecret)
            throws IOException, InterruptedException {
        String form = "grant_type=client_credentials&client_id=" + enc(clientId) + "&client_secret=" + enc(clientSecret)
                + "&scope=reportingapiv1";
        HttpRequest request = HttpRequest.newBuilder(URI.create(identityBase + "/connect/token"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body(); JsonParser p = JSON.createParser(body)) {
            if (response.statusCode() != 200) {
                throw new IOException("token: HTTP " + response.statusCode());
            }
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("token: answer is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if ("access_token".equals(field)) {
                    return p.getText();
                }
                p.skipChildren();
            }
        }
        throw new IOException("token: no access_token in the answer");
    }

    private static String required(String name) {
        String value = System.getenv(name);
        if (value == null || value.isEmpty()) {
            System.err.println("RawFetch: set " + name);
            System.exit(64);
        }
        return value;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
