package no.ditiosync.simulator;

import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds the initial dataset from (seed, workers, weeks, lastWorkDate). Everything, timestamps
 * included, comes from the seed and lastWorkDate, never from the wall clock, so the same input
 * gives byte-identical pages. No generated timestamp is later than 07:30 (Oslo) the morning
 * after lastWorkDate, when the last late-comers register Friday's hours.
 *
 * <p>Approval state follows the age of the week (k = weeks before the week of lastWorkDate):
 * <ul>
 *   <li>k = 0: unapproved, except that a quarter of the teams had Monday..(last-2 days) approved;</li>
 *   <li>k = 1: foreman-approved on the following Monday; half the payroll groups also payroll-approved;</li>
 *   <li>k &ge; 2: approved and payroll-approved; from k = 3 two thirds of the payroll groups also locked.</li>
 * </ul>
 * Approvals are bulk operations: a foreman approves a team's week (about 20 workers), payroll
 * approves or locks a payroll group's week (4 teams), so hundreds of records share one timestamp.
 * The timestamps come from {@link Approvals}.
 */
final class DatasetGenerator {

    static final ZoneId OSLO = ZoneId.of("Europe/Oslo");
    static final int TEAM_SIZE = 20;
    static final int TEAMS_PER_PAYROLL_GROUP = 4;
    static final int PROJECT_COUNT = 40;
    static final String TRAVEL_WBS = "9001";

    private static final long EMPTY = TimeRegistration.EMPTY;
    private static final int[] DAY_QUARTERS = {30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 32, 32, 28, 36, 40, 24, 16};
    private static final BigDecimal[] QUARTER_HOURS = new BigDecimal[16 * 4 + 1];
    private static final BigDecimal HALF_HOUR = new BigDecimal("0.5");

    static {
        for (int q = 0; q < QUARTER_HOURS.length; q++) {
            QUARTER_HOURS[q] = plain(q);
        }
    }

    /** The generated content, plus the id generator to continue with for late registrations. */
    record Generated(List<DitioUser> users, List<Catalog.Worker> workers, List<Catalog.Project> projects,
                     List<TimeRegistration> registrations, List<Absence> absences, LocalDate firstWorkDate,
                     LocalDate lastWorkDate, SplittableRandom ids, SplittableRandom absenceIds,
                     SplittableRandom payrollRnd) {
    }

    /** The absence types of the generated company; mappings/wage-types.csv maps every code. */
    static final List<Absence.Type> ABSENCE_TYPES = List.of(
            new Absence.Type("a7e0c7d2-0001-4000-8000-000000000001", "SYK", "Sykemelding"),
            new Absence.Type("a7e0c7d2-0002-4000-8000-000000000002", "EGM", "Egenmelding"),
            new Absence.Type("a7e0c7d2-0003-4000-8000-000000000003", "BSYK", "Sykt barn"),
            new Absence.Type("a7e0c7d2-0004-4000-8000-000000000004", "FERIE", "Ferie"),
            new Absence.Type("a7e0c7d2-0005-4000-8000-000000000005", "VELF", "Velferdspermisjon"));

    /** A quantity of quarter hours as a shared BigDecimal (7.5, 0.25, 8, ...). */
    static BigDecimal quarters(int q) {
        return q >= 0 && q < QUARTER_HOURS.length ? QUARTER_HOURS[q] : plain(q);
    }

    /** 30 quarters is 7.5 and 40 is 10, not 1E+1. */
    private static BigDecimal plain(int q) {
        BigDecimal v = BigDecimal.valueOf(q * 25L, 2).stripTrailingZeros();
        return v.scale() < 0 ? v.setScale(0) : v;
    }

    static Generated generate(long seed, int workerCount, int weeks, LocalDate lastWorkDate) {
        SplittableRandom rnd = new SplittableRandom(seed);
        SplittableRandom ids = rnd.split();

        Catalog.Company own = new Catalog.Company(Guids.next(ids), "Nordbygg Entreprenør AS", "923456789");
        Catalog.Company subsidiary = new Catalog.Company(Guids.next(ids), "Nordbygg Anlegg AS", "987654321");
        List<Catalog.Project> projects = projects(rnd, ids, own, subsidiary);
        List<Catalog.Resource> machines = new ArrayList<>();
        for (int i = 0; i < NorwegianWords.MACHINES.size(); i++) {
            machines.add(new Catalog.Resource(Guids.next(ids), "M-" + (201 + i), NorwegianWords.MACHINES.get(i), "Maskin"));
        }

        LocalDate firstDay = lastWorkDate.minusDays(weeks * 7L - 1);
        List<LocalDate> days = new ArrayList<>();
        for (LocalDate d = firstDay; !d.isAfter(lastWorkDate); d = d.plusDays(1)) {
            if (d.getDayOfWeek() != DayOfWeek.SATURDAY && d.getDayOfWeek() != DayOfWeek.SUNDAY) {
                days.add(d);
            }
        }
        LocalDate firstWorkDate = days.isEmpty() ? lastWorkDate : days.get(0);

        List<DitioUser> users = new ArrayList<>(workerCount);
        List<Catalog.Worker> workers = new ArrayList<>(workerCount);
        makePeople(rnd, ids, workerCount, firstWorkDate, lastWorkDate, own, subsidiary, projects, machines, users, workers);

        Approvals approvals = new Approvals(rnd, workers, weeks, lastWorkDate);
        List<TimeRegistration> registrations = new ArrayList<>((int) Math.min(Integer.MAX_VALUE - 8, workerCount * (long) days.size() * 2));
        RegistrationDraft draft = new RegistrationDraft();
        Comparator<TimeRegistration> byId = (a, b) -> Guids.compare(a.idHi(), a.idLo(), b.idHi(), b.idLo());
        for (LocalDate day : days) {
            List<TimeRegistration> ofDay = new ArrayList<>(workerCount * 2);
            for (Catalog.Worker worker : workers) {
                workerDay(rnd, ids, worker, day, approvals, draft, ofDay);
            }
            ofDay.sort(byId);
            registrations.addAll(ofDay);
        }
        // from a stream split off after everything else, so adding absences changed no registration
        SplittableRandom absenceRnd = rnd.split();
        SplittableRandom absenceIds = absenceRnd.split();
        List<Absence> absences = absences(absenceRnd, absenceIds, workers, days, approvals);
        // payroll lines are derived from the registrations by DitioDataset; their ids and manual overtime come from here
        SplittableRandom payrollRnd = absenceRnd.split();
        return new Generated(List.copyOf(users), List.copyOf(workers), List.copyOf(projects), registrations,
                absences, firstWorkDate, lastWorkDate, ids, absenceIds, payrollRnd);
    }

    private static List<Catalog.Project> projects(SplittableRandom rnd, SplittableRandom ids,
                                                  Catalog.Company own, Catalog.Company subsidiary) {
        List<Catalog.Project> projects = new ArrayList<>(PROJECT_COUNT);
        for (int i = 0; i < PROJECT_COUNT; i++) {
            List<Catalog.Task> tasks = new ArrayList<>();
            int taskCount = 4 + rnd.nextInt(3);
            for (int t = 0; t < taskCount; t++) {
                String wbs = (1 + rnd.nextInt(3)) + "." + (1 + rnd.nextInt(4)) + "." + (1 + rnd.nextInt(9));
                tasks.add(new Catalog.Task(Guids.next(ids), pick(rnd, NorwegianWords.TASK_NAMES), wbs));
            }
            Catalog.Task travel = new Catalog.Task(Guids.next(ids), "Reise", TRAVEL_WBS);
            String external = i % 3 == 0 ? null : "K-2026-" + (101 + i * 7);
            projects.add(new Catalog.Project(Guids.next(ids), "P-" + (1001 + i), NorwegianWords.PROJECT_NAMES.get(i),
                    external, i % 5 == 4 ? subsidiary : own, List.copyOf(tasks), travel));
        }
        return projects;
    }

    /**
     * Users and their registration profiles. About 1% have no employee number at all; about 3%
     * have one on /v1/user but not on their registrations (null or empty there).
     */
    private static void makePeople(SplittableRandom rnd, SplittableRandom ids, int count, LocalDate firstWorkDate,
                                   LocalDate lastWorkDate, Catalog.Company own, Catalog.Company subsidiary,
                                   List<Catalog.Project> projects, List<Catalog.Resource> machines,
                                   List<DitioUser> users, List<Catalog.Worker> workers) {
        int[] order = shuffledIndexes(rnd, count);
        int noNumber = count >= 2 ? Math.max(1, Math.round(count * 0.01f)) : 0;
        int numberOnlyOnUser = count >= 3 ? Math.max(1, Math.round(count * 0.03f)) : 0;
        boolean[] lacksNumber = new boolean[count];
        boolean[] lacksOnRegistrations = new boolean[count];
        for (int i = 0; i < noNumber; i++) {
            lacksNumber[order[i]] = true;
        }
        for (int i = noNumber; i < noNumber + numberOnlyOnUser; i++) {
            lacksOnRegistrations[order[i]] = true;
        }

        String[] teamForeman = new String[(count + TEAM_SIZE - 1) / TEAM_SIZE];
        for (int i = 0; i < count; i++) {
            int team = i / TEAM_SIZE;
            String first = pick(rnd, NorwegianWords.FIRST_NAMES);
            String last = pick(rnd, NorwegianWords.LAST_NAMES);
            String name = first + " " + last;
            String title = i % TEAM_SIZE == 0 ? NorwegianWords.FOREMAN_TITLE : pick(rnd, NorwegianWords.WORK_TITLES);
            if (i % TEAM_SIZE == 0) {
                teamForeman[team] = name;
            }
            String employeeNumber = lacksNumber[i] ? null : String.valueOf(1001 + i);
            String onRegistrations = lacksOnRegistrations[i] ? (i % 2 == 0 ? null : "") : employeeNumber;
            Catalog.Company company = rnd.nextInt(100) < 12 ? subsidiary : own;
            List<Catalog.Project> mine = new ArrayList<>();
            mine.add(projects.get((team * 3) % PROJECT_COUNT));
            mine.add(projects.get((team * 3 + 1) % PROJECT_COUNT));
            if (rnd.nextInt(100) < 30) {
                mine.add(projects.get(rnd.nextInt(PROJECT_COUNT)));
            }
            Catalog.Resource machine = NorwegianWords.MACHINE_OPERATOR.equals(title) ? pick(rnd, machines) : null;
            String identityUserId = Guids.next(ids);
            String profileId = Guids.next(ids);
            BigDecimal unitPrice = BigDecimal.valueOf(65000 + 500L * rnd.nextInt(40), 2);
            BigDecimal costPrice = BigDecimal.valueOf(30000 + 500L * rnd.nextInt(36), 2);
            workers.add(new Catalog.Worker(i, identityUserId, name, onRegistrations, title, company, unitPrice, costPrice,
                    team, team / TEAMS_PER_PAYROLL_GROUP, List.copyOf(mine), machine, teamForeman[team]));

            int departmentIndex = team % NorwegianWords.DEPARTMENTS.size();
            LocalDate startDate = firstWorkDate.minusDays(30 + rnd.nextInt(7000));
            // Most users came in with the HR import of their department; some were edited later.
            LocalDateTime imported = LocalDate.of(2025, 1, 6).plusDays(departmentIndex).atTime(9, 0, departmentIndex);
            LocalDateTime modified;
            if (rnd.nextInt(100) < 30) {
                long span = Math.max(1, ChronoUnit.SECONDS.between(firstWorkDate.minusDays(300).atStartOfDay(),
                        lastWorkDate.atStartOfDay()));
                modified = firstWorkDate.minusDays(300).atStartOfDay().plusSeconds(rnd.nextLong(span));
            } else {
                modified = imported;
            }
            if (modified.toLocalDate().isBefore(startDate)) {
                modified = startDate.atTime(8, 0).plusSeconds(rnd.nextInt(7200));
            }
            String email = NorwegianWords.ascii(first) + "." + NorwegianWords.ascii(last) + "." + (1001 + i) + "@nordbygg.no";
            users.add(new DitioUser(profileId, identityUserId, employeeNumber, name, first, last, email, title,
                    NorwegianWords.DEPARTMENTS.get(departmentIndex), own.id(), own.name(), company.id(),
                    true, false, startDate, null, modified.atZone(OSLO).toInstant(), false));
        }
    }

    /** 0, 1 or more registrations of one worker on one day, about 7.5 hours in quarter hours. */
    private static void workerDay(SplittableRandom rnd, SplittableRandom ids, Catalog.Worker worker, LocalDate day,
                                  Approvals approvals, RegistrationDraft d, List<TimeRegistration> out) {
        if (rnd.nextInt(100) < 4) {
            return; // sick, on leave or off that day
        }
        int totalQuarters = DAY_QUARTERS[rnd.nextInt(DAY_QUARTERS.length)];
        int roll = rnd.nextInt(100);
        int parts = roll < 25 ? 1 : roll < 70 ? 2 : 3; // about 2 a day: 16000 workers, 6 weeks = about 1M
        int[] split = split(rnd, totalQuarters, parts);
        boolean travelLast = parts >= 2 && rnd.nextInt(100) < 25;
        Catalog.Project project = pick(rnd, worker.projects());

        long start = day.atTime(7, 0).atZone(OSLO).toEpochSecond();
        long createdBase = rnd.nextInt(100) < 10
                ? day.plusDays(1).atTime(6, 0).atZone(OSLO).toEpochSecond() + rnd.nextInt(4500) // parts add < 15 min
                : day.atTime(15, 0).atZone(OSLO).toEpochSecond() + rnd.nextInt(6 * 3600);
        long approvedAt = approvals.foreman(worker.team(), day);
        long payrollAt = approvedAt == EMPTY ? EMPTY : approvals.payroll(worker.payrollGroup(), day);
        long lockedAt = payrollAt == EMPTY ? EMPTY : approvals.lock(worker.payrollGroup(), day);

        for (int p = 0; p < parts; p++) {
            boolean travel = travelLast && p == parts - 1;
            d.idHi = Guids.nextHi(ids);
            d.idLo = Guids.nextLo(ids);
            d.worker = worker;
            d.project = project;
            d.task = travel ? project.travelTask() : pick(rnd, project.tasks());
            d.resource = travel ? null : worker.machine();
            d.workDate = day;
            d.qty = quarters(split[p]);
            d.breakQty = p == 0 && totalQuarters >= 24 ? HALF_HOUR : BigDecimal.ZERO;
            d.startAt = start;
            start = start + (split[p] * 900L) + (p == 0 && totalQuarters >= 24 ? 1800 : 0);
            d.description = travel ? pick(rnd, NorwegianWords.TRAVEL_DESCRIPTIONS) : description(rnd);
            d.descriptionInternal = rnd.nextInt(100) < 15 ? pick(rnd, NorwegianWords.INTERNAL_NOTES) : null;
            d.createdAt = createdBase + p * (40L + rnd.nextInt(360));
            long editedAt = rnd.nextInt(100) < 7 ? Math.min(d.createdAt + 3600 + rnd.nextInt(19 * 3600), approvals.dataEnd) : EMPTY;
            if (editedAt <= d.createdAt || (approvedAt != EMPTY && editedAt >= approvedAt)) {
                editedAt = EMPTY;
            }
            d.approved = approvedAt != EMPTY;
            d.approvedAt = approvedAt;
            d.approvedByName = d.approved ? worker.foremanName() : null;
            d.payrollApproved = payrollAt != EMPTY;
            d.payrollApprovedAt = payrollAt;
            d.locked = lockedAt != EMPTY;
            d.lockedAt = lockedAt;
            d.lockedByName = d.locked ? NorwegianWords.PAYROLL_CLERKS.get(worker.payrollGroup() % 3) : null;
            d.invoiced = d.locked && (d.idLo & 4) != 0;
            d.deleted = false;
            d.deletedAt = EMPTY;
            d.modifiedAt = Math.max(Math.max(d.createdAt, editedAt), Math.max(approvedAt, Math.max(payrollAt, lockedAt)));
            out.add(d.build());
        }
    }

    /**
     * About 3 absence days per 100 worker-days: a whole day (7.5 h) of sickness, a sick child or
     * holiday, or a few hours of welfare leave; approved with the worker's registrations of that week.
     */
    private static List<Absence> absences(SplittableRandom rnd, SplittableRandom ids, List<Catalog.Worker> workers,
                                          List<LocalDate> days, Approvals approvals) {
        List<Absence> out = new ArrayList<>();
        Comparator<Absence> byId = (a, b) -> Guids.compare(a.idHi(), a.idLo(), b.idHi(), b.idLo());
        for (LocalDate day : days) {
            List<Absence> ofDay = new ArrayList<>();
            for (Catalog.Worker worker : workers) {
                if (rnd.nextInt(100) >= 3) {
                    continue;
                }
                Absence.Type type = pick(rnd, ABSENCE_TYPES);
                BigDecimal qty = "VELF".equals(type.code()) ? quarters(4 + rnd.nextInt(13)) : quarters(30);
                long created = day.atTime(8, 0).atZone(OSLO).toEpochSecond() + rnd.nextInt(8 * 3600);
                long approvedAt = approvals.foreman(worker.team(), day);
                long payrollAt = approvedAt == EMPTY ? EMPTY : approvals.payroll(worker.payrollGroup(), day);
                long lockedAt = payrollAt == EMPTY ? EMPTY : approvals.lock(worker.payrollGroup(), day);
                String projectId = rnd.nextInt(100) < 50 ? worker.projects().get(0).id() : null;
                long modified = Math.max(created, Math.max(approvedAt, Math.max(payrollAt, lockedAt)));
                ofDay.add(new Absence(Guids.nextHi(ids), Guids.nextLo(ids), Guids.next(ids), day,
                        day.atTime(7, 0).atZone(OSLO).toEpochSecond(), qty, type, worker, projectId,
                        approvedAt != EMPTY, approvedAt, payrollAt != EMPTY, payrollAt, lockedAt != EMPTY, lockedAt,
                        modified, false, EMPTY));
            }
            ofDay.sort(byId);
            out.addAll(ofDay);
        }
        return out;
    }

    private static String description(SplittableRandom rnd) {
        int roll = rnd.nextInt(100);
        if (roll < 20) {
            return null;
        }
        return roll < 25 ? "" : pick(rnd, NorwegianWords.DESCRIPTIONS);
    }

    /** Splits quarters into parts of at least two quarters each (when possible). */
    private static int[] split(SplittableRandom rnd, int quarters, int parts) {
        int[] out = new int[parts];
        int left = quarters;
        for (int p = 0; p < parts - 1; p++) {
            int room = left - 2 * (parts - p - 1);
            out[p] = room <= 2 ? Math.max(1, room) : 2 + rnd.nextInt(room - 1);
            left -= out[p];
        }
        out[parts - 1] = left;
        return out;
    }

    private static int[] shuffledIndexes(SplittableRandom rnd, int count) {
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        for (int i = count - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    static <T> T pick(SplittableRandom rnd, List<T> list) {
        return list.get(rnd.nextInt(list.size()));
    }
}
