package no.ditiosync.app;

/** What {@code <command> --help} prints: what the command does, its options and its exit status. */
final class CommandHelp {

    private CommandHelp() {
    }

    /** The help of a command, or null for a command that has none (the simulator answers its own). */
    static String of(String command) {
        String java = Launcher.command();
        return switch (command) {
            case "demo" -> """
                    Usage: %s demo

                    Starts the built-in Ditio simulator with a generated company, runs a full sync of it, changes
                    data in the simulator and runs an incremental sync that delivers only the corrections, printing
                    a summary of each run. It writes only to ./demo-out (drops) and ./demo-data (state DB, run
                    reports), never to the folders real runs use, and starts from scratch each time. It needs no
                    setting and never talks to a real Ditio.
                    """.formatted(java);
            case "sync" -> """
                    Usage: %s sync --once [--company KEY]

                    One run of every configured company, one after the other (or of the company KEY only), against
                    the configured Ditio; a summary of each run is printed, or, for a run that failed, its reason
                    on stderr. Settings: application.properties and the environment (DITIO_CLIENT_ID,
                    DITIO_CLIENT_SECRET and PAYROLL_START_DATE are required).

                    Exit status: 0 every run succeeded, 1 a run failed or left out a feed, 2 a setting is missing or
                    wrong (nothing was fetched), 3 busy: a company's previous run was still going (skipped), or another
                    process holds the H2 state DB, 64 a wrong option; 130 (Ctrl+C) or 143 (SIGTERM): stopped by a
                    signal, after the run in progress ended (its summary says how).
                    """.formatted(java);
            case "preview" -> """
                    Usage: %s preview [--company KEY]

                    What the next sync --once would deliver, without delivering it: the same passes and the same
                    delta against the export ledger, each target's file written to <drop folder>/preview as
                    PREVIEW_* (never picked up as a drop), and per target the new lines, corrections, reversals and
                    lines released from quarantine with net hours per employee and wage type. It commits nothing
                    (ledger, watermarks, outbox, quarantine and payroll_line stay as they are) and takes the
                    company's feed lock while it reads.

                    Exit status: 0 done, 1 failed or a feed left out, 2 a setting is missing or wrong, 3 busy,
                    64 a wrong option.
                    """.formatted(java);
            case "reconcile" -> """
                    Usage: %s reconcile [--company KEY] [--from yyyy-MM-dd] [--to yyyy-MM-dd] [--deliver]

                    A full pass of the work dates (default: from PAYROLL_START_DATE) compared with what the export
                    ledger says each target received, per employee, work date and wage type. The drift report (CSV)
                    goes to <drop folder>/reconcile, a summary to the screen. With --deliver the drift is delivered
                    as an ordinary run (same ledger, same correction styles, exactly once).

                    Exit status: 0 no drift (or --deliver delivered it), 1 drift, 2 a setting is missing or wrong,
                    3 busy, 4 failed or a feed left out, 64 a wrong option or date (--from after --to, or before
                    PAYROLL_START_DATE, too).
                    """.formatted(java);
            case "run" -> """
                    Usage: %s run

                    The service: runs each company on its own Quartz schedule (SYNC_CRON, in SYNC_TIME_ZONE) until
                    stopped with SIGTERM or Ctrl+C, which lets a run in progress finish. Health and metrics are served
                    on OBSERVE_HOST:OBSERVE_PORT (/observe/health/ready, /observe/health/live, /observe/metrics).
                    With SYNC_CLUSTERED=true and a PostgreSQL state DB, several nodes share the schedules.
                    Exit status 143 (SIGTERM) or 130 (Ctrl+C): stopped by a signal, as Java reports it (systemd:
                    SuccessExitStatus=143); 2: a setting is missing or wrong; 3: another process holds
                    the H2 state DB; 1: H2 stopped the state DB
                    (or an H2 JDBC target) after a failed write, a full disk: start it again once there is room (a
                    supervisor such as systemd's Restart=on-failure or Kubernetes does).
                    """.formatted(java);
            case "status" -> """
                    Usage: %s status [--quarantine [--csv FILE] | --html FILE]

                    Prints which state DB it reads (PAYROLL_STATE_DB_URL), then per company and feed the watermarks,
                    what each target's ledger holds, the last runs and the open quarantine, and the newest run
                    reports. It reads only: it needs no Ditio credentials and changes nothing.
                    --html FILE writes the operator's page (what the run service serves at /) to FILE instead.
                    --quarantine lists every open quarantined record instead (worker name and number when known,
                    work date, hours, project, reason); --csv FILE writes them to FILE as CSV.

                    Exit status: 0 shown or written, 1 FILE could not be written, 2 the state DB cannot be reached (or
                    PAYROLL_STATE_DB_URL is wrong), 3 another process holds the H2 state DB, 64 a wrong option.
                    """.formatted(java);
            case "close-period" -> """
                    Usage: %s close-period [--company KEY] --through yyyy-MM-dd [--by NAME]

                    Records in the state DB that the company's payroll is closed through that date, by NAME (default:
                    the user running it) and now. From the next run, a new line, correction or reversal of a work
                    date on or before it is booked on the day after it (Tripletex YEAR/MONTH, SAP WORKDATE, the CSV's
                    bookedDate, payroll_line.booked_date), labelled with its work date. PAYROLL_CLOSED_THROUGH does the
                    same as a setting; the later date counts, and a setting a run applied stays closed when it is
                    lowered or removed. --company is needed with several companies.
                    Exit status: 0 recorded, 2 a setting is missing or wrong, 3 another process holds the H2 state DB,
                    64 a wrong option or date.
                    """.formatted(java);
            case "check" -> """
                    Usage: %s check

                    Checks what a run needs, one line each, OK or what to fix: every setting and the wage-type
                    mapping; the state DB (reached, its tables, whether an upgrade of its layout will run at the
                    next start); each drop folder, or the SFTP server (login and host key, nothing uploaded); the
                    JDBC target; the free space where a run writes (an H2 state DB's folder, the drop folder, the
                    scratch folder java.io.tmpdir; under 64 MB fails); and for each company a token from Ditio and
                    one record from each endpoint its runs read. It delivers nothing, moves no watermark and writes
                    nothing to the state DB.

                    Exit status: 0 every check passed, 1 a check failed, 2 a setting is missing or wrong,
                    64 a wrong option.
                    """.formatted(java);
            case "--version", "-V", "version" -> """
                    Usage: %s --version

                    Prints the version, the git commit it was built from and the Camel version.
                    """.formatted(java);
            case "--help", "-h", "help" -> DitioPayrollSync.usage();
            default -> null;
        };
    }
}
