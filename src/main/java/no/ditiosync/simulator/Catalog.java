package no.ditiosync.simulator;

import java.math.BigDecimal;
import java.util.List;

/** Small shared reference data that many time registrations point to (not stored per record). */
final class Catalog {

    private Catalog() {
    }

    record Company(String id, String name, String orgNr) {
    }

    record Task(String id, String name, String wbsNumber) {
    }

    record Project(String id, String number, String name, String externalNumber, Company company,
                   List<Task> tasks, Task travelTask) {
    }

    record Resource(String id, String number, String name, String typeName) {
    }

    /** How a worker appears on his time registrations; the user row itself is a {@link DitioUser}. */
    record Worker(int index, String identityUserId, String name, String employeeNumberOnRegistrations,
                  String workTitle, Company company, BigDecimal unitPrice, BigDecimal costPrice,
                  int team, int payrollGroup, List<Project> projects, Resource machine, String foremanName) {
    }
}
