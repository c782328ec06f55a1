package no.ditiosync.drops;

import no.ditiosync.payroll.PayrollLine;

import java.io.Closeable;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The JDBC target's drop: the current truth of every line a run changed for it, written before the
 * run commits (a hidden file beside the file targets' drops, owner-only) and applied to
 * {@code payroll_line} after the commit, chunk by chunk. Applying it twice gives the same table, so a
 * crash in between is healed by applying it again.
 */
public final class JdbcDropFile implements Closeable {

    /**
     * One row of {@code payroll_line} to be: the line, whether it is active or cancelled, and the day
     * its latest change is booked on (its work date, or the first open day after a closed period).
     */
    public record Row(PayrollLine line, boolean active, LocalDate bookedDate) {
    }

    /**
     * The first four bytes of a file in the compact layout ({@link LineFields}). Files of earlier versions
     * start with {@link #WITH_BOOKED_DATE} or with no magic: a drop committed before an upgrade is still
     * applied after it.
     */
    private static final int COMPACT = 0x44524F33; // "DRO3"

    /**
     * The first four bytes of a file of the version before, which carries booked dates. A file of the
     * version before that (rows from its first byte: a boolean, then a length whose high bytes are zero)
     * never starts with either magic.
     */
    private static final int WITH_BOOKED_DATE = 0x44524F32; // "DRO2"

    // a row's flags in the compact layout
    private static final int ACTIVE = 1;
    private static final int BOOKED_ON_WORK_DATE = 2;

    private final Path path;
    private final FileChannel channel;
    private final DataOutputStream out;
    private int rows;

    private JdbcDropFile(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
        this.out = new DataOutputStream(OneThreadBuffers.output(Channels.newOutputStream(channel), 1 << 16));
    }

    private JdbcDropFile started() throws IOException {
        out.writeInt(COMPACT);
        return this;
    }

    /** Starts {@code folder/name}, which must not exist; the folder is made owner-only. */
    public static JdbcDropFile create(Path folder, String name) throws IOException {
        boolean posix = folder.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (posix) {
            Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectories(folder);
        }
        Path path = folder.resolve(name);
        Files.deleteIfExists(path); // a leftover of a crashed attempt that never committed
        FileChannel channel = posix
                ? FileChannel.open(path, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new JdbcDropFile(path, channel).started();
    }

    public Path path() {
        return path;
    }

    public int rows() {
        return rows;
    }

    /** @param bookedDate the day the change is booked on (null: its work date) */
    public void add(PayrollLine l, boolean active, LocalDate bookedDate) throws IOException {
        boolean onWorkDate = bookedDate == null || bookedDate.equals(l.workDate());
        out.writeByte((active ? ACTIVE : 0) | (onWorkDate ? BOOKED_ON_WORK_DATE : 0));
        LineFields.text(out, l.lineId());
        LineFields.write(out, l.lineId(), l);
        if (!onWorkDate) {
            LineFields.day(out, bookedDate);
        }
        rows++;
    }

    /** Flushes and fsyncs: the file must outlive a power cut once the run has committed it. */
    @Override
    public void close() throws IOException {
        try (channel) {
            out.flush();
            channel.force(true);
        }
    }

    void discard() throws IOException {
        channel.close();
        Files.deleteIfExists(path);
    }

    /** The rows of a JDBC drop, {@code size} at a time, in the order they were written. */
    public static Iterator<List<Row>> chunks(Path path, int size) {
        DataInputStream in;
        try {
            in = new DataInputStream(OneThreadBuffers.input(Files.newInputStream(path), 1 << 16));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the JDBC drop " + path + ": " + e.getMessage(), e);
        }
        RecordStream.Reader<Row> layout;
        try {
            in.mark(4);
            byte[] start = new byte[4];
            int n = in.readNBytes(start, 0, 4);
            int magic = n == 4 ? java.nio.ByteBuffer.wrap(start).getInt() : 0;
            layout = switch (magic) {
                case COMPACT -> JdbcDropFile::row;
                case WITH_BOOKED_DATE -> stream -> LegacyLayout.row(stream, true);
                default -> { // no magic: rows from the first byte
                    in.reset();
                    yield stream -> LegacyLayout.row(stream, false);
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the JDBC drop " + path + ": " + e.getMessage(), e);
        }
        RecordStream<Row> rows = new RecordStream<>(in, layout, "cannot read the JDBC drop " + path);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public List<Row> next() {
                if (!rows.hasNext()) {
                    throw new NoSuchElementException();
                }
                List<Row> chunk = new ArrayList<>(size);
                while (chunk.size() < size && rows.hasNext()) {
                    chunk.add(rows.next());
                }
                return chunk;
            }
        };
    }

    private static Row row(DataInput in) throws IOException {
        int flags = in.readUnsignedByte();
        String lineId = LineFields.text(in);
        PayrollLine line = LineFields.read(in, lineId);
        LocalDate booked = (flags & BOOKED_ON_WORK_DATE) != 0 ? line.workDate() : LineFields.day(in);
        return new Row(line, (flags & ACTIVE) != 0, booked);
    }

    /** The rows of drops written by earlier versions, read as those versions wrote them. */
    private static final class LegacyLayout {

        static Row row(DataInput in, boolean withBookedDate) throws IOException {
            boolean active = in.readBoolean();
            String lineId = text(in);
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
            String modified = text(in);
            PayrollLine line = new PayrollLine(lineId, employee, day == Long.MIN_VALUE ? null : LocalDate.ofEpochDay(day),
                    wageType, quantity == null ? null : new BigDecimal(quantity), project, task, department, text,
                    source, sourceId, modified == null ? null : Instant.parse(modified));
            if (!withBookedDate) { // a drop written before booked dates: booked on the work date
                return new Row(line, active, line.workDate());
            }
            long booked = in.readLong();
            return new Row(line, active, booked == Long.MIN_VALUE ? null : LocalDate.ofEpochDay(booked));
        }

        /** A 4-byte length (-1: null) and UTF-8 bytes. */
        private static String text(DataInput in) throws IOException {
            int n = in.readInt();
            if (n < 0) {
                return null;
            }
            byte[] bytes = new byte[n];
            in.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
