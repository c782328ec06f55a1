package no.ditiosync.app;

import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorConfig;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The YAML routes booted by Camel Main as in production, with the page call advised to record
 * what each HTTP GET carries: only its own headers, and the same pass parameters on every page.
 */
class PageRoutesTest extends CamelMainTestSupport {

    static final SimulatedDitio DITIO = SimulatedDitio.start(SimulatorConfig.defaults().seed(9).workers(12).weeks(2), 0);
    static Path dir;
    final List<Set<String>> headersPerCall = Collections.synchronizedList(new ArrayList<>());
    final List<String> queryPerCall = Collections.synchronizedList(new ArrayList<>());

    @AfterAll
    static void stopDitio() {
        DITIO.close();
    }

    @Override
    protected String getPropertyPlaceholderLocations() {
        return "file:application.properties";
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        configuration.addConfiguration(new SyncBeans());
        configuration.setRoutesIncludePattern("file:routes/*.camel.yaml");
    }

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        // under target/ (what mvn clean removes), emptied first: a folder in /tmp would stay behind after each run
        dir = Path.of("target/page-routes-test").toAbsolutePath();
        try {
            if (Files.exists(dir)) {
                try (var old = Files.walk(dir)) {
                    for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        Properties p = new Properties();
        p.put("ditio.identity-base", DITIO.identityBase());
        p.put("ditio.reporting-base", DITIO.reportingBase());
        p.put("ditio.client-id", DITIO.clientId());
        p.put("ditio.client-secret", DITIO.clientSecret());
        p.put("ditio.chunk-limit", "25");
        p.put("payroll.start-date", "2026-11-16");
        p.put("payroll.drop-dir", dir.resolve("out").toString());
        p.put("payroll.state-db-url", "jdbc:h2:file:" + dir.resolve("data/state"));
        p.put("payroll.jdbc-url", "");
        return p;
    }

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    @Test
    void everyPageCallCarriesOnlyItsOwnHeadersAndTheSamePassParameters() throws Exception {
        AdviceWith.adviceWith(context, "ditio-page-call", route -> route.interceptSendToEndpoint("http*").process(e -> {
            if (!e.getProperty(org.apache.camel.Exchange.INTERCEPTED_ENDPOINT, String.class).contains("/reporting")) {
                return; // the token call
            }
            headersPerCall.add(new TreeSet<>(e.getMessage().getHeaders().keySet()));
            queryPerCall.add(e.getMessage().getHeader("CamelHttpQuery", String.class));
        }));
        context.start();

        SyncRun run = template.requestBody("direct:sync", null, SyncRun.class);

        assertThat(run.pages()).isGreaterThan(3);
        assertThat(headersPerCall).hasSize(run.pages() + run.userPages() + run.projectPages())
                .allSatisfy(h -> assertThat(h).containsExactly("Accept", "Authorization", "CamelHttpPath", "CamelHttpQuery"));
        List<String> timePages = queryPerCall.stream().filter(q -> q.contains("FromDateTime")).toList();
        assertThat(timePages).hasSize(run.pages());
        // a day before the start date too (SyncRun.Pass.readFrom); as far ahead as a full pass reads
        assertThat(timePages.get(0)).isEqualTo("ChunkLimit=25&FromDateTime=2026-11-15&ToDateTime="
                + run.toDate()).doesNotContain("ContinuationToken");
        assertThat(timePages.subList(1, timePages.size()))
                .allSatisfy(q -> assertThat(q).startsWith(timePages.get(0) + "&ContinuationToken="));
        assertThat(DITIO.tokensIssued()).as("one token for the whole run, not one per page").isEqualTo(1);
    }
}
