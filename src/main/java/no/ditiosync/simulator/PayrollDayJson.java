package no.ditiosync.simulator;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;

import static no.ditiosync.simulator.JsonDates.writeOrNull;
import static no.ditiosync.simulator.JsonDates.writeText;

/** A payroll line as JSON with its overtimeLines[]; a deleted one is a tombstone (id, isDeleted, times). */
final class PayrollDayJson implements RecordWriter<PayrollDay> {

    static final List<String> FIELDS = List.of("id", "transDateTime", "userId", "userName", "employeeNumber",
            "companyId", "qty", "standardQty", "overtime50Qty", "overtime100Qty", "timebankQty", "breakQty", "absenceQty",
            "approvedQty", "lockedQty", "verified", "approved", "modifiedDateTime", "isDeleted", "deletedDateTime",
            "overtimeLines");

    @Override
    public void write(JsonGenerator g, PayrollDay p) throws IOException {
        if (p.deleted()) {
            JsonDates.writeTombstone(g, FIELDS, p.id(), p.modifiedAt(), p.deletedAt());
            return;
        }
        g.writeStartObject();
        g.writeStringField("id", p.id());
        g.writeStringField("transDateTime", JsonDates.date(p.date()));
        writeText(g, "userId", p.userId());
        writeText(g, "userName", p.worker().name());
        writeText(g, "employeeNumber", p.employeeNumber());
        writeText(g, "companyId", p.worker().company().id());
        g.writeNumberField("qty", p.qty());
        g.writeNumberField("standardQty", p.qty().subtract(p.deductedOvertime()));
        g.writeNumberField("overtime50Qty", level(p, 20));
        g.writeNumberField("overtime100Qty", level(p, 30).add(level(p, 40)));
        g.writeNumberField("timebankQty", BigDecimal.ZERO);
        g.writeNumberField("breakQty", BigDecimal.ZERO);
        g.writeNumberField("absenceQty", BigDecimal.ZERO);
        g.writeNumberField("approvedQty", p.approved() ? p.qty() : BigDecimal.ZERO);
        g.writeNumberField("lockedQty", BigDecimal.ZERO);
        g.writeBooleanField("verified", p.verified());
        g.writeBooleanField("approved", p.approved());
        writeOrNull(g, "modifiedDateTime", p.modifiedAt());
        g.writeBooleanField("isDeleted", false);
        g.writeNullField("deletedDateTime");
        g.writeArrayFieldStart("overtimeLines");
        for (PayrollDay.OvertimeLine l : p.overtimeLines()) {
            g.writeStartObject();
            g.writeStringField("payrollTypeId", l.payrollTypeId());
            g.writeStringField("name", l.name());
            g.writeNumberField("lineType", l.lineType());
            g.writeNumberField("overtimeType", l.overtimeType());
            g.writeNumberField("sorting", l.sorting());
            g.writeNumberField("qty", l.qty());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static BigDecimal level(PayrollDay p, int lineType) {
        return p.overtimeLines().stream().filter(l -> l.lineType() == lineType).map(PayrollDay.OvertimeLine::qty)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }
}
