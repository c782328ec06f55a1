package no.ditiosync.simulator;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;

import static no.ditiosync.simulator.JsonDates.writeTexts;

/** A /v1/project row as JSON; a deleted project is sent whole, with isDeleted true. */
final class ProjectJson implements RecordWriter<ProjectRow> {

    @Override
    public void write(JsonGenerator g, ProjectRow p) throws IOException {
        g.writeStartObject();
        writeTexts(g,
                "id", p.id(),
                "number", p.number(),
                "name", p.name(),
                "externalNumber", p.project().externalNumber(),
                "externalDim01", null,
                "externalDim02", null,
                "companyId", p.project().company().id(),
                "companyName", p.project().company().name());
        g.writeBooleanField("active", p.active());
        g.writeBooleanField("isExternal", p.project().externalNumber() != null);
        writeTexts(g,
                "createdDateTime", JsonDates.instant(p.createdAt()),
                "modifiedDateTime", JsonDates.instant(p.modifiedAt()));
        g.writeBooleanField("isDeleted", p.deleted());
        g.writeEndObject();
    }
}
