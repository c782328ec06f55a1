package no.ditiosync.faults;

import no.ditiosync.ditio.DitioApiException;
import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorFaults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Answers that are not transient end the run at once, not retried, with a message naming the page
 * and what the operator should check; nothing is delivered and the watermark stays, so the next
 * run without the fault delivers exactly the truth, once.
 */
class BadPageTest {

    static Stream<Arguments> badPages() {
        return Stream.of(
                Arguments.of("malformed JSON", (Consumer<SimulatorFaults.At>) at -> at.malformedJsonNext(1),
                        "Ditio sent malformed JSON for page 3 of /v1/time-registrations: Unexpected end-of-input"),
                Arguments.of("a page without data", (Consumer<SimulatorFaults.At>) SimulatorFaults.At::pageWithoutDataNext,
                        "Ditio sent a page without 'data' for page 3 of /v1/time-registrations"),
                Arguments.of("a wrong content type", (Consumer<SimulatorFaults.At>) SimulatorFaults.At::wrongContentTypeNext,
                        "Ditio answered page 3 of /v1/time-registrations with content type 'text/html; charset=utf-8' "
                                + "instead of JSON"));
    }

    @ParameterizedTest(name = "{0} at page 3")
    @MethodSource("badPages")
    void aBadPageFailsTheRunNamingThePageAndTheNextRunDeliversTheTruthOnce(String name, Consumer<SimulatorFaults.At> fault,
                                                                          String message, @TempDir Path dir) throws Exception {
        try (FaultHarness h = new FaultHarness(FaultHarness.company(), dir, Map.of())) {
            int metadataPages = metadataPages(h);
            fault.accept(h.ditio.faults().atCall(metadataPages + 3));

            assertThatThrownBy(h::runOnce).isInstanceOf(DitioApiException.class).hasMessageStartingWith(message);

            assertThat(h.retryWarnings()).as("not retried").isEmpty();
            assertThat(h.ditio.faults().dataCalls()).as("nothing asked for after the bad page").isEqualTo(metadataPages + 3);
            assertThat(h.filesOnDisk()).as("no drop files").isEmpty();
            assertThat(h.payrollLineRows()).isZero();
            assertThat(h.quarantineRows()).as("what the failed run quarantined on pages 1-2, gone with it").isZero();
            assertThat(h.watermark()).isNull();
            assertThat(h.runLog()).singleElement().satisfies(r -> {
                assertThat(r[0]).isEqualTo("failed");
                assertThat(r[1]).startsWith(message);
            });

            SyncRun next = h.runOnce();

            assertThat(next.mode()).isEqualTo(SyncRun.Mode.FULL);
            // what the failed run held counts for the run that committed: all its quarantine is new
            assertThat(next.quarantineOpen()).isPositive().isEqualTo(next.quarantineNew());
            int ready = h.payrollReady().size();
            assertThat(next.linesByTarget()).containsEntry("visma", ready).containsEntry("sap", ready)
                    .containsEntry("jdbc", ready);
            assertThat(h.vismaTotals()).isEqualTo(h.vismaTruth());
            assertThat(h.sapTotals()).isEqualTo(h.dayTruth());
            assertThat(h.jdbcTotals()).isEqualTo(h.dayTruth());
            assertThat(h.watermark()).isNotNull();
        }
    }

    @Test
    void http400IsNotRetriedAndShowsDitiosMessage(@TempDir Path dir) {
        try (FaultHarness h = new FaultHarness(FaultHarness.company(), dir, Map.of())) {
            h.ditio.faults().atCall(metadataPages(h) + 2).failNext(400, 1);
            assertFailsWith(h, "Ditio rejected the request for page 2 of /v1/time-registrations (HTTP 400): "
                    + "SimulatedFault: Simulated fault: HTTP 400.");
        }
    }

    @Test
    void http403IsAScopeOrCompanyProblem(@TempDir Path dir) {
        try (FaultHarness h = new FaultHarness(FaultHarness.company(), dir, Map.of())) {
            h.ditio.faults().atCall(metadataPages(h) + 2).failNext(403, 1);
            assertFailsWith(h, "Ditio refused access (HTTP 403) on page 2 of /v1/time-registrations: check that the "
                    + "API client has the 'reportingapiv1' scope and access to this company "
                    + "(Ditio said: SimulatedFault: Simulated fault: HTTP 403.)");
        }
    }

    /**
     * A wrong reporting base: every endpoint answers 404 on its first page. Users and projects are
     * left out (runs go on with those known), but with no feed of registrations left the run fails.
     * (A feed left out while others deliver: FeedNotDeployedTest.)
     */
    @Test
    void http404OnEveryEndpointIsAWrongReportingBaseAndFailsTheRun(@TempDir Path dir) {
        SimulatedDitio ditio = SimulatedDitio.start(FaultHarness.company());
        try (FaultHarness h = new FaultHarness(ditio, dir,
                Map.of("ditio.reporting-base", ditio.identityBase() + "/core-api/reporting"))) {
            assertFailsWith(h, "Ditio has no endpoint for page 1 of /v1/time-registrations (HTTP 404) on this environment: "
                    + "check DITIO_REPORTING_BASE (Ditio said: NotFound: No endpoint /core-api/reporting/v1/time-registrations "
                    + "on this server.)");
        }
    }

    /** The endpoint answered page 1, so a 404 after it is not "not deployed": the run fails as on any bad answer. */
    @Test
    void http404OnALaterPageFailsTheRun(@TempDir Path dir) {
        try (FaultHarness h = new FaultHarness(FaultHarness.company(), dir, Map.of())) {
            h.ditio.faults().atCall(metadataPages(h) + 2).failNext(404, 1);
            assertFailsWith(h, "Ditio has no endpoint for page 2 of /v1/time-registrations (HTTP 404) on this environment: "
                    + "check DITIO_REPORTING_BASE (Ditio said: SimulatedFault: Simulated fault: HTTP 404.)");
        }
    }

    @Test
    void a401WithAFreshTokenTooIsRejectedCredentials(@TempDir Path dir) {
        try (FaultHarness h = new FaultHarness(FaultHarness.company(), dir, Map.of())) {
            int call = metadataPages(h) + 2;
            h.ditio.faults().atCall(call).reject401Once().atCall(call + 1).reject401Once();
            assertFailsWith(h, "Ditio rejected the credentials (HTTP 401 twice, with a fresh token) on page 2 of "
                    + "/v1/time-registrations: the API client may be disabled, deleted or past its ValidUntil, "
                    + "or lack the 'reportingapiv1' scope (Ditio's samples answer 401 for that) "
                    + "(Ditio said: Unauthorized: Simulated 401: the token was rejected.)");
            assertThat(h.ditio.tokensIssued()).isEqualTo(2);
        }
    }

    @Test
    void wrongClientCredentialsAreInvalidClient(@TempDir Path dir) {
        try (FaultHarness h = new FaultHarness(FaultHarness.company(), dir, Map.of("ditio.client-secret", "not-the-secret"))) {
            assertFailsWith(h, "Ditio identity rejected the client credentials (invalid_client): check DITIO_CLIENT_ID "
                    + "and DITIO_CLIENT_SECRET for this environment");
            assertThat(h.ditio.faults().dataCalls()).isZero();
        }
    }

    @Test
    void aScopeTheClientLacksIsInvalidScope(@TempDir Path dir) {
        try (FaultHarness h = new FaultHarness(FaultHarness.company(), dir, Map.of("ditio.scope", "reportingapiv2"))) {
            assertFailsWith(h, "Ditio identity refused the scope (invalid_scope): the API client must be granted the "
                    + "'reportingapiv2' scope");
            assertThat(h.ditio.faults().dataCalls()).isZero();
        }
    }

    private static void assertFailsWith(FaultHarness h, String message) {
        assertThatThrownBy(h::runOnce).isInstanceOf(DitioApiException.class).hasMessage(message);
        assertThat(h.retryWarnings()).as("not retried").isEmpty();
        try {
            assertThat(h.runLog()).singleElement().satisfies(r -> assertThat(r).containsExactly("failed", message));
            assertThat(h.filesOnDisk()).isEmpty();
            assertThat(h.watermark()).isNull();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The user pass is one page here, so data call 1 + n is page n of the registrations. */
    /** The pages before the registrations: the users and the projects fit one page each. */
    private static int metadataPages(FaultHarness h) {
        assertThat(h.ditio.data().users()).hasSizeLessThan(100);
        assertThat(h.ditio.data().projects()).hasSizeLessThan(100);
        return 2;
    }
}
