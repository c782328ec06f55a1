package no.ditiosync.app;

import no.ditiosync.drops.SftpDrop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PAYROLL_SFTP_*: read and checked at start-up, one line naming the setting, secrets never echoed. */
class SftpSettingsTest {

    @TempDir
    static Path dir;

    static Map<String, String> withSftp() throws Exception {
        Map<String, String> s = SettingsTest.good(dir);
        Path knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, "");
        s.put("payroll.sftp.url", "sftp://sftp.example.com:2222/upload/payroll/");
        s.put("payroll.sftp.user", "acme");
        s.put("payroll.sftp.password", "sftp-s3cret");
        s.put("payroll.sftp.known-hosts", knownHosts.toString());
        s.put("payroll.sftp.connect-timeout", "10s");
        s.put("payroll.sftp.timeout", "60s");
        s.put("payroll.sftp.max-attempts", "4");
        s.put("payroll.sftp.retry-delay", "1s");
        return s;
    }

    @Test
    void noSftpUrlMeansTheLocalFolder() {
        assertThat(Settings.read(SettingsTest.good(dir)::get).sftp()).isNull();
    }

    @Test
    void sftpSettingsAreReadAndTheSecretIsNotPrinted() throws Exception {
        Settings s = Settings.read(withSftp()::get);
        SftpDrop.Config c = s.sftp();
        assertThat(c.host()).isEqualTo("sftp.example.com");
        assertThat(c.port()).isEqualTo(2222);
        assertThat(c.folder()).isEqualTo("/upload/payroll");
        assertThat(c.user()).isEqualTo("acme");
        assertThat(c.password()).isEqualTo("sftp-s3cret");
        assertThat(c.privateKey()).isNull();
        assertThat(c.knownHosts()).isEqualTo(dir.resolve("known_hosts"));
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.maxAttempts()).isEqualTo(4);
        assertThat(c.fileMode()).isEqualTo("0600");
        assertThat(c.toString() + s).doesNotContain("sftp-s3cret");
        assertThat(new SftpDrop(c, null).folder("visma")).isEqualTo("/upload/payroll/visma");
    }

    @Test
    void withoutAPathTheLoginFolderAndPort22() throws Exception {
        Map<String, String> s = withSftp();
        s.put("payroll.sftp.url", "sftp://sftp.example.com");
        SftpDrop.Config c = Settings.read(s::get).sftp();
        assertThat(c.port()).isEqualTo(22);
        assertThat(new SftpDrop(c, null).folder("sap")).isEqualTo("./sap");
    }

    @Test
    void eachCompanyHasItsOwnSubfolderOfASharedUrlUnlessItNamesItsOwn() throws Exception {
        Map<String, String> s = withSftp();
        s.put("payroll.companies", "acme,bygg,dekk");
        s.put("company.dekk.payroll.sftp.url", "sftp://other.example.com/in");
        s.put("company.dekk.payroll.sftp.user", "dekk");
        List<Settings> all = Settings.readAll(s::get);
        assertThat(all).extracting(x -> x.sftp().host() + ":" + x.sftp().folder() + ":" + x.sftp().user()).containsExactly(
                "sftp.example.com:/upload/payroll/acme:acme", "sftp.example.com:/upload/payroll/bygg:acme",
                "other.example.com:/in:dekk");
    }

    /**
     * Two companies whose drops would land in one folder of one login (a company's own URL naming
     * another's subfolder, or the same folder) are refused, as a shared local drop folder is; another
     * login's folder of the same name may be its own (a chroot) and is not.
     */
    @Test
    void twoCompaniesInTheSameFolderOfTheSameLoginAreRefused() throws Exception {
        Map<String, String> s = withSftp();
        s.put("payroll.companies", "acme,bygg");
        s.put("company.acme.payroll.sftp.url", "sftp://SFTP.example.com:2222/upload/payroll/bygg/");
        assertThatThrownBy(() -> Settings.readAll(s::get)).isInstanceOf(SettingsException.class).hasMessage(
                "Setting PAYROLL_SFTP_URL (payroll.sftp.url) for company bygg: company bygg would share the folder "
                        + "'/upload/payroll/bygg/visma' on SFTP server sftp.example.com:2222 (as 'acme') with company acme; files of "
                        + "two companies never mix");
        s.put("company.bygg.payroll.sftp.url", "sftp://sftp.example.com:2222/upload/payroll/bygg");
        assertThatThrownBy(() -> Settings.readAll(s::get)).hasMessageStartingWith("Setting company.bygg.payroll.sftp.url: "
                + "company bygg would share the folder '/upload/payroll/bygg/visma'");
        // the same folder however its path is spelled: a shared URL at the server's root gives company acme '//acme'
        s.put("payroll.sftp.url", "sftp://sftp.example.com:2222/");
        s.remove("company.acme.payroll.sftp.url");
        for (String spelled : List.of("/acme", "/acme/./", "//acme")) {
            s.put("company.bygg.payroll.sftp.url", "sftp://sftp.example.com:2222" + spelled);
            assertThatThrownBy(() -> Settings.readAll(s::get)).as(spelled).hasMessageStartingWith(
                    "Setting company.bygg.payroll.sftp.url: company bygg would share the folder '/acme/visma'");
        }
        // each target has a folder of its own: one base folder for two companies of different targets is fine
        s.put("company.acme.payroll.targets", "visma");
        s.put("company.bygg.payroll.targets", "sap");
        assertThat(Settings.readAll(s::get)).extracting(x -> x.sftp().user() + "@" + x.sftp().folder() + " " + x.targets())
                .containsExactly("acme@//acme [visma]", "acme@//acme [sap]");
        s.put("company.bygg.payroll.targets", "visma");
        s.put("company.bygg.payroll.sftp.user", "bygg");
        assertThat(Settings.readAll(s::get)).extracting(x -> x.sftp().user() + "@" + x.sftp().folder())
                .containsExactly("acme@//acme", "bygg@//acme");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "payroll.sftp.url|ftp://sftp.example.com/in|Setting PAYROLL_SFTP_URL (payroll.sftp.url): 'ftp://sftp.example.com/in' is not a URL such as sftp://host:22/folder",
            "payroll.sftp.url|sftp:///in|Setting PAYROLL_SFTP_URL (payroll.sftp.url): 'sftp:///in' is not a URL such as sftp://host:22/folder",
            "payroll.sftp.url|sftp://host/in?password=x|Setting PAYROLL_SFTP_URL (payroll.sftp.url): 'sftp://host/in?password=x' is not a URL such as sftp://host:22/folder",
            "payroll.sftp.user||Setting PAYROLL_SFTP_USER (payroll.sftp.user): is required",
            "payroll.sftp.password||Setting PAYROLL_SFTP_URL (payroll.sftp.url): needs PAYROLL_SFTP_PASSWORD (payroll.sftp.password) or PAYROLL_SFTP_PRIVATE_KEY_FILE (payroll.sftp.private-key-file)",
            "payroll.sftp.private-key-file|/no/such/key|Setting PAYROLL_SFTP_PRIVATE_KEY_FILE (payroll.sftp.private-key-file): cannot read '/no/such/key'",
            "payroll.sftp.known-hosts|/no/such/known_hosts|Setting PAYROLL_SFTP_KNOWN_HOSTS (payroll.sftp.known-hosts): cannot read '/no/such/known_hosts': the SFTP server's host key must be listed there (host-key checking is always on)",
            "payroll.sftp.connect-timeout|10|Setting PAYROLL_SFTP_CONNECT_TIMEOUT (payroll.sftp.connect-timeout): '10' is not a duration such as 500ms, 20s or 2m",
            "payroll.sftp.max-attempts|0|Setting PAYROLL_SFTP_MAX_ATTEMPTS (payroll.sftp.max-attempts): '0' is outside 1-20",
    })
    void badSftpSettingStopsWithOneLineNamingTheKey(String key, String value, String message) throws Exception {
        Map<String, String> s = withSftp();
        s.put(key, value == null ? "" : value);
        assertThatThrownBy(() -> Settings.read(s::get)).isInstanceOf(SettingsException.class).hasMessage(message);
    }

    @Test
    void aPasswordInTheUrlIsRefusedWithoutEchoingIt() throws Exception {
        Map<String, String> s = withSftp();
        s.put("payroll.sftp.url", "sftp://acme:hunter2-secret@sftp.example.com/in");
        assertThatThrownBy(() -> Settings.read(s::get)).isInstanceOf(SettingsException.class).hasMessage(
                "Setting PAYROLL_SFTP_URL (payroll.sftp.url): must not hold a user or password; set PAYROLL_SFTP_USER "
                        + "(payroll.sftp.user) and PAYROLL_SFTP_PASSWORD (payroll.sftp.password) or "
                        + "PAYROLL_SFTP_PRIVATE_KEY_FILE (payroll.sftp.private-key-file)");
    }
}
