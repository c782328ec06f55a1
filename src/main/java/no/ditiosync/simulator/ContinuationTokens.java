package no.ditiosync.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

/**
 * Opaque continuation tokens: base64url (no padding) of a small JSON object.
 * <ul>
 *   <li>full mode: {@code {"v":1,"feed":"time-registrations","mode":"full","day":20745,"id":"<guid>"}} —
 *       the next page starts after (work day, id);</li>
 *   <li>incremental mode: {@code {"v":1,"feed":"time-registrations","mode":"incremental","after":1795766400}} —
 *       the next page starts strictly after that modification second (pages never split a second).</li>
 * </ul>
 * A token is accepted only by the feed and the mode that made it; anything else is a 400.
 */
final class ContinuationTokens {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ContinuationTokens() {
    }

    enum Mode {
        FULL("full"), INCREMENTAL("incremental");

        final String apiName;

        Mode(String apiName) {
            this.apiName = apiName;
        }
    }

    /** Where the next page starts. Full: day and id of the last record. Incremental: the last second. */
    record Position(Mode mode, long day, long idHi, long idLo, long afterSecond) {
        static Position full(long day, long idHi, long idLo) {
            return new Position(Mode.FULL, day, idHi, idLo, 0);
        }

        static Position incremental(long afterSecond) {
            return new Position(Mode.INCREMENTAL, 0, 0, 0, afterSecond);
        }
    }

    static String encode(String feed, Position p) {
        ObjectNode node = JSON.createObjectNode();
        node.put("v", 1);
        node.put("feed", feed);
        node.put("mode", p.mode().apiName);
        if (p.mode() == Mode.FULL) {
            node.put("day", p.day());
            node.put("id", Guids.toString(p.idHi(), p.idLo()));
        } else {
            node.put("after", p.afterSecond());
        }
        byte[] bytes = node.toString().getBytes(StandardCharsets.UTF_8);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Decodes a token for the given feed and mode, or throws a {@link BadRequest}. */
    static Position decode(String token, String feed, Mode expectedMode) {
        JsonNode node;
        try {
            // Accept padded and standard-alphabet variants too, in case a client re-encodes it.
            String normalised = token.trim().replace('+', '-').replace('/', '_').replace("=", "");
            node = JSON.readTree(Base64.getUrlDecoder().decode(normalised));
        } catch (Exception e) {
            throw invalid("it is not a token issued by this API");
        }
        if (node == null || !node.isObject() || node.path("v").asInt() != 1) {
            throw invalid("it is not a token issued by this API");
        }
        if (!feed.equals(node.path("feed").asText())) {
            throw invalid("it was issued for another endpoint (" + node.path("feed").asText() + ")");
        }
        String mode = node.path("mode").asText();
        if (!mode.equals(expectedMode.apiName)) {
            throw invalid("it belongs to a " + mode + " pass but this request is " + expectedMode.apiName
                    + (expectedMode == Mode.FULL ? " (no ModifiedSince)" : " (ModifiedSince is set)")
                    + "; never mix tokens between full and incremental mode");
        }
        try {
            if (expectedMode == Mode.FULL) {
                UUID id = UUID.fromString(node.get("id").asText());
                if (!node.get("day").canConvertToLong()) {
                    throw new IllegalArgumentException("day");
                }
                return Position.full(node.get("day").asLong(), id.getMostSignificantBits(), id.getLeastSignificantBits());
            }
            JsonNode after = node.get("after");
            if (after == null || !after.canConvertToLong()) {
                throw new IllegalArgumentException("after");
            }
            return Position.incremental(after.asLong());
        } catch (RuntimeException e) {
            throw invalid("it is damaged");
        }
    }

    private static BadRequest invalid(String why) {
        return new BadRequest("InvalidContinuationToken", "ContinuationToken is not valid here: " + why + ".");
    }
}
