package no.ditiosync.app.page;

import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import static no.ditiosync.app.page.PageHtml.esc;
import static no.ditiosync.app.page.PageHtml.hours;
import static no.ditiosync.app.page.PageHtml.outcomeClass;

/**
 * The page's two bar charts, drawn as inline SVG: hours delivered per work day and target, and
 * records read per run. Drawn by hand: two bar charts do not need a charting library, and the page
 * loads nothing from elsewhere.
 */
final class PageCharts {

    private static final DateTimeFormatter DAY_LABEL = DateTimeFormatter.ofPattern("dd.MM");
    /** the page's style sheet has this many target colours (t0..t4); more targets take them again */
    private static final int TARGET_COLOURS = 5;
    private static final int W = 960;
    private static final int H = 240;
    private static final int LEFT = 56;
    private static final int RIGHT = 8;
    private static final int TOP = 12;
    private static final int BOTTOM = 30;

    /** One bar per work day and target, grouped by day; a day with nothing delivered has no bar. */
    static void hoursChart(StringBuilder h, PageModel.Hours hours) {
        if (hours.days().isEmpty()) {
            h.append("<p class=\"no-hours\">No hours delivered for these days.</p>\n");
            return;
        }
        List<LocalDate> dates = new ArrayList<>();
        for (LocalDate d = hours.from(); !d.isAfter(hours.to()); d = d.plusDays(1)) {
            dates.add(d);
        }
        double max = 0;
        double min = 0;
        for (PageModel.Day d : hours.days()) {
            for (PageModel.Held held : d.targets().values()) {
                max = Math.max(max, held.hours().doubleValue());
                min = Math.min(min, held.hours().doubleValue());
            }
        }
        Scale y = new Scale(min, max);
        int targets = hours.targets().size();
        double group = (W - LEFT - RIGHT) / (double) dates.size();
        double bar = group * 0.8 / targets;
        h.append("<svg class=\"chart hours\" viewBox=\"0 0 ").append(W).append(' ').append(H)
                .append("\" role=\"img\" aria-label=\"Hours delivered per work day and target\">\n");
        y.grid(h, " h");
        for (int i = 0; i < dates.size(); i++) {
            if ((dates.size() - 1 - i) % 7 == 0) {
                h.append("<text x=\"").append(f(LEFT + (i + 0.5) * group)).append("\" y=\"").append(H - BOTTOM + 16)
                        .append("\" text-anchor=\"middle\">").append(esc(DAY_LABEL.format(dates.get(i)))).append("</text>\n");
            }
        }
        for (PageModel.Day d : hours.days()) {
            int day = (int) (d.date().toEpochDay() - hours.from().toEpochDay());
            for (int t = 0; t < targets; t++) {
                String target = hours.targets().get(t);
                PageModel.Held held = d.targets().get(target);
                if (held == null) {
                    continue;
                }
                double v = held.hours().doubleValue();
                double top = Math.min(y.at(v), y.at(0));
                double height = Math.abs(y.at(v) - y.at(0));
                h.append("<rect class=\"bar t").append(t % TARGET_COLOURS).append("\" x=\"")
                        .append(f(LEFT + day * group + group * 0.1 + t * bar)).append("\" y=\"").append(f(top))
                        .append("\" width=\"").append(f(bar)).append("\" height=\"").append(f(v != 0 ? Math.max(height, 1) : 0))
                        .append("\" data-date=\"").append(d.date()).append("\" data-target=\"").append(esc(target))
                        .append("\" data-hours=\"").append(esc(hours(held.hours()))).append("\" data-lines=\"")
                        .append(held.lines()).append("\"><title>").append(d.date()).append(' ').append(esc(target))
                        .append(": ").append(esc(hours(held.hours()))).append(" h in ").append(held.lines())
                        .append(" lines</title></rect>\n");
            }
        }
        h.append("</svg>\n<ul class=\"legend\">");
        for (int t = 0; t < targets; t++) {
            h.append("<li><span class=\"swatch t").append(t % TARGET_COLOURS).append("\"></span>")
                    .append(esc(hours.targets().get(t))).append("</li>");
        }
        h.append("</ul>\n");
    }

    /** One bar per run, oldest left, coloured by outcome. */
    static void recordsChart(StringBuilder h, List<PageModel.Run> runsNewestFirst, ZoneId zone) {
        if (runsNewestFirst.isEmpty()) {
            h.append("<p>No runs yet.</p>\n");
            return;
        }
        List<PageModel.Run> runs = new ArrayList<>(runsNewestFirst);
        Collections.reverse(runs);
        double max = 0;
        for (PageModel.Run r : runs) {
            max = Math.max(max, r.recordsRead() == null ? 0 : r.recordsRead());
        }
        Scale y = new Scale(0, max);
        int height = 180;
        double slot = (W - LEFT - RIGHT) / (double) Math.max(runs.size(), 10);
        h.append("<svg class=\"chart records\" viewBox=\"0 0 ").append(W).append(' ').append(height)
                .append("\" role=\"img\" aria-label=\"Records read per run\">\n");
        y.height = height;
        y.grid(h, "");
        for (int i = 0; i < runs.size(); i++) {
            PageModel.Run r = runs.get(i);
            long records = r.recordsRead() == null ? 0 : r.recordsRead();
            double top = y.at(records);
            h.append("<rect class=\"bar ").append(esc(outcomeClass(r.outcome()).equals("muted") ? "other" : outcomeClass(r.outcome())))
                    .append("\" x=\"").append(f(LEFT + i * slot + slot * 0.15)).append("\" y=\"").append(f(top))
                    .append("\" width=\"").append(f(slot * 0.7)).append("\" height=\"")
                    .append(f(Math.max(y.at(0) - top, records > 0 ? 1 : 0))).append("\" data-run-id=\"")
                    .append(esc(r.runId())).append("\" data-records=\"").append(records).append("\"><title>")
                    .append(esc(PageHtml.local(r.startedAt(), zone))).append(", run ").append(esc(r.runId()))
                    .append(" (").append(esc(r.mode())).append(", ").append(esc(r.outcome())).append("): ").append(records)
                    .append(" records</title></rect>\n");
        }
        h.append("</svg>\n");
    }

    /** A vertical scale from min to max (0 included) over the plot's height, with three grid lines. */
    private static final class Scale {
        private final double min;
        private final double max;
        int height = H;

        Scale(double min, double max) {
            this.min = Math.min(0, min);
            this.max = max <= this.min ? this.min + 1 : max;
        }

        double at(double v) {
            return TOP + (max - v) / (max - min) * (height - TOP - BOTTOM);
        }

        void grid(StringBuilder h, String unit) {
            double[] ticks = min < 0 ? new double[]{min, 0, max} : new double[]{0, max / 2, max};
            for (double t : ticks) {
                h.append("<line class=\"").append(t == 0 ? "axis" : "grid").append("\" x1=\"").append(LEFT).append("\" x2=\"")
                        .append(W - RIGHT).append("\" y1=\"").append(f(at(t))).append("\" y2=\"").append(f(at(t)))
                        .append("\"/><text x=\"").append(LEFT - 6).append("\" y=\"").append(f(at(t) + 4))
                        .append("\" text-anchor=\"end\">").append(esc(tick(t) + unit)).append("</text>\n");
            }
        }
    }

    // ---- formatting ------------------------------------------------------------------------------

    private static String tick(double v) {
        return Math.abs(v) >= 10 || v == Math.rint(v) ? String.format(Locale.ROOT, "%,.0f", v)
                : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }


    private PageCharts() {
    }
}
