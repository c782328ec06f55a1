package no.ditiosync.ditio;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** The fields of a Ditio user row ({@code /v1/user}) used to fill employee number and department. */
@JsonIgnoreProperties(ignoreUnknown = true)
public class DitioUser {
    public String id;
    public String identityUserId;
    public String employeeNumber;
    public String name;
    public String department;
    public String modifiedDateTime;
    public boolean isDeleted;
}
