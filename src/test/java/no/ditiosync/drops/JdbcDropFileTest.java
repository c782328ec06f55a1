package no.ditiosync.drops;

import no.ditiosync.payroll.PayrollLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static no.ditiosync.drops.Golden.line;
import static org.assertj.core.api.Assertions.assertThat;

/** The JDBC target's drop file: rows with the day they are booked on, and a drop of the version before still read. */
class JdbcDropFileTest {

    @TempDir
    Path dir;

    @Test
    void eachRowKeepsTheDayItIsBookedOn() throws IOException {
        PayrollLine closed = line("1002", "2026-10-14", "1000", "6", "P-1001", null, "Støp");
        PayrollLine open = line("1003", "2026-11-02", "1000", "7.5", null, null, null);
        try (JdbcDropFile file = JdbcDropFile.create(dir, ".jdbc.rows.tmp")) {
            file.add(closed, true, LocalDate.of(2026, 11, 1));
            file.add(open, false, null);
        }

        assertThat(read(dir.resolve(".jdbc.rows.tmp"))).containsExactly(
                new JdbcDropFile.Row(closed, true, LocalDate.of(2026, 11, 1)),
                new JdbcDropFile.Row(open, false, LocalDate.of(2026, 11, 2)));
    }

    @Test
    void aDropCommittedByTheVersionBeforeIsReadWithItsWorkDatesAsBookedDates() throws IOException {
        // the earlier layout, as that version wrote it: the rows from the first byte, no booked date
        PayrollLine l = line("1002", "2026-10-14", "1000", "6", "P-1001", null, "Støp");
        Path old = dir.resolve(".old.rows.tmp");
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(old))) {
            out.writeBoolean(true);
            for (String s : new String[]{l.lineId(), l.employeeNumber()}) {
                str(out, s);
            }
            out.writeLong(l.workDate().toEpochDay());
            for (String s : new String[]{l.wageType(), l.quantity().toPlainString(), l.projectNumber(), l.taskNumber(),
                    l.department(), l.text(), l.source(), l.sourceId(), l.sourceModified().toString()}) {
                str(out, s);
            }
        }
        Path empty = Files.createFile(dir.resolve(".empty.rows.tmp"));

        assertThat(read(old)).containsExactly(new JdbcDropFile.Row(l, true, l.workDate()));
        assertThat(read(empty)).isEmpty();
    }

    private static void str(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static List<JdbcDropFile.Row> read(Path file) {
        List<JdbcDropFile.Row> rows = new ArrayList<>();
        Iterator<List<JdbcDropFile.Row>> chunks = JdbcDropFile.chunks(file, 1);
        chunks.forEachRemaining(rows::addAll);
        return rows;
    }
}
