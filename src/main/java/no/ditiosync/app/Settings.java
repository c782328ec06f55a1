package no.ditiosync.app;

import no.ditiosync.ditio.AbsenceRegistration;
import no.ditiosync.drops.Aggregation;
import no.ditiosync.drops.DropTarget;
import no.ditiosync.drops.SftpDrop;
import no.ditiosync.payroll.ApprovalGate;
import no.ditiosync.payroll.PayrollSource;
import no.ditiosync.payroll.WageTypeMapping;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static no.ditiosync.app.SettingKey.*;

/**
 * Every setting, read and checked once at start-up, before anything is fetched. A wrong value
 * stops the program with one line naming the environment variable, the property and the problem.
 *
 * @param customTargets the targets of the user's own among {@code targets}, by name, each with its
 *                      format made once, at start-up
 * @param closedThroughVariable the environment variable the company's PAYROLL_CLOSED_THROUGH comes from (its own
 *                      {@code COMPANY_<KEY>_…} where set), as the closing a run keeps names it
 * @param startDateVariable the environment variable the company's PAYROLL_START_DATE comes from, as messages name it
 * @param credentialSettings the environment variables of the company's Ditio client id and secret, as messages name them
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
        LocalDate closedThrough,
        String closedThroughVariable,
        String startDateVariable,
        Map<String, CustomTarget> customTargets,
        String credentialSettings) {

    public static final List<String> KNOWN_TARGETS = List.of("visma", "sap", "tripletex", "csv", "jdbc");
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

    /**
     * Every company's settings: one company from {@code payroll.company}, or each key of
     * {@code payroll.companies}, whose per-company settings are {@code company.<key>.<property>}
     * where set and the shared property otherwise.
     *
     * @param lookup property key → value with placeholders resolved, null or "" when unset
     */
    public static List<Settings> readAll(Function<String, String> lookup) {
        return readAll(lookup, true, System.getenv().keySet());
    }

    /**
     * As {@link #readAll(Function)}; with {@code makeDropFolders} false a missing drop folder is left
     * as it is (for {@code check}, which only looks, and says whether the first drop can make it).
     * {@code environment}: the names of the environment variables the lookup reads (none for the demo).
     */
    static List<Settings> readAll(Function<String, String> lookup, boolean makeDropFolders, java.util.Set<String> environment) {
        SettingReader shared = new SettingReader(lookup, null);
        String list = shared.raw(COMPANIES);
        if (list.isEmpty()) {
            refuseVariablesOfOtherCompanies(environment, List.of());
            return List.of(read(new SettingReader(lookup, null), makeDropFolders));
        }
        List<String> keys = Arrays.stream(list.split(",")).map(String::strip).filter(k -> !k.isEmpty()).toList();
        if (keys.isEmpty() || keys.size() != keys.stream().distinct().count()) {
            throw shared.wrong(COMPANIES, "'" + list + "' must list distinct company keys, separated by commas");
        }
        // acme and Acme would read one set of COMPANY_ACME_… variables (and share a folder on some disks)
        if (keys.size() != keys.stream().map(Settings::variablePart).distinct().count()) {
            throw shared.wrong(COMPANIES, "'" + list + "' lists company keys that differ only in case; "
                    + "their environment variables (COMPANY_<KEY>_…) would be one");
        }
        // PAYROLL_COMPANY is not read once PAYROLL_COMPANIES is set: a company named there alone would stop being paid
        String one = shared.raw(COMPANY);
        if (!one.isEmpty() && !one.equals(RunSummary.UNNAMED_COMPANY) && !keys.contains(one)) {
            throw shared.wrong(COMPANY, "'" + one + "' is not one of PAYROLL_COMPANIES (" + String.join(", ", keys)
                    + "), which lists the companies when set; add it there, or unset PAYROLL_COMPANY");
        }
        refuseVariablesOfOtherCompanies(environment, keys);
        refuseSharedSettingsSetForOne(lookup, keys);
        List<Settings> all = new ArrayList<>();
        Map<Path, String> dropDirs = new HashMap<>();
        Map<String, String> sftpFolders = new HashMap<>();
        for (String key : keys) {
            if (!key.matches(SettingReader.COMPANY_KEY)) {
                throw shared.wrong(COMPANIES, "'" + key + "' must be 1-64 letters, digits or '-'");
            }
            SettingReader own = new SettingReader(lookup, key);
            Settings company = read(own, makeDropFolders);
            boolean files = company.targets().stream().anyMatch(t -> !t.equals(DropTarget.JDBC));
            String other = files ? dropDirs.putIfAbsent(asTheFileSystemNamesIt(company.dropDir()), key) : null;
            if (other != null) {
                throw new SettingsException("Setting company." + key + "." + DROP_DIR.property + ": company " + key
                        + " would share the drop folder '" + company.dropDir() + "' with company " + other
                        + "; files of two companies never mix");
            }
            SftpDrop.Config sftp = company.sftp();
            for (String target : sftp == null ? List.<String>of() : company.targets()) {
                if (target.equals(DropTarget.JDBC)) {
                    continue;
                }
                // a target's folder of the same login on the same server, however its path is spelled; another
                // login's folder of the same name may be its own (a chroot), which cannot be told from here
                String folder = Path.of(sftp.folderOf(target)).normalize().toString();
                other = sftpFolders.putIfAbsent(sftp.user() + "@" + sftp.host().toLowerCase(java.util.Locale.ROOT) + ":"
                        + sftp.port() + ":" + folder, key);
                if (other != null) {
                    throw own.wrong(SFTP_URL, "company " + key + " would share the folder '" + folder + "' on SFTP server "
                            + sftp.server() + " (as '" + sftp.user() + "') with company " + other
                            + "; files of two companies never mix");
                }
            }
            all.add(company);
        }
        return List.copyOf(all);
    }

    /** A folder by its real path, links followed as far as it exists (two names of one folder are one). */
    private static Path asTheFileSystemNamesIt(Path folder) {
        Path absolute = folder.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            return existing == null ? absolute : existing.toRealPath().resolve(existing.relativize(absolute));
        } catch (IOException e) {
            return absolute;
        }
    }

    /**
     * Keys of application.properties under this app's prefixes (ditio., payroll., sync., observe., and a
     * company's own company.<key>.…) that no setting reads: a typo (payroll.aproval) would otherwise
     * leave the setting at its default without a word. Said, not refused: a route of your own may read
     * a property of its own.
     */
    static List<String> unreadKeysIn(String location) {
        java.util.Properties file = propertiesFile(location);
        if (file == null) {
            return List.of();
        }
        java.util.Set<String> known = new java.util.HashSet<>(List.of("sync.scheduled"));
        for (SettingKey k : SettingKey.values()) {
            known.add(k.property);
        }
        List<String> unread = new ArrayList<>();
        for (String key : new java.util.TreeSet<>(file.stringPropertyNames())) {
            String own = key.startsWith("company.") && key.indexOf('.', "company.".length()) > 0
                    ? key.substring(key.indexOf('.', "company.".length()) + 1) : key;
            boolean ours = own.matches("(ditio|payroll|sync|observe)\\..*");
            if (ours && !known.contains(own) && !own.matches("payroll\\.target\\.[a-z][a-z0-9-]*\\.(format|correction)")) {
                unread.add(key);
            }
        }
        return unread;
    }

    private static java.util.Properties propertiesFile(String location) {
        if (!location.startsWith("file:")) {
            return null;
        }
        java.util.Properties file = new java.util.Properties();
        Path path = Path.of(location.substring("file:".length()));
        try (java.io.Reader in = java.nio.file.Files.newBufferedReader(path, java.nio.charset.StandardCharsets.UTF_8)) {
            file.load(in);
        } catch (IllegalArgumentException e) {
            // Properties says only that an escape is malformed, not where, and Camel, reading it next, no more
            throw new SettingsException(path + " " + malformedEscapeAt(path) + ": a backslash and 'u' must begin four hex "
                    + "digits (write the character itself: the file is read as UTF-8, or double the backslash)");
        } catch (java.io.IOException e) {
            return null; // Camel reads it next and says what is wrong with it
        }
        return file;
    }

    /**
     * Where the first backslash-u without four hex digits after it is, as "line N". Read as Properties reads the
     * file: comments are not read for escapes, and a line ending in a backslash goes on on the next, so an
     * escape may be split across the two.
     */
    private static String malformedEscapeAt(Path path) {
        try {
            List<String> lines = java.nio.file.Files.readAllLines(path, java.nio.charset.StandardCharsets.UTF_8);
            java.util.regex.Pattern bad = java.util.regex.Pattern.compile("(?<!\\\\)(?:\\\\\\\\)*\\\\u(?![0-9a-fA-F]{4})");
            java.util.regex.Pattern goesOn = java.util.regex.Pattern.compile("(?<!\\\\)(?:\\\\\\\\)*\\\\$");
            StringBuilder value = new StringBuilder(); // one logical line, its physical lines joined
            List<int[]> starts = new ArrayList<>(); // where each physical line begins in it: {offset, line number}
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).replaceFirst("^[ \\t\\f]+", "");
                if (value.length() == 0 && starts.isEmpty() && (line.startsWith("#") || line.startsWith("!"))) {
                    continue; // a comment is not read for escapes (a Windows path in one is no fault)
                }
                boolean continued = goesOn.matcher(line).find();
                starts.add(new int[]{value.length(), i + 1});
                value.append(continued ? line.substring(0, line.length() - 1) : line);
                if (continued && i + 1 < lines.size()) {
                    continue;
                }
                java.util.regex.Matcher m = bad.matcher(value);
                if (m.find()) {
                    int at = m.end() - 2; // the backslash of the bad escape
                    int lineNumber = starts.get(0)[1];
                    for (int[] start : starts) {
                        lineNumber = start[0] <= at ? start[1] : lineNumber;
                    }
                    return "line " + lineNumber;
                }
                value.setLength(0);
                starts.clear();
            }
        } catch (java.io.IOException | RuntimeException e) {
            // the message without the line, then
        }
        return "has a malformed escape";
    }

    /**
     * A secret written into the working folder's application.properties, where the file should only name the
     * environment variable it comes from ({@code {{env:NAME:}}}): the file is edited by the integration
     * engineers and often kept in version control. Stops start-up naming the property, never its value.
     *
     * @param location where the settings file is read from ({@code file:…}; a packaged one holds no secrets)
     */
    static void refuseSecretsWrittenIn(String location) {
        java.util.Properties file = propertiesFile(location);
        if (file == null) {
            return;
        }
        for (String key : new java.util.TreeSet<>(file.stringPropertyNames())) {
            String value = file.getProperty(key).strip();
            if (value.isEmpty() || value.matches("\\{\\{env:[A-Za-z_][A-Za-z0-9_]*:?}}")) {
                continue;
            }
            for (SettingKey k : SettingKey.SECRETS) {
                // the shared property, or a company's own (company.<key>.<property>; a company key holds no dot)
                if (key.equals(k.property) || key.matches("company\\.[^.]+\\." + java.util.regex.Pattern.quote(k.property))) {
                    String variable = key.equals(k.property) ? k.env : SettingReader.envName(key);
                    throw new SettingsException("Setting " + key + " is written down in application.properties: a secret "
                            + "is read from the environment only (the file is shared and often kept in version control); "
                            + "write " + key + " = {{env:" + variable + ":}} and set " + variable);
                }
            }
        }
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

    /**
     * The log levels logback reads from the environment: it takes a word it does not know as DEBUG
     * and floods the log (a WARNING for WARN), and an empty value as none, so such a value stops
     * start-up instead. Unset is the default.
     */
    static void checkLogLevels(Function<String, String> environment) {
        for (String setting : List.of("LOG_LEVEL", "CAMEL_LOG_LEVEL", "ROOT_LOG_LEVEL")) {
            String value = environment.apply(setting);
            // set but empty is no default to logback: LOG_LEVEL= silenced the app's INFO lines
            if (value != null && !List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF")
                    .contains(value.strip().toUpperCase(java.util.Locale.ROOT))) {
                throw new SettingsException("Setting " + setting + ": '" + value
                        + "' is not a log level (TRACE, DEBUG, INFO, WARN, ERROR or OFF)");
            }
        }
    }

    /** A company key as its environment variables write it: {@code bygg-vest} in {@code COMPANY_BYGG_VEST_…}. */
    private static String variablePart(String key) {
        return SettingReader.envName(key);
    }

    /**
     * A company's own setting in the environment for a company {@code payroll.companies} does not list
     * (a typo, or a company taken out) stops start-up: that company's own value would be ignored
     * without a word, and a misspelt COMPANY_BYG_DITIO_CLIENT_ID would leave bygg on the shared
     * credentials, another tenant's hours.
     */
    static void refuseVariablesOfOtherCompanies(java.util.Set<String> variables, List<String> keys) {
        java.util.Set<String> listed = new java.util.HashSet<>();
        keys.forEach(k -> listed.add(variablePart(k)));
        for (String variable : new java.util.TreeSet<>(variables)) {
            if (!variable.startsWith("COMPANY_")) {
                continue;
            }
            java.util.regex.Matcher target = OWN_TARGET_VARIABLE.matcher(variable);
            if (target.matches() && !listed.contains(target.group(1))) {
                throw otherCompany(variable, target.group(1), keys);
            }
            for (SettingKey k : SettingKey.values()) {
                String setting = "_" + SettingReader.envName(k.property);
                if (k.perCompany && variable.endsWith(setting) && variable.length() > "COMPANY_".length() + setting.length()) {
                    String company = variable.substring("COMPANY_".length(), variable.length() - setting.length());
                    if (!listed.contains(company)) {
                        throw otherCompany(variable, company, keys);
                    }
                }
            }
        }
    }

    /**
     * A shared setting written as one company's own (COMPANY_BYGG_PAYROLL_STATE_DB_URL): it would be
     * ignored without a word, and bygg's lines would go to the shared state DB all the same.
     */
    private static void refuseSharedSettingsSetForOne(Function<String, String> lookup, List<String> keys) {
        for (String key : keys) {
            for (SettingKey k : SettingKey.values()) {
                if (k.perCompany) {
                    continue;
                }
                String own = "company." + key + "." + k.property;
                String v = lookup.apply(own);
                if (v != null && !v.isBlank()) {
                    throw new SettingsException("Setting " + own + ": " + k.label()
                            + " is shared by every company and cannot be set for one; its value would be ignored");
                }
            }
        }
    }

    /** A company's own setting of a target of its own: COMPANY_<KEY>_PAYROLL_TARGET_<NAME>_FORMAT (or _CORRECTION). */
    private static final java.util.regex.Pattern OWN_TARGET_VARIABLE =
            java.util.regex.Pattern.compile("COMPANY_(.+)_PAYROLL_TARGET_[A-Z0-9_]+_(FORMAT|CORRECTION)");

    private static SettingsException otherCompany(String variable, String company, List<String> keys) {
        return new SettingsException("Setting " + variable + ": names company " + company + ", which "
                + (keys.isEmpty() ? "is not one of PAYROLL_COMPANIES (not set: one company)"
                : "PAYROLL_COMPANIES (" + String.join(", ", keys) + ") does not list") + "; its value would be ignored");
    }

    /** The settings of one company, without {@code payroll.companies}. */
    public static Settings read(Function<String, String> lookup) {
        return read(new SettingReader(lookup, null), true);
    }

    private static Settings read(SettingReader r, boolean makeDropFolder) {
        CombinedSettings c = new CombinedSettings(r);
        List<String> missing = new ArrayList<>();
        for (SettingKey k : List.of(CLIENT_ID, CLIENT_SECRET, START_DATE)) {
            if (r.raw(k).isEmpty()) {
                missing.add(r.label(k));
            }
        }
        if (!missing.isEmpty()) {
            boolean one = missing.size() == 1;
            // the client secret is read from the environment only; the others may also be written down
            boolean secret = r.raw(CLIENT_SECRET).isEmpty();
            String alsoInFile = one && secret ? "" : one ? ", or in application.properties"
                    : secret ? " (or in application.properties, all but the client secret)" : " (or in application.properties)";
            throw new SettingsException("Missing setting" + (one ? " " : "s ") + String.join(", ", missing) + ": set "
                    + (one ? "it" : "them") + " in the environment" + alsoInFile
                    + "; the built-in simulator is only used by the demo command");
        }
        boolean allowHttp = r.bool(ALLOW_HTTP);
        String identityBase = r.url(IDENTITY_BASE, allowHttp);
        String reportingBase = r.url(REPORTING_BASE, allowHttp);
        List<String> targets = c.targets();
        Path dropDir = c.dropDir();
        if (c.aggregation(SAP_AGGREGATION).sums()) {
            throw r.wrong(SAP_AGGREGATION, "SAP cannot be aggregated: each line is a document that a correction "
                    + "cancels by its number, which a sum would lose; only " + Aggregation.PER_REGISTRATION.setting());
        }
        // one line per concern, in the order of the record's components
        Settings settings = new Settings(
                identityBase, reportingBase, r.required(CLIENT_ID), r.required(CLIENT_SECRET), r.required(SCOPE),
                r.integer(CHUNK_LIMIT, 1, 10000), r.byteSize(MAX_PAGE_BYTES, DEFAULT_MAX_PAGE_BYTES, 1L << 20, 1L << 32),
                r.company(), r.date(START_DATE), r.integer(MAX_FUTURE_DAYS, DEFAULT_MAX_FUTURE_DAYS, 0, 3660),
                r.choice(APPROVAL, ApprovalGate::fromSetting), targets, dropDir, c.wageTypes(targets),
                r.jdbcUrl(STATE_DB_URL, false), r.raw(STATE_DB_USER), r.raw(STATE_DB_PASSWORD),
                r.jdbcUrl(JDBC_URL, true), r.raw(JDBC_USER), r.raw(JDBC_PASSWORD),
                r.integer(VISMA_YEAR, 0, 9999), r.integer(VISMA_RUN, 0, 999),
                r.charset(VISMA_ENCODING), r.charset(TRIPLETEX_ENCODING), r.bool(DONE_MARKER),
                r.cron(CRON, r.zone(TIME_ZONE)), r.zone(TIME_ZONE), r.duration(OVERLAP),
                r.integer(RETRY_MAX_ATTEMPTS, 1, 100), r.integer(RETRY_MAX_PER_RUN, 0, 100_000),
                r.camelDuration(RETRY_INITIAL_DELAY), r.camelDuration(RETRY_MAX_DELAY), r.camelDuration(RETRY_AFTER_MAX),
                r.camelDuration(CONNECT_TIMEOUT), r.camelDuration(READ_TIMEOUT),
                c.fileMode(), c.clustered(), r.camelDuration(CLUSTER_CHECKIN),
                r.integer(OBSERVE_PORT, 1, 65535), r.host(OBSERVE_HOST),
                r.folder(REPORT_DIR), r.integer(REPORT_KEEP, 1, 100_000),
                c.sftp(), r.bool(ABSENCES), r.choice(SOURCE, PayrollSource.TIME, PayrollSource::fromSetting),
                c.aggregation(VISMA_AGGREGATION), c.aggregation(TRIPLETEX_AGGREGATION), c.aggregation(CSV_AGGREGATION),
                c.observeUser(), r.raw(OBSERVE_PASSWORD),
                r.raw(RECONCILE_CRON).isEmpty() ? null : r.cron(RECONCILE_CRON, r.zone(TIME_ZONE)),
                // a year's typo would book every line on the day after it
                r.raw(CLOSED_THROUGH).isEmpty() ? null : r.endedDate(CLOSED_THROUGH, r.zone(TIME_ZONE), Clock.systemUTC()),
                r.variable(CLOSED_THROUGH), r.variable(START_DATE),
                c.customTargets(),
                r.variable(CLIENT_ID) + " and " + r.variable(CLIENT_SECRET));
        // made last: a setting refused leaves no folder behind. Every target needs it: the JDBC target's drop,
        // preview and reconcile write there too
        if (makeDropFolder) {
            c.writableFolder(DROP_DIR, dropDir, settings.fileMode());
        }
        settings.keepSecretsOutOfTexts();
        return settings;
    }

    /** So that no log line, run message or report quotes one of them, should a server echo it back. */
    private void keepSecretsOutOfTexts() {
        for (String secret : new String[]{clientSecret, stateDbPassword, jdbcPassword, observePassword,
                sftp == null ? null : sftp.password(), sftp == null ? null : sftp.passphrase()}) {
            no.ditiosync.ditio.KnownSecrets.add(secret);
        }
        DataSources.passwordsIn(stateDbUrl).forEach(no.ditiosync.ditio.KnownSecrets::add);
        DataSources.passwordsIn(jdbcUrl).forEach(no.ditiosync.ditio.KnownSecrets::add);
    }

    /**
     * The registration feeds delivered, in order: time registrations and/or payroll lines as
     * PAYROLL_SOURCE says, then absences when switched on.
     */
    public List<String> feeds() {
        List<String> feeds = new ArrayList<>(payrollSource.feeds());
        if (absences) {
            feeds.add(AbsenceRegistration.ABSENCE);
        }
        return List.copyOf(feeds);
    }

    /** The settings that decide which lines the registrations become (a change makes the next run read every feed in full). */
    public no.ditiosync.payroll.LineRules lineRules() {
        return new no.ditiosync.payroll.LineRules(payrollSource, approval.setting(), startDate, wageTypes.digest());
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
}
