package no.ditiosync.simulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The built-in Ditio simulator: a real HTTP server on 127.0.0.1 that follows docs/ditio-contract.md,
 * with data generated deterministically from {@link SimulatorConfig#seed()} and its size.
 *
 * <ul>
 *   <li>{@code POST /connect/token} — identity (base {@link #identityBase()});</li>
 *   <li>{@code GET /reporting/v1/time-registrations}, {@code /v1/absence-registrations}, {@code /v1/user} — data
 *       (base {@link #reportingBase()}); users ignore FromDateTime/ToDateTime (no date window);</li>
 *   <li>{@code POST /_sim/mutate?count=N&seed=S} — applies random changes (see {@link AdminEndpoint}).</li>
 * </ul>
 * Unknown paths answer 404 with a JSON error, a known path with the wrong method 405.
 */
public final class SimulatedDitio implements AutoCloseable {

    private static final String REPORTING = "/reporting";

    private final SimulatorConfig config;
    private final DitioDataset data;
    private final TokenStore tokens;
    private final SimulatorFaults faults;
    private final TokenEndpoint tokenEndpoint;
    private final ReportingEndpoint reportingEndpoint;
    private final AdminEndpoint adminEndpoint;
    private final Map<String, Feed<?>> feeds;
    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SimulatedDitio(SimulatorConfig config, int port) throws IOException {
        this.config = config;
        this.data = DitioDataset.generate(config);
        this.tokens = new TokenStore(config.clock());
        this.faults = new SimulatorFaults(tokens::revokeAll);
        this.tokenEndpoint = new TokenEndpoint(config, tokens, faults);
        this.reportingEndpoint = new ReportingEndpoint(tokens, faults);
        this.adminEndpoint = new AdminEndpoint(data);
        this.feeds = List.<Feed<?>>of(
                        new Feed<>("time-registrations", true, data::timeRegistrationPage,
                                new CorruptedRecordWriter<>(new TimeRegistrationJson(), TimeRegistration::id, faults)),
                        new Feed<>("absence-registrations", true, data::absencePage,
                                new CorruptedRecordWriter<>(new AbsenceJson(), Absence::id, faults)),
                        new Feed<>("payroll-lines-extended", true, data::payrollPage,
                                new CorruptedRecordWriter<>(new PayrollDayJson(), PayrollDay::id, faults)),
                        new Feed<>("user", false, data::userPage, new UserJson()),
                        new Feed<>("project", false, data::projectPage, new ProjectJson()))
                .stream().collect(Collectors.toUnmodifiableMap(Feed::path, Function.identity()));

        InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        this.server = HttpServer.create(new InetSocketAddress(loopback, port), 64);
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "ditio-sim-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::route);
        server.start();
    }

    /** Generates the data and starts listening on 127.0.0.1:{@code port} (0 = any free port). */
    public static SimulatedDitio start(SimulatorConfig config, int port) {
        try {
            return new SimulatedDitio(config.copy(), port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Ditio simulator on port " + port, e);
        }
    }

    /** As {@link #start(SimulatorConfig, int)} on any free port. */
    public static SimulatedDitio start(SimulatorConfig config) {
        return start(config, 0);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:<port>}, the value for DITIO_IDENTITY_BASE. */
    public String identityBase() {
        return "http://127.0.0.1:" + port();
    }

    /** {@code http://127.0.0.1:<port>/reporting}, the value for DITIO_REPORTING_BASE. */
    public String reportingBase() {
        return identityBase() + REPORTING;
    }

    public String clientId() {
        return config.clientId();
    }

    public String clientSecret() {
        return config.clientSecret();
    }

    public SimulatorConfig config() {
        return config.copy();
    }

    public DitioDataset data() {
        return data;
    }

    public SimulatorFaults faults() {
        return faults;
    }

    /** Data pages answered with 200 (token calls, errors and faults not counted). */
    public int pagesServed() {
        return reportingEndpoint.pagesServed();
    }

    /** Every access token the simulator has issued, in order (expired and revoked ones too). */
    public List<String> issuedTokens() {
        return tokens.issued();
    }

    public int tokensIssued() {
        return tokenEndpoint.issued();
    }

    /** Stops listening and ends the worker threads; safe to call more than once. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.length() > 1 && path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            String method = exchange.getRequestMethod();
            if (path.equals("/connect/token")) {
                if (allowed(exchange, method, "POST")) {
                    tokenEndpoint.handle(exchange);
                }
                return;
            }
            if (path.equals("/_sim/mutate")) {
                if (allowed(exchange, method, "POST")) {
                    adminEndpoint.mutate(exchange);
                }
                return;
            }
            Feed<?> feed = path.startsWith(REPORTING + "/") ? feeds.get(path.substring(REPORTING.length())) : null;
            if (feed == null || faults.undeployed(path.substring(REPORTING.length()))) {
                HttpIo.sendError(exchange, 404, "NotFound", "No endpoint " + path + " on this server.");
                return;
            }
            if (allowed(exchange, method, "GET")) {
                reportingEndpoint.handle(exchange, feed);
            }
        } catch (IOException e) {
            throw e; // the client went away mid-answer; nothing to tell it
        } catch (RuntimeException e) {
            try {
                HttpIo.sendError(exchange, 500, "InternalError", "Simulator error: " + e);
            } catch (IOException | RuntimeException ignored) {
                // headers were already sent; the connection is closed with the exchange
            }
        }
    }

    private static boolean allowed(HttpExchange exchange, String method, String expected) throws IOException {
        if (expected.equals(method)) {
            return true;
        }
        exchange.getResponseHeaders().set("Allow", expected);
        HttpIo.sendError(exchange, 405, "MethodNotAllowed", method + " is not allowed here; use " + expected + ".");
        return false;
    }
}
