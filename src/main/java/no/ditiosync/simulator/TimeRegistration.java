package no.ditiosync.simulator;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;

/**
 * One time registration (project transaction) with the fields of docs/ditio-contract.md, "Records".
 * Immutable: a mutation replaces the object in the {@link DitioDataset}.
 *
 * <p>Kept compact because a large dataset holds a million of these: the id is two longs,
 * datetimes are epoch seconds, and worker/project/task/resource data is shared by reference.
 * Empty values are {@code null} here; the API writes some of them as {@code 0001-01-01T00:00:00}.
 * A deleted registration keeps its last field values in this object (for test oracles), but the
 * API shows it only as a tombstone.
 */
public final class TimeRegistration {

    /** Marker for "no value" in the epoch-second fields. */
    static final long EMPTY = Long.MIN_VALUE;

    private final long idHi;
    private final long idLo;
    private final Catalog.Worker worker;
    private final Catalog.Project project;
    private final Catalog.Task task;
    private final Catalog.Resource resource;
    private final LocalDate workDate;
    private final BigDecimal qty;
    private final BigDecimal breakQty;
    private final long startAt;
    private final String description;
    private final String descriptionInternal;
    private final String approvedByName;
    private final String lockedByName;
    private final boolean approved;
    private final boolean payrollApproved;
    private final boolean locked;
    private final boolean invoiced;
    private final boolean deleted;
    private final long approvedAt;
    private final long payrollApprovedAt;
    private final long lockedAt;
    private final long createdAt;
    private final long modifiedAt;
    private final long deletedAt;

    /** The registration a draft describes; see {@link RegistrationDraft#build()}. */
    TimeRegistration(RegistrationDraft d) {
        idHi = d.idHi;
        idLo = d.idLo;
        worker = d.worker;
        project = d.project;
        task = d.task;
        resource = d.resource;
        workDate = d.workDate;
        qty = d.qty;
        breakQty = d.breakQty;
        startAt = d.startAt;
        description = d.description;
        descriptionInternal = d.descriptionInternal;
        approvedByName = d.approvedByName;
        lockedByName = d.lockedByName;
        approved = d.approved;
        payrollApproved = d.payrollApproved;
        locked = d.locked;
        invoiced = d.invoiced;
        deleted = d.deleted;
        approvedAt = d.approvedAt;
        payrollApprovedAt = d.payrollApprovedAt;
        lockedAt = d.lockedAt;
        createdAt = d.createdAt;
        modifiedAt = d.modifiedAt;
        deletedAt = d.deletedAt;
    }

    /** A mutable copy, used to build the next version. */
    RegistrationDraft toDraft() {
        RegistrationDraft d = new RegistrationDraft();
        d.idHi = idHi;
        d.idLo = idLo;
        d.worker = worker;
        d.project = project;
        d.task = task;
        d.resource = resource;
        d.workDate = workDate;
        d.qty = qty;
        d.breakQty = breakQty;
        d.startAt = startAt;
        d.description = description;
        d.descriptionInternal = descriptionInternal;
        d.approvedByName = approvedByName;
        d.lockedByName = lockedByName;
        d.approved = approved;
        d.payrollApproved = payrollApproved;
        d.locked = locked;
        d.invoiced = invoiced;
        d.deleted = deleted;
        d.approvedAt = approvedAt;
        d.payrollApprovedAt = payrollApprovedAt;
        d.lockedAt = lockedAt;
        d.createdAt = createdAt;
        d.modifiedAt = modifiedAt;
        d.deletedAt = deletedAt;
        return d;
    }

    // ---- compact keys, used by the record table and the JSON writer

    long idHi() {
        return idHi;
    }

    long idLo() {
        return idLo;
    }

    long modifiedEpochSecond() {
        return modifiedAt;
    }

    long deletedEpochSecond() {
        return deletedAt;
    }

    long approvedEpochSecond() {
        return approvedAt;
    }

    long payrollApprovedEpochSecond() {
        return payrollApprovedAt;
    }

    long lockedEpochSecond() {
        return lockedAt;
    }

    long createdEpochSecond() {
        return createdAt;
    }

    long startEpochSecond() {
        return startAt;
    }

    long stopEpochSecond() {
        BigDecimal hours = qty.add(breakQty);
        return startAt + hours.multiply(BigDecimal.valueOf(3600)).longValue();
    }

    Catalog.Worker worker() {
        return worker;
    }

    /** Some records write empty dates with a trailing Z, some without, as the real API does. */
    boolean emptyDatesWithZ() {
        return (idLo & 2) != 0;
    }

    // ---- text

    public String id() {
        return Guids.toString(idHi, idLo);
    }

    public String unitName() {
        return "Timer";
    }

    public String description() {
        return description;
    }

    public String descriptionInternal() {
        return descriptionInternal;
    }

    public String approvedByName() {
        return approvedByName;
    }

    public String lockedByName() {
        return lockedByName;
    }

    public String projectId() {
        return project.id();
    }

    public String projectNumber() {
        return project.number();
    }

    public String projectName() {
        return project.name();
    }

    public String projectExternalNumber() {
        return project.externalNumber();
    }

    public String projectCompanyId() {
        return project.company().id();
    }

    public String projectCompanyName() {
        return project.company().name();
    }

    public String taskId() {
        return task.id();
    }

    public String taskName() {
        return task.name();
    }

    public String taskWbsNumber() {
        return task.wbsNumber();
    }

    public String resourceId() {
        return resource == null ? null : resource.id();
    }

    public String resourceNumber() {
        return resource == null ? null : resource.number();
    }

    public String resourceName() {
        return resource == null ? null : resource.name();
    }

    public String resourceTypeName() {
        return resource == null ? null : resource.typeName();
    }

    /** Joins to {@link DitioUser#identityUserId()}, not to the user's {@code id}. */
    public String userId() {
        return worker.identityUserId();
    }

    public String userName() {
        return worker.name();
    }

    /** As carried on the registration: null or empty for a few users whose number is only on /v1/user. */
    public String userEmployeeNumber() {
        return worker.employeeNumberOnRegistrations();
    }

    public String userCompanyName() {
        return worker.company().name();
    }

    public String userCompanyOrgNr() {
        return worker.company().orgNr();
    }

    public String userWorkTitle() {
        return worker.workTitle();
    }

    // ---- numbers

    public BigDecimal qty() {
        return qty;
    }

    public BigDecimal unitQty() {
        return qty;
    }

    public BigDecimal unitPrice() {
        return worker.unitPrice();
    }

    public BigDecimal price() {
        return worker.unitPrice();
    }

    public BigDecimal amount() {
        return qty.multiply(worker.unitPrice()).setScale(2, RoundingMode.HALF_UP);
    }

    public BigDecimal costPriceBase() {
        return worker.costPrice();
    }

    public BigDecimal costAmount() {
        return qty.multiply(worker.costPrice()).setScale(2, RoundingMode.HALF_UP);
    }

    public BigDecimal breakQty() {
        return breakQty;
    }

    // ---- flags

    public boolean approved() {
        return approved;
    }

    public boolean payrollApproved() {
        return payrollApproved;
    }

    public boolean locked() {
        return locked;
    }

    public boolean invoiced() {
        return invoiced;
    }

    public boolean isDeleted() {
        return deleted;
    }

    // ---- dates

    public LocalDate workDate() {
        return workDate;
    }

    public Instant startDateTime() {
        return instant(startAt);
    }

    public Instant stopDateTime() {
        return instant(stopEpochSecond());
    }

    public Instant approvedDateTime() {
        return instant(approvedAt);
    }

    public Instant payrollApprovedDateTime() {
        return instant(payrollApprovedAt);
    }

    public Instant lockedDateTime() {
        return instant(lockedAt);
    }

    public Instant createdDateTime() {
        return instant(createdAt);
    }

    public Instant modifiedDateTime() {
        return instant(modifiedAt);
    }

    public Instant deletedDateTime() {
        return instant(deletedAt);
    }

    private static Instant instant(long epochSecond) {
        return epochSecond == EMPTY ? null : Instant.ofEpochSecond(epochSecond);
    }

    @Override
    public String toString() {
        return "TimeRegistration[" + id() + " " + workDate + " " + qty + "h " + worker.name()
                + " " + project.number() + (approved ? " approved" : "") + (payrollApproved ? " payroll" : "")
                + (locked ? " locked" : "") + (deleted ? " DELETED" : "") + " modified=" + modifiedDateTime() + "]";
    }
}
