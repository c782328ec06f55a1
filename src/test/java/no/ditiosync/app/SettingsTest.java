package no.ditiosync.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import no.ditiosync.drops.Aggregation;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** Every bad setting stops start-up with one line naming the key and the problem. */
class SettingsTest {

    @TempDir
    static Path dir;

    static Map<String, String> good() {
        return good(dir);
    }

    static Map<String, String> good(Path dir) {
        Map<String, String> s = new HashMap<>();
        s.put("ditio.identity-base", "https://identity.ditio.dev");
        s.put("ditio.reporting-base", "https://core-api.ditio.dev/reporting");
        s.put("ditio.client-id", "client");
        s.put("ditio.client-secret", "s3cret-value");
        s.put("ditio.scope", "reportingapiv1");
        s.put("ditio.chunk-limit", "2500");
        s.put("payroll.company", "acme");
        s.put("payroll.start-date", "2026-01-01");
        s.put("payroll.approval", "payrollApproved");
        s.put("payroll.targets", "visma,sap,jdbc");
        s.put("payroll.drop-dir", dir.resolve("out").toString());
        s.put("payroll.wage-types", "mappings/wage-types.csv");
        s.put("payroll.state-db-url", "jdbc:h2:mem:x");
        s.put("payroll.visma.payroll-year", "0");
        s.put("payroll.visma.payroll-run", "0");
        s.put("payroll.visma.encoding", "windows-1252");
        s.put("payroll.tripletex.encoding", "UTF-8");
        s.put("payroll.done-marker", "false");
        s.put("sync.cron", "0 0/30 * * * ?");
        s.put("sync.time-zone", "Europe/Oslo");
        s.put("sync.overlap", "PT10M");
        s.put("sync.clustered", "false");
        s.put("sync.cluster-checkin-interval", "7500ms");
        s.put("ditio.retry.max-attempts", "6");
        s.put("ditio.retry.max-per-run", "50");
        s.put("ditio.retry.initial-delay", "1s");
        s.put("ditio.retry.max-delay", "30s");
        s.put("ditio.retry-after-max", "60s");
        s.put("ditio.connect-timeout", "10s");
        s.put("ditio.read-timeout", "60s");
        s.put("observe.port", "8080");
        s.put("observe.host", "127.0.0.1");
        s.put("sync.report-dir", "");
        s.put("sync.report-keep", "100");
        return s;
    }

    @Test
    void goodSettingsAreRead() {
        Settings s = Settings.read(good()::get);
        assertThat(s.targets()).containsExactly("visma", "sap", "jdbc");
        assertThat(s.targetJdbcUrl()).isEqualTo("jdbc:h2:mem:x");
        assertThat(s.toString()).doesNotContain("s3cret-value");
        assertThat(s.observePort()).isEqualTo(8080);
        assertThat(s.observeHost()).isEqualTo("127.0.0.1");
        assertThat(s.reportDir()).isEmpty();
        assertThat(s.reportKeep()).isEqualTo(100);
        assertThat(s.maxFutureDays()).as("unset").isEqualTo(31);
        assertThat(s.maxPageBytes()).as("unset").isEqualTo(256L << 20);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"''|268435456", "256MiB|268435456", "256MB|268435456", "256m|268435456",
            "1GiB|1073741824", "1048576|1048576", "2048 KiB|2097152", "4GiB|4294967296"})
    void thePageLimitIsASizeInBytesOrKibMibGib(String value, long bytes) {
        Map<String, String> s = good();
        s.put("ditio.max-page-bytes", value);
        assertThat(Settings.read(s::get).maxPageBytes()).isEqualTo(bytes);
    }

    @Test
    void missingCredentialsAreNamedTogether() {
        Map<String, String> s = good();
        s.remove("ditio.client-id");
        s.put("ditio.client-secret", "");
        assertThatThrownBy(() -> Settings.read(s::get)).isInstanceOf(SettingsException.class).hasMessage(
                "Missing settings DITIO_CLIENT_ID (ditio.client-id), DITIO_CLIENT_SECRET (ditio.client-secret): "
                        + "set them in the environment (or in application.properties, all but the client secret); the "
                        + "built-in simulator is only used by the demo command");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "payroll.start-date|2026-13-01|Setting PAYROLL_START_DATE (payroll.start-date): '2026-13-01' is not a date as yyyy-MM-dd",
            "payroll.closed-through|31.10.2026|Setting PAYROLL_CLOSED_THROUGH (payroll.closed-through): '31.10.2026' is not a date as yyyy-MM-dd",
            "ditio.reporting-base|core-api.ditio.dev|Setting DITIO_REPORTING_BASE (ditio.reporting-base): 'core-api.ditio.dev' is not an http(s) URL with a host",
            "ditio.identity-base|http://identity.example.com|Setting DITIO_IDENTITY_BASE (ditio.identity-base): 'http://identity.example.com' is plain http to a host that is not a loopback address (127.0.0.0/8, [::1]) or localhost; use https, or set DITIO_ALLOW_INSECURE_HTTP (ditio.allow-insecure-http)=true if you really mean it",
            "payroll.approval|foreman|Setting PAYROLL_APPROVAL (payroll.approval): 'foreman' is not one of payrollApproved, approved, all",
            "payroll.source|overtime|Setting PAYROLL_SOURCE (payroll.source): 'overtime' is not one of time, time+overtime, payroll-lines",
            "payroll.absences|yes|Setting PAYROLL_ABSENCES (payroll.absences): 'yes' is neither true nor false",
            "ditio.identity-base|https://acme:Sup3rS3cret@identity.example.com|Setting DITIO_IDENTITY_BASE (ditio.identity-base): holds a user name or password before its host (user:…@identity.example.com); Ditio takes none there: the client credentials are DITIO_CLIENT_ID and DITIO_CLIENT_SECRET",
            "ditio.allow-insecure-http|perhaps|Setting DITIO_ALLOW_INSECURE_HTTP (ditio.allow-insecure-http): 'perhaps' is neither true nor false",
            "sync.report-dir|/proc/version|Setting SYNC_REPORT_DIR (sync.report-dir): '/proc/version' is a file, not a folder",
            "payroll.max-future-days|-1|Setting PAYROLL_MAX_FUTURE_DAYS (payroll.max-future-days): '-1' is outside 0-3660",
            "payroll.max-future-days|a month|Setting PAYROLL_MAX_FUTURE_DAYS (payroll.max-future-days): 'a month' is not a whole number",
            "payroll.max-future-days|3661|Setting PAYROLL_MAX_FUTURE_DAYS (payroll.max-future-days): '3661' is outside 0-3660",
            "payroll.targets|visma,tripletexx|Setting PAYROLL_TARGETS (payroll.targets): unknown target 'tripletexx' (known: visma, sap, tripletex, csv, jdbc; a target of your own needs its format class in PAYROLL_TARGET_TRIPLETEXX_FORMAT (payroll.target.tripletexx.format))",
            "payroll.wage-types|/nowhere/wage-types.csv|Setting PAYROLL_WAGE_TYPES (payroll.wage-types): cannot read '/nowhere/wage-types.csv'",
            "payroll.state-db-url|jdbc:mysql://db/x|Setting PAYROLL_STATE_DB_URL (payroll.state-db-url): 'jdbc:mysql://db/x' is not an H2 (jdbc:h2:) or PostgreSQL (jdbc:postgresql:) JDBC URL",
            "sync.cron|every 5 minutes|Setting SYNC_CRON (sync.cron): 'every 5 minutes' is not a Quartz cron expression (seconds minutes hours day month weekday)",
            "sync.reconcile-cron|nightly|Setting RECONCILE_CRON (sync.reconcile-cron): 'nightly' is not a Quartz cron expression (seconds minutes hours day month weekday)",
            "sync.cron|0 0 0 30 2 ?|Setting SYNC_CRON (sync.cron): '0 0 0 30 2 ?' never fires (no such day, or only in the past)",
            "sync.reconcile-cron|0 0 0 1 1 ? 2020|Setting RECONCILE_CRON (sync.reconcile-cron): '0 0 0 1 1 ? 2020' never fires (no such day, or only in the past)",
            "sync.overlap|ten minutes|Setting SYNC_OVERLAP (sync.overlap): 'ten minutes' is not a duration such as PT10M or 10m",
            "sync.overlap|P999999999999D|Setting SYNC_OVERLAP (sync.overlap): 'P999999999999D' is longer than 366 days",
            "ditio.read-timeout|99999999999999999999s|Setting DITIO_READ_TIMEOUT (ditio.read-timeout): '99999999999999999999s' is longer than 24h",
            "ditio.connect-timeout|9999999999999999s|Setting DITIO_CONNECT_TIMEOUT (ditio.connect-timeout): '9999999999999999s' is longer than 24h",
            "payroll.sftp.url|sftp://127.0.0.1:99999/x|Setting PAYROLL_SFTP_URL (payroll.sftp.url): 'sftp://127.0.0.1:99999/x' has port 99999, outside 1-65535",
            "ditio.chunk-limit|lots|Setting DITIO_CHUNK_LIMIT (ditio.chunk-limit): 'lots' is not a whole number",
            "ditio.max-page-bytes|lots|Setting DITIO_MAX_PAGE_BYTES (ditio.max-page-bytes): 'lots' is not a size such as 256MiB, 64MiB or 1GiB",
            "ditio.max-page-bytes|256|Setting DITIO_MAX_PAGE_BYTES (ditio.max-page-bytes): '256' is outside 1MiB-4GiB",
            "ditio.max-page-bytes|5GiB|Setting DITIO_MAX_PAGE_BYTES (ditio.max-page-bytes): '5GiB' is outside 1MiB-4GiB",
            "ditio.max-page-bytes|99999999999999999GB|Setting DITIO_MAX_PAGE_BYTES (ditio.max-page-bytes): '99999999999999999GB' is outside 1MiB-4GiB",
            "payroll.visma.encoding|latin-99|Setting PAYROLL_VISMA_ENCODING (payroll.visma.encoding): 'latin-99' is not a known encoding (windows-1252 or UTF-8)",
            "payroll.company|acme/../x|Setting PAYROLL_COMPANY (payroll.company): 'acme/../x' must be 1-64 letters, digits or '-'",
            "payroll.file-mode|0644|Setting PAYROLL_FILE_MODE (payroll.file-mode): '0644' is neither 0600 (owner only) nor 0640 (owner and group)",
            "payroll.drop-dir|/proc/nope|Setting PAYROLL_DROP_DIR (payroll.drop-dir): cannot create folder '/proc/nope' (no such file or folder: /proc/nope)",
            "payroll.tripletex.encoding|ISO-8859-15|Setting PAYROLL_TRIPLETEX_ENCODING (payroll.tripletex.encoding): 'ISO-8859-15' is neither windows-1252 nor UTF-8",
            "payroll.done-marker|1|Setting PAYROLL_DONE_MARKER (payroll.done-marker): '1' is neither true nor false",
            "sync.time-zone|Oslo|Setting SYNC_TIME_ZONE (sync.time-zone): 'Oslo' is not a time zone such as Europe/Oslo",
            "sync.clustered|yes|Setting SYNC_CLUSTERED (sync.clustered): 'yes' is neither true nor false",
            "sync.clustered|true|Setting SYNC_CLUSTERED (sync.clustered): a Quartz cluster needs the PostgreSQL state DB every node shares (PAYROLL_STATE_DB_URL (payroll.state-db-url) = jdbc:postgresql:...)",
            "sync.cluster-checkin-interval|7.5s|Setting SYNC_CLUSTER_CHECKIN_INTERVAL (sync.cluster-checkin-interval): '7.5s' is not a duration such as 500ms, 20s or 2m",
            "observe.port|80800|Setting OBSERVE_PORT (observe.port): '80800' is outside 1-65535",
            "observe.port|http|Setting OBSERVE_PORT (observe.port): 'http' is not a whole number",
            "observe.host|http://0.0.0.0:8080|Setting OBSERVE_HOST (observe.host): 'http://0.0.0.0:8080' is not an address to bind (such as 127.0.0.1 or 0.0.0.0)",
            "observe.host|''|Setting OBSERVE_HOST (observe.host): is required",
            "observe.user|ops|Setting OBSERVE_PASSWORD (observe.password): is required with OBSERVE_USER (observe.user)",
            "observe.password|secret|Setting OBSERVE_USER (observe.user): is required with OBSERVE_PASSWORD (observe.password)",
            "sync.report-keep|0|Setting SYNC_REPORT_KEEP (sync.report-keep): '0' is outside 1-100000",
            "payroll.visma.aggregation|monthly|Setting PAYROLL_VISMA_AGGREGATION (payroll.visma.aggregation): 'monthly' is not one of per-registration, per-employee-wage-type",
            "payroll.tripletex.aggregation|per-employee|Setting PAYROLL_TRIPLETEX_AGGREGATION (payroll.tripletex.aggregation): 'per-employee' is not one of per-registration, per-employee-wage-type",
            "payroll.csv.aggregation|true|Setting PAYROLL_CSV_AGGREGATION (payroll.csv.aggregation): 'true' is not one of per-registration, per-employee-wage-type",
            "payroll.sap.aggregation|sum|Setting PAYROLL_SAP_AGGREGATION (payroll.sap.aggregation): 'sum' is not one of per-registration, per-employee-wage-type",
            "payroll.sap.aggregation|per-employee-wage-type|Setting PAYROLL_SAP_AGGREGATION (payroll.sap.aggregation): SAP cannot be aggregated: each line is a document that a correction cancels by its number, which a sum would lose; only per-registration",
    })
    void badSettingStopsWithOneLineNamingTheKey(String key, String value, String message) {
        Map<String, String> s = good();
        Path out = dir.resolve("refused-" + Integer.toHexString((key + value).hashCode()) + "/out");
        s.put("payroll.drop-dir", out.toString());
        s.put(key, value);
        assertThatThrownBy(() -> Settings.read(s::get)).isInstanceOf(SettingsException.class).hasMessage(message);
        // the drop folder is made once every setting is read: a refused setting leaves none behind
        assertThat(out).doesNotExist();
    }

    /** The JDBC target alone still needs the drop folder (its drop, preview and reconcile write there): checked at start-up too. */
    @Test
    void anUnusableDropFolderStopsStartUpWithTheJdbcTargetAlone() {
        Map<String, String> s = good();
        s.put("payroll.targets", "jdbc");
        s.put("payroll.drop-dir", "/proc/nope");
        assertThatThrownBy(() -> Settings.read(s::get)).isInstanceOf(SettingsException.class).hasMessage(
                "Setting PAYROLL_DROP_DIR (payroll.drop-dir): cannot create folder '/proc/nope' (no such file or folder: /proc/nope)");
    }

    /**
     * A schedule that ends soon is judged in the company's zone, where it fires: its last firing, an hour
     * from now at UTC-12, is a wall time that has passed in the zone of the JVM (UTC here).
     */
    @Test
    void aCronWhoseLastFiringIsAnHourAwayInTheCompanysZoneIsTaken() {
        java.time.ZoneId zone = java.time.ZoneId.of("Etc/GMT+12");
        java.time.LocalDateTime last = java.time.LocalDateTime.now(zone).plusHours(1).withSecond(0).withNano(0);
        assertThat(last.atZone(java.time.ZoneId.systemDefault()).toInstant()).as("passed in the JVM's zone")
                .isBefore(java.time.Instant.now());
        String cron = "0 " + last.getMinute() + " " + last.getHour() + " " + last.getDayOfMonth() + " "
                + last.getMonthValue() + " ? " + last.getYear();
        Map<String, String> s = good();
        s.put("sync.time-zone", zone.getId());
        s.put("sync.cron", cron);
        s.put("sync.reconcile-cron", cron);

        Settings settings = Settings.read(s::get);

        assertThat(settings.cron()).isEqualTo(cron);
        assertThat(settings.reconcileCron()).isEqualTo(cron);
    }

    /** A mapping named relative to the working directory, missing there: no fallback to the packaged example. */
    @Test
    void aMissingMappingNamesTheFolderItWasLookedForIn() {
        Map<String, String> s = good();
        s.put("payroll.wage-types", "no-such-folder/wage-types.csv");
        assertThatThrownBy(() -> Settings.read(s::get)).isInstanceOf(SettingsException.class).hasMessage(
                "Setting PAYROLL_WAGE_TYPES (payroll.wage-types): cannot read 'no-such-folder/wage-types.csv' in "
                        + Path.of("").toAbsolutePath());
    }

    /** A drop folder the application makes is as private as its drops: 0700, or 0750 for 0640 drops. */
    @ParameterizedTest
    @CsvSource({"'', rwx------", "0600, rwx------", "0640, rwxr-x---"})
    void aDropFolderItMakesIsAsPrivateAsItsDrops(String fileMode, String folderMode) throws Exception {
        Map<String, String> s = good();
        s.put("payroll.file-mode", fileMode);
        Path out = dir.resolve("mode-" + fileMode + "/payroll/out");
        s.put("payroll.drop-dir", out.toString());
        Settings.read(s::get);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(out)))
                .isEqualTo(folderMode);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(out.getParent())))
                .isEqualTo(folderMode);
        // a folder that exists keeps its mode: the operator's choice
        java.nio.file.Files.setPosixFilePermissions(out, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwx---"));
        Settings.read(s::get);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(out)))
                .isEqualTo("rwxrwx---");
    }

    /**
     * Plain http only to this machine: a literal loopback address or localhost. A host name that
     * starts like one (127.evil.test) is any host on the network, wherever DNS points it.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "http://127.0.0.1:8099/reporting",
            "http://127.1.2.3",
            "http://127.255.255.254:80/x",
            "http://localhost:8099",
            "http://LocalHost",
            "http://[::1]:8099/reporting",
            "http://[0:0:0:0:0:0:0:1]",
            "http://[::ffff:127.0.0.1]:8099",
            "https://127.evil.test",
            "https://core-api.ditio.dev/reporting"})
    void plainHttpToALiteralLoopbackAddressOrLocalhostIsAccepted(String url) {
        for (String key : new String[]{"ditio.identity-base", "ditio.reporting-base"}) {
            Map<String, String> s = good();
            s.put(key, url);
            assertThat(Settings.read(s::get)).isNotNull();
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "http://127.evil.test",
            "http://127.0.0.1.evil.test:8099/reporting",
            "http://localhost.evil.test",
            "http://localhost.",
            "http://127.0.0.1.nip.io",
            "http://2130706433",
            "http://0.0.0.0:8099",
            "http://128.0.0.1",
            "http://10.0.0.1",
            "http://[::2]",
            "http://[fe80::1]",
            "http://[::ffff:10.0.0.1]"})
    void plainHttpToAnyOtherHostIsRefusedForEveryUrlAndEveryCompany(String url) {
        String problem = "'" + url + "' is plain http to a host that is not a loopback address (127.0.0.0/8, [::1]) or "
                + "localhost; use https, or set DITIO_ALLOW_INSECURE_HTTP (ditio.allow-insecure-http)=true if you really "
                + "mean it";
        for (String[] key : new String[][]{{"ditio.identity-base", "DITIO_IDENTITY_BASE (ditio.identity-base)"},
                {"ditio.reporting-base", "DITIO_REPORTING_BASE (ditio.reporting-base)"}}) {
            Map<String, String> s = good();
            s.put(key[0], url);
            assertThatThrownBy(() -> Settings.read(s::get)).isInstanceOf(SettingsException.class)
                    .hasMessage("Setting " + key[1] + ": " + problem);
            s.put("ditio.allow-insecure-http", "true");
            assertThat(Settings.read(s::get)).as("allowed when meant").isNotNull();

            Map<String, String> two = twoCompanies();
            two.put("company.bygg." + key[0], url);
            assertThatThrownBy(() -> Settings.readAll(two::get)).isInstanceOf(SettingsException.class)
                    .hasMessage("Setting company.bygg." + key[0] + ": " + problem);
        }
    }

    /**
     * Each file puts the wage type where only some values fit: Visma's field 4 is an unquoted number,
     * SAP's LGART has four characters. A mapping that cannot fit a target is a setting error at
     * start-up, not a run that fails on its first line (and again every run).
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "visma|L100|Setting PAYROLL_WAGE_TYPES (payroll.wage-types): {file} line 3: wage type 'L100' cannot go to the visma target: Visma wage types are numbers (digits only)",
            "sap|10000|Setting PAYROLL_WAGE_TYPES (payroll.wage-types): {file} line 3: wage type '10000' cannot go to the sap target: SAP's LGART has at most 4 characters",
            "visma,sap|12345|Setting PAYROLL_WAGE_TYPES (payroll.wage-types): {file} line 3: wage type '12345' cannot go to the sap target: SAP's LGART has at most 4 characters"})
    void aWageTypeATargetCannotTakeStopsStartUp(String targets, String wageType, String message) throws Exception {
        Path mapping = Files.writeString(dir.resolve("wage-types-" + wageType + ".csv"),
                "source,field,value,wageType\ntime,*,*,1000\ntime,taskWbsNumber,9001," + wageType + "\n");
        Map<String, String> s = good();
        s.put("payroll.targets", targets);
        s.put("payroll.wage-types", mapping.toString());
        assertThatThrownBy(() -> Settings.read(s::get)).isInstanceOf(SettingsException.class)
                .hasMessage(message.replace("{file}", mapping.toString()));
    }

    /**
     * A mapping without rows (a file saved empty, or cut short after its header) would quarantine every
     * record and reverse every line delivered so far: it stops start-up. A byte order mark before the
     * header, as a spreadsheet's "CSV UTF-8" writes it, is no error.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"''|", "'source,field,value,wageType\n# none yet\n'|below its header"})
    void aMappingWithoutRowsStopsStartUpAndAByteOrderMarkIsRead(String content, String where) throws Exception {
        Path mapping = Files.writeString(dir.resolve("wage-types-empty.csv"), content);
        Map<String, String> s = good();
        s.put("payroll.wage-types", mapping.toString());
        assertThatThrownBy(() -> Settings.read(s::get)).isInstanceOf(SettingsException.class)
                .hasMessage("Setting PAYROLL_WAGE_TYPES (payroll.wage-types): " + mapping + " holds no mapping rows"
                        + (where == null ? "" : " " + where) + ": every registration would be quarantined and every line "
                        + "delivered so far reversed");
        s.put("payroll.wage-types", Files.writeString(dir.resolve("wage-types-bom.csv"),
                "\uFEFFsource,field,value,wageType\r\ntime,*,*,1000\r\n").toString());
        assertThat(Settings.read(s::get).wageTypes().wageTypes()).containsOnlyKeys("1000");
    }

    @Test
    void letteredAndLongWageTypesAreFineForTargetsThatTakeThem() throws Exception {
        Path mapping = Files.writeString(dir.resolve("wage-types-lettered.csv"),
                "source,field,value,wageType\ntime,taskWbsNumber,9001,L100\ntime,*,*,1000200\n");
        Map<String, String> s = good();
        s.put("payroll.targets", "tripletex,csv,jdbc");
        s.put("payroll.wage-types", mapping.toString());
        assertThat(Settings.read(s::get).targets()).containsExactly("tripletex", "csv", "jdbc");
        s.put("payroll.targets", "sap");
        s.put("payroll.wage-types", Files.writeString(dir.resolve("wage-types-sap.csv"),
                "source,field,value,wageType\ntime,*,*,L100\n").toString());
        assertThat(Settings.read(s::get).targets()).containsExactly("sap");
    }

    /** A key of ours in application.properties that no setting reads (a typo) is named; a route's own is left alone. */
    @Test
    void keysOfOursThatNoSettingReadsAreNamed() throws Exception {
        Path file = dir.resolve("application.properties");
        Files.writeString(file, "payroll.aproval = all\npayroll.approval = all\ncompany.bygg.payroll.start-dat = 2026-01-01\n"
                + "company.bygg.payroll.start-date = 2026-01-01\nsync.scheduled = false\npayroll.target.lonn.format = a.B\n"
                + "camel.main.name = x\nmy.route.folder = /in\nditio.chunk-limt = 100\n");
        assertThat(Settings.unreadKeysIn("file:" + file)).containsExactly("company.bygg.payroll.start-dat",
                "ditio.chunk-limt", "payroll.aproval");
        assertThat(Settings.unreadKeysIn("file:" + java.nio.file.Path.of("application.properties").toAbsolutePath()))
                .as("the shipped file").isEmpty();
    }

    /**
     * A secret written into the working folder's application.properties stops start-up naming the property
     * (never the value); naming the environment variable it comes from is the way to set it there.
     */
    @Test
    void aSecretWrittenDownInApplicationPropertiesIsRefused() throws Exception {
        Path file = dir.resolve("application.properties");
        Files.writeString(file, "ditio.client-id = acme-client\nditio.client-secret = {{env:DITIO_CLIENT_SECRET:}}\n"
                + "company.bygg.ditio.client-secret = {{env:BYGG_SECRET}}\npayroll.sftp.password =\n"
                + "company.bygg.payroll.sftp.url = sftp://example.com/in\n");
        Settings.refuseSecretsWrittenIn("file:" + file);
        Settings.refuseSecretsWrittenIn("classpath:application.properties");
        for (String[] written : new String[][]{{"ditio.client-secret = s3cr3t-value", "DITIO_CLIENT_SECRET"},
                {"company.bygg.payroll.sftp.password = s3cr3t-value", "COMPANY_BYGG_PAYROLL_SFTP_PASSWORD"},
                {"observe.password = {{env:OBSERVE_PASSWORD:s3cr3t-value}}", "OBSERVE_PASSWORD"}}) {
            Files.writeString(file, "ditio.client-id = acme-client\n" + written[0] + "\n");
            String key = written[0].substring(0, written[0].indexOf(' '));
            assertThatThrownBy(() -> Settings.refuseSecretsWrittenIn("file:" + file)).isInstanceOf(SettingsException.class)
                    .hasMessage("Setting " + key + " is written down in application.properties: a secret is read from the "
                            + "environment only (the file is shared and often kept in version control); write " + key
                            + " = {{env:" + written[1] + ":}} and set " + written[1])
                    .hasMessageNotContaining("s3cr3t");
        }
    }

    /**
     * A malformed escape is named with its line, past comment lines (not read for escapes) but not past a line
     * that only looks like one, because the value before it goes on there.
     */
    @Test
    void aMalformedEscapeIsNamedWithItsLineOnAValueGoingOnOverALineThatLooksLikeAComment() throws Exception {
        Path file = dir.resolve("escape/application.properties");
        java.nio.file.Files.createDirectories(file.getParent());
        java.nio.file.Files.writeString(file, "# drops, on Windows: C:\\users\\payroll\n"
                + "payroll.company = acme\npayroll.visma.department = Anlegg \\\n    #2 C:\\users\\payroll\n");
        assertThatThrownBy(() -> Settings.refuseSecretsWrittenIn("file:" + file)).isInstanceOf(SettingsException.class)
                .hasMessageStartingWith(file + " line 4: a backslash and 'u' must begin four hex digits");

        // an escape split where the value goes on is whole, as Properties reads it: the bad one is on line 3
        java.nio.file.Files.writeString(file, "payroll.visma.department = Caf\\u00\\\n    e9\nother.path = C:\\users\\me\n");
        assertThatThrownBy(() -> Settings.refuseSecretsWrittenIn("file:" + file)).isInstanceOf(SettingsException.class)
                .hasMessageStartingWith(file + " line 3: a backslash and 'u' must begin four hex digits");
    }

    // ---- several companies -----------------------------------------------------------------------

    static Map<String, String> twoCompanies() {
        Map<String, String> s = good();
        s.put("payroll.companies", "acme, bygg");
        s.put("company.bygg.ditio.client-id", "bygg-client");
        s.put("company.bygg.ditio.client-secret", "bygg-secret");
        s.put("company.bygg.payroll.start-date", "2026-03-01");
        s.put("company.bygg.payroll.targets", "sap");
        s.put("company.bygg.sync.cron", "0 0 6 * * ?");
        return s;
    }

    @Test
    void eachCompanyHasItsOwnSettingsAndOtherwiseTheSharedOnes() {
        var all = Settings.readAll(twoCompanies()::get);
        assertThat(all).extracting(Settings::company).containsExactly("acme", "bygg");
        Settings acme = all.get(0);
        Settings bygg = all.get(1);
        assertThat(acme.clientId()).isEqualTo("client");
        assertThat(bygg.clientId()).isEqualTo("bygg-client");
        assertThat(bygg.clientSecret()).isEqualTo("bygg-secret");
        assertThat(acme.startDate()).hasToString("2026-01-01");
        assertThat(bygg.startDate()).hasToString("2026-03-01");
        assertThat(acme.targets()).containsExactly("visma", "sap", "jdbc");
        assertThat(bygg.targets()).containsExactly("sap");
        assertThat(acme.cron()).isEqualTo("0 0/30 * * * ?");
        assertThat(bygg.cron()).isEqualTo("0 0 6 * * ?");
        assertThat(bygg.timeZone()).hasToString("Europe/Oslo");
        // files never mix: each company has its own subfolder of the shared drop folder
        assertThat(acme.dropDir()).isEqualTo(dir.resolve("out").resolve("acme"));
        assertThat(bygg.dropDir()).isEqualTo(dir.resolve("out").resolve("bygg"));
        assertThat(bygg.stateDbUrl()).isEqualTo(acme.stateDbUrl());
    }

    @Test
    void aggregationIsPerRegistrationUnlessSetPerTargetAndPerCompany() {
        Map<String, String> s = twoCompanies();
        s.put("payroll.tripletex.aggregation", "per-employee-wage-type");
        s.put("company.bygg.payroll.visma.aggregation", "Per-Employee-Wage-Type");
        s.put("company.bygg.payroll.tripletex.aggregation", "per-registration");
        var all = Settings.readAll(s::get);

        assertThat(all).extracting(Settings::vismaAggregation, Settings::tripletexAggregation, Settings::csvAggregation)
                .containsExactly(
                        tuple(Aggregation.PER_REGISTRATION, Aggregation.PER_EMPLOYEE_WAGE_TYPE_DIMENSIONS, Aggregation.PER_REGISTRATION),
                        tuple(Aggregation.PER_EMPLOYEE_WAGE_TYPE_DIMENSIONS, Aggregation.PER_REGISTRATION, Aggregation.PER_REGISTRATION));
    }

    @Test
    void theClosedPeriodIsNoneUnlessSetAndCanBeSetPerCompany() {
        assertThat(Settings.readAll(twoCompanies()::get)).extracting(Settings::closedThrough).containsExactly(null, null);
        Map<String, String> s = twoCompanies();
        s.put("payroll.closed-through", "2026-09-30");
        s.put("company.bygg.payroll.closed-through", "2026-10-31");

        assertThat(Settings.readAll(s::get)).extracting(c -> c.closedThrough().toString())
                .containsExactly("2026-09-30", "2026-10-31");
    }

    /**
     * A closed period not yet ended (a typo: 2027 for 2026) would book every line on the day after it; refused as
     * close-period refuses it, today included, in the company's time zone.
     */
    @Test
    void aClosedPeriodNotYetEndedIsRefusedInTheCompanysTimeZone() {
        java.time.ZoneId oslo = java.time.ZoneId.of("Europe/Oslo");
        java.time.LocalDate today = java.time.LocalDate.now(oslo);
        Map<String, String> s = good();
        s.put("payroll.closed-through", "2999-01-31");
        assertThatThrownBy(() -> Settings.read(s::get)).isInstanceOf(SettingsException.class).hasMessage(
                "Setting PAYROLL_CLOSED_THROUGH (payroll.closed-through): 2999-01-31 has not ended yet in Europe/Oslo (today "
                        + "is " + today + "); a payroll period is closed once it is paid");
        s.put("payroll.closed-through", today.toString());
        assertThatThrownBy(() -> Settings.read(s::get)).isInstanceOf(SettingsException.class)
                .hasMessageContaining(today + " has not ended yet in Europe/Oslo");
        s.put("payroll.closed-through", today.minusDays(1).toString());
        assertThat(Settings.read(s::get).closedThrough()).isEqualTo(today.minusDays(1));

        // a company's own, judged in its own time zone
        java.time.ZoneId kiritimati = java.time.ZoneId.of("Pacific/Kiritimati"); // UTC+14: its today is ahead of Oslo's
        java.time.LocalDate itsToday = java.time.LocalDate.now(kiritimati);
        Map<String, String> two = twoCompanies();
        two.put("company.bygg.sync.time-zone", kiritimati.getId());
        two.put("company.bygg.payroll.closed-through", itsToday.toString());
        assertThatThrownBy(() -> Settings.readAll(two::get)).isInstanceOf(SettingsException.class).hasMessage(
                "Setting company.bygg.payroll.closed-through: " + itsToday + " has not ended yet in Pacific/Kiritimati "
                        + "(today is " + itsToday + "); a payroll period is closed once it is paid");
        two.put("company.bygg.payroll.closed-through", itsToday.minusDays(1).toString());
        assertThat(Settings.readAll(two::get)).extracting(Settings::closedThrough).containsExactly(null, itsToday.minusDays(1));
    }

    @Test
    void oneCompanyIsPayrollCompanyWithTheSharedSettings() {
        var all = Settings.readAll(good()::get);
        assertThat(all).singleElement().satisfies(s -> {
            assertThat(s.company()).isEqualTo("acme");
            assertThat(s.dropDir()).isEqualTo(dir.resolve("out"));
        });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "company.bygg.payroll.start-date|2026-02-30|Setting company.bygg.payroll.start-date: '2026-02-30' is not a date as yyyy-MM-dd",
            "company.bygg.ditio.client-id||Missing setting DITIO_CLIENT_ID (ditio.client-id) for company bygg: set it in the environment, or in application.properties; the built-in simulator is only used by the demo command",
            "company.bygg.sync.time-zone|CET-ish|Setting company.bygg.sync.time-zone: 'CET-ish' is not a time zone such as Europe/Oslo",
            "payroll.companies|acme,acme|Setting PAYROLL_COMPANIES (payroll.companies): 'acme,acme' must list distinct company keys, separated by commas",
            "payroll.companies|acme,by/gg|Setting PAYROLL_COMPANIES (payroll.companies): 'by/gg' must be 1-64 letters, digits or '-'",
            "payroll.company|dekk|Setting PAYROLL_COMPANY (payroll.company): 'dekk' is not one of PAYROLL_COMPANIES (acme, bygg), which lists the companies when set; add it there, or unset PAYROLL_COMPANY",
            "company.bygg.payroll.targets|sap,nope|Setting company.bygg.payroll.targets: unknown target 'nope' (known: visma, sap, tripletex, csv, jdbc; a target of your own needs its format class in PAYROLL_TARGET_NOPE_FORMAT (payroll.target.nope.format) for company bygg)",
            "company.bygg.payroll.sap.aggregation|per-employee-wage-type|Setting company.bygg.payroll.sap.aggregation: SAP cannot be aggregated: each line is a document that a correction cancels by its number, which a sum would lose; only per-registration",
            "company.bygg.payroll.state-db-url|jdbc:h2:./bygg|Setting company.bygg.payroll.state-db-url: PAYROLL_STATE_DB_URL (payroll.state-db-url) is shared by every company and cannot be set for one; its value would be ignored",
            "company.bygg.sync.clustered|true|Setting company.bygg.sync.clustered: SYNC_CLUSTERED (sync.clustered) is shared by every company and cannot be set for one; its value would be ignored",
    })
    void aBadCompanySettingIsNamedWithItsCompany(String key, String value, String message) {
        Map<String, String> s = twoCompanies();
        if (key.equals("company.bygg.ditio.client-id") && value == null) {
            s.remove(key);
            s.remove("ditio.client-id");
            s.put("company.acme.ditio.client-id", "client");
        } else {
            s.put(key, value);
        }
        assertThatThrownBy(() -> Settings.readAll(s::get)).isInstanceOf(SettingsException.class).hasMessage(message);
    }

    @Test
    void twoCompaniesNamingTheSameDropFolderAreRefused() {
        Map<String, String> s = twoCompanies();
        String shared = dir.resolve("shared-drops").toString();
        s.put("company.acme.payroll.drop-dir", shared);
        s.put("company.bygg.payroll.drop-dir", shared);
        assertThatThrownBy(() -> Settings.readAll(s::get)).isInstanceOf(SettingsException.class).hasMessage(
                "Setting company.bygg.payroll.drop-dir: company bygg would share the drop folder '" + shared
                        + "' with company acme; files of two companies never mix");
    }

    /** The same folder through a link is the same folder: the check compared the names (outside audit). */
    @Test
    void twoCompaniesNamingOneDropFolderThroughALinkAreRefused() throws Exception {
        Path real = Files.createDirectories(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        Map<String, String> s = twoCompanies();
        s.put("company.acme.payroll.drop-dir", real.toString());
        s.put("company.bygg.payroll.drop-dir", link.toString());
        assertThatThrownBy(() -> Settings.readAll(s::get)).isInstanceOf(SettingsException.class).hasMessage(
                "Setting company.bygg.payroll.drop-dir: company bygg would share the drop folder '" + link
                        + "' with company acme; files of two companies never mix");
    }
}
