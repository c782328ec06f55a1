package no.ditiosync.simulator;

import java.util.List;

/** The records of one page, how many of them are tombstones, and where the next page starts (null: last page). */
record PageResult<T>(List<T> records, int deletedCount, ContinuationTokens.Position next) {
}
