package no.ditiosync.run;

import no.ditiosync.run.SyncRun.Pass;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A run's passes, one per feed in the order of delivery, the one running now, and the feeds the run
 * could not read (their endpoint not deployed): those are dropped from the run, so the delivery
 * neither delivers their records nor moves their watermarks.
 */
final class RunPasses {

    private static final String MORE = "; and more on later pages";

    private final Map<String, Pass> planned = new LinkedHashMap<>();
    /** feed → why it was not delivered (its endpoint is not deployed), in the order they failed */
    private final Map<String, String> failed = new LinkedHashMap<>();
    private final Set<String> metadataFailed = new HashSet<>();
    /** user or project feeds read but for rows that could not be read (left as last known) */
    private final Set<String> readInPart = new HashSet<>();
    private volatile Pass current;

    void plan(Pass pass) {
        planned.put(pass.feed(), pass);
    }

    boolean syncs(String feed) {
        return planned.containsKey(feed);
    }

    Pass pass(String feed) {
        return planned.get(feed);
    }

    List<Pass> all() {
        return List.copyOf(planned.values());
    }

    /** The feeds whose records the run delivers, in order; {@code runFeed} when none was planned. */
    List<String> deliveredFeeds(String runFeed) {
        List<String> feeds = planned.values().stream().filter(Pass::delivers).map(Pass::feed).toList();
        return feeds.isEmpty() ? List.of(runFeed) : feeds;
    }

    /** @return whether the run still has a feed of registrations to deliver */
    boolean fail(String feed, String message) {
        Pass dropped = planned.remove(feed);
        failed.put(feed, message);
        if (dropped != null && !dropped.delivers()) {
            metadataFailed.add(feed);
        }
        return planned.values().stream().anyMatch(Pass::delivers);
    }

    /**
     * A user or project feed some of whose rows could not be read: it stays in the run, which stores the
     * rest, and is named with the run's feeds not read, so the run says so wherever it reports ({@code why}
     * of the first such page: each later page adds only that there were more).
     */
    void readInPart(String feed, String why) {
        if (readInPart.add(feed)) {
            failed.put(feed, why);
            metadataFailed.add(feed);
        } else if (!failed.get(feed).endsWith(MORE)) {
            failed.put(feed, failed.get(feed) + MORE);
        }
    }

    boolean isReadInPart(String feed) {
        return readInPart.contains(feed);
    }

    Map<String, String> failed() {
        return Collections.unmodifiableMap(failed);
    }

    /** Why each feed of registrations was not delivered, joined with "; " (users and projects left out). */
    String registrationFeedsNotDelivered() {
        return failed.entrySet().stream().filter(f -> !metadataFailed.contains(f.getKey()))
                .map(Map.Entry::getValue).collect(Collectors.joining("; "));
    }

    /** One line naming each feed not delivered (registrations) or not read (users, projects) and why; null when none. */
    String notDelivered() {
        if (failed.isEmpty()) {
            return null;
        }
        StringBuilder s = new StringBuilder();
        failed.forEach((f, why) -> s.append(s.length() == 0 ? "" : "; ").append("feed ").append(f)
                .append(readInPart.contains(f) ? " read in part: " : metadataFailed.contains(f) ? " not read: "
                        : " not delivered: ").append(why));
        return s.toString();
    }

    Pass current() {
        return current;
    }

    void start(String feed, String runId) {
        Pass pass = planned.get(feed);
        if (pass == null) {
            throw new IllegalStateException("run " + runId + " planned no pass over feed '" + feed + "'");
        }
        current = pass;
    }
}
