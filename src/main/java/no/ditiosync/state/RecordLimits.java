package no.ditiosync.state;

import no.ditiosync.ditio.DitioProject;
import no.ditiosync.ditio.DitioUser;
import no.ditiosync.ditio.PageReader;
import no.ditiosync.drops.TextCleaner;
import no.ditiosync.ditio.TimeRegistration;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Makes a registration fit the state DB's columns (schema.sql) before it is stored. A value too long
 * to keep whole would be wrong if cut (an id, a project number), so the record is quarantined with
 * the reason and the value stored cut; a long description is cleaned and cut (the drops cut it further).
 * Without this one oversized value would fail the insert of its whole page.
 */
public final class RecordLimits {

    private static final BigDecimal MAX_QTY = new BigDecimal("1e17");
    /** Why a key or code is not kept as sent (see {@link #keepable}). */
    private static final String NUL_OR_HALF_PAIR = ": holds a NUL or half of a character beyond U+FFFF";

    private RecordLimits() {
    }

    public static void fit(TimeRegistration r) {
        fitId(r);
        if (r.parentId != null && r.parentId.length() > 100) {
            r.parentId = null; // its parts have longer ids still: quarantined above, under a hash
        }
        if (r.workDate != null && r.workDate.length() > 40) {
            unreadable(r, "workDate", 40);
            r.workDate = null;
        }
        if (r.modifiedDateTime != null && r.modifiedDateTime.length() > 40) {
            r.modifiedDateTime = null;
        }
        if (r.qty != null) {
            if (r.qty.abs().compareTo(MAX_QTY) >= 0) {
                if (r.unreadable == null) {
                    r.unreadable = PageReader.UNREADABLE + "qty: " + r.qty.toString() + " is too large";
                }
                r.qty = null;
            } else if (r.qty.scale() > 6) {
                // cut, not rounded: a line pays Ditio's hours rounded half up to the hundredth, which
                // digits cut after the sixth never change (7.49499999 is 7.494999, paid 7.49), while
                // rounding twice would (7.495000, paid 7.50)
                r.qty = r.qty.setScale(6, RoundingMode.DOWN);
            }
        }
        r.userId = fitted(r, "userId", r.userId, 64);
        r.userEmployeeNumber = fitted(r, "userEmployeeNumber", r.userEmployeeNumber, 64);
        r.projectNumber = fitted(r, "projectNumber", r.projectNumber, 100);
        r.taskWbsNumber = fitted(r, "taskWbsNumber", r.taskWbsNumber, 100);
        // what source_fields keeps (schema.sql): a few codes and an id, well inside its 1000 characters
        r.projectId = fitted(r, "projectId", r.projectId, 64);
        r.codes.replaceAll((field, value) -> fitted(r, field, value, 100));
        if (r.description != null && r.description.length() > 4000) {
            // cleaned as every drop cleans it (blanks in a row are one) before it is cut to what is kept
            r.description = TextCleaner.cleanToUtf16Units(r.description, 4000);
        } else if (r.description != null && !keepable(r.description, false)) {
            // as every drop leaves them out: the ledger's text and payroll_line.text are the files' text
            r.description = keepableOnly(r.description);
        }
    }

    /**
     * A record's id as the state DB can key it by. One too long, or holding a character no database
     * keeps as sent (PostgreSQL refuses a NUL, and both turn half of a surrogate pair into '?': another
     * record's id, or none Ditio knows) or orders as Java does (PostgreSQL's binary order puts a
     * character beyond U+FFFF after U+E000-U+FFFF, Java's before, which a merge in key order cannot
     * take), is quarantined under a key made from it: a part of a payroll line under its day's key, so it
     * leaves the quarantine with the day (deleted, or sent again without it), as any part does.
     */
    public static void fitId(TimeRegistration r) {
        if (r.id != null && r.id.length() > 100) {
            unreadable(r, "id", 100);
            r.id = madeUpKey(r, "long-id-");
        } else if (r.id != null && !keepable(r.id, true)) {
            unreadable(r, "id '" + escaped(r.id) + "': holds a NUL or a character beyond U+FFFF, which no record is keyed by");
            r.id = madeUpKey(r, "odd-id-");
        }
    }

    private static String madeUpKey(TimeRegistration r, String kind) {
        String hash = hash(r.id);
        if (r.parentId != null && keepable(r.parentId, true)) {
            // beside a long day id, fewer digits of the hash: they need only tell apart the few parts of one day
            int room = 100 - r.parentId.length() - 1 - kind.length();
            if (room >= 8) {
                return r.parentId + ":" + kind + hash.substring(0, Math.min(room, hash.length()));
            }
        }
        return kind + hash;
    }

    /**
     * A /v1/user row the state DB keeps as sent, or marked unreadable (left as last known, as a row that
     * does not bind is): an id or employee number with a NUL is kept by PostgreSQL without it, over another
     * user's row or as another's number, and half of a pair is '?' in both databases.
     */
    public static void fit(DitioUser u) {
        if (u.unreadable == null) {
            u.unreadable = unkeepable("identityUserId", u.identityUserId, "id", u.id, "employeeNumber", u.employeeNumber);
        }
    }

    /** A /v1/project row the state DB keeps as sent, or marked unreadable, as {@link #fit(DitioUser)}. */
    public static void fit(DitioProject p) {
        if (p.unreadable == null) {
            p.unreadable = unkeepable("id", p.id, "number", p.number);
        }
    }

    /** Of field names and values in turn, the first value a database does not keep as sent, as a reason; else null. */
    private static String unkeepable(String... namesAndValues) {
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (namesAndValues[i + 1] != null && !keepable(namesAndValues[i + 1], false)) {
                return PageReader.UNREADABLE + namesAndValues[i] + NUL_OR_HALF_PAIR;
            }
        }
        return null;
    }

    private static String fitted(TimeRegistration r, String field, String value, int max) {
        if (value == null) {
            return null;
        }
        if (value.length() > max) {
            unreadable(r, field, max);
            return value.substring(0, max);
        }
        if (!keepable(value, false)) {
            // a key or a code: cut to what a database keeps, it would be another one, and as kept it
            // would differ from what Ditio sends on every run after
            unreadable(r, field + NUL_OR_HALF_PAIR);
            return keepableOnly(value);
        }
        return value;
    }

    private static void unreadable(TimeRegistration r, String field, int max) {
        unreadable(r, field + ": longer than " + max + " characters");
    }

    private static void unreadable(TimeRegistration r, String why) {
        if (r.unreadable == null) {
            r.unreadable = PageReader.UNREADABLE + why;
        }
    }

    /** Whether a database keeps {@code value} as Java holds it: no NUL, no half pair (and, for a key, no pair). */
    private static boolean keepable(String value, boolean key) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\0') {
                return false;
            }
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1));
                if (key || !paired) {
                    return false;
                }
                i++;
            }
        }
        return true;
    }

    /** {@code value} without its NULs and half pairs. */
    private static String keepableOnly(String value) {
        StringBuilder kept = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                kept.append(c).append(value.charAt(++i));
            } else if (c != '\0' && !Character.isSurrogate(c)) {
                kept.append(c);
            }
        }
        return kept.toString();
    }

    /** An id for a reason: its NULs, other control characters and surrogates escaped, cut to 60 characters. */
    private static String escaped(String id) {
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < id.length() && shown.length() < 60; i++) {
            char c = id.charAt(i);
            shown.append(Character.isISOControl(c) || Character.isSurrogate(c) ? String.format(java.util.Locale.ROOT, "\\u%04x", (int) c)
                    : String.valueOf(c));
        }
        return shown.toString();
    }

    private static String hash(String value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
