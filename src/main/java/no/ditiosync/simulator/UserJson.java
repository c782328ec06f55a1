package no.ditiosync.simulator;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;

import static no.ditiosync.simulator.JsonDates.writeTexts;

/** A /v1/user row as JSON; an empty end date is written as 0001-01-01T00:00:00. */
final class UserJson implements RecordWriter<DitioUser> {

    @Override
    public void write(JsonGenerator g, DitioUser u) throws IOException {
        g.writeStartObject();
        writeTexts(g,
                "id", u.id(),
                "identityUserId", u.identityUserId(),
                "employeeNumber", u.employeeNumber(),
                "name", u.name(),
                "firstName", u.firstName(),
                "lastName", u.lastName(),
                "email", u.email(),
                "workTitle", u.workTitle(),
                "department", u.department(),
                "companyId", u.companyId(),
                "companyName", u.companyName(),
                "employmentCompanyId", u.employmentCompanyId());
        g.writeBooleanField("isActiveEmployment", u.isActiveEmployment());
        g.writeBooleanField("isDisabled", u.isDisabled());
        writeTexts(g,
                "startDate", u.startDate() == null ? JsonDates.EMPTY_DATE : JsonDates.date(u.startDate()),
                "endDate", u.endDate() == null ? JsonDates.EMPTY_DATE : JsonDates.date(u.endDate()),
                "modifiedDateTime", JsonDates.instant(u.modifiedDateTime().getEpochSecond()));
        g.writeBooleanField("isDeleted", u.isDeleted());
        g.writeEndObject();
    }
}
