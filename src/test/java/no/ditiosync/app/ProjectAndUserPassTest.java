package no.ditiosync.app;

import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.Absence;
import no.ditiosync.simulator.ProjectRow;
import no.ditiosync.simulator.TimeRegistration;
import no.ditiosync.testing.DeliveredPayroll;
import no.ditiosync.testing.PayrollTruth;
import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static no.ditiosync.app.SyncEndToEndTest.LAST;
import static no.ditiosync.app.SyncEndToEndTest.company;
import static org.assertj.core.api.Assertions.assertThat;

/** /v1/project and /v1/user: all at first, then only the changes; project numbers filled from the cache. */
class ProjectAndUserPassTest {

    TestDatabase stateDb(Path dir) {
        return TestDatabase.h2(dir.resolve("data/state"));
    }

    SyncHarness harness(Path dir, Map<String, String> settings) {
        return new SyncHarness(company(), dir, LAST.minusWeeks(3), stateDb(dir), settings);
    }

    @Test
    void projectNumbersComeFromTheCacheWhereARecordHasOnlyTheProjectIdAndDeletedProjectsStayKnown(@TempDir Path dir)
            throws Exception {
        try (SyncHarness h = harness(dir,
                Map.of("payroll.absences", "true", "payroll.targets", "csv,jdbc"))) {
            TimeRegistration stripped = h.payrollReady().get(0);
            h.ditio.faults().removeField(stripped.id(), "projectNumber");
            // two absences of users with an employee number, on two projects, payroll-approved
            Map<String, String> users = h.employeesByUser();
            List<Absence> candidates = h.ditio.data().liveAbsences().stream()
                    .filter(a -> a.projectId() != null && users.get(a.userId()) != null && !a.date().isBefore(h.startDate))
                    .toList();
            Absence renumbered = candidates.get(0);
            Absence ofDeleted = candidates.stream().filter(a -> !a.projectId().equals(renumbered.projectId()))
                    .findFirst().orElseThrow();
            h.ditio.data().payrollApproveAbsence(renumbered.id());
            h.ditio.data().payrollApproveAbsence(ofDeleted.id());
            SyncRun first = h.runOnce();

            Map<String, String> numbers = h.ditio.data().projects().stream()
                    .collect(Collectors.toMap(ProjectRow::id, ProjectRow::number));
            assertThat(first.pass("project").mode()).isEqualTo(SyncRun.Mode.FULL);
            assertThat(projectsInStateDb(h)).isEqualTo(numbers.size());
            Map<String, String> projectOfLine = projectOfLine(h.filesOf("csv"));
            assertThat(projectOfLine).containsEntry("time:" + stripped.id(), stripped.projectNumber());
            List<Absence> withProject = PayrollTruth.payrollReadyAbsences(h.ditio.data(), h.startDate).stream()
                    .filter(a -> a.projectId() != null).toList();
            assertThat(withProject).hasSizeGreaterThanOrEqualTo(2).allSatisfy(a ->
                    assertThat(projectOfLine).containsEntry("absence:" + a.id(), numbers.get(a.projectId())));

            // nothing changed: both metadata passes ask for changes only, and get none
            SyncRun quiet = h.runOnce();
            assertThat(quiet.pass("user").mode()).isEqualTo(SyncRun.Mode.INCREMENTAL);
            assertThat(quiet.pass("project").mode()).isEqualTo(SyncRun.Mode.INCREMENTAL);
            assertThat(quiet.usersRead()).isZero();
            assertThat(quiet.files()).isEmpty();

            String deletedNumber = numbers.get(ofDeleted.projectId());
            h.ditio.data().renumberProject(renumbered.projectId(), "P-9999");
            h.ditio.data().deleteProject(ofDeleted.projectId());
            h.ditio.data().editAbsenceHours(renumbered.id(), new BigDecimal("6"));
            h.ditio.data().editAbsenceHours(ofDeleted.id(), new BigDecimal("5"));
            String user = h.ditio.data().users().get(5).identityUserId();
            h.ditio.data().setEmployeeNumber(user, "7777");

            SyncRun changed = h.runOnce();

            assertThat(changed.usersRead()).as("only the changed user").isEqualTo(1);
            Map<String, String> now = projectOfLine(List.of(SyncHarness.fileOf(changed, "csv")));
            assertThat(now).containsEntry("absence:" + renumbered.id(), "P-9999")
                    .as("a deleted project is kept as last known").containsEntry("absence:" + ofDeleted.id(), deletedNumber);
            DeliveredPayroll.assertSums("CSV per employee x day x wage type", h.csvTotals(),
                    h.truth(k -> k[0] + "|" + k[1] + "|" + k[2]));
        }
    }

    /** The project number each line id was last delivered with, from the CSV drops in order (a rebooking follows its reversal). */
    private static Map<String, String> projectOfLine(List<Path> csvFiles) throws Exception {
        Map<String, String> out = new HashMap<>();
        for (Map<String, String> row : DeliveredPayroll.csvRows(csvFiles)) {
            out.put(row.get("lineId"), row.get("projectNumber"));
        }
        return out;
    }

    private static int projectsInStateDb(SyncHarness h) throws Exception {
        try (Connection c = h.stateDb().connect();
             ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM ditio_project")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
