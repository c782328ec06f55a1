package no.ditiosync.app;

import no.ditiosync.run.FeedBusyException;
import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.SimulatorCommand;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** The command line: demo, sync --once, run, simulator. */
public final class DitioPayrollSync {

    static final String USAGE = """
            Usage: java -jar target/ditio-payroll-sync.jar <command>

              demo              sync a generated company from the built-in Ditio simulator into ./out and ./data
              sync --once [--company KEY]
                                one sync of every company (or of one) against the configured Ditio;
                                exit 0 on success, 1 failed or a feed not delivered, 2 bad setting, 3 busy
              run               the service: syncs each company on its Quartz schedule (SYNC_CRON) until stopped
              status [--html FILE]
                                watermarks, last runs, ledger and open quarantine, from the state DB;
                                --html FILE writes the operator's page to FILE instead
              simulator [...]   serve the built-in Ditio simulator (simulator --help for its options)
              --help            this text

            Settings come from application.properties and the environment (see README.md).
            """;

    private DitioPayrollSync() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    static int run(String[] args) throws Exception {
        String command = args.length == 0 ? "--help" : args[0];
        try {
            return switch (command) {
                case "demo" -> Demo.run();
                case "sync" -> syncOnce(args);
                case "run" -> service();
                case "status" -> StatusCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), System.out);
                case "simulator" -> SimulatorCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length));
                case "--help", "-h", "help" -> {
                    System.out.print(USAGE);
                    yield 0;
                }
                default -> {
                    System.err.println("Unknown command '" + command + "'.");
                    System.err.print(USAGE);
                    yield 64;
                }
            };
        } catch (SettingsException e) {
            System.err.println(e.getMessage());
            return 2;
        }
    }

    /**
     * One run per company (or only the company of {@code --company KEY}), one after the other; a
     * company that fails does not stop the others. Exit 1 when any failed or left out a feed (its
     * endpoint not deployed), else 3 when any was busy, else 0.
     */
    private static int syncOnce(String[] args) {
        boolean once = args.length >= 2 && args[1].equals("--once");
        boolean oneCompany = args.length == 4 && args[2].equals("--company");
        if (!once || args.length != 2 && !oneCompany) {
            System.err.println("sync needs --once, optionally with --company KEY (for the schedule use: run)");
            return 64;
        }
        SyncApplication app = new SyncApplication(Map.of());
        java.util.concurrent.CountDownLatch reported = new java.util.concurrent.CountDownLatch(1);
        // Ctrl+C: the run in progress finishes (or fails cleanly) and its summary is printed before the JVM ends
        app.stopOnSignal(() -> awaitQuietly(reported, java.time.Duration.ofSeconds(10)));
        try (app) {
            app.start();
            return syncCompanies(app, oneCompany ? List.of(args[3]) : app.companies(), System.out, System.err,
                    System.console() != null);
        } catch (SettingsException e) {
            throw e;
        } catch (RuntimeException e) {
            System.err.println("Sync failed: " + oneLine(e));
            return 1;
        } finally {
            System.out.flush();
            reported.countDown();
        }
    }

    private static void awaitQuietly(java.util.concurrent.CountDownLatch latch, java.time.Duration atMost) {
        try {
            latch.await(atMost.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs each company once, in order; one that fails or is busy does not stop the next.
     *
     * @param terminal whether {@code out} is a terminal, where a progress line is kept up to date
     */
    static int syncCompanies(SyncApplication app, List<String> companies, PrintStream out, PrintStream err,
                             boolean terminal) {
        int exit = 0;
        for (String company : companies) {
            String label = companies.size() > 1 ? " (company " + company + ")" : "";
            if (app.stopping()) {
                err.println("Sync not started" + label + ": the application was asked to stop");
                exit = 1;
                continue;
            }
            try {
                no.ditiosync.run.SyncRun run;
                try (ProgressLine progress = terminal
                        ? ProgressLine.start(() -> app.running(company), out, java.time.Duration.ofMillis(250)) : null) {
                    run = app.runOnce(company);
                }
                RunSummary.print(run, out);
                if (!run.failedFeeds().isEmpty()) {
                    // delivered, but not all the operator asked for: that is a failure to act on
                    err.println("Sync incomplete" + label + ": " + run.notDelivered());
                    exit = 1;
                }
            } catch (FeedBusyException e) {
                err.println("Sync skipped" + label + ": " + e.getMessage());
                exit = exit == 0 ? 3 : exit;
            } catch (RuntimeException e) {
                err.println("Sync failed" + label + ": " + oneLine(e));
                exit = 1;
            }
        }
        return exit;
    }

    private static int service() throws Exception {
        SyncApplication app = new SyncApplication(Map.of("sync.scheduled", "true", "observe.server", "true"));
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        // before start: a SIGTERM while starting (the health endpoint may already answer) still stops Camel
        app.stopOnSignal(stopped::countDown);
        app.start().startSchedules();
        stopped.await();
        return 0;
    }

    static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root && (root.getMessage() == null
                || root instanceof org.apache.camel.CamelExecutionException)) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.replace('\n', ' ');
    }
}
