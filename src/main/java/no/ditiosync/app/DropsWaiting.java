package no.ditiosync.app;

import no.ditiosync.state.OutboxStore;
import no.ditiosync.state.StatusQueries;

import java.util.List;

/**
 * The drops an earlier run committed and has not published (it stopped in between), as preview and
 * reconcile name them: the ledger counts their lines as delivered, payroll has not got them yet.
 */
final class DropsWaiting {

    /** Named one by one; a crash leaves one run's drops, one per target, so more is rare. */
    private static final int NAMED = 6;

    private DropsWaiting() {
    }

    /**
     * {@code 3 drop(s) committed by an earlier run are not published yet: run 1d0bf718 jdbc (payroll_line
     * rows), sap (sap_….csv), visma (visma_….csv)}, the first few named, the rest counted.
     */
    static String named(List<OutboxStore.Entry> drops) {
        StringBuilder s = new StringBuilder().append(drops.size())
                .append(" drop(s) committed by an earlier run are not published yet: ");
        String run = null;
        for (int i = 0; i < Math.min(NAMED, drops.size()); i++) {
            OutboxStore.Entry d = drops.get(i);
            s.append(i == 0 ? "" : ", ").append(d.runId().equals(run) ? "" : "run " + d.runId() + " ")
                    .append(d.target()).append(" (").append(StatusQueries.dropName(d.finalPath())).append(')');
            run = d.runId();
        }
        if (drops.size() > NAMED) {
            s.append(" and ").append(drops.size() - NAMED).append(" more (see status)");
        }
        return s.toString();
    }
}
