package no.ditiosync.simulator;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The paging parameters of one data request (docs/ditio-contract.md, "Query parameters"), validated.
 * Names are case-insensitive. Unknown parameters (ProjectId, CompanyId, ...) are accepted and
 * ignored. An empty value counts as absent.
 */
final class PageQuery {

    static final int DEFAULT_CHUNK_LIMIT = 2500;
    static final int MAX_CHUNK_LIMIT = 10000;

    private static final String CONTINUATION = "continuationtoken";

    final ContinuationTokens.Mode mode;
    /** Work-day window, inclusive; MIN/MAX when absent. */
    final long fromDay;
    final long toDay;
    /** Incremental window: sinceSecond <= modified < beforeSecond. */
    final long sinceSecond;
    final long beforeSecond;
    final int chunkLimit;
    /** Position from the continuation token, or null on the first page. */
    final ContinuationTokens.Position after;
    /** The raw query without ContinuationToken, to build links.next with identical parameters. */
    final String rawQueryWithoutToken;

    private PageQuery(ContinuationTokens.Mode mode, long fromDay, long toDay, long sinceSecond, long beforeSecond,
                      int chunkLimit, ContinuationTokens.Position after, String rawQueryWithoutToken) {
        this.mode = mode;
        this.fromDay = fromDay;
        this.toDay = toDay;
        this.sinceSecond = sinceSecond;
        this.beforeSecond = beforeSecond;
        this.chunkLimit = chunkLimit;
        this.after = after;
        this.rawQueryWithoutToken = rawQueryWithoutToken;
    }

    /**
     * @param dateWindow whether the feed has a work-date window; metadata feeds (users) ignore
     *                   FromDateTime/ToDateTime, as the API documents "no date window" for them
     */
    static PageQuery parse(String rawQuery, String feed, boolean dateWindow) {
        Map<String, String> params = new HashMap<>();
        List<String> keptPieces = new ArrayList<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String piece : rawQuery.split("&")) {
                if (piece.isEmpty()) {
                    continue;
                }
                int eq = piece.indexOf('=');
                String name = decode(eq < 0 ? piece : piece.substring(0, eq)).toLowerCase(Locale.ROOT);
                String value = eq < 0 ? "" : decode(piece.substring(eq + 1)).trim();
                if (!CONTINUATION.equals(name)) {
                    keptPieces.add(piece);
                }
                if (!value.isEmpty()) {
                    params.putIfAbsent(name, value);
                }
            }
        }

        long fromDay = Long.MIN_VALUE;
        long toDay = Long.MAX_VALUE;
        String from = params.get("fromdatetime");
        String to = params.get("todatetime");
        if (dateWindow && (from != null || to != null)) {
            if (from == null || to == null) {
                throw new BadRequest("ArgumentIsNull",
                        "Set both FromDateTime and ToDateTime, or neither (got only "
                                + (from == null ? "ToDateTime" : "FromDateTime") + ").");
            }
            Instant fromInstant = parseInstant("FromDateTime", from);
            Instant toInstant = parseInstant("ToDateTime", to);
            if (fromInstant.isAfter(toInstant)) {
                throw new BadRequest("InvalidArgument", "FromDateTime must not be after ToDateTime.");
            }
            // A work date counts as its UTC midnight: from <= workDate <= to (ToDateTime inclusive).
            LocalDate fromDate = fromInstant.atOffset(ZoneOffset.UTC).toLocalDate();
            fromDay = fromDate.atStartOfDay(ZoneOffset.UTC).toInstant().equals(fromInstant)
                    ? fromDate.toEpochDay() : fromDate.toEpochDay() + 1;
            toDay = toInstant.atOffset(ZoneOffset.UTC).toLocalDate().toEpochDay();
        }

        ContinuationTokens.Mode mode = ContinuationTokens.Mode.FULL;
        long since = Long.MIN_VALUE;
        long before = Long.MAX_VALUE;
        String sinceText = params.get("modifiedsince");
        String beforeText = params.get("modifiedbefore");
        if (beforeText != null && sinceText == null) {
            throw new BadRequest("InvalidArgument", "ModifiedBefore needs ModifiedSince.");
        }
        if (sinceText != null) {
            mode = ContinuationTokens.Mode.INCREMENTAL;
            Instant sinceInstant = parseInstant("ModifiedSince", sinceText);
            since = ceilSecond(sinceInstant);
            if (beforeText != null) {
                Instant beforeInstant = parseInstant("ModifiedBefore", beforeText);
                if (!beforeInstant.isAfter(sinceInstant)) {
                    throw new BadRequest("InvalidArgument", "ModifiedBefore must be later than ModifiedSince.");
                }
                // modified < before, with whole-second modification times
                before = ceilSecond(beforeInstant);
            }
        }

        int chunkLimit = parseChunkLimit(params.get("chunklimit"));

        ContinuationTokens.Position after = null;
        String token = params.get(CONTINUATION);
        if (token != null) {
            after = ContinuationTokens.decode(token, feed, mode);
        }
        return new PageQuery(mode, fromDay, toDay, since, before, chunkLimit, after, String.join("&", keptPieces));
    }

    /** Out-of-range values are clamped into 1..10000, not rejected. */
    static int parseChunkLimit(String text) {
        if (text == null) {
            return DEFAULT_CHUNK_LIMIT;
        }
        try {
            long value = new java.math.BigInteger(text).max(java.math.BigInteger.ONE)
                    .min(java.math.BigInteger.valueOf(MAX_CHUNK_LIMIT)).longValue();
            return (int) value;
        } catch (NumberFormatException e) {
            throw new BadRequest("InvalidArgument", "ChunkLimit must be a whole number, was '" + text + "'.");
        }
    }

    /** Accepts 2026-01-01, 2026-01-01T00:00:00 (UTC), 2026-01-01T00:00:00Z and explicit offsets. */
    static Instant parseInstant(String name, String text) {
        try {
            if (text.length() == 10) {
                return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            char last = text.charAt(text.length() - 1);
            boolean hasZone = last == 'Z' || last == 'z' || text.matches(".*T.*[+-]\\d\\d(:?\\d\\d)?$");
            if (!hasZone) {
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            }
            return OffsetDateTime.parse(text.replace('z', 'Z')).toInstant();
        } catch (DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new BadRequest("InvalidArgument", name + " is not a date or date-time: '" + text
                    + "' (use 2026-01-01, 2026-01-01T00:00:00 or 2026-01-01T00:00:00Z).");
        }
    }

    private static long ceilSecond(Instant instant) {
        return instant.getNano() == 0 ? instant.getEpochSecond() : instant.getEpochSecond() + 1;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("InvalidArgument", "Malformed query string near '" + s + "'.");
        }
    }
}
