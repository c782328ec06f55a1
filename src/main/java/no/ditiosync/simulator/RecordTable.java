package no.ditiosync.simulator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Records of one feed with the two orders the API pages in:
 * <ul>
 *   <li>full mode: by (day, id), from per-day slot lists kept sorted by id;</li>
 *   <li>incremental mode: by modification second, from groups of slots per second.</li>
 * </ul>
 * Records are immutable; a change replaces the record in its slot and moves the slot to its new
 * modification group. Id and day of a slot never change. Not thread-safe: {@link DitioDataset}
 * guards it with a read/write lock.
 */
final class RecordTable<T> {

    /** How the table reads the keys of a record. */
    interface Keys<T> {
        long idHi(T r);

        long idLo(T r);

        /** Sort day (epoch day of the work date); a constant for metadata without dates. */
        long day(T r);

        long modifiedEpochSecond(T r);

        boolean deleted(T r);
    }

    /** Keys read by the given functions. */
    static <T> Keys<T> keys(java.util.function.ToLongFunction<T> idHi, java.util.function.ToLongFunction<T> idLo,
                            java.util.function.ToLongFunction<T> day, java.util.function.ToLongFunction<T> modified,
                            java.util.function.Predicate<T> deleted) {
        return new Keys<>() {
            public long idHi(T r) {
                return idHi.applyAsLong(r);
            }

            public long idLo(T r) {
                return idLo.applyAsLong(r);
            }

            public long day(T r) {
                return day.applyAsLong(r);
            }

            public long modifiedEpochSecond(T r) {
                return modified.applyAsLong(r);
            }

            public boolean deleted(T r) {
                return deleted.test(r);
            }
        };
    }

    private final Keys<T> keys;
    private Object[] items = new Object[1024];
    private long[] hi = new long[1024];
    private long[] lo = new long[1024];
    private int size;
    private final TreeMap<Long, SlotList> byDay = new TreeMap<>();
    private final TreeMap<Long, SlotList> byModified = new TreeMap<>();

    RecordTable(Keys<T> keys) {
        this.keys = keys;
    }

    int size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    T get(int slot) {
        return (T) items[slot];
    }

    /** The page a query asks for, in full or incremental order. */
    PageResult<T> page(PageQuery q) {
        if (q.mode == ContinuationTokens.Mode.FULL) {
            return fullPage(q.fromDay, q.toDay, q.after, q.chunkLimit);
        }
        Long afterSecond = q.after == null ? null : q.after.afterSecond();
        return incrementalPage(q.sinceSecond, q.beforeSecond, afterSecond, q.fromDay, q.toDay, q.chunkLimit);
    }

    /** The record with this id (a UUID string), if there is one. */
    Optional<T> byId(String id) {
        int slot = slotOf(id);
        return slot < 0 ? Optional.empty() : Optional.of(get(slot));
    }

    /** The slot of a record that is there and not deleted; else an exception that names {@code what} is missing. */
    int liveSlot(String id, String what) {
        int slot = slotOf(id);
        if (slot < 0) {
            throw new NoSuchElementException("no " + what + " with id " + id);
        }
        if (keys.deleted(get(slot))) {
            throw new IllegalStateException(what + " " + id + " is deleted");
        }
        return slot;
    }

    /** The slot of the record with this id, or -1 (also for an id that is not a UUID). */
    int slotOf(String id) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException | NullPointerException e) {
            return -1;
        }
        return find(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
    }

    /** Adds a record; cheapest when records arrive in (day, id) order, as generation does. */
    int add(T r) {
        if (size == items.length) {
            int n = size * 2;
            items = Arrays.copyOf(items, n);
            hi = Arrays.copyOf(hi, n);
            lo = Arrays.copyOf(lo, n);
        }
        int slot = size++;
        items[slot] = r;
        hi[slot] = keys.idHi(r);
        lo[slot] = keys.idLo(r);
        byDay.computeIfAbsent(keys.day(r), k -> new SlotList()).insertById(slot, this);
        byModified.computeIfAbsent(keys.modifiedEpochSecond(r), k -> new SlotList()).append(slot);
        return slot;
    }

    /** Replaces the record in a slot; the new version must keep its id (a new day moves it to that day). */
    void replace(int slot, T r) {
        T old = get(slot);
        if (keys.idHi(r) != hi[slot] || keys.idLo(r) != lo[slot]) {
            throw new IllegalArgumentException("a new version must keep its id");
        }
        if (keys.day(r) != keys.day(old)) {
            // moved to another work date
            SlotList from = byDay.get(keys.day(old));
            from.remove(slot);
            if (from.size() == 0) {
                byDay.remove(keys.day(old));
            }
            byDay.computeIfAbsent(keys.day(r), k -> new SlotList()).insertById(slot, this);
        }
        long before = keys.modifiedEpochSecond(old);
        long after = keys.modifiedEpochSecond(r);
        if (before != after) {
            SlotList group = byModified.get(before);
            group.remove(slot);
            if (group.size == 0) {
                byModified.remove(before);
            }
            byModified.computeIfAbsent(after, k -> new SlotList()).append(slot);
        }
        items[slot] = r;
    }

    /** The slot of an id, or -1; a binary search in each day list (there are only a few dozen days). */
    int find(long idHi, long idLo) {
        for (SlotList list : byDay.values()) {
            int pos = list.search(idHi, idLo, this);
            if (pos >= 0) {
                return list.get(pos);
            }
        }
        return -1;
    }

    /** All records in (day, id) order. */
    List<T> all(boolean includeDeleted) {
        List<T> out = new ArrayList<>(size);
        for (SlotList list : byDay.values()) {
            for (int i = 0; i < list.size; i++) {
                T r = get(list.get(i));
                if (includeDeleted || !keys.deleted(r)) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    /**
     * A full-mode page: live records with day in [fromDay, toDay], after the position (day, id),
     * in (day, id) order, at most {@code limit}. The position of the next page is the last record
     * returned, or null when nothing is left.
     */
    PageResult<T> fullPage(long fromDay, long toDay, ContinuationTokens.Position after, int limit) {
        List<T> out = new ArrayList<>(Math.min(limit, 4096));
        long start = after == null ? fromDay : Math.max(fromDay, after.day());
        if (start > toDay) {
            return new PageResult<>(out, 0, null);
        }
        int lastSlot = -1;
        boolean more = false;
        outer:
        for (Map.Entry<Long, SlotList> e : byDay.subMap(start, true, toDay, true).entrySet()) {
            SlotList list = e.getValue();
            int i = 0;
            if (after != null && e.getKey() == after.day()) {
                i = list.upperBound(after.idHi(), after.idLo(), this);
            }
            for (; i < list.size; i++) {
                int slot = list.get(i);
                T r = get(slot);
                if (keys.deleted(r)) {
                    continue;
                }
                if (out.size() == limit) {
                    more = true;
                    break outer;
                }
                out.add(r);
                lastSlot = slot;
            }
        }
        ContinuationTokens.Position next = null;
        if (more) {
            T last = get(lastSlot);
            next = ContinuationTokens.Position.full(keys.day(last), hi[lastSlot], lo[lastSlot]);
        }
        return new PageResult<>(out, 0, next);
    }

    /**
     * An incremental page: records (deleted ones too) with sinceSec <= modified < beforeSec and
     * day in [fromDay, toDay], ordered by (modified, id), starting strictly after the second
     * {@code afterSec} of the previous page (or at sinceSec). A page takes whole seconds only:
     * it stops at the first second that would start once {@code limit} records are reached, so
     * it can be larger than the limit but never splits a timestamp.
     */
    PageResult<T> incrementalPage(long sinceSec, long beforeSec, Long afterSec, long fromDay, long toDay, int limit) {
        List<T> out = new ArrayList<>(Math.min(limit, 4096));
        long low = afterSec == null ? sinceSec : Math.max(sinceSec, afterSec + 1);
        if (low >= beforeSec) {
            return new PageResult<>(out, 0, null);
        }
        int deletedCount = 0;
        long lastSecond = 0;
        boolean more = false;
        for (Map.Entry<Long, SlotList> e : byModified.subMap(low, true, beforeSec, false).entrySet()) {
            List<Integer> group = matching(e.getValue(), fromDay, toDay);
            if (group.isEmpty()) {
                continue;
            }
            if (out.size() >= limit) {
                more = true;
                break;
            }
            for (int slot : group) {
                T r = get(slot);
                out.add(r);
                if (keys.deleted(r)) {
                    deletedCount++;
                }
            }
            lastSecond = e.getKey();
        }
        ContinuationTokens.Position next = more ? ContinuationTokens.Position.incremental(lastSecond) : null;
        return new PageResult<>(out, deletedCount, next);
    }

    /** Slots of one modification second inside the day window, in id order. */
    private List<Integer> matching(SlotList group, long fromDay, long toDay) {
        List<Integer> slots = new ArrayList<>(group.size);
        for (int i = 0; i < group.size; i++) {
            int slot = group.get(i);
            long day = keys.day(get(slot));
            if (day >= fromDay && day <= toDay) {
                slots.add(slot);
            }
        }
        slots.sort((a, b) -> compareSlots(a, b));
        return slots;
    }

    int compareSlots(int a, int b) {
        return Guids.compare(hi[a], lo[a], hi[b], lo[b]);
    }

    int compareSlotToId(int slot, long idHi, long idLo) {
        return Guids.compare(hi[slot], lo[slot], idHi, idLo);
    }

    /** A growable int array of slots. */
    static final class SlotList {
        private int[] slots = new int[8];
        private int size;

        int get(int i) {
            return slots[i];
        }

        int size() {
            return size;
        }

        void append(int slot) {
            if (size == slots.length) {
                slots = Arrays.copyOf(slots, size * 2);
            }
            slots[size++] = slot;
        }

        void remove(int slot) {
            for (int i = 0; i < size; i++) {
                if (slots[i] == slot) {
                    System.arraycopy(slots, i + 1, slots, i, size - i - 1);
                    size--;
                    return;
                }
            }
            throw new IllegalStateException("slot " + slot + " not in group");
        }

        /** Keeps the list in id order; appends without searching when the id is the largest. */
        void insertById(int slot, RecordTable<?> table) {
            if (size == 0 || table.compareSlots(slots[size - 1], slot) < 0) {
                append(slot);
                return;
            }
            int pos = upperBound(table.hi[slot], table.lo[slot], table);
            append(0);
            System.arraycopy(slots, pos, slots, pos + 1, size - pos - 1);
            slots[pos] = slot;
        }

        /** Index of the id, or a negative number when absent. */
        int search(long idHi, long idLo, RecordTable<?> table) {
            int low = 0;
            int high = size - 1;
            while (low <= high) {
                int mid = (low + high) >>> 1;
                int c = table.compareSlotToId(slots[mid], idHi, idLo);
                if (c < 0) {
                    low = mid + 1;
                } else if (c > 0) {
                    high = mid - 1;
                } else {
                    return mid;
                }
            }
            return -(low + 1);
        }

        /** Index of the first entry with an id greater than the given one. */
        int upperBound(long idHi, long idLo, RecordTable<?> table) {
            int pos = search(idHi, idLo, table);
            return pos >= 0 ? pos + 1 : -(pos + 1);
        }
    }
}
