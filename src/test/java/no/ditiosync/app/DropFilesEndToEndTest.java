package no.ditiosync.app;

import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.DitioUser;
import no.ditiosync.simulator.TimeRegistration;
import no.ditiosync.testing.DeliveredPayroll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

import static no.ditiosync.app.IncrementalLedgerTest.ALL_TARGETS;
import static no.ditiosync.app.SyncEndToEndTest.LAST;
import static no.ditiosync.app.SyncEndToEndTest.company;
import static org.assertj.core.api.Assertions.assertThat;

/** The drop folders after real runs against the simulator: .done markers (PAYROLL_DONE_MARKER) and the Tripletex encoding. */
class DropFilesEndToEndTest {

    static final List<String> FILE_TARGETS = List.of("visma", "sap", "tripletex", "csv");
    private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

    @Test
    void withDoneMarkersEveryPublishedDropHasExactlyOneEmptyMarkerWithItsMode(@TempDir Path dir) throws Exception {
        try (SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3),
                Map.of("payroll.targets", ALL_TARGETS, "payroll.done-marker", "true"))) {
            SyncRun full = h.runOnce();
            assertDropsWithMarkers(h, 1, true);

            h.ditio.data().randomMutations(new Random(5), 10);
            SyncRun changes = h.runOnce();
            assertThat(changes.files()).hasSize(FILE_TARGETS.size());
            assertDropsWithMarkers(h, 2, true);
            // {target}_{company}_{yyyyMMdd'T'HHmmss'Z' of the run's start}_{runId}.csv, for every file target
            for (String target : FILE_TARGETS) {
                assertThat(h.filesOf(target)).extracting(f -> f.getFileName().toString()).as("%s drop names", target)
                        .containsExactly(name(target, full), name(target, changes));
            }

            // a run that reads a change payroll does not see (hours of a registration not payroll-approved): no drop, no marker
            TimeRegistration waiting = h.ditio.data().liveTimeRegistrations().stream()
                    .filter(r -> !r.payrollApproved()).findFirst().orElseThrow();
            h.ditio.data().editHours(waiting.id(), waiting.qty().add(BigDecimal.ONE));
            SyncRun quiet = h.runOnce();
            assertThat(quiet.recordsRead()).isPositive();
            assertThat(quiet.files()).isEmpty();
            assertDropsWithMarkers(h, 2, true);
        }
    }

    @Test
    void withoutTheSettingNoDropHasAMarker(@TempDir Path dir) throws Exception {
        try (SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), Map.of("payroll.targets", ALL_TARGETS))) {
            h.runOnce();

            assertDropsWithMarkers(h, 1, false);
        }
    }

    /**
     * Each file target's folder holds exactly its {@code drops} published drops and, with markers,
     * one empty {@code <drop>.done} beside each, owner-only (0600, the default) like its drop; nothing else.
     */
    private static void assertDropsWithMarkers(SyncHarness h, int drops, boolean markers) throws IOException {
        for (String target : FILE_TARGETS) {
            List<Path> files = h.filesOf(target);
            assertThat(files).as("%s drops", target).hasSize(drops);
            List<String> expected = new ArrayList<>();
            for (Path f : files) {
                expected.add(f.getFileName().toString());
                assertThat(mode(f)).as("mode of %s", f.getFileName()).isEqualTo("rw-------");
                if (markers) {
                    Path marker = f.resolveSibling(f.getFileName() + ".done");
                    expected.add(marker.getFileName().toString());
                    assertThat(marker).isRegularFile().isEmptyFile();
                    assertThat(mode(marker)).as("mode of %s", marker.getFileName()).isEqualTo(mode(f));
                }
            }
            try (var listing = Files.list(h.dir.resolve("out").resolve(target))) {
                assertThat(listing.map(p -> p.getFileName().toString())).as("%s folder", target)
                        .containsExactlyInAnyOrderElementsOf(expected);
            }
        }
    }

    @Test
    void tripletexInWindows1252AndTheCsvInUtf8CarryTheNorwegianTextOfARealRun(@TempDir Path dir) throws Exception {
        try (SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3),
                Map.of("payroll.targets", "tripletex,csv", "payroll.tripletex.encoding", "windows-1252"))) {
            h.runOnce();

            // what payroll should read, straight from the simulator: one line per payroll-ready registration
            Map<String, String> users = h.employeesByUser();
            List<String> tripletex = new ArrayList<>();
            List<String> csv = new ArrayList<>();
            for (TimeRegistration r : h.payrollReady()) {
                String text = Objects.toString(r.description(), "");
                String department = h.ditio.data().userByIdentityUserId(r.userId()).map(DitioUser::department).orElse("");
                tripletex.add(String.join("|", Integer.toString(r.workDate().getYear()),
                        String.format("%02d", r.workDate().getMonthValue()), h.employee(r, users), SyncHarness.wageType(r),
                        text, r.qty().setScale(2, RoundingMode.HALF_UP).toPlainString(), "",
                        Objects.toString(r.projectNumber(), ""), department));
                csv.add(String.join("|", "time:" + r.id(), text, department));
            }
            String norwegian = tripletex.stream().map(l -> l.split("\\|")[4]).filter(t -> t.matches(".*[æøåÆØÅ].*"))
                    .findFirst().orElseThrow();

            Path drop = h.filesOf("tripletex").get(0);
            assertThat(DeliveredPayroll.tripletexLines(List.of(drop), WINDOWS_1252)).extracting(c -> String.join("|", c))
                    .containsExactlyInAnyOrderElementsOf(tripletex);
            HexFormat hex = HexFormat.of();
            assertThat(hex.formatHex(Files.readAllBytes(drop)))
                    .contains(hex.formatHex(norwegian.getBytes(WINDOWS_1252)))
                    .doesNotContain(hex.formatHex(norwegian.getBytes(StandardCharsets.UTF_8)));
            assertThat(DeliveredPayroll.csvRows(h.filesOf("csv")))
                    .extracting(r -> String.join("|", r.get("lineId"), r.get("text"), r.get("department")))
                    .containsExactlyInAnyOrderElementsOf(csv);
        }
    }

    /**
     * Visma byte for byte from a real run, both encodings: one line per payroll-ready registration as
     * the spec writes it (17 fields, year and run from the settings, rate and amount 0.00, text
     * fields quoted), CRLF after every line, no header and no BOM; æøå as windows-1252 by default and
     * as UTF-8 with PAYROLL_VISMA_ENCODING=UTF-8.
     */
    @Test
    void vismaOfARealRunIsTheSpecLineForEveryRegistrationInEitherEncoding(@TempDir Path dir) throws Exception {
        for (String encoding : List.of("windows-1252", "UTF-8")) {
            Map<String, String> settings = encoding.equals("UTF-8")
                    ? Map.of("payroll.targets", "visma", "payroll.visma.encoding", "UTF-8",
                            "payroll.visma.payroll-year", "2026", "payroll.visma.payroll-run", "3")
                    : Map.of("payroll.targets", "visma");
            try (SyncHarness h = new SyncHarness(company(), dir.resolve(encoding), LAST.minusWeeks(3), settings)) {
                h.runOnce();

                String yearAndRun = encoding.equals("UTF-8") ? "2026;3;" : "0;0;";
                Map<String, String> users = h.employeesByUser();
                List<String> expected = new ArrayList<>();
                for (TimeRegistration r : h.payrollReady()) {
                    String department = h.ditio.data().userByIdentityUserId(r.userId()).map(DitioUser::department).orElse("");
                    expected.add(yearAndRun + h.employee(r, users) + ";" + SyncHarness.wageType(r) + ";0.00;"
                            + r.qty().setScale(2, RoundingMode.HALF_UP).toPlainString() + ";0.00;0.00;;;\"" + department
                            + "\";\"" + Objects.toString(r.projectNumber(), "") + "\";\"\";\"\";\"\";\"\";\r\n");
                }
                String norwegian = expected.stream().filter(l -> l.matches("(?s).*[æøåÆØÅ].*")).findFirst().orElseThrow();

                Path drop = h.filesOf("visma").get(0);
                byte[] bytes = Files.readAllBytes(drop);
                Charset charset = Charset.forName(encoding);
                String text = new String(bytes, charset);
                List<String> lines = new ArrayList<>(List.of(text.split("(?<=\r\n)")));
                assertThat(lines).as("Visma lines in %s", encoding).containsExactlyInAnyOrderElementsOf(expected);
                assertThat(text).endsWith("\r\n");
                assertThat(text.replace("\r\n", "")).as("no bare CR or LF").doesNotContain("\r").doesNotContain("\n");
                HexFormat hex = HexFormat.of();
                Charset other = encoding.equals("UTF-8") ? WINDOWS_1252 : StandardCharsets.UTF_8;
                assertThat(hex.formatHex(bytes)).as("%s bytes of %s", encoding, norwegian.strip())
                        .contains(hex.formatHex(norwegian.getBytes(charset)))
                        .doesNotContain(hex.formatHex(norwegian.getBytes(other)))
                        .doesNotStartWith("efbbbf");
            }
        }
    }

    private static String name(String target, SyncRun run) {
        return target + "_acme_" + java.time.format.DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(run.startedAt()) + "_" + run.runId() + ".csv";
    }

    private static String mode(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }
}
