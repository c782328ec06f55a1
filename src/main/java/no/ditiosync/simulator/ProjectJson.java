package no.ditiosync.simulator;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;

import static no.ditiosync.simulator.JsonDates.writeText;

/** A /v1/project row as JSON; a deleted project is sent whole, with isDeleted true. */
final class ProjectJson implements RecordWriter<ProjectRow> {

    @Override
    public void write(JsonGenerator g, ProjectRow p) throws IOException {
        g.writeStartObject();
        writeText(g, "id", p.id());
        writeText(g, "number", p.number());
        writeText(g, "name", p.name());
        writeText(g, "externalNumber", p.project().externalNumber());
        writeText(g, "externalDim01", null);
        writeText(g, "externalDim02", null);
        writeText(g, "companyId", p.project().company().id());
        writeText(g, "companyName", p.project().company().name());
        g.writeBooleanField("active", p.active());
        g.writeBooleanField("isExternal", p.project().externalNumber() != null);
        writeText(g, "createdDateTime", JsonDates.instant(p.createdAt()));
        writeText(g, "modifiedDateTime", JsonDates.instant(p.modifiedAt()));
        g.writeBooleanField("isDeleted", p.deleted());
        g.writeEndObject();
    }
}
