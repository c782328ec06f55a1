package no.ditiosync.app.page;

import no.ditiosync.state.StatusQueries;
import org.quartz.CronExpression;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads what the page shows from the state DB, with the bounded queries of {@link StatusQueries}
 * (a few hundred rows at most per company; never the ledger), in one read-only transaction.
 */
public record PageData(ReportFiles reports, Links links, Scheduler scheduler) {

    /** Runs in the table and in the chart of records read. */
    public static final int RUNS = 20;
    /** Drops not yet published listed per company (normally one run's: the next run publishes them first). */
    static final int UNPUBLISHED = 20;
    /** Work days in the chart of hours delivered, today included. */
    public static final int DAYS = 60;
    static final int REASONS = 50;
    /** Quarantined records on the page and in the JSON; the CSV has them all (up to {@link #CSV_RECORDS}). */
    public static final int RECORDS = 200;
    public static final int CSV_RECORDS = 100_000;
    /** delivered_hours rows read for the chart: the days shown (and hours delivered ahead of today) for every target. */
    private static final int HELD_ROWS = 5_000;

    /** A company as the page needs it: its key, its run log's feed, its SYNC_CRON and SYNC_TIME_ZONE. */
    public record CompanySettings(String company, String feed, String cron, ZoneId zone) {
    }

    /** Where the page links to: a run's report, the quarantine's CSV (null: no link). */
    public interface Links {
        /** @param file the report file, or null when it is no longer kept */
        String report(String company, String runId, Path file);

        String quarantineCsv(String company);
    }

    /** A run's report file, if it is still kept (null otherwise). */
    public interface ReportFiles {
        Path find(String company, String feed, Instant startedAt, String runId);
    }

    /** The next firing of a company's schedule as the running scheduler has it, or null. */
    public interface Scheduler {
        Instant nextFiring(String company);
    }

    public PageModel.Overview overview(Connection c, List<CompanySettings> companies, Instant now, String servedBy)
            throws SQLException {
        return readOnly(c, () -> {
            List<PageModel.Company> out = new ArrayList<>();
            for (CompanySettings company : companies) {
                out.add(company(c, company, now));
            }
            return new PageModel.Overview(now, servedBy, out);
        });
    }

    public PageModel.Company company(Connection c, CompanySettings company, Instant now) throws SQLException {
        return readOnly(c, () -> read(c, company, now));
    }

    interface Read<T> {
        T read() throws SQLException;
    }

    /**
     * One read-only transaction: nothing the page does can change the state DB, and on PostgreSQL its
     * queries run as one unit. The connection is given back as it came.
     */
    static <T> T readOnly(Connection c, Read<T> read) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        boolean readOnly = c.isReadOnly();
        if (autoCommit) {
            c.setAutoCommit(false);
        }
        c.setReadOnly(true);
        try {
            return read.read();
        } finally {
            try {
                c.rollback();
            } finally {
                c.setReadOnly(readOnly);
                c.setAutoCommit(autoCommit);
            }
        }
    }

    private PageModel.Company read(Connection c, CompanySettings company, Instant now) throws SQLException {
        String key = company.company();
        Cron cron = Cron.of(company.cron(), company.zone());
        Instant scheduled = scheduler.nextFiring(key);
        Instant next = scheduled != null ? scheduled : cron.after(now);
        PageModel.Schedule schedule = new PageModel.Schedule(company.cron(), company.zone().getId(), next,
                scheduled != null ? "scheduler" : cron.problem() == null ? "cron" : null, cron.interval(now), cron.problem());

        List<PageModel.Watermark> watermarks = new ArrayList<>();
        for (StatusQueries.Watermark w : StatusQueries.watermarks(c, key, company.feed())) {
            Instant secondFiring = cron.after(cron.after(w.watermark()));
            watermarks.add(new PageModel.Watermark(w.feed(), w.watermark(), w.runId(),
                    Duration.between(w.watermark(), now).toSeconds(), secondFiring != null && secondFiring.isBefore(now)));
        }

        List<PageModel.UnpublishedDrop> unpublished = new ArrayList<>();
        java.util.Map<String, List<String>> unpublishedByRun = new java.util.HashMap<>();
        for (StatusQueries.UnpublishedDrop d : StatusQueries.unpublishedDrops(c, key, UNPUBLISHED)) {
            unpublished.add(new PageModel.UnpublishedDrop(d.runId(), d.target(), d.file(), d.status(), d.committedAt(),
                    d.lines()));
            unpublishedByRun.computeIfAbsent(d.runId(), r -> new ArrayList<>()).add(d.target());
        }
        List<PageModel.Run> runs = new ArrayList<>();
        for (StatusQueries.Run r : StatusQueries.runs(c, key, company.feed(), RUNS)) {
            Path report = reports.find(key, company.feed(), r.startedAt(), r.runId());
            runs.add(new PageModel.Run(r.runId(), r.startedAt(), r.endedAt(),
                    r.endedAt() == null ? null : Duration.between(r.startedAt(), r.endedAt()).toMillis() / 1000.0,
                    r.mode(), r.outcome(), r.committed(), r.recordsRead(), lines(r.lineCounts(), r.lines()),
                    r.quarantined(), quarantineChange(r.quarantineCounts()), r.message(), r.node(),
                    links.report(key, r.runId(), report), unpublishedByRun.getOrDefault(r.runId(), List.of())));
        }

        LocalDate today = LocalDate.ofInstant(now, company.zone());
        LocalDate from = today.minusDays(DAYS - 1L);
        TreeSet<String> targets = new TreeSet<>();
        TreeMap<LocalDate, Map<String, PageModel.Held>> byDay = new TreeMap<>();
        for (StatusQueries.DayHeld d : StatusQueries.heldPerDay(c, key, from, HELD_ROWS)) {
            targets.add(d.target());
            byDay.computeIfAbsent(d.workDate(), x -> new TreeMap<>()).put(d.target(), new PageModel.Held(d.hours(), d.lines()));
        }
        List<PageModel.Day> days = new ArrayList<>();
        byDay.forEach((date, held) -> days.add(new PageModel.Day(date, held)));
        // hours already delivered for days ahead (registered in advance) are shown too
        LocalDate to = byDay.isEmpty() || !byDay.lastKey().isAfter(today) ? today : byDay.lastKey();
        PageModel.Hours hours = new PageModel.Hours(from, to, List.copyOf(targets), days);

        List<PageModel.Reason> reasons = StatusQueries.quarantineReasons(c, key, REASONS).stream()
                .map(r -> new PageModel.Reason(r.reason(), r.records())).toList();
        List<PageModel.QuarantinedRecord> records = new ArrayList<>();
        StatusQueries.quarantinedRecords(c, key, StatusQueries.QuarantineOrder.BY_REASON, RECORDS, q -> records.add(record(q)));
        PageModel.Quarantine quarantine = new PageModel.Quarantine(StatusQueries.quarantineCount(c, key), reasons, records,
                links.quarantineCsv(key));

        return new PageModel.Company(key, company.zone().getId(), schedule, watermarks, runs, hours, quarantine, unpublished);
    }

    static PageModel.QuarantinedRecord record(StatusQueries.QuarantinedRecord q) {
        return new PageModel.QuarantinedRecord(q.feed(), q.recordId(), q.userName(), q.employeeNumber(),
                q.workDate() != null ? q.workDate().toString() : q.workDateText(), q.hours(), q.projectNumber(),
                q.taskNumber(), q.description(), q.reason(), q.firstRunId());
    }

    /**
     * Per target the run's lines: split from line_counts ({@code visma=12/3/1/0,...}, which names only the
     * targets whose lines changed, and is empty for a run that changed none: the others had 0 of each), else
     * the totals of lines_delivered ({@code visma=16,...}) of a run that did not commit or was logged
     * before the split was kept (line_counts null).
     */
    static Map<String, PageModel.Lines> lines(String lineCounts, String linesDelivered) {
        Map<String, PageModel.Lines> out = new LinkedHashMap<>();
        if (lineCounts != null) {
            if (linesDelivered != null) {
                for (String[] target : pairs(linesDelivered)) {
                    out.put(target[0], new PageModel.Lines(0L, 0L, 0L, 0L, 0));
                }
            }
            for (String[] target : pairs(lineCounts)) {
                String[] n = target[1].split("/");
                if (n.length == 4) {
                    long[] v = new long[4];
                    for (int i = 0; i < 4; i++) {
                        v[i] = number(n[i]);
                    }
                    out.put(target[0], new PageModel.Lines(v[0], v[1], v[2], v[3], v[0] + v[1] + v[2] + v[3]));
                }
            }
            return out;
        }
        if (linesDelivered != null) {
            for (String[] target : pairs(linesDelivered)) {
                out.put(target[0], new PageModel.Lines(null, null, null, null, number(target[1])));
            }
        }
        return out;
    }

    private static List<String[]> pairs(String list) {
        List<String[]> out = new ArrayList<>();
        for (String part : list.split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                out.add(new String[]{part.substring(0, eq).strip(), part.substring(eq + 1).strip()});
            }
        }
        return out;
    }

    private static long number(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static PageModel.QuarantineChange quarantineChange(String counts) {
        if (counts == null) {
            return null;
        }
        String[] n = counts.split("/");
        return n.length == 3 ? new PageModel.QuarantineChange(number(n[0]), number(n[1]), number(n[2])) : null;
    }

    /** A company's SYNC_CRON in its time zone, read with Quartz's own parser; a cron it cannot read has no firings. */
    private record Cron(CronExpression expression, String problem) {

        static Cron of(String cron, ZoneId zone) {
            try {
                CronExpression e = new CronExpression(cron);
                // normalized, as the schedules name it to Quartz (SyncSchedules.quartzZone): UTC+01:00 is an offset
                e.setTimeZone(TimeZone.getTimeZone(zone.normalized()));
                return new Cron(e, null);
            } catch (ParseException | RuntimeException e) {
                return new Cron(null, "the cron '" + cron + "' cannot be read: " + e.getMessage());
            }
        }

        /** The first firing after {@code t}, or null (none, or no cron). */
        Instant after(Instant t) {
            if (expression == null || t == null) {
                return null;
            }
            Date next = expression.getNextValidTimeAfter(Date.from(t));
            return next == null ? null : next.toInstant();
        }

        /** Seconds between the next two firings, or null. */
        Long interval(Instant now) {
            Instant first = after(now);
            Instant second = after(first);
            return second == null ? null : Duration.between(first, second).toSeconds();
        }
    }
}
