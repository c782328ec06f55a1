package no.ditiosync.simulator;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;

/** Writes one record of a feed as a JSON object. */
interface RecordWriter<T> {
    void write(JsonGenerator g, T record) throws IOException;
}
