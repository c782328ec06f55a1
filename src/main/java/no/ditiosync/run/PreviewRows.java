package no.ditiosync.run;

import no.ditiosync.drops.AtomicDropFile;
import no.ditiosync.drops.CsvFormat;
import no.ditiosync.drops.DropLine;
import no.ditiosync.drops.JdbcDropFile;

import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

/**
 * A preview of the JDBC target: the rows {@code payroll_line} would hold after the next run, as a
 * CSV a person can open (the run's own JDBC drop is a binary file only the delivery reads). Each row
 * in the generic CSV layout, with the row's {@code status} after it.
 */
final class PreviewRows {

    private PreviewRows() {
    }

    /** Writes {@code rows} (a JDBC drop) as the CSV {@code csv}, removes {@code rows}, and returns {@code csv}. */
    static Path toCsv(Path rows, Path csv) throws IOException {
        CsvFormat format = new CsvFormat();
        // the CSV format writes the line's fields; the status column is the JDBC row's own
        try (AtomicDropFile out = AtomicDropFile.open(csv.getParent(), csv.getFileName().toString(), new WithStatus(format))) {
            Iterator<List<JdbcDropFile.Row>> chunks = JdbcDropFile.chunks(rows, 1000);
            while (chunks.hasNext()) {
                for (JdbcDropFile.Row row : chunks.next()) {
                    // the booked date too: a row of a closed period is booked on its first open day
                    out.append(new DropLine(row.line(), row.active() ? "active" : "cancelled", false, row.bookedDate()));
                }
            }
            out.close();
            AtomicDropFile.publish(out.tempPath(), out.finalPath());
        }
        Files.deleteIfExists(rows);
        return csv;
    }

    /** The generic CSV with one more column, {@code status}, carried in the line's document number. */
    private record WithStatus(CsvFormat csv) implements no.ditiosync.drops.DropFormat {
        @Override
        public String target() {
            return "jdbc";
        }

        @Override
        public java.nio.charset.Charset charset() {
            return csv.charset();
        }

        @Override
        public void writeHeader(Writer out) throws IOException {
            StringWriter header = new StringWriter();
            csv.writeHeader(header);
            out.write(beforeLineEnd(header) + ",status\r\n");
        }

        @Override
        public void writeLine(DropLine line, Writer out) throws IOException {
            StringWriter row = new StringWriter();
            csv.writeLine(new DropLine(line.line(), null, false, line.bookedDate()), row);
            out.write(beforeLineEnd(row) + "," + line.documentNumber() + "\r\n");
        }

        private static String beforeLineEnd(StringWriter line) {
            String s = line.toString();
            return s.endsWith("\r\n") ? s.substring(0, s.length() - 2) : s;
        }
    }
}
