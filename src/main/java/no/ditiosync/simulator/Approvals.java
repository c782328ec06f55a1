package no.ditiosync.simulator;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.List;
import java.util.SplittableRandom;

/** Bulk approval timestamps per team-week (foreman) and payroll-group-week (payroll, lock). */
final class Approvals {

    private static final long EMPTY = TimeRegistration.EMPTY;

    private final LocalDate lastWorkDate;
    private final LocalDate lastMonday;
    /** No generated timestamp is later: the morning after lastWorkDate, 07:30 in Oslo. */
    final long dataEnd;
    private final long[][] foreman;
    private final long[] partialForeman;
    private final long[][] payroll;
    private final long[][] lock;

    Approvals(SplittableRandom rnd, List<Catalog.Worker> workers, int weeks, LocalDate lastWorkDate) {
        this.lastWorkDate = lastWorkDate;
        this.lastMonday = lastWorkDate.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        this.dataEnd = lastWorkDate.plusDays(1).atTime(7, 30).atZone(DatasetGenerator.OSLO).toEpochSecond();
        int teams = workers.isEmpty() ? 0 : workers.get(workers.size() - 1).team() + 1;
        int groups = workers.isEmpty() ? 0 : workers.get(workers.size() - 1).payrollGroup() + 1;
        foreman = new long[teams][weeks + 1];
        partialForeman = new long[teams];
        payroll = new long[groups][weeks + 1];
        lock = new long[groups][weeks + 1];
        LocalDate partialDay = lastWorkDate.minusDays(1);
        for (int t = 0; t < teams; t++) {
            for (int k = 0; k <= weeks; k++) {
                foreman[t][k] = k == 0 ? EMPTY : at(monday(k).plusDays(7), LocalTime.of(7, 0), rnd, 4 * 3600);
            }
            boolean partial = rnd.nextInt(100) < 25 && !partialDay.minusDays(1).isBefore(lastMonday);
            // 09:00, after the late-comers who register the previous day's hours in the morning
            partialForeman[t] = partial ? at(partialDay, LocalTime.of(9, 0), rnd, 3 * 3600) : EMPTY;
        }
        for (int g = 0; g < groups; g++) {
            for (int k = 0; k <= weeks; k++) {
                LocalDate payrollDay = monday(k).plusDays(9);
                boolean approve = k >= 2 || (k == 1 && g % 2 == 0 && !payrollDay.isAfter(lastWorkDate));
                payroll[g][k] = approve ? at(payrollDay, LocalTime.of(9, 0), rnd, 6 * 3600) : EMPTY;
                boolean locked = approve && k >= 3 && g % 3 != 2;
                lock[g][k] = locked ? at(monday(k).plusDays(10), LocalTime.of(13, 0), rnd, 3 * 3600) : EMPTY;
            }
        }
    }

    private LocalDate monday(int k) {
        return lastMonday.minusWeeks(k);
    }

    private int week(LocalDate day) {
        return (int) ChronoUnit.WEEKS.between(day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)), lastMonday);
    }

    long foreman(int team, LocalDate day) {
        int k = week(day);
        if (k == 0) {
            return day.isBefore(lastWorkDate.minusDays(1)) ? partialForeman[team] : EMPTY;
        }
        return foreman[team][k];
    }

    long payroll(int group, LocalDate day) {
        return payroll[group][week(day)];
    }

    long lock(int group, LocalDate day) {
        return lock[group][week(day)];
    }

    private static long at(LocalDate day, LocalTime from, SplittableRandom rnd, int spreadSeconds) {
        return day.atTime(from).atZone(DatasetGenerator.OSLO).toEpochSecond() + rnd.nextInt(spreadSeconds);
    }
}
