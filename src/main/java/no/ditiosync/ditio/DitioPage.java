package no.ditiosync.ditio;

import java.util.List;

/** One page as read from Ditio: its records and the token of the next page (null on the last). */
public record DitioPage<T>(List<T> data, String continuationToken) {
}
