package no.ditiosync.simulator;

import java.io.PrintStream;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * Serves the built-in Ditio simulator until the process is killed.
 *
 * <pre>
 * simulator [--port N] [--seed S] [--workers N] [--weeks N] [--last-work-date YYYY-MM-DD]
 *           [--client-id ID] [--client-secret SECRET] [--expires-in SECONDS] [--help]
 * </pre>
 * Defaults: port 8099, seed 42, 200 workers, 6 weeks ending 2026-11-27, client
 * {@code demo-client}/{@code demo-secret} (fake demo credentials), tokens valid 1800 s.
 *
 * <p>Point a client at it with {@code DITIO_IDENTITY_BASE=http://127.0.0.1:8099} and
 * {@code DITIO_REPORTING_BASE=http://127.0.0.1:8099/reporting}.
 *
 * <p>To change data between two sync runs (edits, approvals, bulk payroll approvals,
 * un-approvals, deletions, late registrations, employee number changes):
 * <pre>
 * curl -X POST 'http://127.0.0.1:8099/_sim/mutate?count=20&amp;seed=7'
 * </pre>
 * answers {@code {"count":20,"seed":7,"mutations":["edit ...", ...]}}; without {@code seed} a
 * random one is used (and returned). Changes are stamped with the current time.
 */
public final class SimulatorCommand {

    static final int USAGE_ERROR = 64;

    static final String USAGE = """
            Usage: simulator [options]   (the built-in Ditio simulator, fake data on 127.0.0.1)

              --port N                 listen port (default 8099, 0 = any free port)
              --seed S                 data seed (default 42); same seed and size give the same data
              --workers N              number of workers/users (default 200; 16000 gives about 1M registrations)
              --weeks N                weeks of time registrations ending at --last-work-date (default 6)
              --last-work-date DATE    last generated work date (default 2026-11-27)
              --client-id ID           OAuth client id (default demo-client)
              --client-secret SECRET   OAuth client secret (default demo-secret)
              --expires-in SECONDS     token lifetime (default 1800)
              --help                   this text

            Change data between runs:  curl -X POST 'http://127.0.0.1:<port>/_sim/mutate?count=20&seed=7'
            """;

    private SimulatorCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Starts the simulator and blocks until the process is killed; 0 after --help, 64 on bad options. */
    public static int run(String[] args) {
        return run(args, System.out, System.err, SimulatorCommand::blockUntilShutdown);
    }

    /** Testable form: {@code whileRunning} gets the running simulator; it is closed when that returns. */
    static int run(String[] args, PrintStream out, PrintStream err, Consumer<SimulatedDitio> whileRunning) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.print(USAGE);
            return USAGE_ERROR;
        }
        if (options.help) {
            out.print(USAGE);
            return 0;
        }
        SimulatedDitio sim;
        try {
            sim = SimulatedDitio.start(options.config, options.port);
        } catch (RuntimeException e) {
            err.println("Cannot start the simulator: " + e.getMessage()
                    + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : ""));
            return 1;
        }
        try {
            printBanner(sim, out);
            whileRunning.accept(sim);
            return 0;
        } finally {
            sim.close();
        }
    }

    static void printBanner(SimulatedDitio sim, PrintStream out) {
        SimulatorConfig c = sim.config();
        DitioDataset data = sim.data();
        out.println("Built-in Ditio simulator (fake generated data) listening on 127.0.0.1:" + sim.port());
        out.println("  seed " + c.seed() + ": " + data.users().size() + " users, "
                + data.liveTimeRegistrations().size() + " live time registrations, work dates "
                + data.firstWorkDate() + " .. " + data.lastWorkDate() + "; tokens expire after "
                + c.tokenExpiresInSeconds() + " s");
        out.println("Point ditio-payroll-sync at it: paste these into the shell you run it from (demo credentials,");
        out.println("and the first generated work date as the start date):");
        out.println();
        out.println("export DITIO_IDENTITY_BASE=" + sim.identityBase());
        out.println("export DITIO_REPORTING_BASE=" + sim.reportingBase());
        out.println("export DITIO_CLIENT_ID=" + shellWord(sim.clientId()));
        out.println("export DITIO_CLIENT_SECRET=" + shellWord(sim.clientSecret()));
        out.println("export PAYROLL_START_DATE=" + data.firstWorkDate());
        out.println();
        out.println("Change data between runs:  curl -X POST '" + sim.identityBase() + "/_sim/mutate?count=20&seed=1'");
        out.println("Stop with Ctrl+C.");
        out.flush();
    }

    /** A value as one shell word: quoted unless it is plain (a credential given with --client-secret may not be). */
    static String shellWord(String value) {
        return value.matches("[A-Za-z0-9._:/@%+=-]+") ? value : "'" + value.replace("'", "'\\''") + "'";
    }

    private static void blockUntilShutdown(SimulatedDitio sim) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sim.close();
            stopped.countDown();
        }, "ditio-sim-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Parsed command line. */
    static final class Options {
        final SimulatorConfig config = new SimulatorConfig();
        int port = 8099;
        boolean help;

        private static final java.util.Set<String> KNOWN = java.util.Set.of("--port", "--seed", "--workers", "--weeks",
                "--last-work-date", "--client-id", "--client-secret", "--expires-in");

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                String name = arg;
                String value = null;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    name = arg.substring(0, eq);
                    value = arg.substring(eq + 1);
                }
                if (name.equals("--help") || name.equals("-h")) {
                    o.help = true;
                    continue;
                }
                if (!KNOWN.contains(name)) {
                    throw new IllegalArgumentException("Unknown option " + name + ".");
                }
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("Option " + name + " needs a value.");
                    }
                    value = args[++i];
                }
                try {
                    switch (name) {
                        case "--port" -> o.port = portNumber(value);
                        case "--seed" -> o.config.seed(Long.parseLong(value));
                        case "--workers" -> o.config.workers(Integer.parseInt(value));
                        case "--weeks" -> o.config.weeks(Integer.parseInt(value));
                        case "--last-work-date" -> o.config.lastWorkDate(LocalDate.parse(value));
                        case "--client-id" -> o.config.clientId(value);
                        case "--client-secret" -> o.config.clientSecret(value);
                        case "--expires-in" -> o.config.tokenExpiresInSeconds(Long.parseLong(value));
                        default -> throw new IllegalArgumentException("Unknown option " + name + ".");
                    }
                } catch (NumberFormatException | DateTimeParseException e) {
                    throw new IllegalArgumentException("Bad value for " + name + ": '" + value + "'.");
                }
            }
            return o;
        }

        private static int portNumber(String value) {
            int port = Integer.parseInt(value);
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--port must be 0..65535, was " + port + ".");
            }
            return port;
        }
    }
}
