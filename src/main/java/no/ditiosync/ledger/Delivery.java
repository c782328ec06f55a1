package no.ditiosync.ledger;

import no.ditiosync.drops.AtomicDropFile;
import no.ditiosync.drops.DropLine;
import no.ditiosync.drops.DropTarget;
import no.ditiosync.drops.JdbcTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Delivery of a run, as an outbox: (1) compute every target's deltas against the ledger and write
 * them to temporary files, (2) commit ledger + outbox + watermark in one transaction, (3) publish:
 * rename the files and write the JDBC rows, then mark the outbox rows published. A crash before
 * (2) leaves only temporary files, which {@link #recover} deletes; a crash after (2) leaves
 * committed outbox rows, which {@link #recover} publishes. Either way each line lands once.
 */
public final class Delivery {

    private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);

    private final StateStore store;
    private final List<DropTarget> targets;
    private final JdbcTarget jdbcTarget;

    public Delivery(StateStore store, List<DropTarget> targets, JdbcTarget jdbcTarget) {
        this.store = store;
        this.targets = List.copyOf(targets);
        this.jdbcTarget = jdbcTarget;
    }

    /** Steps (1) and (2). */
    public void commit(SyncRun run) throws Exception {
        List<AtomicDropFile> written = new ArrayList<>();
        try (DeliveryTransaction tx = store.beginDelivery(run)) {
            for (DropTarget target : targets) {
                AtomicDropFile[] file = {null};
                int[] lines = {0};
                DeliveryTransaction.PendingVisitor visitor = (recordId, status, reason, desired, current) -> {
                    LedgerDelta.Result delta = LedgerDelta.of(target.style(), desired, current);
                    if (!delta.changed()) {
                        return;
                    }
                    if (target.isFile()) {
                        if (file[0] == null) {
                            file[0] = open(target, run);
                            written.add(file[0]);
                        }
                        for (DropLine line : delta.lines()) {
                            file[0].append(line);
                        }
                    }
                    lines[0] += delta.lines().size();
                    tx.record(target.name(), delta.newEntry());
                };
                // every feed of the run (time, absence, ...) into the one drop of the target
                for (String feed : run.deliveredFeeds()) {
                    tx.forEachPending(target.name(), feed, visitor);
                }
                if (file[0] != null) {
                    file[0].close();
                    tx.addOutbox(target.name(), file[0].tempPath().toString(), file[0].finalPath().toString(), lines[0]);
                    run.delivered(target.name(), lines[0], file[0].finalPath());
                } else {
                    if (lines[0] > 0) {
                        tx.addOutbox(target.name(), null, null, lines[0]);
                    }
                    run.delivered(target.name(), lines[0], null);
                }
            }
            for (String feed : run.deliveredFeeds()) {
                tx.updateQuarantine(feed);
            }
            CrashPoints.reached(CrashPoints.BEFORE_COMMIT);
            tx.commit(run.startedAt());
            run.markCommitted();
            tx.syncToDisk();
            CrashPoints.reached(CrashPoints.AFTER_COMMIT);
        } catch (Exception e) {
            if (!run.committed()) {
                // never committed: the lines are still pending and the next run writes them again
                for (AtomicDropFile f : written) {
                    f.discard();
                }
            }
            throw e;
        }
    }

    private static AtomicDropFile open(DropTarget target, SyncRun run) throws IOException {
        try {
            return AtomicDropFile.open(target.folder(), AtomicDropFile.fileName(target.name(), run.company(),
                    run.startedAt(), run.runId()), target.format(), target.fileMode());
        } catch (IOException e) {
            throw new IOException("cannot write the " + target.name() + " drop in " + target.folder() + " ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
    }

    /**
     * Step (3) for every committed, unpublished drop: this run's and any a crash left behind. A
     * drop that cannot be published does not hold back the others; it stays committed and is
     * tried again by the next run.
     */
    public int publish(String company) throws Exception {
        int published = 0;
        IllegalStateException failed = null;
        // only this company's: another company's drops belong to its own targets (and its own run)
        for (StateStore.OutboxEntry drop : store.unpublishedDrops(company)) {
            try {
                if (drop.tempPath() != null) {
                    DropTarget target = target(drop.target());
                    if (target != null) {
                        target.publish(Path.of(drop.tempPath()), Path.of(drop.finalPath()));
                    } else {
                        // a target taken out of the settings since: what was committed is still delivered
                        AtomicDropFile.publish(Path.of(drop.tempPath()), Path.of(drop.finalPath()));
                    }
                } else if (DropTarget.JDBC.equals(drop.target())) {
                    jdbcTarget.apply(store, drop.company(), drop.runId());
                }
            } catch (Exception e) {
                if (failed == null) {
                    failed = new IllegalStateException("the " + drop.target() + " drop of run " + drop.runId()
                            + " is committed but could not be published (" + e.getMessage()
                            + "); it is published by the next run", e);
                } else {
                    failed.addSuppressed(e);
                }
                continue;
            }
            published++;
            if (published == 1) {
                CrashPoints.reached(CrashPoints.AFTER_FIRST_PUBLISH);
            }
            store.markPublished(drop.runId(), drop.target());
        }
        if (failed != null) {
            throw failed;
        }
        return published;
    }

    /**
     * On start-up and before each run: publish what was committed, delete temporary files that
     * never committed (their lines are still pending in the state DB and will be delivered again).
     */
    public void recover(String company) throws Exception {
        int published = publish(company);
        if (published > 0) {
            LOG.info("Published {} drop(s) committed by an earlier run that stopped before publishing", published);
        }
        for (DropTarget target : targets) {
            if (!target.isFile() || !Files.isDirectory(target.folder())) {
                continue;
            }
            String prefix = "." + AtomicDropFile.namePrefix(target.name(), company);
            try (DirectoryStream<Path> temps = Files.newDirectoryStream(target.folder(), prefix + "*.tmp")) {
                for (Path temp : temps) {
                    if (!store.outboxKnows(temp.toString())) {
                        Files.deleteIfExists(temp);
                        LOG.info("Deleted {}: written by a run that stopped before committing", temp.getFileName());
                    }
                }
            } catch (IOException e) {
                throw new IOException("cannot clean up temporary drops in " + target.folder() + ": " + e.getMessage(), e);
            }
        }
    }

    private DropTarget target(String name) {
        return targets.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }

    public List<DropTarget> targets() {
        return targets;
    }
}
