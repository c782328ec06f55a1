package no.ditiosync.simulator;

import java.util.UUID;

/**
 * One row of {@code /v1/project}: a {@link Catalog.Project} as it stands now (its number and name
 * may have been changed since the registrations that point to it were made). A deleted project is
 * its last version with {@code deleted}: the API sends it whole, with the modification time of the
 * last change before the deletion (docs/ditio-contract.md, "Full and incremental passes, deletions").
 */
public record ProjectRow(Catalog.Project project, String number, String name, boolean active, long createdAt,
                         long modifiedAt, boolean deleted, long deletedAt) {

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
