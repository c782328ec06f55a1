package no.ditiosync.payroll;

/** Project numbers from Ditio's {@code /v1/project}, by project id; deleted projects as last known. */
@FunctionalInterface
public interface ProjectDirectory {

    ProjectDirectory NONE = id -> null;

    /** @return the project's number, or null when the project is unknown */
    String numberOf(String projectId);
}
