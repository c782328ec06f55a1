package no.ditiosync.simulator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Runs the "Complete example (Python)" of Ditio's Export Time Data guide, unchanged except that
 * CLIENT_ID/CLIENT_SECRET come from the environment and the window lies inside the generated
 * data, against the simulator. Proves the simulator speaks the API as Ditio's own example expects.
 * Needs python3 with requests; fails (never skips) when it is missing.
 */
class PythonExampleTest {

    static final String SCRIPT = "/simulator/export_time_data.py";
    static final LocalDate FROM = LocalDate.of(2026, 11, 2);
    static final LocalDate TO = LocalDate.of(2026, 11, 20);

    @TempDir
    Path dir;

    @Test
    void theGuidesPythonExampleExportsExactlyTheLiveRegistrationsOfItsWindow() throws Exception {
        String python = pythonWithRequests();
        Path script = dir.resolve("export_time_data.py");
        try (InputStream in = PythonExampleTest.class.getResourceAsStream(SCRIPT)) {
            assertThat(in).as(SCRIPT + " on the test classpath").isNotNull();
            Files.write(script, in.readAllBytes());
        }
        assertThat(Files.readString(script))
                .contains("\"FromDateTime\": \"" + FROM + "\"", "\"ToDateTime\": \"" + TO + "\"")
                .contains("params[\"ContinuationToken\"] = continuation");

        try (SimulatedDitio sim = SimulatedDitio.start(new SimulatorConfig().workers(200).weeks(6), 0)) {
            Path output = dir.resolve("output.txt");
            ProcessBuilder pb = new ProcessBuilder(python, script.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            Map<String, String> env = pb.environment();
            List.of("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
                    .forEach(env::remove);
            env.put("NO_PROXY", "127.0.0.1,localhost");
            env.put("DITIO_IDENTITY_BASE", sim.identityBase());
            env.put("DITIO_REPORTING_BASE", sim.reportingBase());
            env.put("CLIENT_ID", sim.clientId());
            env.put("CLIENT_SECRET", sim.clientSecret());
            Process process = pb.start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("the Python example did not finish within 60 s");
            }
            String printed = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(process.exitValue()).as(printed).isZero();

            Matcher m = Pattern.compile("Exported (\\d+) time registrations").matcher(printed);
            assertThat(m.find()).as(printed).isTrue();
            int expected = sim.data().liveTimeRegistrations(FROM, TO).size();
            assertThat(Integer.parseInt(m.group(1))).isEqualTo(expected);
            assertThat(sim.pagesServed()).as("several pages at the default ChunkLimit 2500")
                    .isEqualTo((expected + 2499) / 2500).isGreaterThanOrEqualTo(2);
        }
    }

    /** python3 from PATH, else /usr/bin/python3 — whichever can import requests. */
    static String pythonWithRequests() throws InterruptedException {
        for (String candidate : List.of("python3", "/usr/bin/python3")) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import requests")
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
                p.destroyForcibly();
            } catch (IOException notInstalled) {
                // try the next candidate
            }
        }
        return fail("No Python 3 with the 'requests' module found (tried python3 and /usr/bin/python3). "
                + "Install the Debian package python3-requests: apt-get install -y python3-requests");
    }
}
