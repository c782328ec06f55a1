package no.ditiosync.state;

import no.ditiosync.ditio.DitioUser;
import no.ditiosync.payroll.EmployeeDirectory;
import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * /v1/user's profiles kept one per user, on H2 and on a real PostgreSQL (each with its own upsert): of
 * several profiles the same one is kept whatever the order they come in, a profile without a number
 * never hides another's (also when the kept one loses its number), and only a change of the kept number
 * or department asks for a remap.
 */
class DirectoryStoreTest {

    @TempDir
    Path dir;

    private int stores;
    private StateDb db;

    private TestDatabase database;

    /** A fresh state DB each time. */
    private DirectoryStore store(String kind) throws Exception {
        database = kind.equals("postgres") ? TestDatabase.postgres() : TestDatabase.h2(dir.resolve("state" + stores++));
        this.db = new StateDb(database.dataSource(), "test");
        return new DirectoryStore(this.db);
    }

    /** The same state DB opened again (and brought up to this build's tables). */
    private DirectoryStore reopened() throws Exception {
        this.db = new StateDb(database.dataSource(), "test");
        return new DirectoryStore(this.db);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgres"})
    void ofSeveralProfilesTheSameIsKeptInWhateverOrderTheyCome(String kind) throws Exception {
        DitioUser a = profile("p-a", "103", false);
        DitioUser b = profile("p-b", "9103", false);
        DitioUser none = profile("p-c", null, false);
        for (List<List<DitioUser>> pages : List.of(List.of(List.of(a, b)), List.of(List.of(b, a)), List.of(List.of(b), List.of(a)),
                List.of(List.of(none, b, a)), List.of(List.of(a), List.of(none), List.of(b)))) {
            DirectoryStore store = store(kind);
            for (List<DitioUser> page : pages) {
                store.upsertUsers("acme", page);
            }
            assertThat(number(store)).as("%s", pages).isEqualTo("103");
            try (var c = this.db.connection()) {
                store.mappedAgain(c, "acme");
            }
            // the next run's pass brings them again, in another order: nothing moves, nothing to map again
            for (List<DitioUser> page : reversed(pages)) {
                store.upsertUsers("acme", reversed(page));
            }
            assertThat(number(store)).as("%s again", pages).isEqualTo("103");
            assertThat(store.usersToMapAgain("acme")).as("%s again", pages).isEmpty();
        }

        DirectoryStore store = store(kind);
        store.upsertUsers("acme", List.of(b));
        assertThat(number(store)).isEqualTo("9103");
        // a live profile ranking first takes over: the user's delivered lines are mapped again
        store.upsertUsers("acme", List.of(a));
        assertThat(number(store)).isEqualTo("103");
        assertThat(store.usersToMapAgain("acme")).containsExactly("u-103");
        // the kept profile deleted gives way to a live one seen before; deleted too, the first ranking is kept as last known
        store.upsertUsers("acme", List.of(profile("p-a", "103", true)));
        assertThat(number(store)).isEqualTo("9103");
        store.upsertUsers("acme", List.of(profile("p-b", "9103", true)));
        assertThat(number(store)).as("of two deleted profiles the first ranking").isEqualTo("103");
        store.upsertUsers("acme", List.of(b));
        assertThat(number(store)).isEqualTo("9103");
        // the kept profile losing its number gives way to another profile's number (outside audit: it was erased)
        store.upsertUsers("acme", List.of(profile("p-b", " ", false)));
        assertThat(number(store)).isEqualTo("103");
        assertThat(store.usersToMapAgain("acme")).containsExactly("u-103");
        // the last number gone: none
        store.upsertUsers("acme", List.of(profile("p-a", null, true)));
        assertThat(number(store)).isNull();
    }

    /**
     * A state DB of a version that kept one profile per user: that profile is known when another comes,
     * and the company's next run reads every user (its user watermark goes, once), so that the profiles
     * it did not keep are known too.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgres"})
    void theProfileAnEarlierVersionKeptIsOneOfTheProfilesAndEveryUserIsReadAgain(String kind) throws Exception {
        DirectoryStore store = store(kind);
        store.upsertUsers("acme", List.of(profile("p-b", "9103", false)));
        try (var c = this.db.connection(); var s = c.createStatement()) {
            s.execute("DROP TABLE ditio_user_profile");
            s.execute("INSERT INTO sync_watermark (company, feed, watermark, run_id) VALUES "
                    + "('acme', 'user', TIMESTAMP WITH TIME ZONE '2026-11-20 10:00:00+00', 'r1'), "
                    + "('acme', 'time', TIMESTAMP WITH TIME ZONE '2026-11-20 10:00:00+00', 'r1')");
        }
        DirectoryStore upgraded = reopened();
        assertThat(watermarks()).containsExactly("time");
        upgraded.upsertUsers("acme", List.of(profile("p-c", null, false)));
        assertThat(number(upgraded)).isEqualTo("9103");
        try (var c = this.db.connection(); var s = c.createStatement()) {
            s.execute("INSERT INTO sync_watermark (company, feed, watermark, run_id) VALUES "
                    + "('acme', 'user', TIMESTAMP WITH TIME ZONE '2026-11-21 10:00:00+00', 'r2')");
        }
        reopened();
        assertThat(watermarks()).as("only once").containsExactly("time", "user");
    }

    /** A profile Ditio sent without an id ranks after those with one (it used to give way to the next). */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgres"})
    void aProfileWithoutAnIdGivesWayToOneWithAnId(String kind) throws Exception {
        DirectoryStore store = store(kind);
        store.upsertUsers("acme", List.of(profile(null, "100", false)));
        assertThat(number(store)).isEqualTo("100");
        store.upsertUsers("acme", List.of(profile("p-x", "200", false)));
        assertThat(number(store)).isEqualTo("200");
    }

    private List<String> watermarks() throws Exception {
        List<String> feeds = new java.util.ArrayList<>();
        try (var c = this.db.connection(); var rs = c.createStatement().executeQuery(
                "SELECT feed FROM sync_watermark WHERE company = 'acme' ORDER BY feed")) {
            while (rs.next()) {
                feeds.add(rs.getString(1));
            }
        }
        return feeds;
    }

    private static <T> List<T> reversed(List<T> list) {
        List<T> copy = new java.util.ArrayList<>(list);
        java.util.Collections.reverse(copy);
        return copy;
    }

    private static String number(DirectoryStore store) throws Exception {
        EmployeeDirectory.Employee e = store.employees("acme").get("u-103");
        return e == null ? "missing" : e.employeeNumber();
    }

    private static DitioUser profile(String id, String number, boolean deleted) {
        DitioUser u = new DitioUser();
        u.id = id;
        u.identityUserId = "u-103";
        u.employeeNumber = number;
        u.department = "Betong";
        u.modifiedDateTime = "2026-11-01T10:00:00Z";
        u.isDeleted = deleted;
        return u;
    }
}
