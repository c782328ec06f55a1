package no.ditiosync.ditio;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A page whose answer has neither a length nor chunks ends where Ditio closed the connection, so only
 * its JSON can show that it was cut short: wherever the cut falls (between fields, inside {@code true},
 * after a decimal point, before the first byte), it is a dropped connection ({@link EOFException},
 * retried), not a malformed page. With a length or chunks, HTTP itself tells a cut answer, so JSON that
 * stops early is what Ditio sent: a bad page.
 */
class PageCutOffTest {

    static final String PAGE = "{\"data\":[{\"id\":\"r1\",\"userId\":\"u-101\",\"userEmployeeNumber\":\"101\","
            + "\"workDate\":\"2026-11-16T00:00:00Z\",\"qty\":7.5,\"approved\":true,\"payrollApproved\":true,"
            + "\"locked\":null,\"modifiedDateTime\":\"2026-11-16T16:00:00Z\",\"isDeleted\":false,\"overtime\":1e1}],"
            + "\"continuationToken\":null}";

    final PageReader<TimeRegistration> reader = new PageReader<>(TimeRegistration.class, TimeRegistration::markUnreadable, 1 << 20);

    @Test
    void everyCutOfAnAnswerEndedByTheConnectionIsADroppedConnection() throws Exception {
        byte[] bytes = PAGE.getBytes(StandardCharsets.UTF_8);
        assertThat(reader.read(new ByteArrayInputStream(bytes), "page 1", true).data()).hasSize(1);
        List<String> notDropped = new ArrayList<>();
        for (int n = 0; n < bytes.length; n++) {
            try {
                reader.read(new ByteArrayInputStream(bytes, 0, n), "page 1", true);
                notDropped.add("cut after " + n + " bytes: read as a whole page");
            } catch (EOFException dropped) {
                // as it should be
            } catch (Exception e) {
                notDropped.add("cut after '" + PAGE.substring(Math.max(0, n - 12), n) + "': " + e.getMessage());
            }
        }
        assertThat(notDropped).isEmpty();
    }

    /** Plain text where a page should be (an error page without a content type) is no page cut short: a bad page. */
    @Test
    void textThatIsNoPageIsABadPageAlsoWithoutALength() {
        for (String body : List.of("Unauthorized", "Bad Gateway", "{\"data\":[],\"continuationToken\":nothing}")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> reader.read(
                    new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), "page 1", true))
                    .as(body).isInstanceOf(DitioApiException.class);
        }
    }

    @Test
    void aCutAnswerWithALengthIsABadPage() {
        byte[] bytes = PAGE.getBytes(StandardCharsets.UTF_8);
        List<String> dropped = new ArrayList<>();
        for (int n = 1; n < bytes.length; n++) {
            try {
                reader.read(new ByteArrayInputStream(bytes, 0, n), "page 1", false);
            } catch (DitioApiException bad) {
                // as it should be
            } catch (Exception e) {
                dropped.add("cut after " + n + " bytes: " + e);
            }
        }
        assertThat(dropped).isEmpty();
    }
}
