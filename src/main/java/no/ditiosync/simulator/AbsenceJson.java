package no.ditiosync.simulator;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.List;

import static no.ditiosync.simulator.JsonDates.writeOrEmpty;
import static no.ditiosync.simulator.JsonDates.writeOrNull;
import static no.ditiosync.simulator.JsonDates.writeText;

/**
 * An absence as JSON, every field of docs/ditio-contract.md, "Records" present (null when unknown). A deleted
 * one is a tombstone: id, isDeleted, deletedDateTime, modifiedDateTime; all else null.
 */
final class AbsenceJson implements RecordWriter<Absence> {

    static final List<String> FIELDS = List.of("id", "registrationId", "date", "startTime", "qty", "absenceTypeId",
            "absenceTypeCode", "absenceTypeName", "employeeNumber", "userId", "projectId", "approved", "approvedByName",
            "approvedDateTime", "payrollApproved", "payrollApprovedDateTime", "locked", "lockedDateTime", "pdfUrl",
            "modifiedDateTime", "isDeleted", "deletedDateTime");

    @Override
    public void write(JsonGenerator g, Absence a) throws IOException {
        if (a.deleted()) {
            JsonDates.writeTombstone(g, FIELDS, a.id(), a.modifiedAt(), a.deletedAt());
            return;
        }
        boolean z = (a.idLo() & 2) != 0; // empty dates with or without Z, as the real API mixes them
        g.writeStartObject();
        g.writeStringField("id", a.id());
        writeText(g, "registrationId", a.registrationId());
        g.writeStringField("date", JsonDates.date(a.date()));
        g.writeStringField("startTime", JsonDates.instant(a.startAt()));
        g.writeNumberField("qty", a.qty());
        writeText(g, "absenceTypeId", a.type().id());
        writeText(g, "absenceTypeCode", a.type().code());
        writeText(g, "absenceTypeName", a.type().name());
        writeText(g, "employeeNumber", a.employeeNumber());
        writeText(g, "userId", a.userId());
        writeText(g, "projectId", a.projectId());
        g.writeBooleanField("approved", a.approved());
        writeText(g, "approvedByName", a.approved() ? a.worker().foremanName() : null);
        writeOrEmpty(g, "approvedDateTime", a.approvedAt(), z);
        g.writeBooleanField("payrollApproved", a.payrollApproved());
        writeOrEmpty(g, "payrollApprovedDateTime", a.payrollApprovedAt(), z);
        g.writeBooleanField("locked", a.locked());
        writeOrEmpty(g, "lockedDateTime", a.lockedAt(), z);
        writeText(g, "pdfUrl", "SYK".equals(a.type().code()) ? "https://files.ditio.app/absence/" + a.id() + ".pdf" : null);
        writeOrNull(g, "modifiedDateTime", a.modifiedAt());
        g.writeBooleanField("isDeleted", false);
        g.writeNullField("deletedDateTime");
        g.writeEndObject();
    }
}
