package no.ditiosync.app;

import no.ditiosync.ditio.AbsenceRegistration;
import no.ditiosync.ditio.PayrollLineRecord;
import no.ditiosync.payroll.PayrollSource;
import no.ditiosync.ditio.TimeRegistration;
import no.ditiosync.drops.Aggregation;
import no.ditiosync.drops.SapFormat;
import no.ditiosync.drops.VismaFormat;
import no.ditiosync.drops.AtomicDropFile;
import no.ditiosync.drops.DropTarget;
import no.ditiosync.drops.SftpDrop;
import no.ditiosync.payroll.ApprovalGate;
import no.ditiosync.payroll.WageTypeMapping;
import org.quartz.CronExpression;

import org.apache.hc.core5.net.InetAddressUtils;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Every setting, read and checked once at start-up, before anything is fetched. A wrong value
 * stops the program with one line naming the environment variable, the property and the problem.
 */
public record Settings(
        String identityBase,
        String reportingBase,
        String clientId,
        String clientSecret,
        String scope,
        int chunkLimit,
        long maxPageBytes,
        String company,
        LocalDate startDate,
        int maxFutureDays,
        ApprovalGate approval,
        List<String> targets,
        Path dropDir,
        WageTypeMapping wageTypes,
        String stateDbUrl,
        String stateDbUser,
        String stateDbPassword,
        String jdbcUrl,
        String jdbcUser,
        String jdbcPassword,
        int vismaPayrollYear,
        int vismaPayrollRun,
        Charset vismaCharset,
        Charset tripletexCharset,
        boolean doneMarker,
        String cron,
        ZoneId timeZone,
        Duration overlap,
        int retryMaxAttempts,
        int retryMaxPerRun,
        Duration retryInitialDelay,
        Duration retryMaxDelay,
        Duration retryAfterMax,
        Duration connectTimeout,
        Duration readTimeout,
        String fileMode,
        boolean clustered,
        Duration clusterCheckinInterval,
        int observePort,
        String observeHost,
        String reportDir,
        int reportKeep,
        SftpDrop.Config sftp,
        boolean absences,
        PayrollSource payrollSource,
        Aggregation vismaAggregation,
        Aggregation tripletexAggregation,
        Aggregation csvAggregation,
        String observeUser,
        String observePassword,
        String reconcileCron,
        LocalDate closedThrough) {

    public static final List<String> KNOWN_TARGETS = List.of("visma", "sap", "tripletex", "csv", "jdbc");
    private static final String COMPANY_KEY = "[A-Za-z0-9-]{1,64}";
    /**
     * The largest page read, decompressed. A full page (ChunkLimit 10000) of time registrations is
     * about 15 MB; pages never split a timestamp, so a bulk import can make one larger. 256 MiB leaves
     * room for that and still stops a page that never ends, or a small gzip that inflates to gigabytes.
     */
    static final long DEFAULT_MAX_PAGE_BYTES = 256L << 20;
    /**
     * How far ahead of today a work date may lie before its record is quarantined. A month covers
     * hours registered ahead for the rest of this payroll period and the start of the next; a date
     * beyond is a typo (a wrong year, 9999-12-31) more often than a plan, and a plan is delivered on
     * its own once it comes within reach.
     */
    static final int DEFAULT_MAX_FUTURE_DAYS = 31;

    /** property key → environment variable, for messages. */
    /**
     * property key → environment variable, for messages. A per-company key can be set for one company
     * as {@code company.<key>.<property>}; a shared key is the same for every company.
     */
    private enum Key {
        IDENTITY_BASE("ditio.identity-base", "DITIO_IDENTITY_BASE", true),
        REPORTING_BASE("ditio.reporting-base", "DITIO_REPORTING_BASE", true),
        CLIENT_ID("ditio.client-id", "DITIO_CLIENT_ID", true),
        CLIENT_SECRET("ditio.client-secret", "DITIO_CLIENT_SECRET", true),
        SCOPE("ditio.scope", null, true),
        CHUNK_LIMIT("ditio.chunk-limit", "DITIO_CHUNK_LIMIT", true),
        MAX_PAGE_BYTES("ditio.max-page-bytes", "DITIO_MAX_PAGE_BYTES", false),
        ALLOW_HTTP("ditio.allow-insecure-http", "DITIO_ALLOW_INSECURE_HTTP", false),
        COMPANIES("payroll.companies", "PAYROLL_COMPANIES", false),
        COMPANY("payroll.company", "PAYROLL_COMPANY", false),
        START_DATE("payroll.start-date", "PAYROLL_START_DATE", true),
        MAX_FUTURE_DAYS("payroll.max-future-days", "PAYROLL_MAX_FUTURE_DAYS", true),
        CLOSED_THROUGH("payroll.closed-through", "PAYROLL_CLOSED_THROUGH", true),
        APPROVAL("payroll.approval", "PAYROLL_APPROVAL", true),
        TARGETS("payroll.targets", "PAYROLL_TARGETS", true),
        DROP_DIR("payroll.drop-dir", "PAYROLL_DROP_DIR", true),
        WAGE_TYPES("payroll.wage-types", "PAYROLL_WAGE_TYPES", true),
        STATE_DB_URL("payroll.state-db-url", "PAYROLL_STATE_DB_URL", false),
        STATE_DB_USER("payroll.state-db-user", "PAYROLL_STATE_DB_USER", false),
        STATE_DB_PASSWORD("payroll.state-db-password", "PAYROLL_STATE_DB_PASSWORD", false),
        JDBC_URL("payroll.jdbc-url", "PAYROLL_JDBC_URL", true),
        JDBC_USER("payroll.jdbc-user", "PAYROLL_JDBC_USER", true),
        JDBC_PASSWORD("payroll.jdbc-password", "PAYROLL_JDBC_PASSWORD", true),
        VISMA_YEAR("payroll.visma.payroll-year", "PAYROLL_VISMA_YEAR", true),
        VISMA_RUN("payroll.visma.payroll-run", "PAYROLL_VISMA_RUN", true),
        VISMA_ENCODING("payroll.visma.encoding", "PAYROLL_VISMA_ENCODING", true),
        TRIPLETEX_ENCODING("payroll.tripletex.encoding", "PAYROLL_TRIPLETEX_ENCODING", true),
        VISMA_AGGREGATION("payroll.visma.aggregation", "PAYROLL_VISMA_AGGREGATION", true),
        TRIPLETEX_AGGREGATION("payroll.tripletex.aggregation", "PAYROLL_TRIPLETEX_AGGREGATION", true),
        CSV_AGGREGATION("payroll.csv.aggregation", "PAYROLL_CSV_AGGREGATION", true),
        SAP_AGGREGATION("payroll.sap.aggregation", "PAYROLL_SAP_AGGREGATION", true),
        DONE_MARKER("payroll.done-marker", "PAYROLL_DONE_MARKER", true),
        CRON("sync.cron", "SYNC_CRON", true),
        TIME_ZONE("sync.time-zone", "SYNC_TIME_ZONE", true),
        OVERLAP("sync.overlap", "SYNC_OVERLAP", true),
        CLUSTERED("sync.clustered", "SYNC_CLUSTERED", false),
        CLUSTER_CHECKIN("sync.cluster-checkin-interval", "SYNC_CLUSTER_CHECKIN_INTERVAL", false),
        RETRY_MAX_ATTEMPTS("ditio.retry.max-attempts", "DITIO_RETRY_MAX_ATTEMPTS", false),
        RETRY_MAX_PER_RUN("ditio.retry.max-per-run", "DITIO_RETRY_MAX_PER_RUN", false),
        RETRY_INITIAL_DELAY("ditio.retry.initial-delay", "DITIO_RETRY_INITIAL_DELAY", false),
        RETRY_MAX_DELAY("ditio.retry.max-delay", "DITIO_RETRY_MAX_DELAY", false),
        RETRY_AFTER_MAX("ditio.retry-after-max", "DITIO_RETRY_AFTER_MAX", false),
        CONNECT_TIMEOUT("ditio.connect-timeout", "DITIO_CONNECT_TIMEOUT", false),
        READ_TIMEOUT("ditio.read-timeout", "DITIO_READ_TIMEOUT", false),
        FILE_MODE("payroll.file-mode", "PAYROLL_FILE_MODE", true),
        OBSERVE_PORT("observe.port", "OBSERVE_PORT", false),
        OBSERVE_HOST("observe.host", "OBSERVE_HOST", false),
        OBSERVE_USER("observe.user", "OBSERVE_USER", false),
        OBSERVE_PASSWORD("observe.password", "OBSERVE_PASSWORD", false),
        OBSERVE_SERVER("observe.server", null, false),
        REPORT_DIR("sync.report-dir", "SYNC_REPORT_DIR", false),
        REPORT_KEEP("sync.report-keep", "SYNC_REPORT_KEEP", false),
        SFTP_URL("payroll.sftp.url", "PAYROLL_SFTP_URL", true),
        SFTP_USER("payroll.sftp.user", "PAYROLL_SFTP_USER", true),
        SFTP_PASSWORD("payroll.sftp.password", "PAYROLL_SFTP_PASSWORD", true),
        SFTP_PRIVATE_KEY("payroll.sftp.private-key-file", "PAYROLL_SFTP_PRIVATE_KEY_FILE", true),
        SFTP_PASSPHRASE("payroll.sftp.private-key-passphrase", "PAYROLL_SFTP_PRIVATE_KEY_PASSPHRASE", true),
        SFTP_KNOWN_HOSTS("payroll.sftp.known-hosts", "PAYROLL_SFTP_KNOWN_HOSTS", true),
        SFTP_CONNECT_TIMEOUT("payroll.sftp.connect-timeout", "PAYROLL_SFTP_CONNECT_TIMEOUT", true),
        SFTP_TIMEOUT("payroll.sftp.timeout", "PAYROLL_SFTP_TIMEOUT", true),
        SFTP_MAX_ATTEMPTS("payroll.sftp.max-attempts", "PAYROLL_SFTP_MAX_ATTEMPTS", true),
        SFTP_RETRY_DELAY("payroll.sftp.retry-delay", "PAYROLL_SFTP_RETRY_DELAY", true),
        ABSENCES("payroll.absences", "PAYROLL_ABSENCES", true),
        SOURCE("payroll.source", "PAYROLL_SOURCE", true),
        RECONCILE_CRON("sync.reconcile-cron", "RECONCILE_CRON", true);

        final String property;
        final String env;
        final boolean perCompany;

        Key(String property, String env, boolean perCompany) {
            this.property = property;
            this.env = env;
            this.perCompany = perCompany;
        }

        String label() {
            return env == null ? property : env + " (" + property + ")";
        }
    }

    /**
     * Every company's settings: one company from {@code payroll.company}, or each key of
     * {@code payroll.companies}, whose per-company settings are {@code company.<key>.<property>}
     * where set and the shared property otherwise.
     *
     * @param lookup property key → value with placeholders resolved, null or "" when unset
     */
    public static List<Settings> readAll(Function<String, String> lookup) {
        Reader shared = new Reader(lookup, null);
        String list = shared.raw(Key.COMPANIES);
        if (list.isEmpty()) {
            return List.of(read(lookup));
        }
        List<String> keys = Arrays.stream(list.split(",")).map(String::strip).filter(k -> !k.isEmpty()).toList();
        if (keys.isEmpty() || keys.size() != keys.stream().distinct().count()) {
            throw shared.wrong(Key.COMPANIES, "'" + list + "' must list distinct company keys, separated by commas");
        }
        List<Settings> all = new ArrayList<>();
        Map<Path, String> dropDirs = new HashMap<>();
        for (String key : keys) {
            if (!key.matches(COMPANY_KEY)) {
                throw shared.wrong(Key.COMPANIES, "'" + key + "' must be 1-64 letters, digits or '-'");
            }
            Settings company = read(new Reader(lookup, key));
            String other = company.targets().stream().anyMatch(t -> !t.equals(DropTarget.JDBC))
                    ? dropDirs.putIfAbsent(company.dropDir().toAbsolutePath().normalize(), key) : null;
            if (other != null) {
                throw new SettingsException("Setting company." + key + "." + Key.DROP_DIR.property + ": company " + key
                        + " would share the drop folder '" + company.dropDir() + "' with company " + other
                        + "; files of two companies never mix");
            }
            all.add(company);
        }
        return List.copyOf(all);
    }

    /**
     * LOG_FORMAT is read by logback.xml from the environment before anything else starts (so it is not
     * an application.properties setting); a value it does not know would leave the logs in text
     * without a word, so it stops start-up here instead.
     */
    static void checkLogFormat(String value) {
        if (value != null && !value.isBlank() && !value.equals("text") && !value.equals("json")) {
            throw new SettingsException("Setting LOG_FORMAT: '" + value + "' is neither text nor json");
        }
    }

    /** The settings of one company, without {@code payroll.companies}. */
    public static Settings read(Function<String, String> lookup) {
        return read(new Reader(lookup, null));
    }

    private static Settings read(Reader r) {
        List<String> missing = new ArrayList<>();
        for (Key k : List.of(Key.CLIENT_ID, Key.CLIENT_SECRET, Key.START_DATE)) {
            if (r.raw(k).isEmpty()) {
                missing.add(r.label(k));
            }
        }
        if (!missing.isEmpty()) {
            boolean one = missing.size() == 1;
            // the client secret is read from the environment only; the others may also be written down
            boolean secret = r.raw(Key.CLIENT_SECRET).isEmpty();
            String alsoInFile = one && secret ? "" : one ? ", or in application.properties"
                    : secret ? " (or in application.properties, all but the client secret)" : " (or in application.properties)";
            throw new SettingsException("Missing setting" + (one ? " " : "s ") + String.join(", ", missing) + ": set "
                    + (one ? "it" : "them") + " in the environment" + alsoInFile
                    + "; the built-in simulator is only used by the demo command");
        }
        boolean allowHttp = Boolean.parseBoolean(r.raw(Key.ALLOW_HTTP));
        // before the drop folder is made: a URL refused leaves nothing behind
        String identityBase = r.url(Key.IDENTITY_BASE, allowHttp);
        String reportingBase = r.url(Key.REPORTING_BASE, allowHttp);
        List<String> targets = r.targets();
        Path dropDir = r.dropDir();
        if (targets.stream().anyMatch(t -> !t.equals("jdbc"))) {
            r.writableFolder(Key.DROP_DIR, dropDir);
        }
        if (r.aggregation(Key.SAP_AGGREGATION).sums()) {
            throw r.wrong(Key.SAP_AGGREGATION, "SAP cannot be aggregated: each line is a document that a correction "
                    + "cancels by its number, which a sum would lose; only " + Aggregation.PER_REGISTRATION.setting());
        }
        return new Settings(
                identityBase,
                reportingBase,
                r.required(Key.CLIENT_ID),
                r.required(Key.CLIENT_SECRET),
                r.required(Key.SCOPE),
                r.integer(Key.CHUNK_LIMIT, 1, 10000),
                r.byteSize(Key.MAX_PAGE_BYTES, DEFAULT_MAX_PAGE_BYTES, 1L << 20, 1L << 32),
                r.company(),
                r.date(Key.START_DATE),
                r.integer(Key.MAX_FUTURE_DAYS, DEFAULT_MAX_FUTURE_DAYS, 0, 3660),
                r.approval(),
                targets,
                dropDir,
                r.wageTypes(targets),
                r.jdbcUrl(Key.STATE_DB_URL, false),
                r.raw(Key.STATE_DB_USER),
                r.raw(Key.STATE_DB_PASSWORD),
                r.jdbcUrl(Key.JDBC_URL, true),
                r.raw(Key.JDBC_USER),
                r.raw(Key.JDBC_PASSWORD),
                r.integer(Key.VISMA_YEAR, 0, 9999),
                r.integer(Key.VISMA_RUN, 0, 999),
                r.charset(Key.VISMA_ENCODING),
                r.charset(Key.TRIPLETEX_ENCODING),
                r.bool(Key.DONE_MARKER),
                r.cron(Key.CRON),
                r.zone(Key.TIME_ZONE),
                r.duration(Key.OVERLAP),
                r.integer(Key.RETRY_MAX_ATTEMPTS, 1, 100),
                r.integer(Key.RETRY_MAX_PER_RUN, 0, 100_000),
                r.camelDuration(Key.RETRY_INITIAL_DELAY),
                r.camelDuration(Key.RETRY_MAX_DELAY),
                r.camelDuration(Key.RETRY_AFTER_MAX),
                r.camelDuration(Key.CONNECT_TIMEOUT),
                r.camelDuration(Key.READ_TIMEOUT),
                r.fileMode(),
                r.clustered(),
                r.camelDuration(Key.CLUSTER_CHECKIN),
                r.integer(Key.OBSERVE_PORT, 1, 65535),
                r.host(Key.OBSERVE_HOST),
                r.raw(Key.REPORT_DIR),
                r.integer(Key.REPORT_KEEP, 1, 100_000),
                r.sftp(),
                r.bool(Key.ABSENCES),
                r.payrollSource(),
                r.aggregation(Key.VISMA_AGGREGATION),
                r.aggregation(Key.TRIPLETEX_AGGREGATION),
                r.aggregation(Key.CSV_AGGREGATION),
                r.observeUser(),
                r.raw(Key.OBSERVE_PASSWORD),
                r.raw(Key.RECONCILE_CRON).isEmpty() ? null : r.cron(Key.RECONCILE_CRON),
                r.raw(Key.CLOSED_THROUGH).isEmpty() ? null : r.date(Key.CLOSED_THROUGH));
    }

    /**
     * The registration feeds delivered, in order: time registrations and/or payroll lines as
     * PAYROLL_SOURCE says, then absences when switched on.
     */
    public List<String> feeds() {
        List<String> feeds = new ArrayList<>();
        if (payrollSource.readsTimeRegistrations()) {
            feeds.add(TimeRegistration.TIME);
        }
        if (payrollSource.readsPayrollLines()) {
            feeds.add(PayrollLineRecord.PAYROLL);
        }
        if (absences) {
            feeds.add(AbsenceRegistration.ABSENCE);
        }
        return List.copyOf(feeds);
    }

    /** The JDBC target's URL: its own, or the state DB's. */
    public String targetJdbcUrl() {
        return jdbcUrl.isEmpty() ? stateDbUrl : jdbcUrl;
    }

    @Override
    public String toString() {
        // a record's default toString would print the secrets
        return "Settings[company=" + company + ", reporting=" + reportingBase + ", targets=" + targets + "]";
    }

    private static final class Reader {
        private final Function<String, String> lookup;
        /** the company of payroll.companies being read, or null for the one company of payroll.company */
        private final String company;

        Reader(Function<String, String> lookup, String company) {
            this.lookup = lookup;
            this.company = company;
        }

        String raw(Key k) {
            String v = overridden(k) ? lookup.apply(companyProperty(k)) : lookup.apply(k.property);
            return v == null ? "" : v.strip();
        }

        private boolean overridden(Key k) {
            if (company == null || !k.perCompany) {
                return false;
            }
            String v = lookup.apply(companyProperty(k));
            return v != null && !v.isBlank();
        }

        private String companyProperty(Key k) {
            return "company." + company + "." + k.property;
        }

        /** The setting as the operator wrote it: the company's own property, or the shared one. */
        String label(Key k) {
            return overridden(k) ? companyProperty(k) : k.label() + (k.perCompany ? forCompany() : "");
        }

        String forCompany() {
            return company == null ? "" : " for company " + company;
        }

        SettingsException wrong(Key k, String problem) {
            return new SettingsException("Setting " + label(k) + ": " + problem);
        }

        String company() {
            return company != null ? company : name(Key.COMPANY);
        }

        /** With several companies, each has its own subfolder of the shared drop folder unless it names one. */
        Path dropDir() {
            Path folder = Path.of(required(Key.DROP_DIR));
            return company != null && !overridden(Key.DROP_DIR) ? folder.resolve(company) : folder;
        }

        ZoneId zone(Key k) {
            String v = required(k);
            try {
                return ZoneId.of(v);
            } catch (java.time.DateTimeException e) {
                throw wrong(k, "'" + v + "' is not a time zone such as Europe/Oslo");
            }
        }

        boolean bool(Key k) {
            String v = raw(k).toLowerCase(Locale.ROOT);
            if (!v.isEmpty() && !v.equals("true") && !v.equals("false")) {
                throw wrong(k, "'" + raw(k) + "' is neither true nor false");
            }
            return v.equals("true");
        }

        boolean clustered() {
            boolean clustered = bool(Key.CLUSTERED);
            if (clustered && !raw(Key.STATE_DB_URL).startsWith("jdbc:postgresql:")) {
                throw wrong(Key.CLUSTERED, "a Quartz cluster needs the PostgreSQL state DB every node shares ("
                        + Key.STATE_DB_URL.label() + " = jdbc:postgresql:...)");
            }
            return clustered;
        }

        String required(Key k) {
            String v = raw(k);
            if (v.isEmpty()) {
                throw wrong(k, "is required");
            }
            return v;
        }

        String name(Key k) {
            String v = required(k);
            if (!v.matches(COMPANY_KEY)) {
                throw wrong(k, "'" + v + "' must be 1-64 letters, digits or '-'");
            }
            return v;
        }

        String url(Key k, boolean allowHttp) {
            String v = required(k);
            URI uri;
            try {
                uri = new URI(v);
            } catch (Exception e) {
                throw wrong(k, "'" + v + "' is not a URL");
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null) {
                throw wrong(k, "'" + v + "' is not an http(s) URL with a host");
            }
            if (scheme.equals("http") && !allowHttp && !isLoopback(uri.getHost())) {
                throw wrong(k, "'" + v + "' is plain http to a host that is not a loopback address (127.0.0.0/8, [::1]) "
                        + "or localhost; use https, or set " + Key.ALLOW_HTTP.label() + "=true if you really mean it");
            }
            return v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
        }

        /** As {@link #integer(Key, int, int)}, with a default when unset. */
        int integer(Key k, int defaultValue, int min, int max) {
            return raw(k).isEmpty() ? defaultValue : integer(k, min, max);
        }

        int integer(Key k, int min, int max) {
            String v = required(k);
            try {
                int n = Integer.parseInt(v);
                if (n < min || n > max) {
                    throw wrong(k, "'" + v + "' is outside " + min + "-" + max);
                }
                return n;
            } catch (NumberFormatException e) {
                throw wrong(k, "'" + v + "' is not a whole number");
            }
        }

        /** A size in bytes, or with KiB, MiB, GiB (KB, MB, GB and K, M, G read the same, as 1024s); empty is the default. */
        long byteSize(Key k, long defaultSize, long min, long max) {
            String v = raw(k);
            if (v.isEmpty()) {
                return defaultSize;
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,18})\\s*(?:([KMG])i?)?B?",
                    java.util.regex.Pattern.CASE_INSENSITIVE).matcher(v);
            if (!m.matches()) {
                throw wrong(k, "'" + v + "' is not a size such as 256MiB, 64MiB or 1GiB");
            }
            int shift = m.group(2) == null ? 0 : 10 * ("KMG".indexOf(m.group(2).toUpperCase(Locale.ROOT)) + 1);
            long size;
            try {
                size = Math.multiplyExact(Long.parseLong(m.group(1)), 1L << shift);
            } catch (ArithmeticException tooLarge) {
                size = Long.MAX_VALUE;
            }
            if (size < min || size > max) {
                throw wrong(k, "'" + v + "' is outside " + no.ditiosync.ditio.PageReader.size(min) + "-"
                        + no.ditiosync.ditio.PageReader.size(max));
            }
            return size;
        }

        LocalDate date(Key k) {
            String v = required(k);
            try {
                return LocalDate.parse(v);
            } catch (DateTimeParseException e) {
                throw wrong(k, "'" + v + "' is not a date as yyyy-MM-dd");
            }
        }

        PayrollSource payrollSource() {
            String v = raw(Key.SOURCE);
            try {
                return v.isEmpty() ? PayrollSource.TIME : PayrollSource.fromSetting(v);
            } catch (IllegalArgumentException e) {
                throw wrong(Key.SOURCE, e.getMessage());
            }
        }

        /** One line per registration unless set: the files stay as they were before the setting existed. */
        Aggregation aggregation(Key k) {
            String v = raw(k);
            try {
                return v.isEmpty() ? Aggregation.PER_REGISTRATION : Aggregation.fromSetting(v);
            } catch (IllegalArgumentException e) {
                throw wrong(k, e.getMessage());
            }
        }

        ApprovalGate approval() {
            try {
                return ApprovalGate.fromSetting(required(Key.APPROVAL));
            } catch (IllegalArgumentException e) {
                throw wrong(Key.APPROVAL, e.getMessage());
            }
        }

        List<String> targets() {
            List<String> targets = Arrays.stream(required(Key.TARGETS).split(","))
                    .map(t -> t.strip().toLowerCase(Locale.ROOT)).filter(t -> !t.isEmpty()).distinct().toList();
            for (String t : targets) {
                if (CustomTarget.isDeclared(t, lookup)) {
                    // a target of the user's own: its format class is made once here, so a bad one stops start-up
                    CustomTarget.read(t, lookup);
                } else if (!KNOWN_TARGETS.contains(t)) {
                    throw wrong(Key.TARGETS, "unknown target '" + t + "' (known: " + String.join(", ", KNOWN_TARGETS)
                            + "; a target of your own needs its format class in " + CustomTarget.label(CustomTarget.formatProperty(t)) + ")");
                }
            }
            if (targets.isEmpty()) {
                throw wrong(Key.TARGETS, "names no target");
            }
            return targets;
        }

        void writableFolder(Key k, Path folder) {
            try {
                Files.createDirectories(folder);
            } catch (IOException e) {
                throw wrong(k, "cannot create folder '" + folder + "' (" + AtomicDropFile.plainReason(e) + ")");
            } catch (SecurityException e) {
                throw wrong(k, "cannot create folder '" + folder + "' (not allowed)");
            }
            if (!Files.isDirectory(folder) || !Files.isWritable(folder)) {
                throw wrong(k, "folder '" + folder + "' is not writable");
            }
        }

        /**
         * The mapping, checked against the targets: a wage type a file cannot hold would fail every
         * run at its first line, so it stops start-up instead. Tripletex, the CSV and JDBC take any
         * wage type the mapping allows.
         */
        WageTypeMapping wageTypes(List<String> targets) {
            WageTypeMapping mapping = wageTypes();
            mapping.wageTypes().forEach((wageType, line) -> {
                for (String target : targets) {
                    String problem = switch (target) {
                        case "visma" -> VismaFormat.wageTypeProblem(wageType);
                        case "sap" -> SapFormat.wageTypeProblem(wageType);
                        default -> null;
                    };
                    if (problem != null) {
                        throw wrong(Key.WAGE_TYPES, "wage type '" + wageType + "' (line " + line + ") cannot go to the "
                                + target + " target: " + problem);
                    }
                }
            });
            return mapping;
        }

        WageTypeMapping wageTypes() {
            Path file = Path.of(required(Key.WAGE_TYPES));
            if (!Files.isReadable(file)) {
                throw wrong(Key.WAGE_TYPES, "cannot read '" + file + "'");
            }
            try {
                return WageTypeMapping.load(file);
            } catch (IOException e) {
                throw wrong(Key.WAGE_TYPES, "cannot read '" + file + "': " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw wrong(Key.WAGE_TYPES, e.getMessage());
            }
        }

        String jdbcUrl(Key k, boolean optional) {
            String v = optional ? raw(k) : required(k);
            if (v.isEmpty() || v.startsWith("jdbc:h2:") || v.startsWith("jdbc:postgresql:")) {
                return v;
            }
            throw wrong(k, "'" + v.replaceAll("password=[^;&]*", "password=***")
                    + "' is not an H2 (jdbc:h2:) or PostgreSQL (jdbc:postgresql:) JDBC URL");
        }

        String fileMode() {
            String v = raw(Key.FILE_MODE);
            if (v.isEmpty()) {
                return AtomicDropFile.OWNER_ONLY;
            }
            if (!v.equals(AtomicDropFile.OWNER_ONLY) && !v.equals(AtomicDropFile.OWNER_AND_GROUP)) {
                throw wrong(Key.FILE_MODE, "'" + v + "' is neither 0600 (owner only) nor 0640 (owner and group)");
            }
            return v;
        }

        /** An address to bind: a literal IPv4 or IPv6 address or a host name, nothing else (no URL, no port). */
        String host(Key k) {
            String v = required(k);
            if (!v.matches("[A-Za-z0-9.-]{1,253}|[0-9A-Fa-f:.]{2,45}")) {
                throw wrong(k, "'" + v + "' is not an address to bind (such as 127.0.0.1 or 0.0.0.0)");
            }
            return v;
        }

        /**
         * The user of the page's credentials (HTTP Basic), with its password; both or neither. The run
         * service bound to an address other machines reach (OBSERVE_HOST not loopback) refuses to start
         * without them: the page shows payroll hours and names.
         */
        String observeUser() {
            String user = raw(Key.OBSERVE_USER);
            boolean password = !raw(Key.OBSERVE_PASSWORD).isEmpty();
            if (user.isEmpty() != !password) {
                throw wrong(user.isEmpty() ? Key.OBSERVE_USER : Key.OBSERVE_PASSWORD, "is required with "
                        + (user.isEmpty() ? Key.OBSERVE_PASSWORD : Key.OBSERVE_USER).label());
            }
            if (user.indexOf(':') >= 0) {
                throw wrong(Key.OBSERVE_USER, "must not hold ':' (HTTP Basic cannot send it)");
            }
            String host = raw(Key.OBSERVE_HOST);
            if (user.isEmpty() && Boolean.parseBoolean(raw(Key.OBSERVE_SERVER)) && !isLoopback(host)) {
                throw new SettingsException("Setting " + Key.OBSERVE_HOST.label() + ": '" + host + "' lets other machines "
                        + "reach the operator's page, so it needs credentials: set " + Key.OBSERVE_USER.label() + " and "
                        + Key.OBSERVE_PASSWORD.label() + ", or bind to 127.0.0.1");
            }
            return user;
        }

        /**
         * The SFTP server the drops go to, or null (empty PAYROLL_SFTP_URL) for the local drop folder.
         * With several companies, each has its own subfolder of a shared URL's folder unless it names
         * its own URL, as with the local drop folder.
         */
        SftpDrop.Config sftp() {
            String v = raw(Key.SFTP_URL);
            if (v.isEmpty()) {
                return null;
            }
            URI uri;
            try {
                uri = new URI(v);
            } catch (Exception e) {
                throw wrong(Key.SFTP_URL, "is not a URL such as sftp://host:22/folder");
            }
            if (uri.getRawUserInfo() != null) {
                // never echoed: it may hold a password
                throw wrong(Key.SFTP_URL, "must not hold a user or password; set " + Key.SFTP_USER.label() + " and "
                        + Key.SFTP_PASSWORD.label() + " or " + Key.SFTP_PRIVATE_KEY.label());
            }
            if (!"sftp".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getRawQuery() != null
                    || uri.getRawFragment() != null) {
                throw wrong(Key.SFTP_URL, "'" + v + "' is not a URL such as sftp://host:22/folder");
            }
            int port = uri.getPort() == -1 ? 22 : uri.getPort();
            String path = uri.getPath() == null || uri.getPath().isEmpty() ? "." : uri.getPath();
            if (path.length() > 1 && path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            if (company != null && !overridden(Key.SFTP_URL)) {
                path = path + "/" + company;
            }
            String user = required(Key.SFTP_USER);
            String password = raw(Key.SFTP_PASSWORD);
            String keyFile = raw(Key.SFTP_PRIVATE_KEY);
            if (password.isEmpty() && keyFile.isEmpty()) {
                throw wrong(Key.SFTP_URL, "needs " + Key.SFTP_PASSWORD.label() + " or " + Key.SFTP_PRIVATE_KEY.label());
            }
            Path key = null;
            if (!keyFile.isEmpty()) {
                key = Path.of(keyFile);
                if (!Files.isRegularFile(key) || !Files.isReadable(key)) {
                    throw wrong(Key.SFTP_PRIVATE_KEY, "cannot read '" + keyFile + "'");
                }
            }
            String knownHostsFile = raw(Key.SFTP_KNOWN_HOSTS);
            Path knownHosts = knownHostsFile.isEmpty()
                    ? Path.of(System.getProperty("user.home"), ".ssh", "known_hosts") : Path.of(knownHostsFile);
            if (!Files.isRegularFile(knownHosts) || !Files.isReadable(knownHosts)) {
                throw wrong(Key.SFTP_KNOWN_HOSTS, "cannot read '" + knownHosts + "': the SFTP server's host key must be "
                        + "listed there (host-key checking is always on)");
            }
            return new SftpDrop.Config(uri.getHost(), port, path, user, password, key, raw(Key.SFTP_PASSPHRASE),
                    knownHosts, camelDuration(Key.SFTP_CONNECT_TIMEOUT), camelDuration(Key.SFTP_TIMEOUT),
                    integer(Key.SFTP_MAX_ATTEMPTS, 1, 20), camelDuration(Key.SFTP_RETRY_DELAY), fileMode());
        }

        Charset charset(Key k) {
            String v = required(k);
            Charset charset;
            try {
                charset = Charset.forName(v);
            } catch (Exception e) {
                throw wrong(k, "'" + v + "' is not a known encoding (windows-1252 or UTF-8)");
            }
            if (!charset.equals(java.nio.charset.StandardCharsets.UTF_8) && !charset.name().equals("windows-1252")) {
                throw wrong(k, "'" + v + "' is neither windows-1252 nor UTF-8");
            }
            return charset;
        }

        String cron(Key k) {
            String v = required(k);
            if (!CronExpression.isValidExpression(v)) {
                throw wrong(k, "'" + v + "' is not a Quartz cron expression (seconds minutes hours day month weekday)");
            }
            return v;
        }

        Duration duration(Key k) {
            String v = required(k);
            try {
                Duration d = Duration.parse(v.toUpperCase(Locale.ROOT).startsWith("P") ? v : "PT" + v);
                if (d.isNegative()) {
                    throw wrong(k, "'" + v + "' is negative");
                }
                return d;
            } catch (DateTimeParseException e) {
                throw wrong(k, "'" + v + "' is not a duration such as PT10M or 10m");
            }
        }

        /**
         * A duration as Camel reads it where these settings go (camel-http timeouts, the redelivery
         * policy): 500ms, 20s, 2m, 1h, or combined as 1m30s; more than zero (0 would mean "wait forever").
         */
        Duration camelDuration(Key k) {
            String v = required(k);
            if (!v.matches("(\\d+(ms|s|m|h))+")) {
                throw wrong(k, "'" + v + "' is not a duration such as 500ms, 20s or 2m");
            }
            Duration d = org.apache.camel.util.TimeUtils.toDuration(v);
            if (d.isZero()) {
                throw wrong(k, "'" + v + "' must be more than zero");
            }
            return d;
        }

        /**
         * A literal loopback address (127.0.0.0/8, ::1, also as [::1] or ::ffff:127.x.x.x) or the name
         * localhost. Only literals: a name such as 127.evil.test is a host name like any other, and no
         * DNS lookup decides whether credentials go out unencrypted.
         */
        static boolean isLoopback(String host) {
            String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            if (h.equalsIgnoreCase("localhost")) {
                return true;
            }
            if (!InetAddressUtils.isIPv4Address(h) && !InetAddressUtils.isIPv6Address(h)
                    && !InetAddressUtils.isIPv4MappedIPv64Address(h)) {
                return false;
            }
            try {
                // a literal address is parsed, never looked up
                return InetAddress.getByName(h).isLoopbackAddress();
            } catch (UnknownHostException e) {
                return false;
            }
        }
    }
}
