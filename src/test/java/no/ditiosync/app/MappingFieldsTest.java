package no.ditiosync.app;

import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.simulator.TimeRegistration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import static no.ditiosync.app.SyncEndToEndTest.LAST;
import static no.ditiosync.testing.DeliveredPayroll.assertSums;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mapping rows on each field README names for time registrations beyond taskWbsNumber and
 * projectNumber: resourceNumber, projectExternalNumber and unitName, as Ditio sends them.
 */
class MappingFieldsTest {

    @Test
    void rowsOnResourceNumberProjectExternalNumberAndUnitNameGiveTheirWageTypes(@TempDir Path dir) throws Exception {
        Path mapping = dir.resolve("wage-types.csv");
        try (SyncHarness h = harness(dir, mapping)) {
            // the resource and the external project number of most registrations, so each row matches many
            String resource = mostCommon(h, TimeRegistration::resourceNumber);
            String external = mostCommon(h, TimeRegistration::projectExternalNumber);
            Files.writeString(mapping, "source,field,value,wageType\n"
                    + "time,resourceNumber," + resource + ",1300\n"
                    + "time,projectExternalNumber," + external + ",1400\n"
                    + "time,*,*,1000\n", StandardCharsets.UTF_8);
            h.runOnce();
            Map<String, BigDecimal> expected = truth(h, r -> resource.equals(r.resourceNumber()) ? "1300"
                    : external.equals(r.projectExternalNumber()) ? "1400" : "1000");
            assertThat(expected.keySet()).anyMatch(k -> k.endsWith("|1300")).anyMatch(k -> k.endsWith("|1400"));
            assertSums("SAP per employee x day x wage type", h.sapTotals(), expected);
            assertSums("payroll_line per employee x day x wage type", h.jdbcTotals(), expected);

            // every registration is in hours ("Timer"): a row on unitName first takes them all
            Files.writeString(mapping, "source,field,value,wageType\ntime,unitName,Timer,1600\ntime,*,*,1000\n",
                    StandardCharsets.UTF_8);
            h.restartWith(Map.of());
            h.runOnce();
            expected = truth(h, r -> "1600");
            assertSums("SAP after the unitName row", h.sapTotals(), expected);
            assertSums("payroll_line after the unitName row", h.jdbcTotals(), expected);
        }
    }

    /**
     * A spreadsheet saving "CSV, quote all text cells" writes every cell in quotes, CRLF line ends; a cell
     * holding a comma or a quote comes quoted whatever the setting. Such a file gives the wage types the
     * plain one does (a quoted value matched nothing, and the catch-all row paid every hour as 1000).
     */
    @Test
    void aMappingSavedWithQuotedCellsGivesTheWageTypesOfItsRows(@TempDir Path dir) throws Exception {
        Path mapping = dir.resolve("wage-types.csv");
        try (SyncHarness h = harness(dir, mapping)) {
            String resource = mostCommon(h, TimeRegistration::resourceNumber);
            Files.writeString(mapping, "\"source\",\"field\",\"value\",\"wageType\"\r\n"
                    + "\"time\",\"unitName\",\"Timer, \"\"natt\"\"\",\"1700\"\r\n"
                    + "\"time\",\"resourceNumber\",\"" + resource + "\",\"1300\"\r\n"
                    + "\"time\",\"*\",\"*\",\"1000\"\r\n", StandardCharsets.UTF_8);

            h.runOnce();

            Map<String, BigDecimal> expected = truth(h, r -> resource.equals(r.resourceNumber()) ? "1300" : "1000");
            assertThat(expected.keySet()).anyMatch(k -> k.endsWith("|1300"));
            assertSums("SAP per employee x day x wage type", h.sapTotals(), expected);
            assertSums("payroll_line per employee x day x wage type", h.jdbcTotals(), expected);
        }
    }

    /** Two weeks of 20 workers, to SAP and jdbc, with the wage-type mapping {@code mapping}. */
    private static SyncHarness harness(Path dir, Path mapping) throws Exception {
        return new SyncHarness(SimulatorConfig.defaults().seed(5).workers(20).weeks(2).lastWorkDate(LAST), dir,
                LAST.minusWeeks(2), Map.of("payroll.targets", "sap,jdbc", "payroll.wage-types", mapping.toString()));
    }

    private static String mostCommon(SyncHarness h, Function<TimeRegistration, String> field) {
        Map<String, Long> counts = h.payrollReady().stream().map(field).filter(Objects::nonNull)
                .collect(Collectors.groupingBy(v -> v, TreeMap::new, Collectors.counting()));
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    /** Ditio's payroll-ready hours per employee, day and the wage type {@code wageType} gives. */
    private static Map<String, BigDecimal> truth(SyncHarness h, Function<TimeRegistration, String> wageType) {
        Map<String, String> users = h.employeesByUser();
        Map<String, BigDecimal> sums = new TreeMap<>();
        for (TimeRegistration r : h.payrollReady()) {
            sums.merge(h.employee(r, users) + "|" + r.workDate() + "|" + wageType.apply(r),
                    r.qty().setScale(2, RoundingMode.HALF_UP), BigDecimal::add);
        }
        return sums;
    }
}
