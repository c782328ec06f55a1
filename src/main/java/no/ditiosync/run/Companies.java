package no.ditiosync.run;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The configured companies, in the order of PAYROLL_COMPANIES: the run beans find each run's company here. */
public final class Companies {

    private final Map<String, Company> byKey = new LinkedHashMap<>();

    public Companies(List<Company> companies) {
        companies.forEach(c -> byKey.put(c.key(), c));
    }

    /** A configured company, or null. */
    public Company named(String key) {
        return byKey.get(key);
    }

    /** The company a run is asked for: the one named, or the first one configured. */
    public Company resolve(String requested) {
        if (requested == null || requested.isEmpty()) {
            return byKey.values().iterator().next();
        }
        Company c = byKey.get(requested);
        if (c == null) {
            throw new IllegalArgumentException("No company '" + requested + "' is configured (PAYROLL_COMPANIES)");
        }
        return c;
    }

    Company of(SyncRun run) {
        return byKey.get(run.company());
    }
}
