package no.ditiosync.app;

import org.apache.hc.core5.net.InetAddressUtils;
import org.quartz.CronExpression;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one setting as a value of its kind (number, size, duration, date, URL, address, encoding,
 * cron, choice), for one company: its own {@code company.<key>.<property>} where set, the shared
 * property otherwise. A wrong value is a {@link SettingsException} of one line naming the key as
 * the operator wrote it.
 */
final class SettingReader {
    static final String COMPANY_KEY = "[A-Za-z0-9-]{1,64}";
    private static final Pattern BYTE_SIZE = Pattern.compile("(\\d{1,18})\\s*(?:([KMG])i?)?B?", Pattern.CASE_INSENSITIVE);

    private final Function<String, String> lookup;
    /** the company of payroll.companies being read, or null for the one company of payroll.company */
    private final String company;

    SettingReader(Function<String, String> lookup, String company) {
        this.lookup = lookup;
        this.company = company;
    }

    String raw(SettingKey k) {
        String v = lookup.apply(property(k));
        return v == null ? "" : v.strip();
    }

    /** A target of the user's own's settings, the company's own where set (as {@link #raw} reads a {@link SettingKey}). */
    CustomTarget.Keys customTargetKeys() {
        return new CustomTarget.Keys() {
            @Override
            public String value(String property) {
                String own = ownProperty(property);
                return own != null ? lookup.apply(own) : lookup.apply(property);
            }

            @Override
            public String label(String property) {
                String own = ownProperty(property);
                return own != null ? own : envName(property) + " (" + property + ")" + forCompany();
            }
        };
    }

    /** The company's own property for {@code property} where it sets one ({@code company.<key>.<property>}), else null. */
    private String ownProperty(String property) {
        if (company == null) {
            return null;
        }
        String own = "company." + company + "." + property;
        String v = lookup.apply(own);
        return v != null && !v.isBlank() ? own : null;
    }

    /** The environment variable Camel reads for a property: {@code company.bygg.payroll.start-date} → {@code COMPANY_BYGG_PAYROLL_START_DATE}. */
    static String envName(String property) {
        return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The company of {@code payroll.companies} being read, or null for the one company of {@code payroll.company}. */
    String companyOfSeveral() {
        return company;
    }

    /** Whether the company being read sets this key of its own. */
    boolean overridden(SettingKey k) {
        return k.perCompany && ownProperty(k.property) != null;
    }

    private String companyProperty(SettingKey k) {
        return "company." + company + "." + k.property;
    }

    /** The property the company's value comes from: its own ({@code company.<key>.…}) where set, else the shared one. */
    String property(SettingKey k) {
        return overridden(k) ? companyProperty(k) : k.property;
    }

    /** The setting as the operator wrote it: the company's own property, or the shared one. */
    String label(SettingKey k) {
        return overridden(k) ? companyProperty(k) : k.label() + (k.perCompany ? forCompany() : "");
    }

    /** The environment variable the company's value comes from: its own ({@code COMPANY_<KEY>_…}) where set, else the shared one. */
    String variable(SettingKey k) {
        return overridden(k) ? envName(companyProperty(k)) : k.env;
    }

    String forCompany() {
        return company == null ? "" : " for company " + company;
    }

    SettingsException wrong(SettingKey k, String problem) {
        return new SettingsException("Setting " + label(k) + ": " + problem);
    }

    String company() {
        return company != null ? company : name(SettingKey.COMPANY);
    }


    ZoneId zone(SettingKey k) {
        String v = required(k);
        try {
            return ZoneId.of(v);
        } catch (java.time.DateTimeException e) {
            throw wrong(k, "'" + v + "' is not a time zone such as Europe/Oslo");
        }
    }

    /** A folder the app makes when it first writes there: empty for its default; a file in the way is wrong now, not at the first write. */
    String folder(SettingKey k) {
        String v = raw(k);
        if (!v.isEmpty() && java.nio.file.Files.exists(java.nio.file.Path.of(v))
                && !java.nio.file.Files.isDirectory(java.nio.file.Path.of(v))) {
            throw wrong(k, "'" + v + "' is a file, not a folder");
        }
        return v;
    }

    boolean bool(SettingKey k) {
        String v = raw(k).toLowerCase(Locale.ROOT);
        if (!v.isEmpty() && !v.equals("true") && !v.equals("false")) {
            throw wrong(k, "'" + raw(k) + "' is neither true nor false");
        }
        return v.equals("true");
    }

    String required(SettingKey k) {
        String v = raw(k);
        if (v.isEmpty()) {
            throw wrong(k, "is required");
        }
        return v;
    }


    /** A company key: what file names, ledger rows and logs carry. */
    String name(SettingKey k) {
        return matching(k, v -> v.matches(COMPANY_KEY), "must be 1-64 letters, digits or '-'");
    }

    /** @param zone the company's, in which the schedule fires: a cron that ends soon fires its last time by it */
    String cron(SettingKey k, ZoneId zone) {
        String cron = required(k);
        CronExpression expression;
        try {
            expression = SyncSchedules.cronIn(cron, zone);
        } catch (java.text.ParseException e) {
            throw wrong(k, "'" + cron + "' is not a Quartz cron expression (seconds minutes hours day month weekday)");
        }
        // Quartz refuses such a trigger only once the service adds it, with a stack trace
        if (expression.getNextValidTimeAfter(new java.util.Date()) == null) {
            throw wrong(k, "'" + cron + "' never fires (no such day, or only in the past)");
        }
        return cron;
    }

    /** The value, if {@code valid} takes it; otherwise it stops start-up, quoting the value with {@code problem}. */
    private String matching(SettingKey k, Predicate<String> valid, String problem) {
        String v = required(k);
        if (!valid.test(v)) {
            throw wrong(k, "'" + v + "' " + problem);
        }
        return v;
    }

    String url(SettingKey k, boolean allowHttp) {
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
        if (uri.getRawUserInfo() != null) {
            // Java's HTTP client refuses such a URL at every request (retried, then a failed run); the
            // message does not repeat the URL, which would show the password
            throw wrong(k, "holds a user name or password before its host (user:…@" + uri.getHost() + "); Ditio "
                    + "takes none there: the client credentials are DITIO_CLIENT_ID and DITIO_CLIENT_SECRET");
        }
        if (scheme.equals("http") && !allowHttp && !isLoopback(uri.getHost())) {
            throw wrong(k, "'" + v + "' is plain http to a host that is not a loopback address (127.0.0.0/8, [::1]) "
                    + "or localhost; use https, or set " + SettingKey.ALLOW_HTTP.label() + "=true if you really mean it");
        }
        return v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
    }

    /** As {@link #integer(SettingKey, int, int)}, with a default when unset. */
    int integer(SettingKey k, int defaultValue, int min, int max) {
        return raw(k).isEmpty() ? defaultValue : integer(k, min, max);
    }

    int integer(SettingKey k, int min, int max) {
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
    long byteSize(SettingKey k, long defaultSize, long min, long max) {
        String v = raw(k);
        if (v.isEmpty()) {
            return defaultSize;
        }
        Matcher m = BYTE_SIZE.matcher(v);
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

    /** As {@link #choice(SettingKey, Function)}, with a default when unset. */
    <T> T choice(SettingKey k, T ifUnset, Function<String, T> fromSetting) {
        return raw(k).isEmpty() ? ifUnset : choice(k, fromSetting);
    }

    /** One of a setting's values, read by {@code fromSetting}, whose refusal says what it allows. */
    <T> T choice(SettingKey k, Function<String, T> fromSetting) {
        String v = required(k);
        try {
            return fromSetting.apply(v);
        } catch (IllegalArgumentException e) {
            throw wrong(k, e.getMessage());
        }
    }

    LocalDate date(SettingKey k) {
        String v = required(k);
        try {
            return LocalDate.parse(v);
        } catch (DateTimeParseException e) {
            throw wrong(k, "'" + v + "' is not a date as yyyy-MM-dd");
        }
    }

    /**
     * A date that has ended in {@code zone}: today has not, hours are still being logged on it. Refused as
     * close-period refuses it; a date fine today stays fine, so a running application is never refused later.
     */
    LocalDate endedDate(SettingKey k, ZoneId zone, Clock clock) {
        LocalDate d = date(k);
        LocalDate today = LocalDate.now(clock.withZone(zone));
        if (!d.isBefore(today)) {
            throw wrong(k, d + " has not ended yet in " + zone + " (today is " + today
                    + "); a payroll period is closed once it is paid");
        }
        return d;
    }

    String jdbcUrl(SettingKey k, boolean optional) {
        String v = optional ? raw(k) : required(k);
        if (v.isEmpty() || v.startsWith("jdbc:h2:") || v.startsWith("jdbc:postgresql:")) {
            return v;
        }
        throw wrong(k, "'" + DataSources.masked(v)
                + "' is not an H2 (jdbc:h2:) or PostgreSQL (jdbc:postgresql:) JDBC URL");
    }

    /** An address to bind: a literal IPv4 or IPv6 address or a host name, nothing else (no URL, no port). */
    String host(SettingKey k) {
        return matching(k, v -> v.matches("[A-Za-z0-9.-]{1,253}|[0-9A-Fa-f:.]{2,45}"),
                "is not an address to bind (such as 127.0.0.1 or 0.0.0.0)");
    }

    Charset charset(SettingKey k) {
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


    Duration duration(SettingKey k) {
        String v = required(k);
        Duration d;
        try {
            d = Duration.parse(v.toUpperCase(Locale.ROOT).startsWith("P") ? v : "PT" + v);
        } catch (DateTimeParseException e) {
            throw wrong(k, "'" + v + "' is not a duration such as PT10M or 10m");
        }
        if (d.isNegative()) {
            throw wrong(k, "'" + v + "' is negative");
        }
        // the overlap is taken from an instant: far beyond a year it is a typo, and beyond time itself a failure in every run
        if (d.compareTo(LONGEST_OVERLAP) > 0) {
            throw wrong(k, "'" + v + "' is longer than " + LONGEST_OVERLAP.toDays() + " days");
        }
        return d;
    }

    private static final Duration LONGEST_OVERLAP = Duration.ofDays(366);
    private static final Duration LONGEST_WAIT = Duration.ofHours(24);

    /**
     * A duration as Camel reads it where these settings go (camel-http timeouts, the redelivery
     * policy): 500ms, 20s, 2m, 1h, or combined as 1m30s; more than zero (0 would mean "wait forever").
     */
    Duration camelDuration(SettingKey k) {
        String v = required(k);
        if (!v.matches("(\\d+(ms|s|m|h))+")) {
            throw wrong(k, "'" + v + "' is not a duration such as 500ms, 20s or 2m");
        }
        Duration d;
        try {
            d = org.apache.camel.util.TimeUtils.toDuration(v);
        } catch (RuntimeException e) { // a number too long for a long
            throw wrong(k, "'" + v + "' is longer than " + LONGEST_WAIT.toHours() + "h");
        }
        if (d.isZero()) {
            throw wrong(k, "'" + v + "' must be more than zero");
        }
        // a wait or timeout beyond a day is a typo; in milliseconds beyond a long it turned negative
        if (d.isNegative() || d.compareTo(LONGEST_WAIT) > 0) {
            throw wrong(k, "'" + v + "' is longer than " + LONGEST_WAIT.toHours() + "h");
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
