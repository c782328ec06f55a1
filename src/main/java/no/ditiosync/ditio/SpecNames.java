package no.ditiosync.ditio;

/**
 * A record read from Ditio that remembers which of its properties it got under the spec's own name,
 * one bit each in the order Jackson lists them, so the same name in another case later in the object
 * does not take its place (docs/ditio-contract.md: "the names above first"). {@link PageReader} sets them.
 */
interface SpecNames {

    long specNamesSeen();

    void specNameSeen(long bit);
}
