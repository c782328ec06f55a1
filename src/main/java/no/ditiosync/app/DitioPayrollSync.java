package no.ditiosync.app;

import no.ditiosync.ledger.FeedBusyException;
import no.ditiosync.ledger.SyncRun;
import no.ditiosync.simulator.SimulatorCommand;

import java.util.Map;

/** The command line: demo, sync --once, run, simulator. */
public final class DitioPayrollSync {

    static final String USAGE = """
            Usage: java -jar target/ditio-payroll-sync.jar <command>

              demo              sync a generated company from the built-in Ditio simulator into ./out and ./data
              sync --once       one sync against the configured Ditio; exit 0 on success
              run               the service: syncs on the Quartz schedule SYNC_CRON until stopped
              status            watermarks, last runs, ledger and open quarantine, from the state DB
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
                case "status" -> StatusCommand.run(System.out);
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

    private static int syncOnce(String[] args) {
        if (args.length < 2 || !args[1].equals("--once")) {
            System.err.println("sync needs --once (for the schedule use: run)");
            return 64;
        }
        try (SyncApplication app = new SyncApplication(Map.of()).start()) {
            SyncRun run = app.runOnce();
            RunSummary.print(run, System.out);
            return 0;
        } catch (FeedBusyException e) {
            System.err.println("Sync skipped: " + e.getMessage());
            return 3;
        } catch (SettingsException e) {
            throw e;
        } catch (RuntimeException e) {
            System.err.println("Sync failed: " + oneLine(e));
            return 1;
        }
    }

    private static int service() throws Exception {
        SyncApplication app = new SyncApplication(Map.of("sync.scheduled", "true", "observe.server", "true")).start();
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "shutdown"));
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
