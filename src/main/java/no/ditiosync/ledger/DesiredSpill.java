package no.ditiosync.ledger;

import java.util.Comparator;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.nio.file.Path;

/**
 * A run's desired states of one feed, sorted by line id for the merge against the ledger
 * ({@link SortedSpill}), read back as one stream in which each line id appears once, the latest
 * arrival winning, unless it is a deletion older than the record's version before it (a deletion sent again). So a pass of any size needs the memory of one bound, and the ledger is read and
 * written in key order.
 */
final class DesiredSpill implements AutoCloseable {

    /** Line ids in String order, which is the order of the ledger's key (see LedgerStore). */
    static final Comparator<Desired> ORDER = Comparator.comparing(Desired::lineId).thenComparingLong(Desired::seq);

    private final SortedSpill<Desired> spill;

    /**
     * @param folder      where sorted runs go when the buffer is full (a private scratch folder)
     * @param maxInMemory entries kept in memory before a sorted run is written
     */
    DesiredSpill(Path folder, String name, int maxInMemory) {
        this.spill = new SortedSpill<>(folder, name, maxInMemory, ORDER, Desired::write, Desired::read);
    }

    void add(Desired d) {
        spill.add(d);
    }

    long size() {
        return spill.size();
    }

    /** Every line id once, in order; of several entries for one line id the latest added, but a stale deletion. */
    Iterator<Desired> sorted() {
        return new LatestPerLine(spill.sorted());
    }

    @Override
    public void close() {
        spill.close();
    }

    /** Of consecutive entries with one line id (they come in arrival order), the last that is not a stale deletion. */
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
                if (!d.staleDeletionBeside(latest)) {
                    latest = d;
                }
            }
            return latest;
        }
    }
}
