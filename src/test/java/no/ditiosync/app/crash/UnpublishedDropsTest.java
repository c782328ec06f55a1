package no.ditiosync.app.crash;

import no.ditiosync.state.CrashPoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drops a run committed but did not publish (it crashed in between): the ledger counts them as
 * delivered, payroll has not got them. What the payroll officer reads names them: status (a section,
 * and a note under the run), the operator's page, preview's NOTE and reconcile's; the next run
 * publishes them and the notes go.
 */
class UnpublishedDropsTest {

    @Test
    void dropsCommittedButNotPublishedAreNamedByStatusPreviewReconcileAndThePage(@TempDir Path dir) throws Exception {
        try (CrashHarness h = new CrashHarness(33, dir).readOnlyReads()) {
            String runId = h.run(CrashPoints.AFTER_COMMIT, CrashHarness.CRASHED, "crash").runId();
            List<List<String>> waiting = h.query("SELECT target, final_path, status FROM drop_outbox "
                    + "WHERE status <> 'published' ORDER BY target");
            assertThat(waiting).extracting(r -> r.get(0) + " " + r.get(2))
                    .containsExactly("jdbc committed", "sap committed", "visma committed");
            String sap = Path.of(waiting.get(1).get(1)).getFileName().toString();
            String visma = Path.of(waiting.get(2).get(1)).getFileName().toString();

            String status = stdout(h.command("status", "status"));
            String since = "  committed  since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ\n";
            assertThat(status)
                    .contains("  drops not yet published: 3 (the ledger counts them as delivered; payroll gets them "
                            + "when the next run publishes them)\n")
                    .containsPattern("\n    " + runId + "  jdbc    payroll_line rows +" + since)
                    .containsPattern("\n    " + runId + "  sap     " + sap.replace(".", "\\.") + " *" + since)
                    .containsPattern("\n    " + runId + "  visma   " + visma.replace(".", "\\.") + " *" + since)
                    .containsPattern("\n    " + runId + " .* succeeded .*\n              its drops are not all published "
                            + "yet: jdbc, sap, visma \\(see drops not yet published\\)\n");

            Path page = dir.resolve("page.html");
            h.command("page", "status", "--html", page.toString());
            assertThat(Files.readString(page, StandardCharsets.UTF_8))
                    .contains("drops not all published yet: jdbc, sap, visma");

            String note = "3 drop(s) committed by an earlier run are not published yet: run " + runId
                    + " jdbc (payroll_line rows), sap (" + sap + "), visma (" + visma + ")";
            assertThat(stdout(h.command("preview", "preview")))
                    .contains("  NOTE: " + note + "; the next run publishes them first (they are not in the preview files)\n");
            CrashHarness.SyncProcess reconcile = h.command("reconcile", "reconcile");
            assertThat(reconcile.process().exitValue()).as(reconcile.output()).isZero();
            assertThat(stdout(reconcile))
                    .contains("  NOTE: " + note + "; the ledger counts them as delivered (so does this comparison), "
                            + "payroll gets them when the next run publishes them\n");

            // a drop an earlier version kept committed has no commit time (the schema gave it the epoch): said so
            try (java.sql.Connection c = h.stateDb().connect(); java.sql.Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE drop_outbox SET committed_at = TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00+00' "
                        + "WHERE target = 'sap'");
            }
            assertThat(stdout(h.command("status of an older drop", "status")))
                    .containsPattern("\n    " + runId + "  sap     " + sap.replace(".", "\\.") + " *  committed  by an earlier version\n")
                    .doesNotContain("1970");

            h.run(null, 0, "publishes");
            assertThat(stdout(h.command("status after", "status"))).doesNotContain("not yet published", "not all published");
            assertThat(stdout(h.command("preview after", "preview"))).doesNotContain("NOTE");
        }
    }

    private static String stdout(CrashHarness.SyncProcess p) throws Exception {
        return Files.readString(p.stdout(), StandardCharsets.UTF_8);
    }
}
