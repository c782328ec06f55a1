package no.ditiosync.drops;

import no.ditiosync.payroll.PayrollLine;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;

/**
 * A payroll line's fields in the binary files of a run (its sorted spill, its JDBC drop): one compact
 * encoding, so both read back exactly what was written. Numbers are unsigned varints (7 bits a byte,
 * as in protobuf), signed ones zigzagged first; a nullable value is stored plus one, 0 meaning null.
 * A text is its UTF-8 bytes after a varint length, except that a lowercase GUID in it (Ditio's ids,
 * user ids, line ids) is stored as its 16 bytes. The line id stands before these fields in each file's
 * own way; the source and source id are not written when the line id is {@code source:sourceId}.
 */
public final class LineFields {

    private static final int SOURCE_IN_LINE_ID = 1;
    private static final int NO_QUANTITY = 2;
    /** The quantity's digits do not fit in a long: written as a two's-complement byte string. */
    private static final int LARGE_QUANTITY = 4;

    private static final int GUID_LENGTH = 36;
    private static final int GUID_BYTES = 16;
    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** Where a GUID's 32 hex digits stand among its 36 characters. */
    private static final int[] DIGIT_AT = new int[32];
    /** A lowercase hex digit's value, -1 for any other byte. */
    private static final byte[] NIBBLE = new byte[256];

    static {
        for (int i = 0, k = 0; i < GUID_LENGTH; i++) {
            if (i != 8 && i != 13 && i != 18 && i != 23) {
                DIGIT_AT[k++] = i;
            }
        }
        java.util.Arrays.fill(NIBBLE, (byte) -1);
        for (int d = 0; d < 16; d++) {
            NIBBLE[HEX_DIGITS[d]] = (byte) d;
        }
    }

    private LineFields() {
    }

    /**
     * Every field but the line id, as {@link #read} reads them back under {@code lineId} (the id the file
     * keeps for the line, which it gets instead of its own).
     */
    public static void write(DataOutput out, String lineId, PayrollLine l) throws IOException {
        boolean sourceInLineId = sourceInLineId(lineId, l.source(), l.sourceId());
        BigDecimal quantity = l.quantity();
        boolean large = quantity != null && quantity.unscaledValue().bitLength() > 63;
        out.writeByte((sourceInLineId ? SOURCE_IN_LINE_ID : 0) | (quantity == null ? NO_QUANTITY : 0)
                | (large ? LARGE_QUANTITY : 0));
        text(out, l.employeeNumber());
        day(out, l.workDate());
        text(out, l.wageType());
        if (quantity != null) {
            varint(out, zigzag(quantity.scale()));
            if (large) {
                byte[] digits = quantity.unscaledValue().toByteArray();
                varint(out, digits.length);
                out.write(digits);
            } else {
                varint(out, zigzag(quantity.unscaledValue().longValue()));
            }
        }
        text(out, l.projectNumber());
        text(out, l.taskNumber());
        text(out, l.department());
        text(out, l.text());
        if (!sourceInLineId) {
            text(out, l.source());
            text(out, l.sourceId());
        }
        Instant modified = l.sourceModified();
        if (modified == null) {
            varint(out, 0);
        } else {
            varint(out, zigzag(modified.getEpochSecond()) + 1);
            varint(out, modified.getNano());
        }
    }

    /** Reads what {@link #write} wrote for the line {@code lineId}. */
    public static PayrollLine read(DataInput in, String lineId) throws IOException {
        int flags = in.readUnsignedByte();
        String employee = text(in);
        LocalDate workDate = day(in);
        String wageType = text(in);
        BigDecimal quantity = null;
        if ((flags & NO_QUANTITY) == 0) {
            int scale = (int) unzigzag(varint(in));
            if ((flags & LARGE_QUANTITY) != 0) {
                byte[] digits = new byte[(int) varint(in)];
                in.readFully(digits);
                quantity = new BigDecimal(new BigInteger(digits), scale);
            } else {
                quantity = BigDecimal.valueOf(unzigzag(varint(in)), scale);
            }
        }
        String project = text(in);
        String task = text(in);
        String department = text(in);
        String text = text(in);
        String source;
        String sourceId;
        if ((flags & SOURCE_IN_LINE_ID) != 0) {
            int colon = lineId.indexOf(':');
            source = lineId.substring(0, colon);
            sourceId = lineId.substring(colon + 1);
        } else {
            source = text(in);
            sourceId = text(in);
        }
        long seconds = varint(in);
        Instant modified = seconds == 0 ? null : Instant.ofEpochSecond(unzigzag(seconds - 1), varint(in));
        return new PayrollLine(lineId, employee, workDate, wageType, quantity, project, task, department, text,
                source, sourceId, modified);
    }

    /** The line id is {@code source + ":" + sourceId} with no colon in the source: the reader splits it at its first. */
    private static boolean sourceInLineId(String id, String source, String sourceId) {
        return id != null && source != null && sourceId != null && source.indexOf(':') < 0
                && id.length() == source.length() + 1 + sourceId.length()
                && id.startsWith(source) && id.charAt(source.length()) == ':' && id.endsWith(sourceId);
    }

    /** A day or null, as a nullable zigzag varint of its epoch day. */
    public static void day(DataOutput out, LocalDate day) throws IOException {
        varint(out, day == null ? 0 : zigzag(day.toEpochDay()) + 1);
    }

    public static LocalDate day(DataInput in) throws IOException {
        long v = varint(in);
        return v == 0 ? null : LocalDate.ofEpochDay(unzigzag(v - 1));
    }

    /**
     * A text or null. The header is a varint: 0 for null, else 1 + (n * 2 + guid), n being the count of
     * the text's UTF-8 bytes written as they are. When guid is 1, a varint says where in the text its
     * GUID stands, and the GUID's 16 bytes stand there among the n bytes. Only a GUID in its canonical
     * lowercase form is taken, so the text read back is the one written.
     */
    public static void text(DataOutput out, String s) throws IOException {
        if (s == null) {
            varint(out, 0);
            return;
        }
        // on the UTF-8 bytes rather than the string: a GUID is ASCII in both, and the text goes out in one write
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int at = guidAt(bytes);
        if (at < 0) {
            varint(out, ((long) bytes.length << 1) + 1);
            out.write(bytes);
            return;
        }
        varint(out, ((long) (bytes.length - GUID_LENGTH) << 1 | 1) + 1);
        varint(out, at);
        long high = hex(bytes, at, 0);
        long low = hex(bytes, at, 16);
        putLong(bytes, at, high);
        putLong(bytes, at + 8, low);
        System.arraycopy(bytes, at + GUID_LENGTH, bytes, at + GUID_BYTES, bytes.length - at - GUID_LENGTH);
        out.write(bytes, 0, bytes.length - GUID_LENGTH + GUID_BYTES);
    }

    public static String text(DataInput in) throws IOException {
        long header = varint(in);
        if (header == 0) {
            return null;
        }
        int n = (int) ((header - 1) >>> 1);
        if (((header - 1) & 1) == 0) {
            byte[] bytes = new byte[n];
            in.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
        int at = (int) varint(in);
        // read to the array's end, then the part before the GUID moved to its start and the GUID spelt out
        int shift = GUID_LENGTH - GUID_BYTES;
        byte[] bytes = new byte[n + GUID_LENGTH];
        in.readFully(bytes, shift, n + GUID_BYTES);
        long high = getLong(bytes, shift + at);
        long low = getLong(bytes, shift + at + 8);
        System.arraycopy(bytes, shift, bytes, 0, at);
        bytes[at + 8] = bytes[at + 13] = bytes[at + 18] = bytes[at + 23] = '-';
        hex(bytes, at, 0, high);
        hex(bytes, at, 16, low);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    private static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[at + i] & 0xFF);
        }
        return v;
    }

    /**
     * Where a lowercase GUID (8-4-4-4-12 hex digits) starts whose first dash is the text's first, or -1:
     * the only place looked at, so a text without one costs a search for a dash.
     */
    private static int guidAt(byte[] s) {
        int dash = 0;
        while (dash < s.length && s[dash] != '-') {
            dash++;
        }
        int start = dash - 8;
        if (start < 0 || s.length - start < GUID_LENGTH
                || s[start + 13] != '-' || s[start + 18] != '-' || s[start + 23] != '-') {
            return -1;
        }
        int bad = 0;
        for (int at : DIGIT_AT) {
            bad |= NIBBLE[s[start + at] & 0xFF];
        }
        return bad < 0 ? -1 : start;
    }

    /** Sixteen hex digits of the GUID at {@code at}, from its digit {@code first}, as a number. */
    private static long hex(byte[] s, int at, int first) {
        long v = 0;
        for (int k = first; k < first + 16; k++) {
            v = v << 4 | NIBBLE[s[at + DIGIT_AT[k]] & 0xFF];
        }
        return v;
    }

    /** Writes {@code v} back as those digits, lowercase. */
    private static void hex(byte[] s, int at, int first, long v) {
        for (int k = first + 15; k >= first; k--) {
            s[at + DIGIT_AT[k]] = HEX_DIGITS[(int) v & 0xF];
            v >>>= 4;
        }
    }

    /** An unsigned varint: 7 bits a byte, low bits first, the high bit set on every byte but the last. */
    public static void varint(DataOutput out, long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    public static long varint(DataInput in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("a number longer than 10 bytes: the file is damaged");
    }

    private static long zigzag(long v) {
        return v << 1 ^ v >> 63;
    }

    private static long unzigzag(long v) {
        return v >>> 1 ^ -(v & 1);
    }
}
