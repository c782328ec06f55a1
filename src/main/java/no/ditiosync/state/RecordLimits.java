package no.ditiosync.state;

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

    private RecordLimits() {
    }

    public static void fit(TimeRegistration r) {
        if (r.id != null && r.id.length() > 100) {
            unreadable(r, "id", 100);
            r.id = "long-id-" + hash(r.id);
        }
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
        }
    }

    private static String fitted(TimeRegistration r, String field, String value, int max) {
        if (value == null || value.length() <= max) {
            return value;
        }
        unreadable(r, field, max);
        return value.substring(0, max);
    }

    private static void unreadable(TimeRegistration r, String field, int max) {
        if (r.unreadable == null) {
            r.unreadable = PageReader.UNREADABLE + field + ": longer than " + max + " characters";
        }
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
