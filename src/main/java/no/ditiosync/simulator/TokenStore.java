package no.ditiosync.simulator;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;

/** Issued access tokens and when they expire (by the config clock, so tests can move time). */
final class TokenStore {

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<String, Long> expiresAtMillis = new ConcurrentHashMap<>();
    /** every token ever issued, revoked and expired ones too: what a leak scan looks for */
    private final java.util.List<String> issued = new java.util.concurrent.CopyOnWriteArrayList<>();

    TokenStore(Clock clock) {
        this.clock = clock;
    }

    String issue(long expiresInSeconds) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = "sim." + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        expiresAtMillis.put(token, clock.millis() + expiresInSeconds * 1000);
        issued.add(token);
        return token;
    }

    boolean isValid(String token) {
        Long expiresAt = expiresAtMillis.get(token);
        if (expiresAt == null) {
            return false;
        }
        if (clock.millis() >= expiresAt) {
            expiresAtMillis.remove(token);
            return false;
        }
        return true;
    }

    java.util.List<String> issued() {
        return java.util.List.copyOf(issued);
    }

    void revokeAll() {
        expiresAtMillis.clear();
    }
}
