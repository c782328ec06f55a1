package no.ditiosync.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import no.ditiosync.run.LineCounts;
import no.ditiosync.run.RunObserver;
import no.ditiosync.run.SyncRun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One JSON file per run, succeeded or failed, for whoever watches the sync without a database
 * client: {@code <company>-<feed>-<started, yyyyMMdd'T'HHmmssSSS'Z'>-<runId>.json}. They lie beside
 * an H2 file state DB (its folder's {@code runs/}), else in {@code ./data/runs}, or where
 * SYNC_REPORT_DIR says; owner-only (0600 in a 0700 folder), written under a hidden temporary name
 * and renamed, so a reader never sees half a report. The newest SYNC_REPORT_KEEP of each company
 * and feed are kept. Lines, files and quarantine are those of the committed ledger: a run that
 * failed before committing delivered nothing and says so.
 */
public final class RunReports implements RunObserver {

    /** A report's file name: company, feed, start, run id. */
    static final Pattern NAME = Pattern.compile("(.+)-([a-z]+)-(\\d{8}T\\d{9}Z)-([0-9a-f]+)\\.json");
    private static final DateTimeFormatter STARTED = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Logger LOG = LoggerFactory.getLogger(RunReports.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path folder;
    private final int keep;

    public RunReports(Path folder, int keep) {
        this.folder = folder;
        this.keep = keep;
    }

    /** The reports' folder: the one set, else {@code runs} beside an H2 file state DB, else {@code ./data/runs}. */
    static Path folder(String configured, String stateDbUrl) {
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.strip());
        }
        Path db = DataSources.h2File(stateDbUrl);
        if (db != null) {
            return db.normalize().getParent().resolve("runs");
        }
        return Path.of("data", "runs");
    }

    public Path folder() {
        return folder;
    }

    @Override
    public void runSucceeded(SyncRun run) {
        write(run, "succeeded", run.notDelivered());
    }

    @Override
    public void runFailed(SyncRun run, String message) {
        write(run, "failed", message);
    }

    private void write(SyncRun run, String outcome, String message) {
        try {
            Path file = writeReport(report(run, outcome, message), fileName(run));
            prune(run.company(), run.feed());
            LOG.debug("Run {}: report {}", run.runId(), file);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Run {}: could not write its report in {} ({}: {})", run.runId(), folder, e.getClass().getSimpleName(),
                    e.getMessage());
        }
    }

    static String fileName(SyncRun run) {
        return fileName(run.company(), run.feed(), run.startedAt(), run.runId());
    }

    static String fileName(String company, String feed, java.time.Instant startedAt, String runId) {
        return company + "-" + feed + "-" + STARTED.format(startedAt) + "-" + runId + ".json";
    }

    /** A run's report, if it is still kept (the newest SYNC_REPORT_KEEP are), else null. */
    Path find(String company, String feed, java.time.Instant startedAt, String runId) {
        Path file = folder.resolve(fileName(company, feed, startedAt, runId));
        return Files.isRegularFile(file) ? file : null;
    }

    static Map<String, Object> report(SyncRun run, String outcome, String message) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("runId", run.runId());
        r.put("company", run.company());
        r.put("feed", run.feed());
        // none for a run that failed before it could plan its passes (the state DB down)
        r.put("mode", run.loggedMode());
        r.put("startedAt", run.startedAt().toString());
        r.put("endedAt", run.endedAt() == null ? null : run.endedAt().toString());
        r.put("outcome", outcome);
        r.put("committed", run.committed());
        r.put("modifiedSince", run.modifiedSince() == null ? null : run.modifiedSince().toString());
        r.put("pages", run.pages());
        r.put("recordsRead", run.recordsRead());
        r.put("deletedRead", run.deletedRead());
        r.put("usersRead", run.usersRead());
        r.put("retries", run.retries());
        r.put("linesByTarget", run.committed() ? new LinkedHashMap<>(run.linesByTarget()) : Map.of());
        r.put("files", run.committed() ? List.copyOf(run.places()) : List.of());
        r.put("quarantined", run.committed() ? run.quarantinedCount() : 0);
        List<Map<String, String>> reasons = new ArrayList<>();
        if (run.committed()) {
            for (SyncRun.Quarantined q : run.quarantinedShown()) {
                Map<String, String> entry = new LinkedHashMap<>();
                entry.put("recordId", q.recordId());
                entry.put("reason", q.reason());
                reasons.add(entry);
            }
        }
        r.put("quarantinedFirst", reasons);
        // what the lines were, per target, and the quarantine after the run grouped by reason (empty when not committed)
        Map<String, Object> kinds = new LinkedHashMap<>();
        if (run.committed()) {
            java.util.Set<String> targets = new java.util.LinkedHashSet<>(run.linesByTarget().keySet());
            targets.addAll(run.lineCountsByTarget().keySet());
            for (String target : targets) {
                long[] n = run.lineCountsByTarget().getOrDefault(target, new long[4]);
                Map<String, Object> k = new LinkedHashMap<>();
                k.put("inDrop", run.linesByTarget().getOrDefault(target, 0));
                k.put("new", n[LineCounts.NEW]);
                k.put("corrected", n[LineCounts.CORRECTED]);
                k.put("reversed", n[LineCounts.REVERSED]);
                k.put("released", n[LineCounts.RELEASED]);
                kinds.put(target, k);
            }
        }
        r.put("lines", kinds);
        Map<String, Object> quarantine = new LinkedHashMap<>();
        quarantine.put("newlyQuarantined", run.committed() ? run.quarantineNew() : 0);
        quarantine.put("released", run.committed() ? run.quarantineReleased() : 0);
        quarantine.put("stillOpen", run.committed() ? run.quarantineOpen() : 0);
        quarantine.put("newlyQuarantinedByReason", run.committed() ? run.quarantineNewByReason() : Map.of());
        quarantine.put("releasedByReason", run.committed() ? run.quarantineReleasedByReason() : Map.of());
        quarantine.put("stillOpenByReason", run.committed() ? run.quarantineOpenByReason() : Map.of());
        r.put("quarantine", quarantine);
        // feeds left out of the run (their endpoint not deployed here): the rest was delivered
        r.put("feedsNotDelivered", new LinkedHashMap<>(run.failedFeeds()));
        r.put("message", message);
        Map<String, Double> steps = new LinkedHashMap<>();
        run.stepSeconds().forEach((step, seconds) -> steps.put(step, Math.round(seconds * 1000) / 1000.0));
        r.put("stepSeconds", steps);
        return r;
    }

    private Path writeReport(Map<String, Object> report, String name) throws IOException {
        privateFolder();
        Path temp = folder.resolve("." + name + ".tmp");
        Path file = folder.resolve(name);
        Files.deleteIfExists(temp);
        try (FileChannel out = FileChannel.open(temp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                ownerOnly("rw-------"))) {
            ByteBuffer bytes = ByteBuffer.wrap(JSON.writeValueAsBytes(report));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    private void privateFolder() throws IOException {
        if (!Files.isDirectory(folder)) {
            Files.createDirectories(folder);
        }
        try {
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the folder keeps the ACLs it inherits
        }
    }

    private static java.nio.file.attribute.FileAttribute<?>[] ownerOnly(String mode) {
        try {
            return new java.nio.file.attribute.FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString(mode))};
        } catch (UnsupportedOperationException notPosix) {
            return new java.nio.file.attribute.FileAttribute<?>[0];
        }
    }

    /** Keeps the newest {@code keep} reports of a company and feed. */
    private void prune(String company, String feed) throws IOException {
        List<Path> mine = new ArrayList<>();
        for (Path p : list(folder)) {
            Matcher m = NAME.matcher(p.getFileName().toString());
            if (m.matches() && m.group(1).equals(company) && m.group(2).equals(feed)) {
                mine.add(p);
            }
        }
        mine.sort(NEWEST_FIRST);
        for (Path old : mine.subList(Math.min(keep, mine.size()), mine.size())) {
            Files.deleteIfExists(old);
        }
    }

    /** Newest first by start (then run id), whatever the company. */
    static final Comparator<Path> NEWEST_FIRST = Comparator.comparing((Path p) -> {
        Matcher m = NAME.matcher(p.getFileName().toString());
        return m.matches() ? m.group(3) + "-" + m.group(4) : "";
    }).reversed();

    /** The reports in a folder (none when it does not exist), newest first. */
    static List<Path> list(Path folder) throws IOException {
        List<Path> reports = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return reports;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.json")) {
            for (Path p : files) {
                if (NAME.matcher(p.getFileName().toString()).matches()) {
                    reports.add(p);
                }
            }
        }
        reports.sort(NEWEST_FIRST);
        return reports;
    }

    static JsonNode read(Path report) throws IOException {
        return JSON.readTree(report.toFile());
    }

}
