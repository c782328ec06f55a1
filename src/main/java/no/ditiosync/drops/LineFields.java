package no.ditiosync.drops;

import no.ditiosync.payroll.PayrollLine;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;

/**
 * A payroll line's fields in the binary files of a run (its sorted spill, its JDBC drop): one
 * encoding, so both read back exactly what was written. The line id and the time Ditio modified the
 * line stand around these fields in each file's own way.
 */
public final class LineFields {

    private LineFields() {
    }

    /** Employee number to source id, as {@link #read} reads them. */
    public static void write(DataOutput out, PayrollLine l) throws IOException {
        text(out, l.employeeNumber());
        out.writeLong(l.workDate() == null ? Long.MIN_VALUE : l.workDate().toEpochDay());
        text(out, l.wageType());
        text(out, l.quantity() == null ? null : l.quantity().toPlainString());
        text(out, l.projectNumber());
        text(out, l.taskNumber());
        text(out, l.department());
        text(out, l.text());
        text(out, l.source());
        text(out, l.sourceId());
    }

    /** Reads what {@link #write} wrote; the line then gets the modification time the file gives after it. */
    public static PayrollLine read(DataInput in, String lineId, RecordStream.Reader<Instant> modified) throws IOException {
        String employee = text(in);
        long day = in.readLong();
        String wageType = text(in);
        String quantity = text(in);
        String project = text(in);
        String task = text(in);
        String department = text(in);
        String text = text(in);
        String source = text(in);
        String sourceId = text(in);
        return new PayrollLine(lineId, employee, day == Long.MIN_VALUE ? null : LocalDate.ofEpochDay(day), wageType,
                quantity == null ? null : new BigDecimal(quantity), project, task, department, text, source, sourceId,
                modified.read(in));
    }

    // writeUTF takes 65535 bytes at most; a description may hold 4000 characters of 3 bytes each
    public static void text(DataOutput out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    public static String text(DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        byte[] bytes = new byte[n];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
