package no.ditiosync.simulator;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.List;

import static no.ditiosync.simulator.JsonDates.writeOrEmpty;
import static no.ditiosync.simulator.JsonDates.writeOrNull;
import static no.ditiosync.simulator.JsonDates.writeText;

/**
 * A time registration as JSON, every field of docs/ditio-contract.md, "Records" present (null when unknown).
 * A deleted one is a tombstone: id, isDeleted, deletedDateTime, modifiedDateTime; all else null.
 * Approval/lock dates that are empty are written as 0001-01-01T00:00:00 (with or without Z).
 */
final class TimeRegistrationJson implements RecordWriter<TimeRegistration> {

    /** Field order of every record; a tombstone has the same keys. */
    static final List<String> FIELDS = List.of(
            "id", "workDate", "qty", "unitName", "unitQty", "unitPrice", "price", "amount", "costPriceBase",
            "costAmount", "breakQty", "startDateTime", "stopDateTime", "description", "descriptionInternal",
            "projectId", "projectNumber", "projectName", "projectExternalNumber", "projectCompanyId",
            "projectCompanyName", "taskId", "taskName", "taskWbsNumber", "resourceId", "resourceNumber",
            "resourceName", "resourceTypeName", "userId", "userName", "userEmployeeNumber", "userCompanyName",
            "userCompanyOrgNr", "userWorkTitle", "approved", "approvedByName", "approvedDateTime",
            "payrollApproved", "payrollApprovedDateTime", "locked", "lockedByName", "lockedDateTime", "invoiced",
            "createdDateTime", "modifiedDateTime", "isDeleted", "deletedDateTime");

    @Override
    public void write(JsonGenerator g, TimeRegistration r) throws IOException {
        if (r.isDeleted()) {
            JsonDates.writeTombstone(g, FIELDS, r.id(), r.modifiedEpochSecond(), r.deletedEpochSecond());
            return;
        }
        boolean z = r.emptyDatesWithZ();
        g.writeStartObject();
        g.writeStringField("id", r.id());
        g.writeStringField("workDate", JsonDates.date(r.workDate()));
        g.writeNumberField("qty", r.qty());
        g.writeStringField("unitName", r.unitName());
        g.writeNumberField("unitQty", r.unitQty());
        g.writeNumberField("unitPrice", r.unitPrice());
        g.writeNumberField("price", r.price());
        g.writeNumberField("amount", r.amount());
        g.writeNumberField("costPriceBase", r.costPriceBase());
        g.writeNumberField("costAmount", r.costAmount());
        g.writeNumberField("breakQty", r.breakQty());
        g.writeStringField("startDateTime", JsonDates.instant(r.startEpochSecond()));
        g.writeStringField("stopDateTime", JsonDates.instant(r.stopEpochSecond()));
        writeText(g, "description", r.description());
        writeText(g, "descriptionInternal", r.descriptionInternal());
        writeText(g, "projectId", r.projectId());
        writeText(g, "projectNumber", r.projectNumber());
        writeText(g, "projectName", r.projectName());
        writeText(g, "projectExternalNumber", r.projectExternalNumber());
        writeText(g, "projectCompanyId", r.projectCompanyId());
        writeText(g, "projectCompanyName", r.projectCompanyName());
        writeText(g, "taskId", r.taskId());
        writeText(g, "taskName", r.taskName());
        writeText(g, "taskWbsNumber", r.taskWbsNumber());
        writeText(g, "resourceId", r.resourceId());
        writeText(g, "resourceNumber", r.resourceNumber());
        writeText(g, "resourceName", r.resourceName());
        writeText(g, "resourceTypeName", r.resourceTypeName());
        writeText(g, "userId", r.userId());
        writeText(g, "userName", r.userName());
        writeText(g, "userEmployeeNumber", r.userEmployeeNumber());
        writeText(g, "userCompanyName", r.userCompanyName());
        writeText(g, "userCompanyOrgNr", r.userCompanyOrgNr());
        writeText(g, "userWorkTitle", r.userWorkTitle());
        g.writeBooleanField("approved", r.approved());
        writeText(g, "approvedByName", r.approvedByName());
        writeOrEmpty(g, "approvedDateTime", r.approvedEpochSecond(), z);
        g.writeBooleanField("payrollApproved", r.payrollApproved());
        writeOrEmpty(g, "payrollApprovedDateTime", r.payrollApprovedEpochSecond(), z);
        g.writeBooleanField("locked", r.locked());
        writeText(g, "lockedByName", r.lockedByName());
        writeOrEmpty(g, "lockedDateTime", r.lockedEpochSecond(), z);
        g.writeBooleanField("invoiced", r.invoiced());
        writeOrNull(g, "createdDateTime", r.createdEpochSecond());
        writeOrNull(g, "modifiedDateTime", r.modifiedEpochSecond());
        g.writeBooleanField("isDeleted", false);
        g.writeNullField("deletedDateTime");
        g.writeEndObject();
    }
}
