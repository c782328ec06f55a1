package no.ditiosync.drops;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Bytes written a byte or an array at a time across many buffer fills come back the same, in either mix. */
class OneThreadBuffersTest {

    @Test
    void bytesAndArraysAcrossBufferBoundariesComeBackAsWritten() throws Exception {
        Random random = new Random(7);
        byte[] data = new byte[100_003];
        random.nextBytes(data);

        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (OutputStream out = OneThreadBuffers.output(file, 7)) {
            for (int i = 0; i < data.length; ) {
                int n = Math.min(data.length - i, random.nextInt(20));
                if (random.nextBoolean()) {
                    for (int k = 0; k < n; k++) {
                        out.write(data[i + k]);
                    }
                } else {
                    out.write(data, i, n);
                }
                i += n;
            }
        }
        assertArrayEquals(data, file.toByteArray());

        byte[] read = new byte[data.length];
        try (InputStream in = OneThreadBuffers.input(new ByteArrayInputStream(file.toByteArray()), 5)) {
            for (int i = 0; i < read.length; ) {
                if (random.nextBoolean()) {
                    read[i++] = (byte) in.read();
                } else {
                    int n = in.read(read, i, Math.min(read.length - i, 1 + random.nextInt(20)));
                    i += n;
                }
            }
            assertEquals(-1, in.read());
        }
        assertArrayEquals(data, read);
    }
}
