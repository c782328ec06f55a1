package no.ditiosync.payroll;

import no.ditiosync.ditio.TimeRegistration;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PayrollLineMapperTest {

    static final WageTypeMapping MAPPING = WageTypeMapping.parse(List.of(
            "source,field,value,wageType", "time,taskWbsNumber,9001,1100", "time,*,*,1000"), "wage-types.csv");
    static final EmployeeDirectory USERS = id -> "u-1".equals(id) ? new EmployeeDirectory.Employee("1007", "Grunnarbeid") : null;
    final PayrollLineMapper mapper = new PayrollLineMapper(MAPPING, ApprovalGate.PAYROLL_APPROVED, LocalDate.of(2026, 10, 1));

    static TimeRegistration registration() {
        TimeRegistration r = new TimeRegistration();
        r.id = "r-1";
        r.workDate = "2026-11-02T00:00:00Z";
        r.qty = new BigDecimal("7.125");
        r.userId = "u-1";
        r.userEmployeeNumber = "1002";
        r.projectNumber = "P-1001";
        r.taskWbsNumber = "9001";
        r.approved = true;
        r.payrollApproved = true;
        r.modifiedDateTime = "2026-11-03T06:00:00";
        return r;
    }

    @Test
    void readyRegistrationBecomesALine() {
        MappingResult m = mapper.map(registration(), USERS);
        assertThat(m.status()).isEqualTo(MappingResult.Status.READY);
        assertThat(m.line().lineId()).isEqualTo("time:r-1");
        assertThat(m.line().employeeNumber()).isEqualTo("1002");
        assertThat(m.line().wageType()).isEqualTo("1100");
        assertThat(m.line().quantity()).isEqualByComparingTo("7.13");
        assertThat(m.line().workDate()).isEqualTo(LocalDate.of(2026, 11, 2));
        assertThat(m.line().department()).isEqualTo("Grunnarbeid");
    }

    /** PAYROLL_MAX_FUTURE_DAYS: up to that many days after today is a line; a day later is quarantined, named so. */
    @Test
    void aWorkDateMoreThanTheBoundAheadOfTodayIsQuarantinedAndAWorkDateWithinItIsALine() {
        java.util.concurrent.atomic.AtomicReference<LocalDate> today = new java.util.concurrent.atomic.AtomicReference<>(
                LocalDate.of(2026, 12, 5));
        PayrollLineMapper bounded = new PayrollLineMapper(MAPPING, ApprovalGate.PAYROLL_APPROVED, LocalDate.of(2026, 10, 1),
                new PayrollLineMapper.FutureBound(31, today::get), line -> null);
        TimeRegistration r = registration();
        r.workDate = "2027-01-05T00:00:00Z";
        assertThat(bounded.map(r, USERS).status()).isEqualTo(MappingResult.Status.READY);
        r.workDate = "2027-01-06T00:00:00Z";
        assertThat(bounded.map(r, USERS).reason())
                .isEqualTo("work date 2027-01-06 is more than 31 days in the future (PAYROLL_MAX_FUTURE_DAYS)");
        // mapped again on a later day (every run maps its quarantine again), it is a line
        today.set(LocalDate.of(2026, 12, 6));
        assertThat(bounded.map(r, USERS).status()).isEqualTo(MappingResult.Status.READY);
        r.workDate = "9999-12-31T00:00:00Z";
        assertThat(bounded.map(r, USERS).reason())
                .isEqualTo("work date 9999-12-31 is more than 31 days in the future (PAYROLL_MAX_FUTURE_DAYS)");
        // not approved yet: held as any other, whatever its date
        r.payrollApproved = false;
        assertThat(bounded.map(r, USERS).status()).isEqualTo(MappingResult.Status.HELD);

        PayrollLineMapper todayOnly = new PayrollLineMapper(MAPPING, ApprovalGate.PAYROLL_APPROVED, LocalDate.of(2026, 10, 1),
                new PayrollLineMapper.FutureBound(0, () -> LocalDate.of(2026, 12, 5)), line -> null);
        TimeRegistration tomorrow = registration();
        tomorrow.workDate = "2026-12-06";
        assertThat(todayOnly.map(tomorrow, USERS).reason())
                .isEqualTo("work date 2026-12-06 is more than 0 days in the future (PAYROLL_MAX_FUTURE_DAYS)");
        tomorrow.workDate = "2026-12-05";
        assertThat(todayOnly.map(tomorrow, USERS).status()).isEqualTo(MappingResult.Status.READY);
    }

    @Test
    void employeeNumberComesFromTheUserWhenTheRegistrationLacksIt() {
        TimeRegistration r = registration();
        r.userEmployeeNumber = "";
        assertThat(mapper.map(r, USERS).line().employeeNumber()).isEqualTo("1007");
        r.userId = "u-unknown";
        assertThat(mapper.map(r, USERS).reason()).isEqualTo(
                "no employee number for userId u-unknown (not on the registration, not in /v1/user)");
    }

    @Test
    void gateStartDateAndDeletion() {
        TimeRegistration r = registration();
        r.payrollApproved = false;
        assertThat(mapper.map(r, USERS).status()).isEqualTo(MappingResult.Status.HELD);
        assertThat(new PayrollLineMapper(MAPPING, ApprovalGate.APPROVED, LocalDate.of(2026, 10, 1)).map(r, USERS).status())
                .isEqualTo(MappingResult.Status.READY);
        r = registration();
        r.workDate = "2026-09-30T00:00:00Z";
        assertThat(mapper.map(r, USERS).status()).isEqualTo(MappingResult.Status.BEFORE_START);
        r = registration();
        r.isDeleted = true;
        assertThat(mapper.map(r, USERS).status()).isEqualTo(MappingResult.Status.DELETED);
    }

    @Test
    void badValuesAreQuarantinedWithTheirReason() {
        TimeRegistration r = registration();
        r.qty = new BigDecimal("24.5");
        assertThat(mapper.map(r, USERS).reason()).isEqualTo("hours 24.50 outside 0-24 for one day");
        r = registration();
        r.qty = null;
        assertThat(mapper.map(r, USERS).reason()).isEqualTo("missing hours (qty)");
        r = registration();
        r.workDate = "02.11.2026";
        assertThat(mapper.map(r, USERS).reason()).isEqualTo("unparseable workDate '02.11.2026'");
        r = registration();
        r.modifiedDateTime = "yesterday";
        assertThat(mapper.map(r, USERS).reason()).isEqualTo("unparseable modifiedDateTime 'yesterday'");
        r = registration();
        r.workDate = "0001-01-01T00:00:00";
        assertThat(mapper.map(r, USERS).reason()).isEqualTo("missing workDate");
        r = registration();
        r.id = null;
        assertThat(mapper.map(r, USERS).reason()).isEqualTo("missing id");
        r.id = PayrollLineMapper.missingIdKey(r);
        assertThat(r.id).isEqualTo(PayrollLineMapper.missingIdKey(registration())).startsWith("missing-id-");
        assertThat(mapper.map(r, USERS).reason()).isEqualTo("missing id");
        r = registration();
        r.userEmployeeNumber = "A-12";
        // what a target cannot take is its own refusal (Visma's and SAP's 1-8 digits); none is configured here
        assertThat(mapper.map(r, USERS).line().employeeNumber()).isEqualTo("A-12");
        r.userEmployeeNumber = "E-123456789012345";
        assertThat(mapper.map(r, USERS).reason())
                .isEqualTo("employee number 'E-123456789012345' is longer than 16 characters or holds a control character");
        r.userEmployeeNumber = "10\u000702";
        assertThat(mapper.map(r, USERS).reason())
                .isEqualTo("employee number '10\u000702' is longer than 16 characters or holds a control character");
        PayrollLineMapper noCatchAll = new PayrollLineMapper(WageTypeMapping.parse(List.of("source,field,value,wageType",
                "time,taskWbsNumber,9001,1100"), "m.csv"), ApprovalGate.PAYROLL_APPROVED, LocalDate.of(2026, 10, 1));
        r = registration();
        r.taskWbsNumber = "1.2";
        assertThat(noCatchAll.map(r, USERS).reason()).isEqualTo("no wage type in m.csv for time (taskWbsNumber=1.2, projectNumber=P-1001)");
    }

    @Test
    void mappingFileErrorsNameTheLine() {
        assertThatThrownBy(() -> WageTypeMapping.parse(List.of("source,field,value,wageType", "time,taskWbs,9001,1100"), "m.csv"))
                .hasMessage("m.csv line 2: unknown field 'taskWbs' for source time");
        assertThatThrownBy(() -> WageTypeMapping.parse(List.of("source,field,value,wageType", "*,taskWbsNumbr,9001,1100",
                "time,*,*,1000"), "m.csv")).hasMessage("m.csv line 2: unknown field 'taskWbsNumbr' (no source has it)");
        // a field of one source on a row of every source stays allowed: records of the others do not match it
        assertThat(WageTypeMapping.parse(List.of("source,field,value,wageType", "*,taskWbsNumber,9001,1100",
                "*,absenceTypeCode,FER,2000"), "m.csv").testedFields("time")).containsExactly("taskWbsNumber", "absenceTypeCode");
        assertThatThrownBy(() -> WageTypeMapping.parse(List.of("src,field,value,wageType"), "m.csv"))
                .hasMessage("m.csv line 1: expected the header 'source,field,value,wageType'");
        assertThatThrownBy(() -> WageTypeMapping.parse(List.of("source,field,value,wageType", "time,*,*"), "m.csv"))
                .hasMessage("m.csv line 2: expected 4 columns, found 3");
        // a quoted cell may hold the separator, so a quote left open would swallow the rest of the row
        assertThatThrownBy(() -> WageTypeMapping.parse(List.of("source,field,value,wageType", "time,unitName,\"Timer,1000"),
                "m.csv")).hasMessage("m.csv line 2: a quote opened and never closed");
    }
}
