package no.ditiosync.simulator;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One row of {@code /v1/project}: a {@link Catalog.Project} as it stands now (its number and name
 * may have been changed since the registrations that point to it were made). A deleted project is
 * its last version with {@code deleted}: the API sends it whole, with the modification time of the
 * last change before the deletion (docs/ditio-contract.md, "Full and incremental passes, deletions").
 */
public record ProjectRow(Catalog.Project project, String number, String name, boolean active, long createdAt,
                         long modifiedAt, boolean deleted, long deletedAt) {

    /** The projects as set up in Ditio well before the first work date, one a day, unchanged since. */
    static List<ProjectRow> setUp(List<Catalog.Project> catalog, LocalDate firstWorkDate) {
        long created = firstWorkDate.minusDays(200).atTime(10, 0).atZone(DatasetGenerator.OSLO).toEpochSecond();
        List<ProjectRow> rows = new ArrayList<>(catalog.size());
        for (int i = 0; i < catalog.size(); i++) {
            Catalog.Project p = catalog.get(i);
            rows.add(new ProjectRow(p, p.number(), p.name(), true, created + i * 86_400L, created + i * 86_400L, false,
                    TimeRegistration.EMPTY));
        }
        return rows;
    }

    public String id() {
        return project.id();
    }

    long idHi() {
        return UUID.fromString(project.id()).getMostSignificantBits();
    }

    long idLo() {
        return UUID.fromString(project.id()).getLeastSignificantBits();
    }

    /** When the row last changed for incremental passes: its deletion, or its last modification. */
    long changedAt() {
        return deleted ? deletedAt : modifiedAt;
    }

    ProjectRow renumbered(String newNumber, long now) {
        return new ProjectRow(project, newNumber, name, active, createdAt, now, false, TimeRegistration.EMPTY);
    }

    /** Deleted: the last version, flagged; its modifiedDateTime stays that of the last change before. */
    ProjectRow asDeleted(long now) {
        return new ProjectRow(project, number, name, active, createdAt, modifiedAt, true, now);
    }
}
