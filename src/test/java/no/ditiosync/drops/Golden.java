package no.ditiosync.drops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import no.ditiosync.payroll.PayrollLine;

/** Test helpers: payroll lines in one call, and byte-for-byte golden-file comparison with a readable failure. */
public final class Golden {

    private Golden() {
    }

    static PayrollLine line(String employee, String date, String wageType, String qty,
                            String project, String department, String text) {
        return new PayrollLine("time:" + employee + ":" + date, employee, LocalDate.parse(date), wageType,
                new BigDecimal(qty), project, null, department, text, "time", "src-" + employee,
                Instant.parse("2025-03-01T12:00:00Z"));
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name)) {
            assertThat(in).as("golden file %s on the test class path", name).isNotNull();
            return in.readAllBytes();
        }
    }

    /** Compares bytes; on mismatch the message shows both files as text with CR and LF made visible. */
    public static void assertSameBytes(Path actual, String goldenName, Charset charset) throws IOException {
        byte[] expected = resource(goldenName);
        byte[] written = Files.readAllBytes(actual);
        assertThat(written)
                .withFailMessage("drop differs from golden/%s%n--- expected%n%s%n--- actual%n%s",
                        goldenName, visible(expected, charset), visible(written, charset))
                .isEqualTo(expected);
    }

    private static String visible(byte[] bytes, Charset charset) {
        return new String(bytes, charset).replace("\r", "\\r").replace("\n", "\\n\n");
    }
}
