package no.ditiosync.drops;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Buffered streams for files one thread writes or reads: the run's scratch files and JDBC drops.
 * Their layout ({@link LineFields}) goes a byte at a time (varints, flags), and the JDK's buffered
 * streams take a lock for every byte; these take it only when the buffer fills or empties.
 */
public final class OneThreadBuffers {

    private OneThreadBuffers() {
    }

    public static OutputStream output(OutputStream out, int size) {
        return new BufferedOutputStream(out, size) {
            @Override
            public void write(int b) throws IOException {
                if (count < buf.length) {
                    buf[count++] = (byte) b;
                } else {
                    super.write(b);
                }
            }
        };
    }

    public static InputStream input(InputStream in, int size) {
        return new BufferedInputStream(in, size) {
            @Override
            public int read() throws IOException {
                return pos < count ? buf[pos++] & 0xff : super.read();
            }
        };
    }
}
