package no.ditiosync.app;

import no.ditiosync.run.FailureReason;
import no.ditiosync.run.FeedBusyException;
import no.ditiosync.run.RunStart;
import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.SimulatorCommand;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The command line: demo, sync --once, preview, reconcile, run, status, close-period, check, simulator, --version. */
public final class DitioPayrollSync {

    /** What a command line that cannot be read exits with (sysexits' EX_USAGE). */
    static final int USAGE_ERROR = 64;
    /** What a command exits with when a company's run, or the H2 state DB, was busy with another process. */
    static final int BUSY = 3;

    private DitioPayrollSync() {
    }

    static String usage() {
        return """
                Usage: %s <command> [options]

                  demo              sync a generated company from the built-in Ditio simulator into ./demo-out and ./demo-data
                  sync --once [--company KEY]
                                    one sync of every company (or of one) against the configured Ditio;
                                    exit 0 on success, 1 failed or a feed not delivered (or read in part), 2 bad setting, 3 busy
                  preview [--company KEY]
                                    what the next sync --once would deliver, written to <drop folder>/preview
                                    (PREVIEW_* files) and summed per target; commits and delivers nothing
                  reconcile [--company KEY] [--from yyyy-MM-dd] [--to yyyy-MM-dd] [--deliver]
                                    Ditio's hours against what each target received; drift report CSV in
                                    <drop folder>/reconcile; exit 0 no drift, 1 drift; --deliver delivers it
                  run               the service: syncs each company on its Quartz schedule (SYNC_CRON) until stopped
                  status            watermarks, last runs, ledger and open quarantine, from the state DB
                  status --quarantine [--csv FILE]
                                    every open quarantined record: worker, number, work date, hours, project, reason
                  status --html FILE
                                    the operator's page (what run serves at /), written once to FILE
                  close-period [--company KEY] --through yyyy-MM-dd [--by NAME]
                                    record that payroll is closed through that date: later lines of work dates
                                    on or before it are booked on the day after it (Tripletex, SAP, CSV, JDBC)
                  check             checks the settings, the state DB, the drop folders or SFTP server and each
                                    company's Ditio, one line each; delivers nothing
                  simulator [...]   serve the built-in Ditio simulator
                  --version         the version, its git commit and the Camel version
                  --help            this text; <command> --help tells more of one command

                Settings come from application.properties and the environment (see README.md).
                """.formatted(Launcher.command());
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    static int run(String[] args) throws Exception {
        String command = args.length == 0 ? "--help" : args[0];
        List<String> options = Arrays.asList(args).subList(Math.min(1, args.length), args.length);
        try {
            Settings.checkLogFormat(System.getenv("LOG_FORMAT"));
            // logback takes -DLOG_LEVEL=… before the environment's
            Settings.checkLogLevels(name -> System.getProperty(name, System.getenv(name)));
            if (!command.equals("simulator") && (options.contains("--help") || options.contains("-h"))) {
                String help = CommandHelp.of(command);
                if (help != null) {
                    System.out.print(help);
                    return 0;
                }
            }
            return switch (command) {
                case "demo" -> noOptions(command, options) ? Demo.run() : USAGE_ERROR;
                case "sync" -> syncOnce(options);
                case "preview", "reconcile" -> officerCommand(args);
                case "run" -> noOptions(command, options) ? service() : USAGE_ERROR;
                case "status" -> StatusCommand.run(args, System.out, System.err);
                case "close-period" -> ClosePeriodCommand.run(args, System.out, System.err, java.time.Clock.systemUTC());
                case "check" -> noOptions(command, options) ? CheckCommand.run(System.out) : USAGE_ERROR;
                case "simulator" -> SimulatorCommand.run(options.toArray(String[]::new));
                case "--version", "-V", "version" -> {
                    System.out.println(Version.text());
                    yield 0;
                }
                case "--help", "-h", "help" -> {
                    System.out.print(usage());
                    yield 0;
                }
                default -> {
                    System.err.println("Unknown command '" + command + "'.");
                    System.err.print(usage());
                    yield USAGE_ERROR;
                }
            };
        } catch (SettingsException e) {
            System.err.println(e.getMessage());
            return exitStatus(e);
        }
    }

    /**
     * A setting that stops a command: 2 (wrong or missing), but 3 for an H2 database another process
     * holds (busy) and 1 for one whose disk is full (to be started again once there is room).
     */
    static int exitStatus(Throwable settingFailure) {
        return settingFailure instanceof StateDbInUseException ? BUSY
                : settingFailure instanceof StateDbUnwritableException ? 1
                : settingFailure instanceof WrongOptionException ? USAGE_ERROR : 2;
    }

    /** Whether the command was given no options; if it was, says so with the command's help. */
    private static boolean noOptions(String command, List<String> options) {
        if (options.isEmpty()) {
            return true;
        }
        System.err.println(command + " takes no option '" + options.get(0) + "'.");
        System.err.print(CommandHelp.of(command));
        return false;
    }

    /**
     * One run per company (or only the company of {@code --company KEY}), one after the other; a
     * company that fails does not stop the others. Exit 1 when any failed or left out a feed (its
     * endpoint not deployed), else 3 when any was busy, else 0.
     */
    private static int syncOnce(List<String> options) {
        // --once and --company KEY, in either order
        List<String> rest = new java.util.ArrayList<>(options);
        boolean once = rest.remove("--once");
        int at = rest.indexOf("--company");
        String company = at >= 0 && at + 1 < rest.size() && !rest.get(at + 1).startsWith("--") ? rest.get(at + 1) : null;
        if (company != null) {
            rest.subList(at, at + 2).clear();
        }
        if (!once || !rest.isEmpty()) {
            // name what is wrong: an option it does not take, one given twice, a --company without its key
            String wrong = rest.isEmpty() ? null : rest.get(0);
            System.err.println(at >= 0 && company == null ? "sync --company needs a company KEY."
                    : wrong != null && (wrong.equals("--once") || wrong.equals("--company")) ? "sync takes " + wrong + " once."
                    : wrong != null ? "sync takes no option '" + wrong + "'."
                    : "sync needs --once, optionally with --company KEY (for the schedule use: run)");
            System.err.print(CommandHelp.of("sync"));
            return USAGE_ERROR;
        }
        SyncApplication app = new SyncApplication(Map.of());
        java.util.concurrent.CountDownLatch reported = new java.util.concurrent.CountDownLatch(1);
        // Ctrl+C: the run in progress finishes (or fails cleanly) and its summary is printed before the JVM ends
        app.stopOnSignal(() -> awaitQuietly(reported, java.time.Duration.ofSeconds(10)));
        try (app) {
            app.start();
            return syncCompanies(app, companies(app, company), System.out, System.err,
                    System.console() != null);
        } catch (SettingsException e) {
            throw e;
        } catch (RuntimeException e) {
            // a SIGTERM while Camel starts stops it under the start: that is the reason, not what the start then met
            System.err.println(app.stopping() ? "Sync not started: the application was asked to stop"
                    : "Sync failed: " + FailureReason.of(e));
            return 1;
        } finally {
            System.out.flush();
            reported.countDown();
        }
    }

    /** The company of {@code --company KEY}, or every company when it is null. */
    private static List<String> companies(SyncApplication app, String requested) {
        List<String> companies = app.companies();
        if (requested != null && !companies.contains(requested)) {
            // a company key that names no company is a wrong option (exit 64, as for every command), not a failed run
            throw new WrongOptionException("Setting --company: '" + requested + "' is not a configured company; "
                    + "configured: " + String.join(", ", companies) + " (" + (companies.size() > 1
                    ? "PAYROLL_COMPANIES" : "PAYROLL_COMPANY") + ")");
        }
        return requested == null ? companies : List.of(requested);
    }

    /** A command-line option whose value names nothing the settings know: exit 64, said as a setting. */
    static final class WrongOptionException extends SettingsException {
        WrongOptionException(String message) {
            super(message);
        }
    }

    /** Exit of reconcile when it could not compare (Ditio, the state DB): not to be read as drift. */
    static final int RECONCILE_FAILED = 4;

    /** preview and reconcile: parsed here, each company (or the one named) in turn. */
    private static int officerCommand(String[] args) {
        boolean preview = args[0].equals("preview");
        String company = null;
        java.time.LocalDate from = null;
        java.time.LocalDate to = null;
        boolean deliver = false;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            boolean hasValue = i + 1 < args.length;
            try {
                if (a.equals("--company") && hasValue) {
                    company = args[++i];
                } else if (!preview && a.equals("--from") && hasValue) {
                    from = java.time.LocalDate.parse(args[++i]);
                } else if (!preview && a.equals("--to") && hasValue) {
                    to = java.time.LocalDate.parse(args[++i]);
                } else if (!preview && a.equals("--deliver")) {
                    deliver = true;
                } else {
                    System.err.println(preview ? "preview takes only --company KEY"
                            : "reconcile takes --company KEY, --from yyyy-MM-dd, --to yyyy-MM-dd and --deliver; not '" + a + "'");
                    return 64;
                }
            } catch (java.time.format.DateTimeParseException e) {
                System.err.println(a + " '" + args[i] + "' is not a date as yyyy-MM-dd");
                return 64;
            }
        }
        if (from != null && to != null && from.isAfter(to)) {
            System.err.println("reconcile --from " + from + " is after --to " + to);
            return 64;
        }
        SyncApplication app = new SyncApplication(Map.of());
        app.stopOnSignal(() -> { });
        try (app) {
            app.start();
            int exit = 0;
            for (String c : companies(app, company)) {
                int one = preview ? previewCompany(app, c, System.out, System.err)
                        : reconcileCompany(app, c, from, to, deliver, System.out, System.err);
                exit = Math.max(exit, one);
            }
            return exit;
        } catch (SettingsException e) {
            throw e;
        } catch (RuntimeException e) {
            System.err.println((preview ? "Preview" : "Reconcile") + " failed: " + FailureReason.of(e));
            return preview ? 1 : RECONCILE_FAILED;
        } finally {
            System.out.flush();
        }
    }

    static int previewCompany(SyncApplication app, String company, PrintStream out, PrintStream err) {
        try {
            SyncRun run = app.preview(company);
            var steps = app.runFinish();
            PreviewSummary.print(run, steps.directory().namesByEmployeeNumber(run.company(), run.employeeNumbers()),
                    steps.outbox().unpublished(run.company()), out);
            if (!run.failedFeeds().isEmpty()) {
                // as sync --once: the next run would leave these out too, which the officer must act on
                err.println("Preview incomplete (company " + company + "): " + run.notDelivered());
                return 1;
            }
            return 0;
        } catch (FeedBusyException e) {
            err.println("Preview not made: company " + company + " is busy (" + e.getMessage() + ")");
            return BUSY;
        } catch (Exception e) {
            err.println("Preview of company " + company + " failed, nothing committed or delivered: " + FailureReason.of(e));
            return 1;
        }
    }

    static int reconcileCompany(SyncApplication app, String company, java.time.LocalDate from, java.time.LocalDate to,
                                boolean deliver, PrintStream out, PrintStream err) {
        try {
            String early = RunStart.beforeStartDate(app.runFinish().companyNamed(company), from);
            if (early != null) {
                // a wrong date, as --from after --to: exit 64, not a reconcile that failed
                err.println("reconcile " + early);
                return USAGE_ERROR;
            }
            SyncRun run = app.reconcile(company, from, to, deliver);
            var steps = app.runFinish();
            ReconcileReport report = ReconcileReport.of(run);
            java.nio.file.Path file;
            try {
                file = report.write(steps.companyNamed(run.company()).dropDir().resolve("reconcile"), run,
                        steps.directory().namesByEmployeeNumber(run.company(), run.employeeNumbers()));
            } catch (Exception e) {
                if (!deliver) {
                    throw e;
                }
                // committed and delivered already: "failed" would send the officer looking for a drift that is gone
                RunSummary.print(run, out);
                err.println("Reconcile of company " + company + " delivered as run " + run.runId() + " (lines "
                        + (run.linesSummary().isEmpty() ? "none" : run.linesSummary()) + "), but its drift report could not "
                        + "be written: " + FailureReason.of(e) + "; reconcile again (without --deliver) for the report, it "
                        + "shows what is left");
                return RECONCILE_FAILED;
            }
            report.print(run, file, out);
            // a run that stopped after its commit: reconcile compares with the ledger, which already counts them
            var waiting = steps.outbox().unpublished(run.company());
            if (!waiting.isEmpty()) {
                out.printf(Locale.ROOT, "  NOTE: %s; the ledger counts them as delivered (so does this comparison), payroll gets them "
                        + "when the next run publishes them%n", DropsWaiting.named(waiting));
            }
            String readInPart = feedsWhy(run, true);
            if (!readInPart.isEmpty()) {
                // every line was compared, some with a worker or project as last known
                out.printf(Locale.ROOT, "  NOTE: %s%n", readInPart);
            }
            String notCompared = feedsWhy(run, false);
            if (!notCompared.isEmpty()) {
                err.println("Reconcile incomplete (company " + company + "), these feeds were not compared: " + notCompared);
                return RECONCILE_FAILED;
            }
            if (deliver) {
                if (report.drifts()) {
                    out.printf(Locale.ROOT, "  delivered:      the drift, as run %s (lines %s); reconcile again to see zero%n", run.runId(),
                            run.linesSummary().isEmpty() ? "none" : run.linesSummary());
                    RunSummary.print(run, out);
                } else if (run.linesByTarget().values().stream().anyMatch(lines -> lines > 0)) {
                    // every key's hours were right, yet lines changed: a department or project, or a feed the source
                    // no longer reads taken back for the one it reads
                    out.printf(Locale.ROOT, "  delivered:      no drift in hours, lines corrected as run %s (lines %s)%n",
                            run.runId(), run.linesSummary());
                    RunSummary.print(run, out);
                } else {
                    out.println("  delivered:      nothing (no drift)");
                }
                return 0;
            }
            if (report.drifts()) {
                out.println("  reconcile --deliver delivers the drift as an ordinary run (same ledger and correction styles)");
                return 1;
            }
            return 0;
        } catch (FeedBusyException e) {
            err.println("Reconcile not made: company " + company + " is busy (" + e.getMessage() + ")");
            return BUSY;
        } catch (Exception e) {
            err.println("Reconcile of company " + company + " failed" + (deliver ? "" : ", nothing committed or delivered")
                    + ": " + FailureReason.of(e));
            return RECONCILE_FAILED;
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
                exit = exit == 0 ? BUSY : exit;
            } catch (RuntimeException e) {
                err.println("Sync failed" + label + ": " + FailureReason.of(e));
                exit = 1;
            }
        }
        return exit;
    }

    private static int service() throws Exception {
        return new SyncApplication(Map.of("sync.scheduled", "true", "observe.server", "true")).serve();
    }

    /** The run's feeds read in part ({@code inPart}), or those not read or not delivered, each with why; "" when none. */
    private static String feedsWhy(no.ditiosync.run.SyncRun run, boolean inPart) {
        return run.failedFeeds().entrySet().stream().filter(f -> run.isReadInPart(f.getKey()) == inPart)
                .map(f -> "feed " + f.getKey() + (inPart ? " read in part: " : ": ") + f.getValue())
                .collect(java.util.stream.Collectors.joining("; "));
    }
}
