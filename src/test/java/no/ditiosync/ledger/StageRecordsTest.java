package no.ditiosync.ledger;

import no.ditiosync.ditio.TimeRegistration;
import no.ditiosync.payroll.MappingResult;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Staging a page: a new record, a record already known, and an id met a second
 * time in the same page each end as the last version seen, stored once, pending for this run.
 */
class StageRecordsTest {

    @Test
    void newKnownAndRepeatedRecordsEndAsTheirLastVersion(@TempDir Path dir) throws Exception {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + dir.resolve("state") + ";WRITE_DELAY=0");
        ds.setUser("sa");
        StateStore store = new StateStore(ds);

        try (StateStore.FeedLock lock = store.tryLock("acme", "time")) {
            store.stageRecords(lock.fence(), "time", "run1", List.of(live("a", "1.00"), live("b", "2.00")));
            // b and c known or new, c twice in the page (live, then deleted), d new
            store.stageRecords(lock.fence(), "time", "run2", List.of(live("b", "3.00"), live("c", "4.00"), tombstone("c"),
                    live("d", "5.00")));
        }

        assertThat(rows(ds)).containsExactly(
                "a qty=1.00 deleted=false seen=run1 seq=1",
                "b qty=3.00 deleted=false seen=run2 seq=1",
                "c qty=4.00 deleted=true seen=run2 seq=1",
                "d qty=5.00 deleted=false seen=run2 seq=1");
    }

    private static StagedRecord live(String id, String qty) {
        TimeRegistration r = new TimeRegistration();
        r.id = id;
        r.qty = new BigDecimal(qty);
        r.workDate = "2026-10-01T00:00:00Z";
        r.modifiedDateTime = "2026-10-02T06:00:00Z";
        return new StagedRecord(r, MappingResult.of(MappingResult.Status.HELD));
    }

    private static StagedRecord tombstone(String id) {
        TimeRegistration r = new TimeRegistration();
        r.id = id;
        r.isDeleted = true;
        r.modifiedDateTime = "2026-10-03T06:00:00Z";
        r.deletedDateTime = "2026-10-03T06:00:00Z";
        return new StagedRecord(r, MappingResult.of(MappingResult.Status.DELETED));
    }

    private static List<String> rows(JdbcDataSource ds) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = ds.getConnection();
             ResultSet rs = c.createStatement().executeQuery("SELECT record_id, qty, deleted, last_seen_run, staged_seq "
                     + "FROM source_record WHERE company = 'acme' AND feed = 'time' ORDER BY record_id")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " qty=" + rs.getBigDecimal(2).setScale(2) + " deleted=" + rs.getBoolean(3)
                        + " seen=" + rs.getString(4) + " seq=" + rs.getLong(5));
            }
        }
        return rows;
    }
}
