package no.ditiosync.simulator;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code POST /_sim/mutate?count=N&seed=S}: applies {@link DitioDataset#randomMutations} and
 * answers {@code {"count":N,"seed":S,"mutations":["edit ...", ...]}}. Not part of the Ditio API;
 * no token needed (the simulator only listens on loopback).
 */
final class AdminEndpoint {

    static final int MAX_COUNT = 10_000;

    private final DitioDataset data;

    AdminEndpoint(DitioDataset data) {
        this.data = data;
    }

    void mutate(HttpExchange exchange) throws IOException {
        Map<String, String> params = HttpIo.decodeForm(exchange.getRequestURI().getRawQuery());
        int count;
        long seed;
        try {
            count = Integer.parseInt(params.getOrDefault("count", "10"));
            seed = params.containsKey("seed") ? Long.parseLong(params.get("seed")) : new Random().nextLong();
        } catch (NumberFormatException e) {
            HttpIo.sendError(exchange, 400, "InvalidArgument", "count and seed must be whole numbers.");
            return;
        }
        if (count < 1 || count > MAX_COUNT) {
            HttpIo.sendError(exchange, 400, "InvalidArgument", "count must be between 1 and " + MAX_COUNT + ".");
            return;
        }
        List<String> done = data.randomMutations(new Random(seed), count);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("count", done.size());
        body.put("seed", seed);
        body.put("mutations", done);
        HttpIo.sendJson(exchange, 200, body);
    }
}
