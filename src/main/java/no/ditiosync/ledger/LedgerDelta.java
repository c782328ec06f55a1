package no.ditiosync.ledger;

import no.ditiosync.drops.CorrectionRule;
import no.ditiosync.drops.CorrectionStyle;
import no.ditiosync.drops.DropLine;
import no.ditiosync.drops.PayrollLineTable;
import no.ditiosync.drops.TextCleaner;
import no.ditiosync.payroll.PayrollLine;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The difference between what payroll should hold for a line now and what a target already
 * holds, in that target's correction style. Pure: the ledger is only changed by the caller, in the
 * transaction that also records the drop.
 */
public final class LedgerDelta {

    /**
     * @param lines    what to deliver now (empty: nothing changed)
     * @param newEntry what the target holds once these lines are delivered (null: unchanged)
     */
    public record Result(List<DropLine> lines, LedgerEntry newEntry) {
        static final Result NOTHING = new Result(List.of(), null);

        public boolean changed() {
            return newEntry != null;
        }
    }

    /** One digest per thread: looking the algorithm up for every line cost more than hashing it. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private LedgerDelta() {
    }

    /**
     * @param rule    the target's correction style and the dimensions its drops show
     * @param desired the line payroll should hold, or null when it should hold nothing
     * @param current the ledger entry, or null when the target never received this line
     */
    public static Result of(CorrectionRule rule, PayrollLine desired, LedgerEntry current) {
        CorrectionStyle style = rule.style();
        boolean want = desired != null && desired.quantity().signum() != 0;
        boolean has = current != null && current.holdsHours();
        if (!want && !has) {
            return Result.NOTHING;
        }
        if (want && has && rule.sameDimensions(desired, current.line())
                && desired.quantity().compareTo(current.line().quantity()) == 0
                && (style != CorrectionStyle.CURRENT_TRUTH || sameText(desired, current.line()))) {
            return Result.NOTHING;
        }
        int version = current == null ? 0 : current.version();
        return switch (style) {
            case OFFSET -> offset(rule, desired, want, current, has, version);
            case CANCEL_AND_REBOOK -> cancelAndRebook(desired, want, current, has, version);
            case CURRENT_TRUTH -> want
                    ? new Result(List.of(DropLine.of(desired)), new LedgerEntry(desired, true, null, version + 1))
                    : new Result(List.of(DropLine.of(current.line())), new LedgerEntry(current.line(), false, null, version + 1));
        };
    }

    /**
     * Whether a current-truth target's row would keep its text: a description edited in Ditio changes no
     * hours, so the file targets get nothing, but {@code payroll_line} holds the current text (and the
     * lineage of the version it came from). Compared as the table stores it, so a character the table
     * cannot hold does not rewrite the row on every pass.
     */
    private static boolean sameText(PayrollLine desired, PayrollLine held) {
        return java.util.Objects.equals(desired.text(), held.text())
                || java.util.Objects.equals(TextCleaner.plain(desired.text(), PayrollLineTable.TEXT_WIDTH),
                TextCleaner.plain(held.text(), PayrollLineTable.TEXT_WIDTH));
    }

    private static Result offset(CorrectionRule rule, PayrollLine desired, boolean want, LedgerEntry current, boolean has,
                                 int version) {
        List<DropLine> lines = new ArrayList<>(2);
        if (want && has && rule.sameDimensions(desired, current.line())) {
            lines.add(DropLine.of(desired.withQuantity(desired.quantity().subtract(current.line().quantity()))));
        } else {
            if (has) {
                lines.add(DropLine.of(current.line().withQuantity(current.line().quantity().negate())));
            }
            if (want) {
                lines.add(DropLine.of(desired));
            }
        }
        LedgerEntry next = want ? new LedgerEntry(desired, true, null, version + 1)
                : new LedgerEntry(current.line(), false, null, version + 1);
        return new Result(lines, next);
    }

    private static Result cancelAndRebook(PayrollLine desired, boolean want, LedgerEntry current, boolean has, int version) {
        List<DropLine> lines = new ArrayList<>(2);
        if (has) {
            lines.add(new DropLine(current.line(), current.documentNumber(), true));
        }
        if (!want) {
            return new Result(lines, new LedgerEntry(current.line(), false, current.documentNumber(), version));
        }
        String document = documentNumber(desired.lineId(), version + 1);
        lines.add(new DropLine(desired, document, false));
        return new Result(lines, new LedgerEntry(desired, true, document, version + 1));
    }

    /**
     * SAP EXTDOCUMENTNO of one version of a line: stable (same line and version, same number on
     * every machine and every re-run) and at most 20 characters.
     */
    public static String documentNumber(String lineId, int version) {
        byte[] digest = SHA_256.get().digest(lineId.getBytes(StandardCharsets.UTF_8)); // digest() also resets it
        String base36 = Long.toUnsignedString(ByteBuffer.wrap(digest).getLong(), 36)
                .toUpperCase(java.util.Locale.ROOT); // the same on every machine: a Turkish locale makes i a dotted I
        return "0".repeat(13 - base36.length()) + base36 + "-" + version;
    }
}
