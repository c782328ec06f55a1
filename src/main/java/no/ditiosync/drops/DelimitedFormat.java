package no.ditiosync.drops;

import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.Charset;
import no.ditiosync.payroll.PayrollLine;
import org.slf4j.Logger;

/**
 * What the built-in formats (Visma, SAP, Tripletex, CSV) do alike: a name, a charset, a header row
 * or none, lines ending in CRLF, hours with two decimals, and text fitted to the charset with a warning.
 */
abstract class DelimitedFormat implements DropFormat {

    private final String target;
    private final Charset charset;
    /** The header row without its CRLF, or null for a file without one. */
    private final String header;

    DelimitedFormat(String target, Charset charset, String header) {
        this.target = target;
        this.charset = charset;
        this.header = header;
    }

    @Override
    public final String target() {
        return target;
    }

    @Override
    public final Charset charset() {
        return charset;
    }

    /** A text as a field of {@code width} characters shows it: cleaned, cut, fitted to the charset (without a word). */
    final String shown(String value, int width) {
        return TextCleaner.toCharset(TextCleaner.clean(value, width), charset);
    }

    @Override
    public final void writeHeader(Writer out) throws IOException {
        if (header != null) {
            out.write(header + "\r\n");
        }
    }

    /**
     * The drop's line, for a file that corrects by offsetting quantities: it has no cancellation
     * key, so a cancellation would be paid (or read) as hours.
     */
    static PayrollLine offsettingLine(DropLine drop, String file) {
        if (drop.cancellation()) {
            throw new IllegalArgumentException(file + " takes offsetting quantities, not cancellations: "
                    + drop.line().lineId());
        }
        return drop.line();
    }

    /** Hours with two decimals and a decimal point; negative for a correction. */
    static String hours(BigDecimal quantity) {
        if (quantity == null) {
            throw new IllegalArgumentException("quantity is missing");
        }
        return quantity.setScale(2, RoundingMode.HALF_UP).toPlainString();
    }

    /**
     * Why a key ({@code what}, a project number) cannot go into this file unaltered: a character the
     * charset lacks would be replaced, and two keys alike but for it would book together. Null when it
     * can, or when there is none.
     */
    final String keyNotInCharset(String what, String key, String file, String setting) {
        String cleaned = TextCleaner.clean(key, Integer.MAX_VALUE);
        return TextCleaner.unencodable(cleaned, charset) == 0 ? null
                : what + " '" + key + "' has characters " + charset.name() + " cannot hold (" + file + "'s file; "
                + setting + "=UTF-8 holds them)";
    }

    /**
     * Cleaned text fitted to the file's charset: characters it lacks (Polish ł, emoji, ...) become
     * their base letter or {@code ?}, deterministically, with a warning naming the line; the file
     * writer itself refuses anything unencodable rather than guess.
     */
    final String fitted(String cleaned, PayrollLine line, Logger log, String file) {
        int lost = TextCleaner.unencodable(cleaned, charset);
        if (lost == 0) {
            return cleaned;
        }
        log.warn("{} line {}: {} character(s) not in {} replaced", file, line.lineId(), lost, charset.name());
        return TextCleaner.toCharset(cleaned, charset);
    }
}
