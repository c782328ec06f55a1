package no.ditiosync.ditio;

import com.fasterxml.jackson.annotation.JsonIgnore;

/** The fields of a Ditio user row ({@code /v1/user}) used to fill employee number and department. */
public class DitioUser extends DitioRecord {
    public String id;
    public String identityUserId;
    public String employeeNumber;
    public String name;
    public String department;
    public String modifiedDateTime;
    public boolean isDeleted;
    /** Why the row did not bind (a field of the wrong type), or null: such a row is left as last known. */
    @JsonIgnore
    public String unreadable;
}
