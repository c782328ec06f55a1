package no.ditiosync.ditio;

import com.fasterxml.jackson.annotation.JsonIgnore;

/** The fields of a Ditio project row ({@code /v1/project}) used to fill a payroll line's project number. */
public class DitioProject extends DitioRecord {
    public String id;
    public String number;
    public String name;
    public String modifiedDateTime;
    public boolean isDeleted;
    /** Why the row did not bind (a field of the wrong type), or null: such a row is left as last known. */
    @JsonIgnore
    public String unreadable;
}
