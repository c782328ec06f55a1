package no.ditiosync.app;

import no.ditiosync.drops.Aggregation;
import no.ditiosync.drops.AtomicDropFile;
import no.ditiosync.drops.SapFormat;
import no.ditiosync.drops.SftpDrop;
import no.ditiosync.drops.VismaFormat;
import no.ditiosync.payroll.WageTypeMapping;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The settings made of several keys or checked against other settings: the targets and their
 * wage types, the drop folder, SFTP, the cluster and the operator page's credentials.
 */
final class CombinedSettings {
    private final SettingReader r;
    /** the targets of the user's own that {@link #targets()} found, each with its format made */
    private final Map<String, CustomTarget> customTargets = new LinkedHashMap<>();

    CombinedSettings(SettingReader r) {
        this.r = r;
    }

    /** With several companies, each has its own subfolder of the shared drop folder unless it names one. */
    Path dropDir() {
        Path folder = Path.of(r.required(SettingKey.DROP_DIR));
        return r.companyOfSeveral() != null && !r.overridden(SettingKey.DROP_DIR) ? folder.resolve(r.companyOfSeveral()) : folder;
    }

    boolean clustered() {
        boolean clustered = r.bool(SettingKey.CLUSTERED);
        if (clustered && !r.raw(SettingKey.STATE_DB_URL).startsWith("jdbc:postgresql:")) {
            throw r.wrong(SettingKey.CLUSTERED, "a Quartz cluster needs the PostgreSQL state DB every node shares ("
                    + SettingKey.STATE_DB_URL.label() + " = jdbc:postgresql:...)");
        }
        return clustered;
    }

    List<String> targets() {
        List<String> targets = Arrays.stream(r.required(SettingKey.TARGETS).split(","))
                .map(t -> t.strip().toLowerCase(Locale.ROOT)).filter(t -> !t.isEmpty()).distinct().toList();
        CustomTarget.Keys keys = r.customTargetKeys();
        for (String t : targets) {
            if (CustomTarget.isDeclared(t, keys)) {
                // a target of the user's own: its format class is made once, here, so a bad one stops start-up
                customTargets.put(t, CustomTarget.read(t, keys));
            } else if (!Settings.KNOWN_TARGETS.contains(t)) {
                throw r.wrong(SettingKey.TARGETS, "unknown target '" + t + "' (known: " + String.join(", ", Settings.KNOWN_TARGETS)
                        + (CustomTarget.isName(t) ? "; a target of your own needs its format class in "
                        + keys.label(CustomTarget.formatProperty(t)) : "; a target's name is a lower-case letter, then letters, digits or '-'") + ")");
            }
        }
        if (targets.isEmpty()) {
            throw r.wrong(SettingKey.TARGETS, "names no target");
        }
        return targets;
    }

    /** The targets of the user's own among {@link #targets()}, by name, in their order. */
    Map<String, CustomTarget> customTargets() {
        return Collections.unmodifiableMap(customTargets);
    }

    /** One line per registration unless set: the files stay as they were before the setting existed. */
    Aggregation aggregation(SettingKey k) {
        return r.choice(k, Aggregation.PER_REGISTRATION, Aggregation::fromSetting);
    }

    /** Made, when missing, as private as the drops it will hold ({@link AtomicDropFile#createFolder}). */
    void writableFolder(SettingKey k, Path folder, String fileMode) {
        try {
            AtomicDropFile.createFolder(folder, fileMode);
        } catch (IOException e) {
            throw r.wrong(k, "cannot create folder '" + folder + "' (" + AtomicDropFile.plainReason(e) + ")");
        } catch (SecurityException e) {
            throw r.wrong(k, "cannot create folder '" + folder + "' (not allowed)");
        }
        if (!Files.isDirectory(folder) || !Files.isWritable(folder)) {
            throw r.wrong(k, "folder '" + folder + "' is not writable");
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
                    throw r.wrong(SettingKey.WAGE_TYPES, mapping.origin() + " line " + line + ": wage type '" + wageType
                            + "' cannot go to the " + target + " target: " + problem);
                }
            }
        });
        return mapping;
    }

    WageTypeMapping wageTypes() {
        Path file = Path.of(r.required(SettingKey.WAGE_TYPES));
        if (!Files.isReadable(file)) {
            // no fallback to the packaged example: its codes would pay the customer's hours by someone else's mapping
            throw r.wrong(SettingKey.WAGE_TYPES, "cannot read '" + file + "'"
                    + (file.isAbsolute() ? "" : " in " + Path.of("").toAbsolutePath()));
        }
        try {
            return WageTypeMapping.load(file);
        } catch (IOException e) {
            throw r.wrong(SettingKey.WAGE_TYPES, "cannot read '" + file + "': " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw r.wrong(SettingKey.WAGE_TYPES, e.getMessage());
        }
    }

    String fileMode() {
        String v = r.raw(SettingKey.FILE_MODE);
        if (v.isEmpty()) {
            return AtomicDropFile.OWNER_ONLY;
        }
        if (!v.equals(AtomicDropFile.OWNER_ONLY) && !v.equals(AtomicDropFile.OWNER_AND_GROUP)) {
            throw r.wrong(SettingKey.FILE_MODE, "'" + v + "' is neither 0600 (owner only) nor 0640 (owner and group)");
        }
        return v;
    }

    /**
     * The user of the page's credentials (HTTP Basic), with its password; both or neither. The run
     * service bound to an address other machines reach (OBSERVE_HOST not loopback) refuses to start
     * without them: the page shows payroll hours and names.
     */
    String observeUser() {
        String user = r.raw(SettingKey.OBSERVE_USER);
        boolean password = !r.raw(SettingKey.OBSERVE_PASSWORD).isEmpty();
        if (user.isEmpty() != !password) {
            throw r.wrong(user.isEmpty() ? SettingKey.OBSERVE_USER : SettingKey.OBSERVE_PASSWORD, "is required with "
                    + (user.isEmpty() ? SettingKey.OBSERVE_PASSWORD : SettingKey.OBSERVE_USER).label());
        }
        if (user.indexOf(':') >= 0) {
            throw r.wrong(SettingKey.OBSERVE_USER, "must not hold ':' (HTTP Basic cannot send it)");
        }
        String host = r.raw(SettingKey.OBSERVE_HOST);
        if (user.isEmpty() && Boolean.parseBoolean(r.raw(SettingKey.OBSERVE_SERVER)) && !SettingReader.isLoopback(host)) {
            throw new SettingsException("Setting " + SettingKey.OBSERVE_HOST.label() + ": '" + host + "' lets other machines "
                    + "reach the operator's page, so it needs credentials: set " + SettingKey.OBSERVE_USER.label() + " and "
                    + SettingKey.OBSERVE_PASSWORD.label() + ", or bind to 127.0.0.1");
        }
        return user;
    }

    /**
     * The SFTP server the drops go to, or null (empty PAYROLL_SFTP_URL) for the local drop folder.
     * With several companies, each has its own subfolder of a shared URL's folder unless it names
     * its own URL, as with the local drop folder.
     */
    SftpDrop.Config sftp() {
        String v = r.raw(SettingKey.SFTP_URL);
        if (v.isEmpty()) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(v);
        } catch (Exception e) {
            throw r.wrong(SettingKey.SFTP_URL, "is not a URL such as sftp://host:22/folder");
        }
        if (uri.getRawUserInfo() != null) {
            // never echoed: it may hold a password
            throw r.wrong(SettingKey.SFTP_URL, "must not hold a user or password; set " + SettingKey.SFTP_USER.label() + " and "
                    + SettingKey.SFTP_PASSWORD.label() + " or " + SettingKey.SFTP_PRIVATE_KEY.label());
        }
        if (!"sftp".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw r.wrong(SettingKey.SFTP_URL, "'" + v + "' is not a URL such as sftp://host:22/folder");
        }
        int port = uri.getPort() == -1 ? 22 : uri.getPort();
        if (port < 1 || port > 65535) {
            throw r.wrong(SettingKey.SFTP_URL, "'" + v + "' has port " + port + ", outside 1-65535");
        }
        String path = uri.getPath() == null || uri.getPath().isEmpty() ? "." : uri.getPath();
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (r.companyOfSeveral() != null && !r.overridden(SettingKey.SFTP_URL)) {
            path = path + "/" + r.companyOfSeveral();
        }
        String user = r.required(SettingKey.SFTP_USER);
        String password = r.raw(SettingKey.SFTP_PASSWORD);
        String keyFile = r.raw(SettingKey.SFTP_PRIVATE_KEY);
        if (password.isEmpty() && keyFile.isEmpty()) {
            throw r.wrong(SettingKey.SFTP_URL, "needs " + SettingKey.SFTP_PASSWORD.label() + " or " + SettingKey.SFTP_PRIVATE_KEY.label());
        }
        Path key = null;
        if (!keyFile.isEmpty()) {
            key = Path.of(keyFile);
            if (!Files.isRegularFile(key) || !Files.isReadable(key)) {
                throw r.wrong(SettingKey.SFTP_PRIVATE_KEY, "cannot read '" + keyFile + "'");
            }
        }
        String knownHostsFile = r.raw(SettingKey.SFTP_KNOWN_HOSTS);
        Path knownHosts = knownHostsFile.isEmpty()
                ? Path.of(System.getProperty("user.home"), ".ssh", "known_hosts") : Path.of(knownHostsFile);
        if (!Files.isRegularFile(knownHosts) || !Files.isReadable(knownHosts)) {
            throw r.wrong(SettingKey.SFTP_KNOWN_HOSTS, "cannot read '" + knownHosts + "': the SFTP server's host key must be "
                    + "listed there (host-key checking is always on)");
        }
        return new SftpDrop.Config(uri.getHost(), port, path, user, password, key, r.raw(SettingKey.SFTP_PASSPHRASE),
                knownHosts, r.camelDuration(SettingKey.SFTP_CONNECT_TIMEOUT), r.camelDuration(SettingKey.SFTP_TIMEOUT),
                r.integer(SettingKey.SFTP_MAX_ATTEMPTS, 1, 20), r.camelDuration(SettingKey.SFTP_RETRY_DELAY), fileMode());
    }

}
