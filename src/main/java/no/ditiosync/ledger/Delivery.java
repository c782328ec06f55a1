package no.ditiosync.ledger;

import no.ditiosync.drops.Aggregation;
import no.ditiosync.drops.AtomicDropFile;
import no.ditiosync.drops.DropLine;
import no.ditiosync.drops.DropTarget;
import no.ditiosync.drops.JdbcTarget;
import no.ditiosync.drops.SftpDrop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Delivery of a run, as an outbox: (1) compute every target's deltas against the ledger and write
 * them to temporary files, (2) commit ledger + outbox + watermark in one transaction, (3) publish:
 * rename the files ({@link DropTarget#publishLocally}) or upload them over SFTP ({@link SftpDrop}),
 * each recording its step in the outbox first, and write the JDBC rows, then mark the outbox rows
 * published. A crash before
 * (2) leaves only temporary files, which {@link #recover} deletes; a crash after (2) leaves
 * committed outbox rows, which {@link #recover} publishes. Either way each line lands once.
 */
public final class Delivery {

    private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);

    private final StateStore store;
    private final List<DropTarget> targets;
    private final JdbcTarget jdbcTarget;
    /** null: drops are published in the local drop folder; else uploaded to this SFTP server. */
    private final SftpDrop sftp;

    public Delivery(StateStore store, List<DropTarget> targets, JdbcTarget jdbcTarget) {
        this(store, targets, jdbcTarget, null);
    }

    public Delivery(StateStore store, List<DropTarget> targets, JdbcTarget jdbcTarget, SftpDrop sftp) {
        this.store = store;
        this.targets = List.copyOf(targets);
        this.jdbcTarget = jdbcTarget;
        this.sftp = sftp;
    }

    /**
     * Steps (1) and (2). One pass over the pending records (per feed the run delivers: time,
     * absence, payroll, all into the one drop of each target) computes every target's delta of a
     * record at once; the lines go straight to each target's temporary file (opened at its first
     * line) and the ledger changes to the transaction's batches, so nothing grows with the run.
     * An aggregating target ({@link DropTarget#aggregation}) gets its lines summed per key on the
     * way instead (memory grows with the keys, not the lines), written to its temporary file once
     * the scan is done; its ledger stays per registration, so later corrections stay exact.
     */
    public void commit(SyncRun run) throws Exception {
        List<AtomicDropFile> written = new ArrayList<>();
        AtomicDropFile[] files = new AtomicDropFile[targets.size()];
        Aggregation.Sums[] sums = new Aggregation.Sums[targets.size()];
        int[] lines = new int[targets.size()];
        for (int t = 0; t < sums.length; t++) {
            DropTarget target = targets.get(t);
            if (target.aggregation().sums()) {
                sums[t] = target.aggregation().sums(target.format().showsTask());
            }
        }
        try (DeliveryTransaction tx = store.beginDelivery(run, targets.stream().map(DropTarget::name).toList())) {
            tx.forEachPending((recordId, desired, current) -> {
                for (int t = 0; t < files.length; t++) {
                    DropTarget target = targets.get(t);
                    LedgerDelta.Result delta = LedgerDelta.of(target.style(), desired, current[t]);
                    if (!delta.changed()) {
                        continue;
                    }
                    if (sums[t] != null) {
                        for (DropLine line : delta.lines()) {
                            sums[t].add(line);
                        }
                    } else if (target.isFile()) {
                        if (files[t] == null) {
                            files[t] = open(target, run);
                            written.add(files[t]);
                        }
                        for (DropLine line : delta.lines()) {
                            files[t].append(line);
                        }
                    }
                    lines[t] += delta.lines().size();
                    tx.record(t, current[t], delta.newEntry());
                }
            });
            for (int t = 0; t < sums.length; t++) {
                if (sums[t] == null) {
                    continue;
                }
                // the file holds the sums; keys that net to zero pay nothing and leave no file when all do
                List<DropLine> summed = sums[t].lines();
                lines[t] = summed.size();
                if (!summed.isEmpty()) {
                    files[t] = open(targets.get(t), run);
                    written.add(files[t]);
                    for (DropLine line : summed) {
                        files[t].append(line);
                    }
                }
            }
            for (int t = 0; t < files.length; t++) {
                String target = targets.get(t).name();
                if (files[t] != null) {
                    files[t].close();
                    tx.addOutbox(target, files[t].tempPath().toString(), files[t].finalPath().toString(), lines[t]);
                    run.delivered(target, lines[t], files[t].finalPath());
                } else {
                    if (lines[t] > 0) {
                        tx.addOutbox(target, null, null, lines[t]);
                    }
                    run.delivered(target, lines[t], null);
                }
            }
            tx.updateQuarantine();
            CrashPoints.reached(CrashPoints.BEFORE_COMMIT);
            tx.commit(run.startedAt());
            run.markCommitted();
            tx.syncToDisk();
        } catch (DeliveryTransaction.CommitFailed e) {
            // closed by now: the state DB has the answer, or will have it once the server finished the transaction
            afterFailedCommit(run, written, e);
        } catch (Exception e) {
            if (run.committed()) {
                throw e;
            }
            // never committed: the lines are still pending and the next run writes them again
            discard(written);
            if (!(e instanceof FeedLockLostException) && !store.fenceHolds(run.fence())) {
                // a ledger row changed under the run, a key inserted twice: the other run's doing, said as such
                throw new FeedLockLostException(e);
            }
            throw e;
        }
        CrashPoints.reached(CrashPoints.AFTER_COMMIT);
    }

    /**
     * The COMMIT failed, and may still have taken: a connection lost during it may only have lost
     * the server's answer. A temp file is only removed when the run certainly did not commit; if it
     * did, its ledger says its lines are delivered, so its drops must be published, or they are lost.
     * Returns normally (the run goes on to publish) when the state DB shows the commit took.
     */
    private void afterFailedCommit(SyncRun run, List<AtomicDropFile> written, SQLException e) throws Exception {
        switch (store.deliveryOutcome(run.runId())) {
            case COMMITTED -> {
                run.markCommitted();
                store.syncToDisk();
                LOG.warn("Run {}: the state DB reported an error on commit ({}), but it shows it committed: "
                        + "its drops are published", run.runId(), e.getMessage());
            }
            case NOT_COMMITTED -> {
                discard(written);
                throw e;
            }
            case UNKNOWN -> {
                run.commitOutcomeUnknown();
                throw new SQLException("the state DB failed while committing run " + run.runId() + " (" + e.getMessage()
                        + ") and whether the commit took cannot be told now; its drops are kept: the next run publishes "
                        + "them if it did, or writes them again if not", e);
            }
        }
    }

    private static void discard(List<AtomicDropFile> written) throws IOException {
        for (AtomicDropFile f : written) {
            f.discard();
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
                    // each step recorded in the outbox before it is taken: see SftpDrop and DropTarget.publishLocally
                    SftpDrop.OutboxState outbox = status -> store.markOutbox(drop.runId(), drop.target(), status);
                    if (sftp != null) {
                        sftp.publish(drop.target(), drop.status(), Path.of(drop.tempPath()),
                                Path.of(drop.finalPath()).getFileName().toString(), target != null && target.doneMarker(),
                                outbox);
                    } else if (target != null) {
                        target.publish(drop.status(), Path.of(drop.tempPath()), Path.of(drop.finalPath()), outbox);
                    } else {
                        // a target taken out of the settings since: what was committed is still delivered
                        DropTarget.publishLocally(drop.status(), Path.of(drop.tempPath()), Path.of(drop.finalPath()), false,
                                outbox);
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
