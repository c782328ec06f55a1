package no.ditiosync.ledger;

import no.ditiosync.drops.LineFields;

import no.ditiosync.payroll.MappingResult;
import no.ditiosync.payroll.PayrollLine;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

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
 * @param modified when Ditio last changed the record, in epoch milliseconds; {@link #UNKNOWN} when not told
 *                 (mapped again, or no time sent)
 */
public record Desired(String lineId, long seq, Kind kind, boolean fetched, MappingResult.Status status, PayrollLine line,
                      LedgerRow.MappingInputs inputs, long modified) {

    /** No modification time: such a state is judged by arrival alone. */
    public static final long UNKNOWN = -1;

    /** A state whose modification time is not known (one mapped again, say). */
    public Desired(String lineId, long seq, Kind kind, boolean fetched, MappingResult.Status status, PayrollLine line,
                   LedgerRow.MappingInputs inputs) {
        this(lineId, seq, kind, fetched, status, line, inputs, UNKNOWN);
    }

    /**
     * Whether this state is a deletion older than {@code other}, a version of the same record read in the
     * same pass: a deletion sent again after its record was made anew under the same id. Only deletions
     * are judged by their time (the contract lets only them come twice); unknown times leave it to arrival.
     */
    boolean staleDeletionBeside(Desired other) {
        return status == MappingResult.Status.DELETED && modified != UNKNOWN && other.modified != UNKNOWN
                && modified < other.modified;
    }

    /**
     * Whether this state, read from Ditio, is a deletion older than the version a ledger row holds: one sent
     * again in a later run, after its record was made anew. By more than a millisecond: the state DB keeps
     * times to the microsecond, rounded (Ditio sends seven digits), which can put the version a millisecond on.
     */
    boolean staleDeletionOf(LedgerRow row) {
        return fetched && status == MappingResult.Status.DELETED && modified != UNKNOWN && row != null
                && row.line() != null && row.line().sourceModified() != null
                && modified + 1 < row.line().sourceModified().toEpochMilli();
    }

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

    // the flags byte of a desired state in the spill; the status takes the top three bits (0: none)
    private static final int PARENT = 1;
    private static final int FETCHED = 2;
    private static final int WITH_LINE = 4;
    private static final int WITH_INPUTS = 8;
    /** The registration's employee number is the line's: not written twice. */
    private static final int SAME_EMPLOYEE = 16;
    private static final int STATUS_SHIFT = 5;

    static {
        if (MappingResult.Status.values().length >= 1 << (8 - STATUS_SHIFT)) {
            throw new IllegalStateException("the spill's flags byte holds 7 mapping statuses at most");
        }
    }

    /** The compact encoding of the run's spill (scratch of one run: no other version reads it). */
    void write(DataOutput out) throws IOException {
        boolean sameEmployee = line != null && inputs != null && line.employeeNumber() != null
                && line.employeeNumber().equals(inputs.registrationEmployeeNumber());
        out.writeByte((kind == Kind.PARENT ? PARENT : 0) | (fetched ? FETCHED : 0) | (line != null ? WITH_LINE : 0)
                | (inputs != null ? WITH_INPUTS : 0) | (sameEmployee ? SAME_EMPLOYEE : 0)
                | (status == null ? 0 : status.ordinal() + 1) << STATUS_SHIFT);
        LineFields.text(out, lineId);
        LineFields.varint(out, seq);
        LineFields.varint(out, modified + 1); // UNKNOWN in one byte
        if (line != null) {
            LineFields.write(out, lineId, line);
        }
        if (inputs != null) {
            LineFields.text(out, inputs.userId());
            if (!sameEmployee) {
                LineFields.text(out, inputs.registrationEmployeeNumber());
            }
            LineFields.text(out, inputs.sourceFields());
        }
    }

    static Desired read(DataInput in) throws IOException {
        int flags = in.readUnsignedByte();
        String lineId = LineFields.text(in);
        long seq = LineFields.varint(in);
        long modified = LineFields.varint(in) - 1;
        int s = flags >>> STATUS_SHIFT;
        MappingResult.Status status = s == 0 ? null : MappingResult.Status.values()[s - 1];
        PayrollLine line = (flags & WITH_LINE) != 0 ? LineFields.read(in, lineId) : null;
        LedgerRow.MappingInputs inputs = null;
        if ((flags & WITH_INPUTS) != 0) {
            String userId = LineFields.text(in);
            String employee = (flags & SAME_EMPLOYEE) != 0 ? line.employeeNumber() : LineFields.text(in);
            inputs = new LedgerRow.MappingInputs(userId, employee, LineFields.text(in));
        }
        return new Desired(lineId, seq, (flags & PARENT) != 0 ? Kind.PARENT : Kind.LINE, (flags & FETCHED) != 0, status,
                line, inputs, modified);
    }
}
