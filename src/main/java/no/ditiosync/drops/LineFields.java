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
import java.util.UUID;

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
     * A text or null. The header is a varint: 0 for null, else 1 + (n * 2 + guid) where n is the count of
     * UTF-8 bytes that follow; when guid is 1, the 16 bytes of a GUID and then its tail (a varint length
     * and UTF-8 bytes) follow them. Only a GUID in its canonical lowercase form is taken, so the text
     * read back is the one written.
     */
    public static void text(DataOutput out, String s) throws IOException {
        if (s == null) {
            varint(out, 0);
            return;
        }
        int guid = guidAt(s);
        if (guid < 0) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            varint(out, ((long) bytes.length << 1) + 1);
            out.write(bytes);
            return;
        }
        byte[] head = s.substring(0, guid).getBytes(StandardCharsets.UTF_8);
        varint(out, ((long) head.length << 1 | 1) + 1);
        out.write(head);
        out.writeLong(hex(s, guid, 8) << 32 | hex(s, guid + 9, 4) << 16 | hex(s, guid + 14, 4));
        out.writeLong(hex(s, guid + 19, 4) << 48 | hex(s, guid + 24, 12));
        byte[] tail = s.substring(guid + GUID_LENGTH).getBytes(StandardCharsets.UTF_8);
        varint(out, tail.length);
        out.write(tail);
    }

    public static String text(DataInput in) throws IOException {
        long header = varint(in);
        if (header == 0) {
            return null;
        }
        String head = utf8(in, (int) ((header - 1) >>> 1));
        if (((header - 1) & 1) == 0) {
            return head;
        }
        UUID guid = new UUID(in.readLong(), in.readLong());
        return head + guid + utf8(in, (int) varint(in));
    }

    private static String utf8(DataInput in, int length) throws IOException {
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Where the first dash of {@code s} sits in a lowercase GUID (8-4-4-4-12 hex digits), or -1: the
     * only place looked at, so a text without a GUID costs one dash search.
     */
    private static int guidAt(String s) {
        int start = s.indexOf('-') - 8;
        if (start < 0 || s.length() - start < GUID_LENGTH) {
            return -1;
        }
        for (int i = 0; i < GUID_LENGTH; i++) {
            char c = s.charAt(start + i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return -1;
            }
        }
        return start;
    }

    private static long hex(String s, int from, int digits) {
        long v = 0;
        for (int i = from; i < from + digits; i++) {
            char c = s.charAt(i);
            v = v << 4 | (c <= '9' ? c - '0' : c - 'a' + 10);
        }
        return v;
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
