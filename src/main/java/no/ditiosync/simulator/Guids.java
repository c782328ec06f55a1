package no.ditiosync.simulator;

import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Version-4 style GUIDs drawn from a seeded generator, so the same seed gives the same ids.
 * Kept as two longs where memory matters; {@link #compare} matches the order of the lower-case
 * string form, which is the id order the API pages in.
 */
final class Guids {

    private Guids() {
    }

    static long nextHi(SplittableRandom rnd) {
        return (rnd.nextLong() & ~0xF000L) | 0x4000L;
    }

    static long nextLo(SplittableRandom rnd) {
        return (rnd.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    }

    static String next(SplittableRandom rnd) {
        long hi = nextHi(rnd);
        return toString(hi, nextLo(rnd));
    }

    static String toString(long hi, long lo) {
        return new UUID(hi, lo).toString();
    }

    /** Unsigned comparison: equals the comparison of the lower-case hex strings. */
    static int compare(long hiA, long loA, long hiB, long loB) {
        int c = Long.compareUnsigned(hiA, hiB);
        return c != 0 ? c : Long.compareUnsigned(loA, loB);
    }
}
