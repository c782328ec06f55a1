package no.ditiosync.app.page;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * What the operator's page shows, and what {@code /api/companies} answers as JSON: the page is a view
 * of these records, nothing more. Times are instants (UTC in JSON); the page shows them in the
 * company's time zone.
 */
public final class PageModel {

    private PageModel() {
    }

    /** Every company, as of {@code generatedAt}; {@code servedBy} is the node (host/pid) that answered. */
    public record Overview(Instant generatedAt, String servedBy, List<Company> companies) {
    }

    /**
     * @param unpublishedDrops the drops committed (the ledger counts their lines as delivered) that are not
     *                         yet published, in the order the next run publishes them (the first 20)
     */
    public record Company(String company, String timeZone, Schedule schedule, List<Watermark> watermarks, List<Run> runs,
                          Hours hours, Quarantine quarantine, List<UnpublishedDrop> unpublishedDrops) {
    }

    /**
     * A drop its run committed that payroll has not got yet: {@code file} its file name ("payroll_line
     * rows" for the JDBC target), {@code status} the outbox's, {@code committedAt} since when it waits.
     */
    public record UnpublishedDrop(String runId, String target, String file, String status, Instant committedAt, int lines) {
    }

    /**
     * The company's SYNC_CRON and its next firing: from the running scheduler ({@code nextFiringFrom}
     * "scheduler"), or worked out from the cron when no scheduler is asked ("cron": status --html, or a
     * schedule not started). {@code intervalSeconds}: between the next two firings. {@code problem}: the
     * cron could not be read.
     */
    public record Schedule(String cron, String timeZone, Instant nextFiring, String nextFiringFrom, Long intervalSeconds,
                           String problem) {
    }

    /**
     * A feed's watermark (the start of the run that last moved it) and how far it lags now; {@code late}
     * once two scheduled firings have passed since it (it is older than two SYNC_CRON intervals).
     */
    public record Watermark(String feed, Instant watermark, String runId, long lagSeconds, boolean late) {
    }

    /**
     * One run: per target its lines, split as new, corrected, reversed and released from quarantine
     * (only for a run whose ledger committed; an older run log row has the total only); the quarantine
     * after it; the node it ran on; its report (a link), when the report is still kept;
     * {@code unpublishedDrops} the targets whose drops of this run are committed but not yet published
     * (empty once all are: "succeeded" says its ledger committed, not that payroll has its files).
     */
    public record Run(String runId, Instant startedAt, Instant endedAt, Double durationSeconds, String mode,
                      String outcome, boolean committed, Long recordsRead, Map<String, Lines> lines,
                      Integer quarantined, QuarantineChange quarantine, String message, String node, String report,
                      List<String> unpublishedDrops) {
    }

    public record Lines(@JsonProperty("new") Long added, Long corrected, Long reversed, Long released, long total) {
    }

    /** The quarantine after a run: records newly held, released, and still open. */
    public record QuarantineChange(@JsonProperty("new") long added, long released, long open) {
    }

    /**
     * Hours and lines each target holds per work date, net of every correction, from {@code from} (60
     * days back) to {@code to} (today, or a later work date already delivered).
     */
    public record Hours(LocalDate from, LocalDate to, List<String> targets, List<Day> days) {
    }

    public record Day(LocalDate date, Map<String, Held> targets) {
    }

    public record Held(BigDecimal hours, long lines) {
    }

    /**
     * The open quarantine: how many, the reasons with their counts, the first records, and where the
     * CSV of all of them is (null where there is none, as in the file of status --html).
     */
    public record Quarantine(long open, List<Reason> byReason, List<QuarantinedRecord> records, String csv) {
    }

    public record Reason(String reason, long records) {
    }

    /** A record as Ditio sent it; {@code workDate} as sent when it is not a date. */
    public record QuarantinedRecord(String feed, String recordId, String workerName, String employeeNumber, String workDate,
                         BigDecimal hours, String projectNumber, String taskNumber, String description, String reason,
                         String firstRunId) {
    }
}
