package no.ditiosync.run;

import no.ditiosync.ledger.Desired;
import no.ditiosync.state.QuarantineStore;

import java.util.List;

/**
 * One page of registrations (or the records a run maps again) after mapping: what payroll should
 * hold for each line, and the records that cannot become a line, with why.
 *
 * @param feed        the feed the page belongs to
 * @param desired     one state per line (and a marker per Ditio payroll line, whose parts not named are gone)
 * @param quarantined the records that cannot become a line, each with its reason
 * @param records     records on the page as Ditio sent them (a payroll line counts once)
 * @param deleted     tombstones among them
 * @param fetched     read from Ditio in this run (false: mapped again from what the state DB kept)
 * @param position    where the pass stands after this page, for the progress line
 */
public record MappedPage(String feed, List<Desired> desired, List<QuarantineStore.Held> quarantined, int records,
                         int deleted, boolean fetched, String position) {
}
