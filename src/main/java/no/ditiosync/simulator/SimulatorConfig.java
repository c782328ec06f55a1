package no.ditiosync.simulator;

import java.time.Clock;
import java.time.LocalDate;
import java.util.Objects;

/**
 * Settings of one {@link SimulatedDitio}. Fluent setters return {@code this}; getters have the
 * same name without argument. {@link SimulatedDitio#start} takes a copy, so changing a config
 * after start has no effect on a running simulator.
 *
 * <pre>{@code
 * SimulatorConfig config = new SimulatorConfig().seed(7).workers(50).tokenExpiresInSeconds(60);
 * }</pre>
 */
public final class SimulatorConfig {

    private long seed = 42;
    private int workers = 200;
    private int weeks = 6;
    private LocalDate lastWorkDate = LocalDate.of(2026, 11, 27);
    private String clientId = "demo-client";
    private String clientSecret = "demo-secret";
    private long tokenExpiresInSeconds = 1800;
    /** Used for token expiry and for the modifiedDateTime of mutations; never for generated data. */
    private Clock clock = Clock.systemUTC();

    public SimulatorConfig() {
    }

    public static SimulatorConfig defaults() {
        return new SimulatorConfig();
    }

    public SimulatorConfig copy() {
        return new SimulatorConfig().seed(seed).workers(workers).weeks(weeks).lastWorkDate(lastWorkDate)
                .clientId(clientId).clientSecret(clientSecret).tokenExpiresInSeconds(tokenExpiresInSeconds)
                .clock(clock);
    }

    public long seed() {
        return seed;
    }

    public SimulatorConfig seed(long seed) {
        this.seed = seed;
        return this;
    }

    public int workers() {
        return workers;
    }

    public SimulatorConfig workers(int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, was " + workers);
        }
        this.workers = workers;
        return this;
    }

    public int weeks() {
        return weeks;
    }

    public SimulatorConfig weeks(int weeks) {
        if (weeks < 1) {
            throw new IllegalArgumentException("weeks must be at least 1, was " + weeks);
        }
        this.weeks = weeks;
        return this;
    }

    public LocalDate lastWorkDate() {
        return lastWorkDate;
    }

    public SimulatorConfig lastWorkDate(LocalDate lastWorkDate) {
        this.lastWorkDate = Objects.requireNonNull(lastWorkDate, "lastWorkDate");
        return this;
    }

    public String clientId() {
        return clientId;
    }

    public SimulatorConfig clientId(String clientId) {
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        return this;
    }

    public String clientSecret() {
        return clientSecret;
    }

    public SimulatorConfig clientSecret(String clientSecret) {
        this.clientSecret = Objects.requireNonNull(clientSecret, "clientSecret");
        return this;
    }

    public long tokenExpiresInSeconds() {
        return tokenExpiresInSeconds;
    }

    public SimulatorConfig tokenExpiresInSeconds(long seconds) {
        if (seconds < 1) {
            throw new IllegalArgumentException("tokenExpiresInSeconds must be at least 1, was " + seconds);
        }
        this.tokenExpiresInSeconds = seconds;
        return this;
    }

    public Clock clock() {
        return clock;
    }

    public SimulatorConfig clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    @Override
    public String toString() {
        return "SimulatorConfig[seed=" + seed + ", workers=" + workers + ", weeks=" + weeks
                + ", lastWorkDate=" + lastWorkDate + ", clientId=" + clientId
                + ", tokenExpiresInSeconds=" + tokenExpiresInSeconds + "]";
    }
}
