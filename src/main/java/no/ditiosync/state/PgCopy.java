package no.ditiosync.state;

import org.postgresql.PGConnection;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Rows for PostgreSQL's {@code COPY … FROM STDIN} in its text format, sent in one go. A batch of
 * INSERTs is one statement per row on the server; COPY is one for all of them.
 */
public final class PgCopy {
    private final StringBuilder data;
    private int rows;

    public PgCopy(int expectedRows) {
        data = new StringBuilder(expectedRows * 256);
    }

    /** One row, its values in the order of the columns {@link #into} names. */
    public void row(List<?> values) {
        boolean first = true;
        for (Object value : values) {
            if (!first) {
                data.append('\t');
            }
            append(value);
            first = false;
        }
        data.append('\n');
        rows++;
    }

    public int rows() {
        return rows;
    }

    /** COPYs the rows into {@code table}'s {@code columns}, in the connection's transaction. */
    public void into(Connection c, String table, String columns) throws SQLException {
        try {
            c.unwrap(PGConnection.class).getCopyAPI()
                    .copyIn("COPY " + table + " (" + columns + ") FROM STDIN", new StringReader(data.toString()));
        } catch (IOException e) {
            throw new SQLException("cannot write " + table + ": " + e.getMessage(), e);
        }
    }

    private void append(Object value) {
        if (value == null) {
            data.append("\\N");
            return;
        }
        String s;
        if (value instanceof BigDecimal d) {
            s = d.toPlainString();
        } else if (value instanceof OffsetDateTime t) {
            // to the microsecond, rounded as pgjdbc rounds a bound OffsetDateTime: COPY and a bound
            // parameter store the same instant
            s = t.plusNanos(500).truncatedTo(ChronoUnit.MICROS).toString();
        } else {
            s = value.toString();
        }
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\' -> data.append("\\\\");
                case '\t' -> data.append("\\t");
                case '\n' -> data.append("\\n");
                case '\r' -> data.append("\\r");
                default -> data.append(ch);
            }
        }
    }
}
