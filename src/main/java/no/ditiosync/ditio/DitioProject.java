package no.ditiosync.ditio;

/** The fields of a Ditio project row ({@code /v1/project}) used to fill a payroll line's project number. */
public class DitioProject {
    public String id;
    public String number;
    public String name;
    public String modifiedDateTime;
    public boolean isDeleted;
}
