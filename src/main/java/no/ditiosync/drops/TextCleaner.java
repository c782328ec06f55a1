package no.ditiosync.drops;

import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.text.Normalizer;

/**
 * Makes free text safe for a drop file: one line, no control characters, a bounded width; and,
 * for the generic CSV, never something a spreadsheet would run as a formula.
 */
public final class TextCleaner {

    /** What a replaced, unencodable character becomes. Deterministic, so reruns write the same bytes. */
    public static final char REPLACEMENT = '?';

    private TextCleaner() {
    }

    /**
     * Cleans {@code text} for one field of at most {@code maxChars} code points
     * (docs/output-formats.md: cleaned to one line without control characters, cut to the target's width). Steps, in order:
     * NFC (a decomposed "å" becomes one character, as windows-1252 needs); line breaks, tabs and
     * other whitespace become single spaces; remaining control characters and unpaired surrogates
     * are dropped; trim; cut without splitting a surrogate pair. Null is {@code ""}.
     */
    public static String clean(String text, int maxChars) {
        if (maxChars < 0) {
            throw new IllegalArgumentException("maxChars must not be negative: " + maxChars);
        }
        if (text == null || maxChars == 0) {
            return "";
        }
        if (isTidyAscii(text)) {
            // most texts: nothing to normalise, collapse or drop, only the cut
            return cut(text, maxChars);
        }
        return cut(collapse(Normalizer.normalize(text, Normalizer.Form.NFC)), maxChars);
    }

    /**
     * As {@link #clean}, cut to {@code maxUnits} UTF-16 code units: for a field whose width counts
     * them, as SAP's character fields do in a Unicode system, where an emoji takes two places. So the
     * text fits whether a reader counts characters or units.
     */
    public static String cleanToUtf16Units(String text, int maxUnits) {
        String cleaned = clean(text, maxUnits);
        if (cleaned.length() <= maxUnits) {
            return cleaned;
        }
        int end = Character.isHighSurrogate(cleaned.charAt(maxUnits - 1)) ? maxUnits - 1 : maxUnits;
        return tidyEnd(cleaned.substring(0, end));
    }

    /**
     * As {@link #clean}, plus the {@code '} before a value a spreadsheet would run as a formula:
     * for the generic CSV, the one drop meant to be opened in a spreadsheet (docs/output-formats.md,
     * "Generic CSV"). The payroll imports (Visma, SAP, Tripletex) get the text as it is cleaned: a
     * quote there would become part of the imported text or key. The prefix counts inside
     * {@code maxChars}.
     */
    public static String forSpreadsheet(String text, int maxChars) {
        return cut(neutralise(clean(text, Integer.MAX_VALUE)), maxChars);
    }

    /**
     * {@code text} for a person to read on a terminal or in a message, every character kept: a line
     * break, a tab, any other control character, one that hides or reorders text, and a blank other than a space escaped as Java writes
     * them (a backslash and t, or a backslash, u and four hex digits), so a value from Ditio can neither
     * hide what is wrong with it nor send a terminal its escape sequences. Null stays null.
     */
    public static String shown(String text) {
        return escaped(text, false);
    }

    /**
     * As {@link #shown}, for a line of a log: its line breaks and tabs kept (a stack trace's lines),
     * blanks as they are; only the control characters a terminal would obey, and what hides or reorders
     * text, are escaped.
     */
    public static String harmless(String line) {
        return escaped(line, true);
    }

    private static String escaped(String text, boolean logLine) {
        if (text == null) {
            return null;
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int units = Character.charCount(cp);
            boolean escape = logLine ? Character.isISOControl(cp) && cp != '\n' && cp != '\r' && cp != '\t' || isHiding(cp)
                    : Character.isISOControl(cp) || isHiding(cp)
                            || cp != ' ' && (Character.isWhitespace(cp) || Character.isSpaceChar(cp));
            if (escape && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i); // most texts need none
            }
            if (out != null) {
                if (!escape) {
                    out.appendCodePoint(cp);
                } else if (cp == '\t' || cp == '\n' || cp == '\r') {
                    out.append(cp == '\t' ? "\\t" : cp == '\n' ? "\\n" : "\\r");
                } else {
                    for (char unit : Character.toChars(cp)) {
                        out.append(String.format("\\u%04x", (int) unit));
                    }
                }
            }
            i += units;
        }
        return out == null ? text : out.toString();
    }

    /** As {@link #clean}, for a database column: null stays null. */
    public static String plain(String text, int maxChars) {
        return text == null ? null : clean(text, maxChars);
    }

    /** Always in double quotes, inner quotes doubled; null is {@code ""}. */
    public static String quoteAlways(String value) {
        String v = value == null ? "" : value;
        return '"' + v.replace("\"", "\"\"") + '"';
    }

    /** RFC 4180 with {@code ;} as separator: quoted only when a reader would otherwise misread it. */
    public static String quoteIfNeeded(String value) {
        return quoteIfNeeded(value, ';');
    }

    /** RFC 4180 with {@code separator} (plain RFC 4180 is {@code ,}): quoted only when a reader would otherwise misread it. */
    public static String quoteIfNeeded(String value, char separator) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        boolean needed = value.indexOf(separator) >= 0 || value.indexOf('"') >= 0
                || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0
                || Character.isWhitespace(value.charAt(0))
                || Character.isWhitespace(value.charAt(value.length() - 1));
        return needed ? quoteAlways(value) : value;
    }

    /**
     * Only the formula prefix, for a value that must otherwise stay as it is (a key or lineage
     * in the generic CSV): {@code '} before a leading {@code = + - @}, tab or CR; null is {@code ""}.
     */
    public static String neutralise(String value) {
        if (value == null) {
            return "";
        }
        return looksLikeFormula(value) ? "'" + value : value;
    }

    /**
     * Replaces every code point {@code charset} cannot encode, so the writer never has to
     * (a plain {@code OutputStreamWriter} would put an unannounced {@code ?}). An accented letter
     * falls back to its base letter when that is encodable ("ź" → "z"); anything else becomes
     * {@link #REPLACEMENT}. One code point in, one character out, so field widths still hold.
     */
    public static String toCharset(String text, Charset charset) {
        if (ENCODE_ASCII.contains(charset) && isPrintableAscii(text)) {
            return text;
        }
        CharsetEncoder encoder = charset.newEncoder();
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            if (canEncode(encoder, cp)) {
                out.appendCodePoint(cp);
            } else {
                String base = baseLetter(cp);
                out.append(base != null && encoder.canEncode(base) ? base : String.valueOf(REPLACEMENT));
            }
        });
        return out.toString();
    }

    /** Number of code points {@link #toCharset} would replace or simplify: lets callers give notice. */
    public static int unencodable(String text, Charset charset) {
        if (ENCODE_ASCII.contains(charset) && isPrintableAscii(text)) {
            return 0;
        }
        CharsetEncoder encoder = charset.newEncoder();
        return (int) text.codePoints()
                .filter(cp -> !canEncode(encoder, cp))
                .count();
    }

    /** Per charset, whether it encodes each of the first 256 code points (the Nordic letters among them), found once. */
    private static final java.util.Map<Charset, boolean[]> LATIN1_ENCODABLE = new java.util.concurrent.ConcurrentHashMap<>();

    // CharsetEncoder.canEncode allocates two buffers a call; these texts are written once per line and target
    private static boolean canEncode(CharsetEncoder encoder, int cp) {
        if (cp < 256) {
            return LATIN1_ENCODABLE.computeIfAbsent(encoder.charset(), charset -> {
                CharsetEncoder e = charset.newEncoder();
                boolean[] encodable = new boolean[256];
                for (int c = 0; c < 256; c++) {
                    encodable[c] = e.canEncode((char) c);
                }
                return encodable;
            })[cp];
        }
        return encoder.canEncode(new String(Character.toChars(cp)));
    }

    /** Charsets of the formats that encode every printable ASCII character as itself. */
    private static final java.util.Set<Charset> ENCODE_ASCII = java.util.Set.of(java.nio.charset.StandardCharsets.UTF_8,
            java.nio.charset.StandardCharsets.ISO_8859_1, java.nio.charset.StandardCharsets.US_ASCII, Charset.forName("windows-1252"));

    private static boolean isPrintableAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** Printable ASCII with single spaces inside only: what {@link #clean} leaves as it is, but for the cut. */
    private static boolean isTidyAscii(String s) {
        if (s.isEmpty() || !isPrintableAscii(s)) {
            return s.isEmpty();
        }
        return s.charAt(0) != ' ' && s.charAt(s.length() - 1) != ' ' && !s.contains("  ");
    }

    private static String collapse(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean pendingSpace = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                pendingSpace = out.length() > 0; // leading whitespace is trimmed away
            } else if (Character.isISOControl(cp) || Character.getType(cp) == Character.SURROGATE) {
                // dropped: BEL, ESC, DEL and friends, and a lone half of a surrogate pair. Not the invisible format
                // characters (isHiding): a project number or a department holding one was delivered with it, and
                // its corrections must name it as delivered
            } else {
                if (pendingSpace) {
                    out.append(' ');
                    pendingSpace = false;
                }
                out.appendCodePoint(cp);
            }
        }
        return out.toString(); // trailing whitespace was never appended
    }

    /**
     * An invisible format character (Unicode's Cf) that reorders or hides text: a right-to-left override or
     * isolate, a direction mark, a zero-width space, a byte order mark. The zero-width joiner and non-joiner
     * are not: emoji sequences and some scripts need them.
     */
    private static boolean isHiding(int cp) {
        return Character.getType(cp) == Character.FORMAT && cp != 0x200C && cp != 0x200D;
    }

    // Tab and CR are on the OWASP list too; after collapse() they can no longer start a value.
    private static boolean looksLikeFormula(String s) {
        if (s.isEmpty()) {
            return false;
        }
        char first = s.charAt(0);
        return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r';
    }

    private static String cut(String s, int maxChars) {
        if (s.codePointCount(0, s.length()) <= maxChars) {
            return s;
        }
        return tidyEnd(s.substring(0, s.offsetByCodePoints(0, maxChars)));
    }

    /**
     * The end of a cut text: no trailing blank (a cut right after a word), and no zero-width joiner
     * left hanging where the cut fell inside a joined emoji (a worker with a hard hat, say).
     */
    private static String tidyEnd(String head) {
        String end = head.stripTrailing();
        while (end.endsWith("\u200D")) {
            end = end.substring(0, end.length() - 1).stripTrailing();
        }
        return end;
    }

    private static String baseLetter(int cp) {
        String decomposed = Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKD);
        String base = decomposed.replaceAll("\\p{M}+", "");
        return base.codePointCount(0, base.length()) == 1 ? base : null;
    }
}
