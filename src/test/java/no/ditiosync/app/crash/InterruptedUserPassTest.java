package no.ditiosync.app.crash;

import no.ditiosync.simulator.DitioUser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A run that stops between storing the users and mapping again the registrations of the users
 * whose employee number changed (here: Ditio refuses the second page of users) must not lose the
 * change: the next run still has to move the hours already delivered from the old employee number
 * to the new one. The stop is an ordinary failed run (exit status 1), so it does not depend on when
 * H2 writes its commits to disk.
 */
class InterruptedUserPassTest {

    @Test
    void employeeNumberChangesSurviveARunThatStopsBetweenTwoPagesOfUsers(@TempDir Path dir) throws Exception {
        // 40 users in pages of 20: the users arrive on two pages
        try (CrashHarness h = new CrashHarness(7, dir).chunkLimit(20)) {
            h.run(null, 0, "full");
            h.assertPayrollEqualsTruth("after the clean full run");

            // every employee gets a new number (a payroll system migration)
            Map<String, BigDecimal> before = h.truthPerEmployeeDayAndWageType();
            int next = 8001;
            for (DitioUser u : h.ditio.data().users()) {
                if (u.employeeNumber() != null) {
                    h.ditio.data().setEmployeeNumber(u.identityUserId(), Integer.toString(next++));
                }
            }
            assertThat(h.truthPerEmployeeDayAndWageType()).as("hours that move to new employee numbers")
                    .isNotEqualTo(before);

            // the first page of users is stored, the second is refused: the run fails
            h.ditio.faults().atCall((int) h.ditio.faults().dataCalls() + 2).failNext(403, 1);
            h.run(null, 1, "stopped-at-the-second-page-of-users");
            h.ditio.faults().clear();

            h.run(null, 0, "next");
            h.assertPayrollEqualsTruth("after a run that stopped between two pages of users, and one more run");
        }
    }
}
