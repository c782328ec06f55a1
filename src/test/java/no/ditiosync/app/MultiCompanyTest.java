package no.ditiosync.app;

import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.simulator.TimeRegistration;
import no.ditiosync.testing.DeliveredPayroll;
import no.ditiosync.testing.PayrollTruth;
import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static no.ditiosync.app.SyncEndToEndTest.LAST;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two companies on two Ditio tenants (each its own simulator and API client) in one application,
 * one state DB and one payroll_line table: their state, ledger and files never mix, and one
 * company failing does not stop the other.
 */
class MultiCompanyTest {

    static final LocalDate START = LAST.minusWeeks(2);

    @Test
    void twoCompaniesNeverMixAndOneFailingDoesNotStopTheOther(@TempDir Path dir) throws Exception {
        // the same seed on purpose: both tenants hand out the same registration ids, the worst case for mixing
        try (SimulatedDitio acme = SimulatedDitio.start(tenant("acme", 20), 0);
             SimulatedDitio bygg = SimulatedDitio.start(tenant("bygg", 14), 0)) {
            Set<String> sharedIds = ids(acme);
            sharedIds.retainAll(ids(bygg));
            assertThat(sharedIds).as("registration ids both tenants use").hasSizeGreaterThan(100);

            TestDatabase db = TestDatabase.h2(dir.resolve("data/state"));
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("payroll.companies", "acme,bygg");
            settings.put("payroll.start-date", START.toString());
            settings.put("payroll.drop-dir", dir.resolve("out").toString());
            settings.put("payroll.targets", "visma,sap,jdbc");
            settings.put("ditio.chunk-limit", "100");
            settings.putAll(db.settings("state-db"));
            settings.put("payroll.jdbc-url", "");
            client(settings, "acme", acme);
            client(settings, "bygg", bygg);

            try (SyncApplication app = new SyncApplication(settings).start()) {
                assertThat(app.companies()).containsExactly("acme", "bygg");

                // bygg's tenant refuses the API client; acme, after it, is delivered all the same
                bygg.faults().failNext(403, 1);
                Output first = syncAll(app, List.of("bygg", "acme"));
                assertThat(first.exit).isEqualTo(1);
                assertThat(first.err).startsWith("Sync failed (company bygg): Ditio refused access (HTTP 403) on page 1 of /v1/user");
                assertThat(first.out).contains("company acme) succeeded");
                assertDelivered(dir, db, "acme", acme);
                assertThat(publishedDrops(dir, db, "bygg")).isEmpty();
                assertThat(rows(db, "SELECT DISTINCT company FROM sync_watermark")).containsExactly("acme");
                assertThat(rows(db, "SELECT DISTINCT company FROM ledger_line")).containsExactly("acme");
                assertThat(rows(db, "SELECT company || ' ' || outcome FROM sync_run ORDER BY started_at"))
                        .containsExactly("bygg failed", "acme succeeded");

                // both tenants change; the next runs deliver bygg in full and acme's difference, each on its own
                acme.data().randomMutations(new Random(1), 25);
                bygg.data().randomMutations(new Random(2), 25);
                Output second = syncAll(app, app.companies());
                assertThat(second.exit).as(second.err).isZero();
                assertThat(second.out).contains("incremental pass, company acme", "full pass, company bygg");
                assertDelivered(dir, db, "acme", acme);
                assertDelivered(dir, db, "bygg", bygg);
                assertThat(rows(db, "SELECT DISTINCT company FROM sync_watermark ORDER BY company")).containsExactly("acme", "bygg");
            }
        }
    }

    static SimulatorConfig tenant(String company, int workers) {
        return SimulatorConfig.defaults().seed(5).workers(workers).weeks(2).lastWorkDate(LAST)
                .clientId(company + "-client").clientSecret(company + "-secret-value");
    }

    static void client(Map<String, String> settings, String company, SimulatedDitio ditio) {
        settings.put("company." + company + ".ditio.identity-base", ditio.identityBase());
        settings.put("company." + company + ".ditio.reporting-base", ditio.reportingBase());
        settings.put("company." + company + ".ditio.client-id", ditio.clientId());
        settings.put("company." + company + ".ditio.client-secret", ditio.clientSecret());
    }

    static Set<String> ids(SimulatedDitio ditio) {
        return ditio.data().liveTimeRegistrations().stream().map(TimeRegistration::id).collect(Collectors.toCollection(HashSet::new));
    }

    record Output(int exit, String out, String err) {
    }

    static Output syncAll(SyncApplication app, List<String> companies) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = DitioPayrollSync.syncCompanies(app, companies, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        return new Output(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The company's own drop folder and its own payroll_line rows hold exactly its tenant's truth. */
    static void assertDelivered(Path dir, TestDatabase db, String company, SimulatedDitio ditio) throws Exception {
        List<Path> visma = publishedDrops(dir, db, company).stream().filter(p -> p.getParent().endsWith("visma")).toList();
        List<Path> sap = publishedDrops(dir, db, company).stream().filter(p -> p.getParent().endsWith("sap")).toList();
        assertThat(Stream.concat(visma.stream(), sap.stream()))
                .allSatisfy(f -> assertThat(f.getFileName().toString()).contains("_" + company + "_"));
        DeliveredPayroll.assertSums(company + " visma", DeliveredPayroll.vismaTotals(visma),
                PayrollTruth.perEmployeeAndWageType(ditio.data(), START));
        DeliveredPayroll.assertSums(company + " sap", DeliveredPayroll.sapTotals(sap),
                PayrollTruth.perEmployeeDayAndWageType(ditio.data(), START));
        DeliveredPayroll.assertSums(company + " payroll_line", jdbcTotals(db, company),
                PayrollTruth.perEmployeeDayAndWageType(ditio.data(), START));
    }

    /**
     * Published drops under out/<company>/, in the order of the runs that wrote them (by the run log:
     * two runs within one second have names that differ only in their random run ids).
     */
    static List<Path> publishedDrops(Path dir, TestDatabase db, String company) throws IOException, SQLException {
        Path folder = dir.resolve("out").resolve(company);
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        Map<String, java.time.OffsetDateTime> started = new java.util.HashMap<>();
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT run_id, started_at FROM sync_run")) {
            while (rs.next()) {
                started.put(rs.getString(1), rs.getObject(2, java.time.OffsetDateTime.class));
            }
        }
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted(java.util.Comparator.comparing((Path p) -> started.get(runIdOf(p)))).toList();
        }
    }

    private static String runIdOf(Path file) {
        String name = file.getFileName().toString();
        return name.substring(name.lastIndexOf('_') + 1, name.lastIndexOf('.'));
    }

    static Map<String, BigDecimal> jdbcTotals(TestDatabase db, String company) throws SQLException {
        Map<String, BigDecimal> sums = new TreeMap<>();
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("SELECT employee_number, work_date, wage_type, quantity "
                     + "FROM payroll_line WHERE status = 'active' AND company = ?")) {
            ps.setString(1, company);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sums.merge(DeliveredPayroll.normalEmployee(rs.getString(1)) + "|" + rs.getDate(2).toLocalDate() + "|"
                            + rs.getString(3), rs.getBigDecimal(4), BigDecimal::add);
                }
            }
        }
        return DeliveredPayroll.normalise(sums);
    }

    static List<String> rows(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            List<String> out = new java.util.ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }
}
