package no.ditiosync.ledger;

import no.ditiosync.drops.LineFields;

import no.ditiosync.payroll.MappingResult;
import no.ditiosync.payroll.PayrollLine;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.time.Instant;

/**
 * What payroll should hold for one line after this run, as the run learnt it: from a record read
 * from Ditio, or from a record mapped again (out of the quarantine, or after its user changed).
 * The run's desired states are sorted by line id and merged against the ledger, which holds what
 * each target has now.
 *
 * @param lineId  the ledger key; for {@link Kind#PARENT} the prefix of a Ditio payroll line's parts
 * @param seq     arrival order in the run: of two for one line, the later wins
 * @param kind    a line's state, or a payroll line whose parts not listed after it are gone
 * @param fetched read from Ditio in this run's pass (false: mapped again from what the state DB kept)
 * @param status  what the mapping made of the record (READY carries {@code line})
 * @param line    the payroll line when READY, else null
 * @param inputs  the record's mapping inputs (kept with the ledger line), null when not READY
 */
public record Desired(String lineId, long seq, Kind kind, boolean fetched, MappingResult.Status status, PayrollLine line,
                      LedgerRow.MappingInputs inputs) {

    public enum Kind {
        /** One line: {@code line} when READY, nothing otherwise. */
        LINE,
        /** A Ditio payroll line (a user's day), seen or deleted: its parts that no LINE of this run names are gone. */
        PARENT
    }

    /** Whether payroll should hold hours for the line. */
    public PayrollLine wanted() {
        return status == MappingResult.Status.READY ? line : null;
    }

    void write(DataOutput out) throws IOException {
        out.writeUTF(lineId);
        out.writeLong(seq);
        out.writeByte(kind.ordinal());
        out.writeBoolean(fetched);
        out.writeByte(status == null ? -1 : status.ordinal());
        out.writeBoolean(line != null);
        if (line != null) {
            LineFields.write(out, line);
            out.writeLong(line.sourceModified() == null ? Long.MIN_VALUE : line.sourceModified().getEpochSecond());
            out.writeInt(line.sourceModified() == null ? 0 : line.sourceModified().getNano());
        }
        out.writeBoolean(inputs != null);
        if (inputs != null) {
            str(out, inputs.userId());
            str(out, inputs.registrationEmployeeNumber());
            str(out, inputs.sourceFields());
        }
    }

    static Desired read(DataInput in) throws IOException {
        String lineId = in.readUTF();
        long seq = in.readLong();
        Kind kind = Kind.values()[in.readByte()];
        boolean fetched = in.readBoolean();
        byte s = in.readByte();
        MappingResult.Status status = s < 0 ? null : MappingResult.Status.values()[s];
        PayrollLine line = null;
        if (in.readBoolean()) {
            line = LineFields.read(in, lineId, fields -> {
                long seconds = fields.readLong();
                int nanos = fields.readInt();
                return seconds == Long.MIN_VALUE ? null : Instant.ofEpochSecond(seconds, nanos);
            });
        }
        LedgerRow.MappingInputs inputs = in.readBoolean() ? new LedgerRow.MappingInputs(str(in), str(in), str(in)) : null;
        return new Desired(lineId, seq, kind, fetched, status, line, inputs);
    }

    private static void str(DataOutput out, String s) throws IOException {
        LineFields.text(out, s);
    }

    private static String str(DataInput in) throws IOException {
        return LineFields.text(in);
    }
}
