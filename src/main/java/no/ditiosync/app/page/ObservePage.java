package no.ditiosync.app.page;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import no.ditiosync.state.StatusQueries;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Bean {@code observePage}: what the routes of routes/observe.camel.yaml answer, the page at {@code /}
 * and its JSON API at {@code /api/...}. Reads the state DB only (through {@link PageData}), never
 * writes. Each answer replaces the request's headers with its own: platform-http would otherwise send
 * every request header (Authorization included) back in the response.
 */
public final class ObservePage {

    private static final Logger LOG = LoggerFactory.getLogger(ObservePage.class);
    static final String REALM = "ditio-payroll-sync";
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new SimpleModule()
            .addSerializer(Instant.class, ToStringSerializer.instance)
            .addSerializer(LocalDate.class, ToStringSerializer.instance));

    /** The user and password the page asks for (HTTP Basic); never printed. */
    public record Credentials(String user, String password) {
        @Override
        public String toString() {
            return "Credentials[user=" + user + "]";
        }
    }

    private final DataSource stateDb;
    private final List<PageData.CompanySettings> companies;
    private final PageData data;
    private final Clock clock;
    private final String node;
    private final PageData.ReportFiles reports;
    private final byte[] expected;

    /**
     * @param credentials what a request must bring, or null to ask for none (bound to this machine only)
     */
    public ObservePage(DataSource stateDb, List<PageData.CompanySettings> companies, PageData.Scheduler scheduler,
                       PageData.ReportFiles reports, Clock clock, String node, Credentials credentials) {
        this.stateDb = stateDb;
        this.companies = List.copyOf(companies);
        this.reports = reports;
        this.clock = clock;
        this.node = node;
        this.expected = credentials == null ? null : digest(credentials.user() + ":" + credentials.password());
        this.data = new PageData(reports, LINKS, scheduler);
    }

    /**
     * Requests reading the state DB at once. Each holds one of the server's worker threads while it waits,
     * and health and metrics are answered on those threads too: with a state DB that is down, each waits
     * the pool's whole connection timeout, so a request beyond these few is answered 503 at once instead
     * of queuing until liveness cannot answer. (A Camel throttle counts per route; the page's routes share
     * this one bound.)
     */
    public static final int READS_AT_ONCE = 4;
    private final java.util.concurrent.Semaphore reads = new java.util.concurrent.Semaphore(READS_AT_ONCE);

    /** Links of the served page: the API's. */
    static final PageData.Links LINKS = new PageData.Links() {
        @Override
        public String report(String company, String runId, Path file) {
            return file == null ? null : "/api/companies/" + company + "/runs/" + runId + "/report";
        }

        @Override
        public String quarantineCsv(String company) {
            return "/api/companies/" + company + "/quarantine.csv";
        }
    };

    // ---- the routes' steps ----------------------------------------------------------------------

    /**
     * Whether the request must be answered 401: credentials are asked for and it brings none, or
     * others. Compared in constant time, over digests, so neither their length nor a prefix shows.
     */
    public boolean refused(Exchange exchange) {
        if (expected == null) {
            return false;
        }
        String authorization = exchange.getMessage().getHeader("Authorization", String.class);
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return true;
        }
        String given;
        try {
            given = new String(Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            return true;
        }
        return !MessageDigest.isEqual(digest(given), expected);
    }

    /** The 401 answer: asks the browser for the user and password. */
    public void unauthorized(Exchange exchange) {
        Message m = answer(exchange, 401, "text/plain; charset=UTF-8");
        m.setHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
        m.setBody("This page needs the user and password set as OBSERVE_USER and OBSERVE_PASSWORD.\n");
    }

    /** GET /: the page. */
    public void page(Exchange exchange) {
        if (!admitted(exchange)) {
            return;
        }
        try (Connection c = stateDb.getConnection()) {
            String html = PageHtml.render(data.overview(c, companies, clock.instant(), node), "/api/companies");
            Message m = answer(exchange, 200, "text/html; charset=UTF-8");
            m.setHeader("Content-Security-Policy", PageHtml.CSP + "; frame-ancestors 'none'");
            m.setHeader("X-Frame-Options", "DENY");
            m.setBody(html);
        } catch (SQLException e) {
            stateDbDown(exchange, e);
        } finally {
            reads.release();
        }
    }

    /** GET /api/companies: every company, as the page shows them. */
    public void companies(Exchange exchange) {
        if (!admitted(exchange)) {
            return;
        }
        try (Connection c = stateDb.getConnection()) {
            json(exchange, 200, data.overview(c, companies, clock.instant(), node));
        } catch (SQLException e) {
            stateDbDown(exchange, e);
        } finally {
            reads.release();
        }
    }

    /** GET /api/companies/{company}: one company. */
    public void company(Exchange exchange) {
        Optional<PageData.CompanySettings> company = company(exchange, "company");
        if (company.isEmpty() || !admitted(exchange)) {
            return;
        }
        try (Connection c = stateDb.getConnection()) {
            json(exchange, 200, data.company(c, company.get(), clock.instant()));
        } catch (SQLException e) {
            stateDbDown(exchange, e);
        } finally {
            reads.release();
        }
    }

    /** GET /api/companies/{company}/quarantine.csv: every open quarantined record (up to {@link PageData#CSV_RECORDS}). */
    public void quarantineCsv(Exchange exchange) {
        Optional<PageData.CompanySettings> company = company(exchange, "company");
        if (company.isEmpty() || !admitted(exchange)) {
            return;
        }
        StringWriter csv = new StringWriter(64 * 1024);
        try (Connection c = stateDb.getConnection()) {
            QuarantineCsv writer = new QuarantineCsv(csv, QuarantineCsv.PAGE_HEADER);
            PageData.readOnly(c, () -> {
                StatusQueries.quarantinedRecords(c, company.get().company(), StatusQueries.QuarantineOrder.BY_REASON,
                        PageData.CSV_RECORDS, writer::write);
                return null;
            });
        } catch (SQLException e) {
            stateDbDown(exchange, e);
            return;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            reads.release();
        }
        Message m = answer(exchange, 200, "text/csv; charset=UTF-8");
        m.setHeader("Content-Disposition", "attachment; filename=\"quarantine-" + company.get().company() + ".csv\"");
        m.setBody(csv.toString());
    }

    /** GET /api/companies/{company}/runs/{runId}/report: the run's JSON report, as written when it ended. */
    public void report(Exchange exchange) {
        Optional<PageData.CompanySettings> company = company(exchange, "company");
        if (company.isEmpty()) {
            return;
        }
        String runId = exchange.getMessage().getHeader("runId", String.class);
        if (runId == null || !runId.matches("[0-9a-f]{1,40}")) {
            notFound(exchange, "no run '" + runId + "'");
            return;
        }
        if (!admitted(exchange)) {
            return;
        }
        try (Connection c = stateDb.getConnection()) {
            Instant started = PageData.readOnly(c, () -> no.ditiosync.state.StatusQueries.runStart(c, runId,
                    company.get().company()));
            Path file = started == null ? null : reports.find(company.get().company(), company.get().feed(), started, runId);
            if (file == null) {
                notFound(exchange, "no report of run " + runId + " of company " + company.get().company()
                        + " (reports are kept for the newest SYNC_REPORT_KEEP runs)");
                return;
            }
            byte[] report = Files.readAllBytes(file);
            answer(exchange, 200, "application/json").setBody(report);
        } catch (SQLException e) {
            stateDbDown(exchange, e);
        } catch (IOException e) {
            notFound(exchange, "the report of run " + runId + " cannot be read now");
        } finally {
            reads.release();
        }
    }

    // ---- answers --------------------------------------------------------------------------------

    private Optional<PageData.CompanySettings> company(Exchange exchange, String header) {
        String key = exchange.getMessage().getHeader(header, String.class);
        Optional<PageData.CompanySettings> company = companies.stream().filter(c -> c.company().equals(key)).findFirst();
        if (company.isEmpty()) {
            notFound(exchange, "no company '" + key + "'");
        }
        return company;
    }

    private static void json(Exchange exchange, int status, Object value) {
        try {
            answer(exchange, status, "application/json").setBody(JSON.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void notFound(Exchange exchange, String what) {
        json(exchange, 404, Map.of("error", what));
    }

    /** Whether the request may read the state DB now ({@link #READS_AT_ONCE}); if not, it is answered 503. */
    private boolean admitted(Exchange exchange) {
        if (reads.tryAcquire()) {
            return true;
        }
        json(exchange, 503, Map.of("error", "the page is answering " + READS_AT_ONCE + " requests already, waiting for "
                + "the state DB; try again in a moment"));
        exchange.getMessage().setHeader("Retry-After", "5");
        return false;
    }

    /** 503, saying why without a URL or a password: the database's own message stays in the log. */
    private static void stateDbDown(Exchange exchange, SQLException e) {
        LOG.warn("The operator's page could not read the state DB: {}", e.getMessage());
        json(exchange, 503, Map.of("error", "the state DB did not answer (" + (e.getSQLState() == null ? "no SQL state"
                : "SQL state " + e.getSQLState()) + ")"));
    }

    /** The response's own headers only (see the class comment), and none of them cached. */
    private static Message answer(Exchange exchange, int status, String contentType) {
        Message m = exchange.getMessage();
        m.getHeaders().clear();
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, contentType);
        m.setHeader("Cache-Control", "no-store");
        m.setHeader("X-Content-Type-Options", "nosniff");
        m.setHeader("Referrer-Policy", "no-referrer");
        return m;
    }

    private static byte[] digest(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
