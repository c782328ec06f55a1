package no.ditiosync.ledger;

import no.ditiosync.drops.RecordStream;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
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
 * A run's desired states of one feed, sorted by line id for the merge against the ledger: kept in
 * memory up to a bound, beyond it sorted and written to a scratch file as a sorted run, and read back
 * as one sorted stream (a k-way merge) in which each line id appears once, the latest arrival winning.
 * So a pass of any size needs the memory of one bound, and the ledger is read and written in key order.
 *
 * <p>Written here rather than taken from a library: the state DB would sort it, but writing every
 * registration into it is the cost this replaces, and none of the project's libraries sorts records
 * larger than memory.
 */
final class DesiredSpill implements AutoCloseable {

    /** Line ids in String order, which is the order of the ledger's key (see LedgerStore). */
    static final Comparator<Desired> ORDER = Comparator.comparing(Desired::lineId).thenComparingLong(Desired::seq);

    private final Path folder;
    private final String name;
    private final int maxInMemory;
    private final List<Desired> buffer = new ArrayList<>();
    private final List<Path> runs = new ArrayList<>();
    private long added;

    /**
     * @param folder      where sorted runs go when the buffer is full (a private scratch folder)
     * @param maxInMemory entries kept in memory before a sorted run is written
     */
    DesiredSpill(Path folder, String name, int maxInMemory) {
        this.folder = folder;
        this.name = name;
        this.maxInMemory = maxInMemory;
    }

    void add(Desired d) {
        buffer.add(d);
        added++;
        if (buffer.size() >= maxInMemory) {
            spill();
        }
    }

    long size() {
        return added;
    }

    private void spill() {
        buffer.sort(ORDER);
        try {
            Files.createDirectories(folder);
            Path run = Files.createTempFile(folder, "." + name + "-", ".spill");
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(run), 1 << 16))) {
                for (Desired d : buffer) {
                    d.write(out);
                }
            }
            runs.add(run);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the run's scratch file in " + folder + ": " + e.getMessage(), e);
        }
        buffer.clear();
    }

    /** Every line id once, in order; of several entries for one line id the latest added. */
    Iterator<Desired> sorted() {
        buffer.sort(ORDER);
        List<Iterator<Desired>> sources = new ArrayList<>(runs.size() + 1);
        for (Path run : runs) {
            sources.add(runReader(run));
        }
        sources.add(buffer.iterator());
        return new LatestPerLine(sources.size() == 1 ? sources.get(0) : new Merged(sources));
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

    /** A k-way merge of sorted sources. */
    private static final class Merged implements Iterator<Desired> {
        private record Head(Desired value, Iterator<Desired> source) {
        }

        private final PriorityQueue<Head> heads = new PriorityQueue<>((a, b) -> ORDER.compare(a.value, b.value));

        Merged(List<Iterator<Desired>> sources) {
            for (Iterator<Desired> s : sources) {
                if (s.hasNext()) {
                    heads.add(new Head(s.next(), s));
                }
            }
        }

        @Override
        public boolean hasNext() {
            return !heads.isEmpty();
        }

        @Override
        public Desired next() {
            Head head = heads.poll();
            if (head == null) {
                throw new NoSuchElementException();
            }
            if (head.source.hasNext()) {
                heads.add(new Head(head.source.next(), head.source));
            }
            return head.value;
        }
    }

    /** Of consecutive entries with one line id, the last (they come in arrival order). */
    private static final class LatestPerLine implements Iterator<Desired> {
        private final Iterator<Desired> in;
        private Desired pending;

        LatestPerLine(Iterator<Desired> in) {
            this.in = in;
            this.pending = in.hasNext() ? in.next() : null;
        }

        @Override
        public boolean hasNext() {
            return pending != null;
        }

        @Override
        public Desired next() {
            if (pending == null) {
                throw new NoSuchElementException();
            }
            Desired latest = pending;
            pending = null;
            while (in.hasNext()) {
                Desired d = in.next();
                if (!d.lineId().equals(latest.lineId())) {
                    pending = d;
                    break;
                }
                latest = d;
            }
            return latest;
        }
    }

    /** The lines of one sorted run file, in their order. */
    private static Iterator<Desired> runReader(Path run) {
        try {
            return new RecordStream<>(new DataInputStream(new BufferedInputStream(Files.newInputStream(run), 1 << 16)),
                    Desired::read, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
