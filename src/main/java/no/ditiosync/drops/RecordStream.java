package no.ditiosync.drops;

import java.io.DataInput;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The records of one binary file (a JDBC drop, a run's sorted spill), one at a time until the file
 * ends; the file is closed once read through or when a record cannot be read.
 */
public final class RecordStream<T> implements Iterator<T> {

    /** Reads one record (or one value of it). */
    @FunctionalInterface
    public interface Reader<T> {
        T read(DataInput in) throws IOException;
    }

    private final DataInputStream in;
    private final Reader<T> reader;
    private final String failure;
    private T next;

    /** @param failure what a read error says before its own message, or null for the error alone */
    public RecordStream(DataInputStream in, Reader<T> reader, String failure) {
        this.in = in;
        this.reader = reader;
        this.failure = failure;
        advance();
    }

    private void advance() {
        try {
            // the file ends where a record would start; a file that ends inside a record is cut short,
            // and its records are not all there
            in.mark(1);
            if (in.read() < 0) {
                next = null;
                close();
                return;
            }
            in.reset();
            next = reader.read(in);
        } catch (EOFException cut) {
            close();
            throw failed(new EOFException("the file ends in the middle of a record, so it was cut short"));
        } catch (IOException e) {
            close();
            throw failed(e);
        }
    }

    private UncheckedIOException failed(IOException e) {
        return failure == null ? new UncheckedIOException(e) : new UncheckedIOException(failure + ": " + e.getMessage(), e);
    }

    private void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // read to its end
        }
    }

    @Override
    public boolean hasNext() {
        return next != null;
    }

    @Override
    public T next() {
        if (next == null) {
            throw new NoSuchElementException();
        }
        T record = next;
        advance();
        return record;
    }
}
