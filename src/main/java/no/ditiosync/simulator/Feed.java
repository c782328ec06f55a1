package no.ditiosync.simulator;

import java.util.function.Function;

/**
 * One paged endpoint under {@code /reporting/v1/}: its name (also bound into its continuation
 * tokens), whether it has a work-date window, how to get a page, and how to write a record.
 * New endpoints (absences, payroll lines, projects, ...) are added as further feeds.
 */
record Feed<T>(String name, boolean dateWindow, Function<PageQuery, PageResult<T>> pages, RecordWriter<T> writer) {

    String path() {
        return "/v1/" + name;
    }
}
