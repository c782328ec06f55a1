package no.ditiosync.ledger;

import no.ditiosync.ditio.TimeRegistration;
import no.ditiosync.payroll.MappingResult;

/** A registration as read from a page, with what payroll should hold for it. */
public record StagedRecord(TimeRegistration record, MappingResult result) {
}
