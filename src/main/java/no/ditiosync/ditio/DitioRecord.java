package no.ditiosync.ditio;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * A record read from Ditio. It remembers which of its properties it got under the spec's own name, one
 * bit each in the order Jackson lists them ({@link PageReader} sets them), so the same name in another
 * case later in the object does not take its place (docs/ditio-contract.md: "the names above first").
 */
public abstract class DitioRecord {

    @JsonIgnore
    private long specNames;

    long specNamesSeen() {
        return specNames;
    }

    void specNameSeen(long bit) {
        specNames |= bit;
    }
}
