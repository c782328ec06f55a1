package no.ditiosync.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The retry and timeout settings are read and checked at start-up like every other setting. */
class RetrySettingsTest {

    @TempDir
    static Path dir;

    static Map<String, String> good() {
        Map<String, String> s = SettingsTest.good(dir);
        s.put("payroll.targets", "jdbc");
        s.put("ditio.read-timeout", "1m30s");
        return s;
    }

    @Test
    void theDefaultsAreRead() {
        Settings s = Settings.read(good()::get);
        assertThat(s.retryMaxAttempts()).isEqualTo(6);
        assertThat(s.retryMaxPerRun()).isEqualTo(50);
        assertThat(s.retryInitialDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.retryMaxDelay()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.retryAfterMax()).isEqualTo(Duration.ofMinutes(1));
        assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.readTimeout()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void millisecondsAreFine() {
        Map<String, String> s = good();
        s.put("ditio.retry.initial-delay", "20ms");
        assertThat(Settings.read(s::get).retryInitialDelay()).isEqualTo(Duration.ofMillis(20));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "ditio.retry.max-attempts|0|Setting DITIO_RETRY_MAX_ATTEMPTS (ditio.retry.max-attempts): '0' is outside 1-100",
            "ditio.retry.max-per-run|lots|Setting DITIO_RETRY_MAX_PER_RUN (ditio.retry.max-per-run): 'lots' is not a whole number",
            // camel-http would read PT60S as 0, an endless wait: not accepted
            "ditio.read-timeout|PT60S|Setting DITIO_READ_TIMEOUT (ditio.read-timeout): 'PT60S' is not a duration such as 500ms, 20s or 2m",
            "ditio.connect-timeout|0s|Setting DITIO_CONNECT_TIMEOUT (ditio.connect-timeout): '0s' must be more than zero",
            "ditio.retry-after-max|a minute|Setting DITIO_RETRY_AFTER_MAX (ditio.retry-after-max): 'a minute' is not a duration such as 500ms, 20s or 2m",
            "ditio.retry.initial-delay||Setting DITIO_RETRY_INITIAL_DELAY (ditio.retry.initial-delay): is required",
    })
    void aBadValueStopsStartUpNamingTheKey(String key, String value, String message) {
        Map<String, String> s = good();
        s.put(key, value == null ? "" : value);
        assertThatThrownBy(() -> Settings.read(s::get)).isInstanceOf(SettingsException.class).hasMessage(message);
    }
}
