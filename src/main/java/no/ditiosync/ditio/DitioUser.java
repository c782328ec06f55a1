package no.ditiosync.ditio;

/** The fields of a Ditio user row ({@code /v1/user}) used to fill employee number and department. */
public class DitioUser {
    public String id;
    public String identityUserId;
    public String employeeNumber;
    public String name;
    public String department;
    public String modifiedDateTime;
    public boolean isDeleted;
}
