package no.ditiosync.state;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How the summaries group quarantine reasons: what names one record gives way to "…", the rest is kept as written. */
class QuarantineReasonKindTest {

    @Test
    void valuesGiveWayButAnEqualsSignInTheTextStays() {
        assertThat(QuarantineStore.reasonKind("no wage type in mappings/wage-types.csv for time (taskWbsNumber=9001, projectNumber=P-1)"))
                .isEqualTo("no wage type in mappings/wage-types.csv for time (taskWbsNumber=…, projectNumber=…)");
        assertThat(QuarantineStore.reasonKind("overtime line OT50 has overtimeType 7 (0 = deducted, 1 = paid on top)"))
                .isEqualTo("overtime line OT50 has overtimeType 7 (0 = deducted, 1 = paid on top)");
        assertThat(QuarantineStore.reasonKind("no employee number for userId 2d9d5f4f-dd77-42f4-b33b-43d8cb755b7b (not on the registration)"))
                .isEqualTo("no employee number for userId … (not on the registration)");
    }
}
