package no.ditiosync.app.page;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/**
 * The operator's page as one HTML document: tables, and two charts as inline SVG ({@link PageCharts}), so the
 * page needs nothing from elsewhere (no script at all, no CDN, no font) and works offline and behind
 * a firewall. Every value that came from Ditio or the state DB goes through {@link #esc}. Written by
 * hand rather than with a template engine: a handful of tables and two bar charts do not need one.
 */
public final class PageHtml {

    static final String CSS = """
            body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
            header{background:#1d2330;color:#fff;padding:12px 24px}
            header h1{font-size:20px;margin:0}
            header p{margin:4px 0 0;color:#c8ccd6}
            header a{color:#9fc3ff}
            main{padding:8px 24px 32px}
            section.company{background:#fff;border:1px solid #d9dce3;border-radius:6px;padding:12px 20px;margin:16px 0}
            h2{font-size:18px;margin:4px 0 8px}
            h3{font-size:15px;margin:18px 0 6px}
            .facts{display:flex;flex-wrap:wrap;gap:12px;margin:0;padding:0;list-style:none}
            .facts li{border:1px solid #d9dce3;border-radius:4px;padding:6px 10px;background:#fafbfc}
            .facts b{display:block;font-size:12px;color:#5a6275;font-weight:normal}
            table{border-collapse:collapse;width:100%;font-size:13px}
            th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e6e8ee;vertical-align:top}
            th{background:#f0f2f5;font-weight:600}
            td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
            tr.message td{color:#5a6275;border-bottom:1px solid #e6e8ee;padding-top:0}
            .succeeded{color:#2e7d32}
            .failed,.abandoned{color:#c62828;font-weight:600}
            .running{color:#1565c0}
            .late{background:#fde8e8;color:#b71c1c;font-weight:600}
            .ok{color:#2e7d32}
            .muted{color:#5a6275}
            .target-lines{display:block;white-space:nowrap}
            svg.chart{width:100%;height:auto;max-width:980px;display:block}
            svg text{font-size:11px;fill:#5a6275}
            svg .grid{stroke:#e6e8ee;stroke-width:1}
            svg .axis{stroke:#8b93a5;stroke-width:1}
            .t0{fill:#4e79a7;background:#4e79a7}
            .t1{fill:#f28e2b;background:#f28e2b}
            .t2{fill:#59a14f;background:#59a14f}
            .t3{fill:#b07aa1;background:#b07aa1}
            .t4{fill:#9c755f;background:#9c755f}
            rect.succeeded{fill:#59a14f}
            rect.failed,rect.abandoned{fill:#e15759}
            rect.running{fill:#4e79a7}
            rect.other{fill:#9aa1b1}
            .legend{list-style:none;padding:0;margin:4px 0;display:flex;gap:16px}
            .swatch{display:inline-block;width:10px;height:10px;margin-right:4px}
            td.description{max-width:280px;overflow-wrap:anywhere}
            footer{padding:0 24px 24px;color:#5a6275}
            """;

    /**
     * Content Security Policy of the page: nothing loads or runs but its own style sheet (by hash).
     * Even a value that escaped {@link #esc} could not run a script.
     */
    public static final String CSP = "default-src 'none'; style-src '" + sha256(CSS) + "'; img-src data:; "
            + "base-uri 'none'; form-action 'none'";

    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /**
     * An instant as the company's wall clock shows it; with its offset in the hour the clock repeats when
     * summer time ends, where two instants would otherwise read alike.
     */
    static String local(Instant at, ZoneId zone) {
        java.time.ZonedDateTime there = at.atZone(zone);
        String shown = TIME.format(there);
        return zone.getRules().getValidOffsets(there.toLocalDateTime()).size() > 1 ? shown + " " + there.getOffset() : shown;
    }

    private PageHtml() {
    }

    /**
     * The page.
     *
     * @param api where the JSON of the same data is served ({@code /api/companies}), or null (a file
     *            written by status --html)
     */
    public static String render(PageModel.Overview overview, String api) {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"").append(esc(CSP)).append("\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>ditio-payroll-sync</title><link rel=\"icon\" href=\"data:,\">")
                .append("<style>").append(CSS).append("</style></head><body>\n");
        h.append("<header><h1>ditio-payroll-sync</h1><p>As of ")
                .append(esc(TIME.format(overview.generatedAt().atZone(ZoneId.of("UTC"))))).append(" UTC")
                .append(overview.servedBy() == null ? "" : ", from " + esc(overview.servedBy()))
                .append(". Read-only: this page changes nothing.");
        if (api != null) {
            h.append(" The same data as JSON: <a href=\"").append(esc(api)).append("\">").append(esc(api)).append("</a>.");
        }
        if (overview.companies().size() > 1) {
            h.append(" Companies:");
            for (PageModel.Company c : overview.companies()) {
                h.append(" <a href=\"#company-").append(esc(c.company())).append("\">").append(esc(c.company())).append("</a>");
            }
        }
        h.append("</p></header>\n<main>\n");
        if (overview.companies().isEmpty()) {
            h.append("<p>No runs yet.</p>\n");
        }
        for (PageModel.Company c : overview.companies()) {
            company(h, c, overview.generatedAt());
        }
        h.append("</main>\n</body></html>\n");
        return h.toString();
    }

    private static void company(StringBuilder h, PageModel.Company c, Instant now) {
        ZoneId zone = ZoneId.of(c.timeZone());
        h.append("<section class=\"company\" id=\"company-").append(esc(c.company())).append("\" data-company=\"")
                .append(esc(c.company())).append("\">\n<h2>Company ").append(esc(c.company()))
                .append(" <span class=\"muted\">(times in ").append(esc(c.timeZone())).append(")</span></h2>\n");
        facts(h, c, zone, now);
        watermarks(h, c, zone);
        h.append("<h3>Hours delivered per work day</h3>\n<p class=\"muted\">What each target holds per work date, net of "
                + "every correction, ").append(esc(c.hours().from().toString())).append(" to ")
                .append(esc(c.hours().to().toString())).append(".</p>\n");
        PageCharts.hoursChart(h, c.hours());
        h.append("<h3>Records read per run</h3>\n");
        PageCharts.recordsChart(h, c.runs(), zone);
        runs(h, c, zone);
        quarantine(h, c);
        h.append("</section>\n");
    }

    private static void facts(StringBuilder h, PageModel.Company c, ZoneId zone, Instant now) {
        PageModel.Schedule s = c.schedule();
        h.append("<ul class=\"facts\">");
        h.append("<li class=\"next-firing\"><b>Next scheduled run</b>");
        if (s.nextFiring() != null) {
            h.append(esc(local(s.nextFiring(), zone))).append(" (in ")
                    .append(esc(span(Math.max(0, s.nextFiring().getEpochSecond() - now.getEpochSecond())))).append(")");
            if ("cron".equals(s.nextFiringFrom())) {
                h.append(" <span class=\"muted\">by the cron</span>");
            }
        } else {
            h.append(esc(s.problem() != null ? s.problem() : "none"));
        }
        h.append("</li><li><b>Schedule (SYNC_CRON)</b>").append(esc(s.cron()))
                .append(s.intervalSeconds() == null ? "" : " <span class=\"muted\">every " + esc(span(s.intervalSeconds()))
                        + "</span>").append("</li>");
        if (!c.runs().isEmpty()) {
            PageModel.Run last = c.runs().get(0);
            h.append("<li><b>Last run</b><span class=\"").append(esc(outcomeClass(last.outcome()))).append("\">")
                    .append(esc(last.outcome())).append("</span>, ").append(esc(span(Math.max(0,
                            now.getEpochSecond() - last.startedAt().getEpochSecond())))).append(" ago</li>");
        }
        if (!c.unpublishedDrops().isEmpty()) {
            h.append("<li class=\"unpublished-drops\"><b>Drops not yet published</b>");
            String sep = "";
            for (PageModel.UnpublishedDrop d : c.unpublishedDrops()) {
                h.append(sep).append(esc(d.target())).append(" ").append(esc(d.file())).append(" (run ").append(esc(d.runId()))
                        .append(", ").append(esc(d.status())).append(" since ")
                        .append(d.committedAt() == null ? "" : esc(local(d.committedAt(), zone))).append(")");
                sep = "; ";
            }
            h.append(" <span class=\"muted\">the ledger counts them as delivered; payroll gets them when the next run "
                    + "publishes them</span></li>");
        }
        h.append("<li><b>Open quarantine</b><span class=\"quarantine-open\" data-count=\"").append(c.quarantine().open())
                .append("\">").append(c.quarantine().open()).append("</span> records</li></ul>\n");
    }

    private static void watermarks(StringBuilder h, PageModel.Company c, ZoneId zone) {
        h.append("<h3>Watermarks</h3>\n");
        if (c.watermarks().isEmpty()) {
            h.append("<p>None yet: the next run is a full pass.</p>\n");
            return;
        }
        h.append("<table class=\"watermarks\"><thead><tr><th>feed</th><th>watermark</th><th>lag</th><th>run</th></tr></thead><tbody>\n");
        for (PageModel.Watermark w : c.watermarks()) {
            h.append("<tr data-feed=\"").append(esc(w.feed())).append("\"><td>").append(esc(w.feed())).append("</td><td>")
                    .append(esc(local(w.watermark(), zone))).append("</td><td class=\"lag ")
                    .append(w.late() ? "late" : "ok").append("\" data-late=\"").append(w.late()).append("\">")
                    .append(esc(span(w.lagSeconds())))
                    .append(w.late() ? " (two scheduled runs have passed since)" : "").append("</td><td>")
                    .append(esc(w.runId())).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    private static void runs(StringBuilder h, PageModel.Company c, ZoneId zone) {
        h.append("<h3>Last runs</h3>\n");
        if (c.runs().isEmpty()) {
            h.append("<p>No runs yet.</p>\n");
            return;
        }
        h.append("<table class=\"runs\"><thead><tr><th>started</th><th>mode</th><th>outcome</th><th class=\"num\">duration</th>"
                + "<th class=\"num\">records read</th><th>lines per target: new / corrected / reversed</th>"
                + "<th class=\"num\">quarantined</th><th>node</th><th>report</th></tr></thead><tbody>\n");
        for (PageModel.Run r : c.runs()) {
            h.append("<tr class=\"run\" data-run-id=\"").append(esc(r.runId())).append("\" data-outcome=\"")
                    .append(esc(r.outcome())).append("\"><td class=\"started\">")
                    .append(esc(local(r.startedAt(), zone))).append("</td><td class=\"mode\">")
                    .append(esc(r.mode())).append("</td><td class=\"outcome ").append(esc(outcomeClass(r.outcome())))
                    .append("\">").append(esc(r.outcome()))
                    .append(r.unpublishedDrops().isEmpty() ? "" : "<br><span class=\"unpublished\">drops not all published yet: "
                            + esc(String.join(", ", r.unpublishedDrops())) + "</span>")
                    .append("</td><td class=\"num duration\">")
                    .append(r.durationSeconds() == null ? "" : esc(seconds(r.durationSeconds())))
                    .append("</td><td class=\"num records\">").append(r.recordsRead() == null ? "" : r.recordsRead())
                    .append("</td><td class=\"lines\">");
            boolean noLine = r.lines().values().stream().allMatch(l -> l.total() == 0);
            if (noLine) {
                h.append(r.committed() ? "no change" : "<span class=\"muted\">none delivered</span>");
            }
            for (Map.Entry<String, PageModel.Lines> t : noLine ? Map.<String, PageModel.Lines>of().entrySet() : r.lines().entrySet()) {
                PageModel.Lines l = t.getValue();
                h.append("<span class=\"target-lines\" data-target=\"").append(esc(t.getKey())).append("\" data-total=\"")
                        .append(l.total()).append('"');
                if (l.added() != null) {
                    h.append(" data-new=\"").append(l.added()).append("\" data-corrected=\"").append(l.corrected())
                            .append("\" data-reversed=\"").append(l.reversed()).append("\" data-released=\"")
                            .append(l.released()).append("\">").append(esc(t.getKey())).append(' ').append(l.added())
                            .append(" / ").append(l.corrected()).append(" / ").append(l.reversed());
                    if (l.released() > 0) {
                        h.append(", ").append(l.released()).append(" released from quarantine");
                    }
                } else {
                    h.append(">").append(esc(t.getKey())).append(' ').append(l.total()).append(" lines");
                }
                h.append("</span>");
            }
            h.append("</td><td class=\"num quarantined\">");
            if (r.quarantine() != null) {
                h.append(r.quarantine().added()).append(" new, ").append(r.quarantine().released()).append(" released");
            } else if (r.quarantined() != null) {
                h.append(r.quarantined());
            }
            h.append("</td><td class=\"node\">").append(esc(r.node())).append("</td><td class=\"report\">");
            if (r.report() != null) {
                h.append("<a href=\"").append(esc(r.report())).append("\">").append(esc(r.runId())).append("</a>");
            } else {
                h.append(esc(r.runId()));
            }
            h.append("</td></tr>\n");
            if (r.message() != null) {
                h.append("<tr class=\"message\"><td></td><td colspan=\"8\">").append(esc(r.message())).append("</td></tr>\n");
            }
        }
        h.append("</tbody></table>\n");
    }

    private static void quarantine(StringBuilder h, PageModel.Company c) {
        PageModel.Quarantine q = c.quarantine();
        h.append("<h3>Open quarantine: <span class=\"quarantine-count\">").append(q.open()).append("</span> records</h3>\n");
        if (q.open() == 0) {
            h.append("<p>Nothing held back.</p>\n");
            return;
        }
        h.append("<p>Records that cannot become a payroll line, each mapped again every run. ");
        if (q.csv() != null) {
            h.append("<a class=\"csv\" href=\"").append(esc(q.csv())).append("\" download>Download all as CSV</a>");
        } else {
            h.append("The run service's page has them all as CSV.");
        }
        h.append("</p>\n<table class=\"reasons\"><thead><tr><th>reason</th><th class=\"num\">records</th></tr></thead><tbody>\n");
        for (PageModel.Reason r : q.byReason()) {
            h.append("<tr><td>").append(esc(r.reason())).append("</td><td class=\"num\">").append(r.records()).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
        h.append("<p class=\"muted\">").append(q.records().size() < q.open() ? "The first " + q.records().size() + " of "
                + q.open() + " records" : "Every record").append(", by reason and work date.</p>\n");
        h.append("<table class=\"quarantine\"><thead><tr><th>worker</th><th>number</th><th>work date</th>"
                + "<th class=\"num\">hours</th><th>project</th><th>description</th><th>reason</th><th>record</th>"
                + "</tr></thead><tbody>\n");
        for (PageModel.QuarantinedRecord r : q.records()) {
            h.append("<tr data-record-id=\"").append(esc(r.recordId())).append("\"><td class=\"worker\">")
                    .append(esc(r.workerName())).append("</td><td class=\"number\">").append(esc(r.employeeNumber()))
                    .append("</td><td>").append(esc(r.workDate())).append("</td><td class=\"num\">")
                    .append(r.hours() == null ? "" : esc(hours(r.hours()))).append("</td><td>")
                    .append(esc(r.projectNumber())).append("</td><td class=\"description\">").append(esc(r.description()))
                    .append("</td><td class=\"reason\">").append(esc(r.reason())).append("</td><td class=\"muted\">")
                    .append(esc(r.feed())).append(':').append(esc(r.recordId())).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    /** Text for HTML and SVG, in content and in quoted attributes. */
    public static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(ch);
            }
        }
        return out.toString();
    }

    static String outcomeClass(String outcome) {
        return switch (outcome == null ? "" : outcome) {
            case "succeeded", "failed", "running", "abandoned" -> outcome;
            default -> "muted";
        };
    }

    static String hours(BigDecimal h) {
        return h.setScale(2, RoundingMode.HALF_UP).toPlainString();
    }

    private static String seconds(double s) {
        return s < 60 ? String.format(Locale.ROOT, "%.1f s", s) : span((long) s);
    }

    /** A length of time in the two largest units: "45 s", "3 min 5 s", "2 h 5 min", "4 d 3 h". */
    static String span(long seconds) {
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return seconds / 60 + " min" + (seconds % 60 == 0 ? "" : " " + seconds % 60 + " s");
        }
        if (seconds < 86_400) {
            return seconds / 3600 + " h" + (seconds % 3600 / 60 == 0 ? "" : " " + seconds % 3600 / 60 + " min");
        }
        return seconds / 86_400 + " d" + (seconds % 86_400 / 3600 == 0 ? "" : " " + seconds % 86_400 / 3600 + " h");
    }

    private static String sha256(String text) {
        try {
            return "sha256-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
