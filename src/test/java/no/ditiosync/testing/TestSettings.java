package no.ditiosync.testing;

import no.ditiosync.simulator.SimulatedDitio;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;

/** The settings every in-process test application starts from: one company on a simulator, files in the test's folder. */
public final class TestSettings {

    private TestSettings() {
    }

    /**
     * Ditio at the simulator, the company, its start date and drop folder ({@code dir/out}), pages of
     * 100 and the JDBC target in the state DB. The state DB itself is the caller's choice.
     */
    public static Map<String, String> simulator(SimulatedDitio ditio, String company, LocalDate startDate, Path dir) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("ditio.identity-base", ditio.identityBase());
        s.put("ditio.reporting-base", ditio.reportingBase());
        s.put("ditio.client-id", ditio.clientId());
        s.put("ditio.client-secret", ditio.clientSecret());
        s.put("payroll.company", company);
        s.put("payroll.start-date", startDate.toString());
        s.put("payroll.drop-dir", dir.resolve("out").toString());
        // in the test's folder whatever the state DB (the default is beside an H2 file, else ./data/runs)
        s.put("sync.report-dir", dir.resolve("data/runs").toString());
        s.put("payroll.jdbc-url", "");
        s.put("ditio.chunk-limit", "100");
        return s;
    }
}
