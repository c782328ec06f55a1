package no.ditiosync.ditio;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The secrets this process holds (client secrets, access tokens, passwords), so that no text it logs,
 * shows or keeps quotes one. Each is kept out where it is used, but a server may echo a request in its
 * error (Ditio's identity server its form, with the client secret; a page its Authorization header), and
 * those words reach the run's message as Ditio's own.
 *
 * <p>Process-wide, as the log is: the log layout masks with it too.
 */
public final class KnownSecrets {

    /** Shorter values are not masked: "***" in place of every "abc" of a message would garble it, and hide little. */
    static final int SHORTEST = 8;
    /** Access tokens kept for masking: the newest of each client and a few before (a 401 page may quote an old one). */
    private static final int TOKENS = 64;
    private static final String MASK = "***";

    private static final Set<String> SECRETS = new LinkedHashSet<>();
    private static final Deque<String> TOKENS_SEEN = new ArrayDeque<>();
    private static volatile String[] all = new String[0];

    private KnownSecrets() {
    }

    /** A secret from the settings, as given and as a form or URL would encode it. */
    public static synchronized void add(String secret) {
        if (secret == null || secret.length() < SHORTEST) {
            return;
        }
        SECRETS.add(secret);
        SECRETS.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
        refresh();
    }

    /** An access token just fetched. */
    static synchronized void addToken(String token) {
        if (token == null || token.length() < SHORTEST || TOKENS_SEEN.contains(token)) {
            return;
        }
        TOKENS_SEEN.addLast(token);
        while (TOKENS_SEEN.size() > TOKENS) {
            TOKENS_SEEN.removeFirst();
        }
        refresh();
    }

    /** The text with every known secret in it replaced by {@code ***}. */
    public static String masked(String text) {
        String[] secrets = all;
        if (text == null || secrets.length == 0) {
            return text;
        }
        String out = text;
        for (String secret : secrets) {
            if (out.contains(secret)) {
                out = out.replace(secret, MASK);
            }
        }
        return out;
    }

    private static void refresh() {
        Set<String> now = new LinkedHashSet<>(SECRETS);
        now.addAll(TOKENS_SEEN);
        // the longest first: a secret that holds another is masked whole
        all = now.stream().sorted((a, b) -> b.length() - a.length()).toArray(String[]::new);
    }
}
