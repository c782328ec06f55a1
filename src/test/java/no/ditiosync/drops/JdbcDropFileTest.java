package no.ditiosync.drops;

import no.ditiosync.payroll.PayrollLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static no.ditiosync.drops.Golden.line;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void aDropCutShortInsideARowIsAnErrorNotAShorterDrop() throws IOException {
        Path drop = dir.resolve(".jdbc.rows.tmp");
        try (JdbcDropFile file = JdbcDropFile.create(dir, ".jdbc.rows.tmp")) {
            file.add(line("1002", "2026-10-14", "1000", "6", "P-1001", null, "Støp"), true, null);
            file.add(line("1003", "2026-11-02", "1000", "7.5", null, null, null), true, null);
        }
        byte[] whole = Files.readAllBytes(drop);
        Files.write(drop, java.util.Arrays.copyOf(whole, whole.length - 1));

        assertThatThrownBy(() -> read(drop)).isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessage("cannot read the JDBC drop " + drop + ": the file ends in the middle of a record, so it was cut short");
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

    @Test
    void everyFieldOfEveryRowComesBackExactly() throws IOException {
        String guid = "0000a3a0-9dff-4899-a409-35e5372aed00";
        List<JdbcDropFile.Row> rows = List.of(
                // a time registration as Ditio sends it: "4.50" keeps its scale
                new JdbcDropFile.Row(new PayrollLine("time:" + guid, "1116", LocalDate.of(2026, 10, 27), "1000",
                        new BigDecimal("4.50"), "P-1016", "1.1.4", "Rør og VVS", "Montering av \"Ø-blokk\" vinduer",
                        "time", guid, Instant.parse("2026-11-05T12:21:36Z")), true, LocalDate.of(2026, 10, 27)),
                // a part of a payroll day: empty texts are not nulls, a negative quantity, nanoseconds, booked later
                new JdbcDropFile.Row(new PayrollLine("payroll-lines:" + guid + ":deduction", "", LocalDate.of(2026, 10, 14),
                        "", new BigDecimal("-1.25"), "", null, "", "", "payroll-lines", guid + ":deduction",
                        Instant.parse("2026-10-15T06:00:00.123456789Z")), false, LocalDate.of(2026, 11, 1)),
                // nothing but a line id
                new JdbcDropFile.Row(new PayrollLine("x", null, null, null, null, null, null, null, null, null, null, null),
                        false, null),
                // a source that is not the line id's; GUIDs not in lowercase 8-4-4-4-12 form stay as they were;
                // quantities beyond a long and with a negative scale; dates and times before 1970
                new JdbcDropFile.Row(new PayrollLine("absence:" + guid, "7", LocalDate.of(1900, 1, 1), "5100",
                        new BigDecimal("123456789012345678901234567890.12"), guid.toUpperCase(), guid.replace("-", ""),
                        "a-b", "see " + guid.toUpperCase() + " and " + guid + " " + guid, "time", guid,
                        Instant.parse("1969-12-31T23:59:59.999Z")), true, LocalDate.of(1899, 12, 31)),
                new JdbcDropFile.Row(new PayrollLine("time:a:b", "1", LocalDate.of(2026, 1, 1), "1000",
                        new BigDecimal("1E+3"), "-" + guid, guid + "-", null, "€".repeat(4000), "time:a", "b",
                        null), true, LocalDate.of(2026, 1, 1)));
        try (JdbcDropFile file = JdbcDropFile.create(dir, ".jdbc.rows.tmp")) {
            for (JdbcDropFile.Row r : rows) {
                file.add(r.line(), r.active(), r.bookedDate());
            }
        }

        List<JdbcDropFile.Row> back = read(dir.resolve(".jdbc.rows.tmp"));

        assertThat(back).containsExactlyElementsOf(rows.stream().map(r -> r.bookedDate() != null ? r
                : new JdbcDropFile.Row(r.line(), r.active(), r.line().workDate())).toList());
        assertThat(back.get(0).line().quantity().toPlainString()).isEqualTo("4.50");
        assertThat(back.get(3).line().quantity().scale()).isEqualTo(2);
        assertThat(back.get(4).line().quantity().scale()).isEqualTo(-3);
    }

    @Test
    void aDropOfTheVersionBeforeWithBookedDatesIsReadAsItWasWritten() throws IOException {
        // the "DRO2" layout, as that version wrote it: 4-byte lengths, 8-byte days, the time as text
        PayrollLine booked = line("1002", "2026-10-14", "1000", "6.50", "P-1001", null, "Støp");
        PayrollLine cancelled = new PayrollLine("time:x", null, null, null, null, null, null, null, null, null, null, null);
        Path old = dir.resolve(".dro2.rows.tmp");
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(old))) {
            out.writeInt(0x44524F32);
            oldRow(out, booked, true);
            out.writeLong(LocalDate.of(2026, 11, 1).toEpochDay());
            oldRow(out, cancelled, false);
            out.writeLong(Long.MIN_VALUE);
        }

        assertThat(read(old)).containsExactly(new JdbcDropFile.Row(booked, true, LocalDate.of(2026, 11, 1)),
                new JdbcDropFile.Row(cancelled, false, null));
    }

    @Test
    void aDitioTimeLineTakesAboutHalfWhatItTookBefore() throws IOException {
        // the size of the drop a full run writes: 224 bytes a line in the layout before
        int lines = 1000;
        try (JdbcDropFile file = JdbcDropFile.create(dir, ".jdbc.rows.tmp")) {
            for (int i = 0; i < lines; i++) {
                String id = java.util.UUID.nameUUIDFromBytes(new byte[]{(byte) i, (byte) (i >> 8)}).toString();
                file.add(new PayrollLine("time:" + id, String.valueOf(1000 + i), LocalDate.of(2026, 10, 19).plusDays(i % 40),
                        "1000", new BigDecimal("7.25"), "P-1016", "1.1.4", "Rør og VVS",
                        "Montering av \"Ø-blokk\" vinduer", "time", id, Instant.parse("2026-11-05T12:21:36Z")), true, null);
            }
        }

        assertThat(Files.size(dir.resolve(".jdbc.rows.tmp")) / lines).isLessThanOrEqualTo(112);
    }

    private static void oldRow(DataOutputStream out, PayrollLine l, boolean active) throws IOException {
        out.writeBoolean(active);
        str(out, l.lineId());
        str(out, l.employeeNumber());
        out.writeLong(l.workDate() == null ? Long.MIN_VALUE : l.workDate().toEpochDay());
        for (String s : new String[]{l.wageType(), l.quantity() == null ? null : l.quantity().toPlainString(),
                l.projectNumber(), l.taskNumber(), l.department(), l.text(), l.source(), l.sourceId(),
                l.sourceModified() == null ? null : l.sourceModified().toString()}) {
            str(out, s);
        }
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
