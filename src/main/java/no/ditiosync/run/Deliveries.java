package no.ditiosync.run;

import no.ditiosync.drops.AtomicDropFile;
import no.ditiosync.drops.DropTarget;
import no.ditiosync.drops.JdbcDropFile;
import no.ditiosync.drops.PayrollLineTable;
import no.ditiosync.drops.SftpDrop;
import no.ditiosync.ledger.LedgerEntry;
import no.ditiosync.ledger.LedgerRow;
import no.ditiosync.ledger.LedgerStore;
import no.ditiosync.state.CrashPoints;
import no.ditiosync.state.OutboxStore;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Variable;
import org.apache.camel.component.file.FileConstants;
import org.apache.camel.util.ObjectHelper;

import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The steps of the deliver routes ({@code routes/deliver.camel.yaml}, bean {@code deliveries}): which
 * committed drops are waiting, which route takes each, and what each route records in the outbox
 * around the step a component takes (the rename by camel-file, the upload over SFTP), so that no
 * crash loses a drop or delivers it twice.
 */
public final class Deliveries {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Deliveries.class);

    /** Rows of the JDBC target written per chunk (one batch, or one COPY). */
    static final int JDBC_CHUNK = 5000;

    /** One company's ways out: its targets, the SFTP server its file drops go to (or null), its JDBC table (or null). */
    public record Company(List<DropTarget> targets, SftpDrop sftp, PayrollLineTable table) {
    }

    /**
     * Chunks of one drop written to PostgreSQL at the same time, each in its own transaction on its own
     * connection. PostgreSQL does the work of a chunk (COPY, the upsert, their WAL) in its own process:
     * one chunk at a time leaves a core idle while the app reads the next. Their order does not matter:
     * their keys differ, and writing a chunk again gives the same rows.
     */
    public static final int COPIES_AT_ONCE = 2;

    private final OutboxStore outbox;
    private final LedgerStore ledger;
    private final Map<String, Company> companies;
    private final ExecutorService copyWriters;

    public Deliveries(OutboxStore outbox, LedgerStore ledger, Map<String, Company> companies, ExecutorService copyWriters) {
        this.outbox = outbox;
        this.ledger = ledger;
        this.companies = Map.copyOf(companies);
        this.copyWriters = copyWriters;
    }

    /** The company's committed drops not yet published, oldest first: this run's, and any an earlier run left. */
    public List<OutboxStore.Entry> committed(@Variable("company") String company) throws Exception {
        return outbox.unpublished(company);
    }

    /** The route that delivers a drop: {@code deliver-jdbc}, {@code deliver-sftp}, or the file target's own. */
    public String routeOf(@Body OutboxStore.Entry drop) {
        if (DropTarget.JDBC.equals(drop.target())) {
            return "deliver-jdbc";
        }
        return companies.get(drop.company()).sftp() != null ? "deliver-sftp" : "deliver-" + drop.target();
    }

    // ---- a file drop in the local drop folder (route template deliver-file) ---------------------

    /**
     * Before the rename: the outbox records 'renaming' (durably), so that a temp found gone afterwards
     * is known to be renamed, and maybe taken by the payroll side already, never sent again. When the
     * temp is there, the exchange is made ready for camel-file to rename it into place: the file as
     * body, its path as the local work path (camel-file then renames instead of copying), the final
     * name, and the folder in variable {@code dropFolder}.
     */
    public void beforeRename(Exchange exchange, @Variable("drop") OutboxStore.Entry drop) throws Exception {
        Path temp = Path.of(drop.tempPath());
        Path fin = Path.of(drop.finalPath());
        boolean there = Files.exists(temp, LinkOption.NOFOLLOW_LINKS);
        if (OutboxStore.COMMITTED.equals(drop.status())) {
            if (!there) {
                // committed, never renamed here, and the temp gone: published before this version, or removed by hand
                AtomicDropFile.publish(temp, fin);
                return;
            }
            outbox.mark(drop.runId(), drop.target(), OutboxStore.RENAMING);
        }
        if (there && Files.exists(fin, LinkOption.NOFOLLOW_LINKS)) {
            // a file under the drop's name: the same drop (a copy left by hand) is fine, another one is never overwritten
            if (Files.mismatch(temp, fin) == -1L) {
                Files.delete(temp);
                return;
            }
            throw new java.nio.file.FileAlreadyExistsException(fin.toString(), temp.toString(),
                    "a different drop was already published under this name");
        }
        if (there) {
            exchange.getMessage().setBody(temp.toFile());
            exchange.getMessage().setHeader(FileConstants.FILE_LOCAL_WORK_PATH, temp.toString());
            exchange.getMessage().setHeader(Exchange.FILE_NAME, fin.getFileName().toString());
            exchange.setVariable("dropFolder", fin.getParent().toString());
        }
    }

    /**
     * After the rename: made durable (the folder synced), then the {@code .done} marker if the target
     * has them, only while its drop is still there (a marker announces nothing once the drop is taken).
     */
    public void afterRename(@Variable("drop") OutboxStore.Entry drop) throws Exception {
        Path fin = Path.of(drop.finalPath());
        syncFolder(fin.toAbsolutePath().getParent());
        CrashPoints.reached(CrashPoints.AFTER_RENAME);
        DropTarget target = target(drop);
        if (target != null && target.doneMarker() && Files.isRegularFile(fin, LinkOption.NOFOLLOW_LINKS)) {
            AtomicDropFile.publishDoneMarker(fin);
        }
    }

    private static void syncFolder(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (java.io.IOException | UnsupportedOperationException e) {
            // best effort: the rename has happened either way
        }
    }

    // ---- the JDBC target (route deliver-jdbc) --------------------------------------------------

    /**
     * The run's rows for {@code payroll_line}, {@value #JDBC_CHUNK} at a time, in key order, as
     * {@link PayrollLineTable#parameters}. Read from the run's JDBC drop; from the ledger's rows of the
     * run when the drop is not on this machine (committed on another node without a shared drop folder).
     */
    public Iterator<List<List<Object>>> jdbcRows(@Variable("drop") OutboxStore.Entry drop) throws Exception {
        Company c = jdbcOf(drop);
        OffsetDateTime now = Instant.now().atOffset(ZoneOffset.UTC);
        Iterator<List<JdbcDropFile.Row>> rows = drop.tempPath() != null && Files.exists(Path.of(drop.tempPath()))
                ? unlessUnreadable(() -> JdbcDropFile.chunks(Path.of(drop.tempPath()), JDBC_CHUNK))
                : fromLedger(drop);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return unlessUnreadable(rows::hasNext);
            }

            @Override
            public List<List<Object>> next() {
                List<List<Object>> chunk = new ArrayList<>(JDBC_CHUNK);
                for (JdbcDropFile.Row row : unlessUnreadable(rows::next)) {
                    chunk.add(c.table().parameters(row, drop.company(), drop.runId(), now));
                }
                return chunk;
            }
        };
    }

    /** A drop file that cannot be read says what the operator can do: without it, the rows come from the ledger. */
    private static <T> T unlessUnreadable(Supplier<T> read) {
        try {
            return read.get();
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException(e.getMessage() + " (if the file is damaged, remove it: the next run "
                    + "then writes the drop's rows from the export ledger)", e.getCause());
        }
    }

    /**
     * Which kind of database the drop's rows go to: variable {@code jdbcPostgres}, which picks the way in;
     * and variable {@code jdbcCopies}, the chunks being written to PostgreSQL ({@link #copy}).
     */
    public void jdbcTarget(Exchange exchange, @Variable("drop") OutboxStore.Entry drop) {
        exchange.setVariable("jdbcPostgres", jdbcOf(drop).table().postgres());
        exchange.setVariable("jdbcCopies", new ArrayDeque<Future<?>>());
    }

    private Company jdbcOf(OutboxStore.Entry drop) {
        Company c = companies.get(drop.company());
        if (c == null || c.table() == null) {
            throw new IllegalStateException("company " + drop.company() + " has no JDBC target (PAYROLL_TARGETS) any more");
        }
        return c;
    }

    private Iterator<List<JdbcDropFile.Row>> fromLedger(OutboxStore.Entry drop) throws Exception {
        List<JdbcDropFile.Row> rows = new ArrayList<>();
        for (LedgerRow row : ledger.ofRun(drop.company(), drop.runId())) {
            LedgerEntry held = row.entry(DropTarget.JDBC);
            // not one the run only recorded as never given (LedgerRow.decided): the table never had that line
            if (held != null && (held.held() || held.version() > 0)) {
                // the booked date was in the drop only: unknown here, left empty rather than guessed
                rows.add(new JdbcDropFile.Row(held.line(), held.held(), null));
            }
        }
        List<List<JdbcDropFile.Row>> chunks = new ArrayList<>();
        for (int i = 0; i < rows.size(); i += JDBC_CHUNK) {
            chunks.add(rows.subList(i, Math.min(rows.size(), i + JDBC_CHUNK)));
        }
        return chunks.iterator();
    }

    /** One chunk into the JDBC table of the drop's company, on H2: a batched MERGE in one transaction. */
    public void merge(@Body List<List<Object>> rows, @Variable("drop") OutboxStore.Entry drop) throws Exception {
        jdbcOf(drop).table().merge(rows);
    }

    /**
     * One chunk into the JDBC table of the drop's company, on PostgreSQL: COPY and one upsert, in one
     * transaction, written on a thread of its own while the route reads the next chunk; once
     * {@value #COPIES_AT_ONCE} are being written, the oldest is waited for first, and its failure is
     * this step's. {@link #copiesWritten} waits for the last ones.
     */
    public void copy(@Body List<List<Object>> rows, @Variable("drop") OutboxStore.Entry drop,
                     @Variable("jdbcCopies") Deque<Future<?>> copies) throws Exception {
        PayrollLineTable table = jdbcOf(drop).table();
        while (copies.size() >= COPIES_AT_ONCE) {
            waitFor(copies);
        }
        copies.addLast(copyWriters.submit(() -> {
            table.copy(rows);
            return null;
        }));
    }

    /** After the last chunk: every chunk of the drop written, or the first failure among them thrown. */
    public void copiesWritten(@Variable("jdbcCopies") Deque<Future<?>> copies) throws Exception {
        while (!copies.isEmpty()) {
            waitFor(copies);
        }
    }

    /**
     * After a failure of the drop's rows (a chunk's, or reading the drop): waits for the chunks still
     * being written, then the failure goes on. Their own failures are not said: the first one is.
     */
    public void copiesEnded(Exception failure, @Variable("jdbcCopies") Deque<Future<?>> copies) throws Exception {
        try {
            copiesWritten(copies);
        } catch (Exception another) {
            failure.addSuppressed(another);
        }
        throw failure;
    }

    private static void waitFor(Deque<Future<?>> copies) throws Exception {
        try {
            copies.removeFirst().get();
        } catch (java.util.concurrent.ExecutionException e) {
            // the others end before the failure goes on: no chunk of this drop is written after it failed
            for (Future<?> other : copies) {
                try {
                    other.get();
                } catch (java.util.concurrent.ExecutionException ignored) {
                    // the first failure is the one said
                }
            }
            copies.clear();
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    // ---- SFTP (route deliver-sftp) -------------------------------------------------------------

    /** Uploads a file drop, each remote step recorded in the outbox before it is taken (see {@link SftpDrop}). */
    public void upload(@Variable("drop") OutboxStore.Entry drop, @Variable("notPublished") List<Exception> notPublished)
            throws Exception {
        // a server that did not let this run in for one drop would not for the next, and each refused login
        // counts towards a lockout on the provider's server: the run's other drops wait for the next run
        for (Exception earlier : List.copyOf(notPublished)) {
            SftpDrop.NotLetIn refused = ObjectHelper.getException(SftpDrop.NotLetIn.class, earlier);
            if (refused != null) {
                throw new SftpDrop.NotLetIn("not tried, as the server did not let this run in for an earlier drop: "
                        + refused.getMessage(), refused);
            }
        }
        DropTarget target = target(drop);
        companies.get(drop.company()).sftp().publish(drop.target(), drop.status(), Path.of(drop.tempPath()),
                Path.of(drop.finalPath()).getFileName().toString(), target != null && target.doneMarker(),
                status -> outbox.mark(drop.runId(), drop.target(), status));
    }

    // ---- every drop ----------------------------------------------------------------------------

    /** The drop is delivered (durably recorded); the local temporary file, if still there, is removed. */
    public void published(@Variable("drop") OutboxStore.Entry drop, Exchange exchange) throws Exception {
        if (DropTarget.JDBC.equals(drop.target()) && drop.tempPath() != null) {
            Files.deleteIfExists(Path.of(drop.tempPath()));
        }
        Integer done = exchange.getProperty("publishedSoFar", 0, Integer.class);
        if (done == 0) {
            CrashPoints.reached(CrashPoints.AFTER_FIRST_PUBLISH);
        }
        exchange.setProperty("publishedSoFar", done + 1);
        outbox.published(drop.runId(), drop.target());
    }

    /** Where the deliver route collects the drops it could not deliver, while it goes on with the others. */
    public List<Exception> notPublishedYet() {
        return java.util.Collections.synchronizedList(new ArrayList<>());
    }

    /** A drop that could not be delivered: it stays committed, and the next run delivers it first. */
    public void notPublished(@Variable("drop") OutboxStore.Entry drop, Exception cause, List<Exception> notPublished) {
        // after its commit a run holds no lock that keeps others from its drops: a run that took the feed lock while
        // this one was held (its lock connection lost) publishes them as an earlier run's, and this run's own step fails
        if (publishedMeanwhile(drop)) {
            LOG.info("The {} drop of run {} was published by another run meanwhile", drop.target(), drop.runId());
            return;
        }
        notPublished.add(new NotPublished("the " + drop.target() + " drop of run " + drop.runId(),
                cause == null ? "unknown" : cause.getMessage(), cause));
    }

    /** A committed drop this run could not publish, and why. */
    static final class NotPublished extends IllegalStateException {
        final String drop;

        NotPublished(String drop, String why, Exception cause) {
            // its committed file not in the drop folder (any more)
            super(drop + " is committed but could not be published (" + why + "); "
                    + (ObjectHelper.getException(NoSuchFileException.class, cause) != null
                    ? "no run can publish it until its file is back: a committed drop waits in the drop folder of the node "
                    + "that committed it, so every node needs the same drop folder (shared storage), also with SFTP"
                    : "it is published by the next run"), cause);
            this.drop = drop;
        }
    }

    private boolean publishedMeanwhile(OutboxStore.Entry drop) {
        try {
            return outbox.isPublished(drop.runId(), drop.target());
        } catch (java.sql.SQLException e) {
            return false; // the state DB out of reach: the drop is said to wait, with the step's own failure
        }
    }

    /**
     * After every drop was tried: the drops that could not be delivered fail the run, each named in its
     * message, which is what the run's ERROR line and report say (a suppressed exception shows only in a
     * stack trace). The first one's cause stays the cause.
     */
    public void failIfNotPublished(@Variable("notPublished") List<Exception> notPublished) {
        if (notPublished == null || notPublished.isEmpty()) {
            return;
        }
        IllegalStateException first = (IllegalStateException) notPublished.get(0);
        if (notPublished.size() == 1) {
            throw first;
        }
        // every drop named before any reason: the run log keeps the first 1000 characters of a message
        List<NotPublished> drops = notPublished.stream().map(NotPublished.class::cast).toList();
        IllegalStateException each = new IllegalStateException(drops.size() + " drops could not be published ("
                + drops.stream().map(d -> d.drop).collect(java.util.stream.Collectors.joining(", ")) + "): "
                + drops.stream().map(Throwable::getMessage).collect(java.util.stream.Collectors.joining("; ")),
                first.getCause());
        notPublished.subList(1, notPublished.size()).forEach(each::addSuppressed);
        throw each;
    }

    private DropTarget target(OutboxStore.Entry drop) {
        Company c = companies.get(drop.company());
        return c == null ? null : c.targets().stream().filter(t -> t.name().equals(drop.target())).findFirst().orElse(null);
    }
}
