package no.ditiosync.run;

import no.ditiosync.drops.DropLine;
import no.ditiosync.drops.DropTarget;
import no.ditiosync.drops.DropWriter;
import no.ditiosync.ledger.DeliveredHours;
import no.ditiosync.ledger.DeltaMerge;
import no.ditiosync.ledger.LedgerEntry;

import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a run's ledger delta goes: each file target's lines to its temporary drop, the JDBC target's
 * rows to its own (no drops at all for a reconcile that does not deliver), and the run's counts (new, corrected, reversed, released) and hours per day.
 */
final class RunDrops implements DeltaMerge.Sink {

    private final DropWriter drops;
    private final List<DropTarget> targets;
    private final SyncRun run;
    private final DeliveredHours hours = new DeliveredHours();
    /** The day after the closed payroll period, where its lines are booked; null when none is closed. */
    private final LocalDate firstOpenDay;

    RunDrops(DropWriter drops, List<DropTarget> targets, SyncRun run, LocalDate closedThrough) {
        this.drops = drops;
        this.targets = targets;
        this.run = run;
        this.firstOpenDay = closedThrough == null ? null : closedThrough.plusDays(1);
        if (drops != null && firstOpenDay != null) {
            drops.firstOpenDay(firstOpenDay);
        }
    }

    @Override
    public void lines(int target, List<DropLine> lines) throws IOException {
        if (firstOpenDay != null) {
            List<DropLine> booked = new ArrayList<>(lines.size());
            for (DropLine line : lines) {
                booked.add(closed(line.line().workDate()) ? line.bookedOn(firstOpenDay) : line);
            }
            lines = booked;
        }
        if (drops != null) {
            drops.append(target, lines);
        }
    }

    /** Whether a work date lies in the closed period: its lines are booked on the first open day. */
    private boolean closed(LocalDate workDate) {
        return firstOpenDay != null && workDate != null && workDate.isBefore(firstOpenDay);
    }

    @Override
    public void changed(int target, LedgerEntry before, LedgerEntry after, boolean released) {
        DropTarget t = targets.get(target);
        if (!t.isFile() && drops != null) {
            try {
                LocalDate workDate = after.line().workDate();
                drops.jdbc(target, after.line(), after.held(), closed(workDate) ? firstOpenDay : workDate);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot write the JDBC drop in " + t.folder() + ": " + e.getMessage(), e);
            }
        }
        boolean had = before != null && before.holdsHours();
        boolean has = after.holdsHours();
        if (has) {
            run.lineTally().count(t.name(), released ? LineCounts.RELEASED : had ? LineCounts.CORRECTED : LineCounts.NEW);
        } else if (had) {
            run.lineTally().count(t.name(), LineCounts.REVERSED);
        }
        if ((!t.isFile() || t.format().carriesDate())
                && (closed(after.line().workDate()) || before != null && closed(before.line().workDate()))) {
            run.lineTally().countBookedLater(t.name());
        }
        hours.changed(t.name(), before, after);
        if (run.tracksHours()) {
            run.hoursCompared().changed(t.name(), before, after);
        }
    }

    DeliveredHours hours() {
        return hours;
    }
}
