package no.ditiosync.ditio;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * An answer's body, noting whether its end was reached: JSON that fails to parse after that was cut
 * short, where the answer had no length and the connection's close ended it.
 */
final class EndSeen extends FilterInputStream {
    boolean ended;

    EndSeen(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        ended |= b < 0;
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        ended |= n < 0;
        return n;
    }
}
