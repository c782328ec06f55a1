package no.ditiosync.simulator;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;

import static no.ditiosync.simulator.JsonDates.writeText;

/** A /v1/user row as JSON; an empty end date is written as 0001-01-01T00:00:00. */
final class UserJson implements RecordWriter<DitioUser> {

    @Override
    public void write(JsonGenerator g, DitioUser u) throws IOException {
        g.writeStartObject();
        writeText(g, "id", u.id());
        writeText(g, "identityUserId", u.identityUserId());
        writeText(g, "employeeNumber", u.employeeNumber());
        writeText(g, "name", u.name());
        writeText(g, "firstName", u.firstName());
        writeText(g, "lastName", u.lastName());
        writeText(g, "email", u.email());
        writeText(g, "workTitle", u.workTitle());
        writeText(g, "department", u.department());
        writeText(g, "companyId", u.companyId());
        writeText(g, "companyName", u.companyName());
        writeText(g, "employmentCompanyId", u.employmentCompanyId());
        g.writeBooleanField("isActiveEmployment", u.isActiveEmployment());
        g.writeBooleanField("isDisabled", u.isDisabled());
        writeText(g, "startDate", u.startDate() == null ? JsonDates.EMPTY_DATE : JsonDates.date(u.startDate()));
        writeText(g, "endDate", u.endDate() == null ? JsonDates.EMPTY_DATE : JsonDates.date(u.endDate()));
        writeText(g, "modifiedDateTime", JsonDates.instant(u.modifiedDateTime().getEpochSecond()));
        g.writeBooleanField("isDeleted", u.isDeleted());
        g.writeEndObject();
    }
}
