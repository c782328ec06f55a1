package com.example.payroll;

import java.io.IOException;
import java.io.Writer;
import java.math.RoundingMode;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

import no.ditiosync.drops.DropFormat;
import no.ditiosync.drops.DropLine;
import no.ditiosync.payroll.PayrollLine;

/**
 * An example target of your own: a semicolon file with one line per payroll line,
 * {@code employee;date;wageType;hours;project}. Corrections come as offsetting lines
 * (payroll.target.hours.correction=offset, the default): summing hours per line gives Ditio's truth.
 * It writes no cancellations (writesCancellations() is false), so cancel-and-rebook is refused at start-up.
 */
public final class HoursFormat implements DropFormat {

    @Override
    public String target() {
        return "hours"; // the name in PAYROLL_TARGETS, the drop folder and the file names
    }

    @Override
    public Charset charset() {
        return StandardCharsets.UTF_8;
    }

    @Override
    public void writeHeader(Writer out) throws IOException {
        out.write("employee;date;wageType;hours;project\n");
    }

    @Override
    public void writeLine(DropLine drop, Writer out) throws IOException {
        PayrollLine line = drop.line();
        out.write(line.employeeNumber() + ";" + line.workDate() + ";" + line.wageType() + ";"
                + line.quantity().setScale(2, RoundingMode.HALF_UP).toPlainString() + ";"
                + (line.projectNumber() == null ? "" : line.projectNumber().replace(";", " ")) + "\n");
    }

    // The file shows neither a task nor a department: a line whose task or department alone changed is
    // then no correction here (it would take back and book again the same hours under the same key).
    @Override
    public boolean showsTask() {
        return false;
    }

    @Override
    public boolean showsDepartment() {
        return false;
    }

    @Override
    public String refusal(PayrollLine line) {
        // a key that would break the line is refused: the record waits in quarantine with this reason
        return line.employeeNumber().contains(";") ? "employee number holds ';', which the hours file cannot carry" : null;
    }
}
