package no.ditiosync.app;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What was built from what: the version and the git commit, written into {@code version.properties}
 * when the jar is built (Maven resource filtering; the commit in {@code git-commit.txt} from git
 * itself, or {@code -Dgit.commit.id=} where no git repository is at hand, as in the container
 * build; see pom.xml), and the Camel version the jar holds.
 */
final class Version {

    private Version() {
    }

    /** {@code ditio-payroll-sync 0.1.0 (git commit 1a2b…, Camel 4.18.0)}. */
    static String text() {
        return "ditio-payroll-sync " + version() + " (git commit " + commit() + ", Camel " + camel() + ")";
    }

    static String version() {
        return value(built(), "version");
    }

    /** From git-commit.txt (git rev-parse HEAD at the build), else what the build was given as -Dgit.commit.id. */
    static String commit() {
        try (InputStream in = Version.class.getResourceAsStream("git-commit.txt")) {
            String head = in == null ? "" : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip();
            if (head.matches("[0-9a-f]{40}")) {
                return head;
            }
        } catch (IOException unreadable) {
            // as if there were none
        }
        return value(built(), "commit");
    }

    private static Properties built() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException unreadable) {
            // the values below say "unknown"
        }
        return p;
    }

    /** A value Maven filled in; "unknown" when the build had none (the placeholder is still there). */
    private static String value(Properties p, String key) {
        String v = p.getProperty(key, "");
        return v.isBlank() || v.contains("${") ? "unknown" : v;
    }

    /** The version of the Camel this runs on, as Camel reports it (a context that is never started). */
    private static String camel() {
        return new org.apache.camel.impl.DefaultCamelContext(false).getVersion();
    }
}
