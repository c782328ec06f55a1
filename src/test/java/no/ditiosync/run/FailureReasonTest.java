package no.ditiosync.run;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

class FailureReasonTest {

    private final CamelContext camel = new DefaultCamelContext();

    @Test
    void anErrorInsideARoute_isSaidByItsOwnName_notByCamelsWrapperThatNamesTheExchange() {
        Exchange exchange = new DefaultExchange(camel);
        CamelExecutionException wrapped = new CamelExecutionException("Exception occurred during execution on the exchange",
                exchange, new OutOfMemoryError("Java heap space"));
        assertThat(wrapped.getMessage()).startsWith("Exception occurred during execution on the exchange");

        assertThat(FailureReason.of(wrapped))
                .isEqualTo("the JVM ran out of memory (Java heap space): give it more (java -Xmx)");
        assertThat(FailureReason.of(new CamelExecutionException("x", exchange, new StackOverflowError())))
                .isEqualTo("a stack overflow (see the log)");
        // a wrapper that took the error's message as its own (the console's "Sync failed: …")
        OutOfMemoryError error = new OutOfMemoryError("Java heap space");
        assertThat(FailureReason.of(new IllegalStateException(error.getMessage(), error)))
                .isEqualTo("the JVM ran out of memory (Java heap space): give it more (java -Xmx)");
    }

    @Test
    void aFailureWithItsOwnMessage_keepsIt_onOneLine() {
        SQLException lost = new SQLException("Connection is closed");
        assertThat(FailureReason.of(new IllegalStateException("the state DB went away\nwhile the run wrote", lost)))
                .isEqualTo("the state DB went away while the run wrote");
        assertThat(FailureReason.of(new CamelExecutionException("x", new DefaultExchange(camel), lost)))
                .isEqualTo("Connection is closed");
    }

    /** HikariCP names only its pool when the database gives no connection in time: the reason names the setting. */
    @Test
    void aStateDbThatGivesNoConnection_isNamedByItsSetting() throws Exception {
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        config.setPoolName("ditio-state-db");
        // a port nothing listens on: the database is down
        try (java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
            config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + closed.getLocalPort() + "/ditio");
        }
        config.setConnectionTimeout(250);
        config.setInitializationFailTimeout(-1);
        try (com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource(config)) {
            SQLException down = org.assertj.core.api.Assertions.catchThrowableOfType(pool::getConnection, SQLException.class);
            assertThat(FailureReason.of(new IllegalStateException(down.getMessage(), down)))
                    .startsWith("the state DB (PAYROLL_STATE_DB_URL) gave no connection in time: it is down, unreachable or "
                            + "overloaded (ditio-state-db - Connection is not available, request timed out after");
        }
    }

    @Test
    void exceptionsWithoutAMessage_giveTheMessageBelowThem_orSaySoWhenNoneHasOne() {
        assertThat(FailureReason.of(new RuntimeException(null, new IOException("Broken pipe")))).isEqualTo("Broken pipe");
        assertThat(FailureReason.of(new RuntimeException((Throwable) null))).isEqualTo("an unexpected error without a message (see the log)");
        assertThat(FailureReason.of(null)).isEqualTo("unknown");
    }
}
