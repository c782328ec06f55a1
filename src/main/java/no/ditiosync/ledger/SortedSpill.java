package no.ditiosync.ledger;

import no.ditiosync.drops.OneThreadBuffers;
import no.ditiosync.drops.RecordStream;

import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * Records of one run sorted larger than memory: kept in memory up to a bound, beyond it sorted and
 * written to a scratch file as a sorted run, and read back as one sorted stream (a k-way merge). So a
 * run of any size needs the memory of one bound.
 *
 * <p>Written here rather than taken from a library: the state DB would sort them, but writing every
 * registration into it is the cost this replaces, and none of the project's libraries sorts records
 * larger than memory.
 */
final class SortedSpill<T> implements AutoCloseable {

    /** Writes one record as {@code read} reads it back. */
    @FunctionalInterface
    interface Writer<T> {
        void write(T record, DataOutput out) throws IOException;
    }

    private final Path folder;
    private final String name;
    private final int maxInMemory;
    private final Comparator<T> order;
    private final Writer<T> write;
    private final RecordStream.Reader<T> read;
    private final List<T> buffer = new ArrayList<>();
    private final List<Path> runs = new ArrayList<>();
    private long added;

    /**
     * @param folder      where sorted runs go when the buffer is full (a private scratch folder)
     * @param maxInMemory records kept in memory before a sorted run is written
     * @param order       the order {@link #sorted} gives; records it finds equal keep their order of arrival
     */
    SortedSpill(Path folder, String name, int maxInMemory, Comparator<T> order, Writer<T> write,
                RecordStream.Reader<T> read) {
        this.folder = folder;
        this.name = name;
        this.maxInMemory = maxInMemory;
        this.order = order;
        this.write = write;
        this.read = read;
    }

    void add(T record) {
        buffer.add(record);
        added++;
        if (buffer.size() >= maxInMemory) {
            spill();
        }
    }

    long size() {
        return added;
    }

    private void spill() {
        buffer.sort(order);
        try {
            Files.createDirectories(folder);
            Path run = Files.createTempFile(folder, "." + name + "-", ".spill");
            try (DataOutputStream out = new DataOutputStream(OneThreadBuffers.output(Files.newOutputStream(run), 1 << 16))) {
                for (T record : buffer) {
                    write.write(record, out);
                }
            }
            runs.add(run);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the run's scratch file in " + folder + ": " + e.getMessage(), e);
        }
        buffer.clear();
    }

    /** Every record added, in order. */
    Iterator<T> sorted() {
        buffer.sort(order);
        List<Iterator<T>> sources = new ArrayList<>(runs.size() + 1);
        for (Path run : runs) {
            sources.add(runReader(run));
        }
        sources.add(buffer.iterator());
        return sources.size() == 1 ? sources.get(0) : new Merged<>(sources, order);
    }

    @Override
    public void close() {
        buffer.clear();
        for (Path run : runs) {
            try {
                Files.deleteIfExists(run);
            } catch (IOException ignored) {
                // a scratch file left behind is deleted with the folder by the next run
            }
        }
        runs.clear();
    }

    /** A k-way merge of sorted sources; of equal heads, the earlier source's first (runs are written in arrival order). */
    private static final class Merged<T> implements Iterator<T> {
        private record Head<T>(T value, int source) {
        }

        private final List<Iterator<T>> sources;
        private final PriorityQueue<Head<T>> heads;

        Merged(List<Iterator<T>> sources, Comparator<T> order) {
            this.sources = sources;
            Comparator<Head<T>> byValue = (a, b) -> order.compare(a.value, b.value);
            this.heads = new PriorityQueue<>(byValue.thenComparingInt(Head::source));
            for (int i = 0; i < sources.size(); i++) {
                if (sources.get(i).hasNext()) {
                    heads.add(new Head<>(sources.get(i).next(), i));
                }
            }
        }

        @Override
        public boolean hasNext() {
            return !heads.isEmpty();
        }

        @Override
        public T next() {
            Head<T> head = heads.poll();
            if (head == null) {
                throw new NoSuchElementException();
            }
            Iterator<T> source = sources.get(head.source);
            if (source.hasNext()) {
                heads.add(new Head<>(source.next(), head.source));
            }
            return head.value;
        }
    }

    /** The records of one sorted run file, in their order. */
    private Iterator<T> runReader(Path run) {
        try {
            return new RecordStream<>(new DataInputStream(OneThreadBuffers.input(Files.newInputStream(run), 1 << 16)),
                    read, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
