package no.ditiosync.testing;

import org.h2.store.fs.FileBase;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A disk that fills up, for H2: the URL {@code jdbc:h2:room:/path/name} is the H2 file
 * {@code /path/name.mv.db} on the real disk, through H2's own file-system extension point, except
 * that a write that needs more than the room left fails as a full disk fails ({@code IOException:
 * No space left on device}) and writes nothing. A real small file system (tmpfs) needs the right to
 * mount one, which a test machine may not give.
 */
public final class DiskWithRoom extends FilePathWrapper {

    private static final AtomicLong ROOM = new AtomicLong(Long.MAX_VALUE);

    static {
        FilePath.register(new DiskWithRoom());
    }

    /** Makes {@code jdbc:h2:room:} known to H2 (once per JVM). */
    public static void register() {
        // the static initialiser registers
    }

    /** How many more bytes the disk takes; {@link Long#MAX_VALUE}: as many as the real disk. */
    public static void room(long bytes) {
        ROOM.set(bytes);
    }

    @Override
    public String getScheme() {
        return "room";
    }

    @Override
    public FileChannel open(String mode) throws IOException {
        return new Channel(super.open(mode));
    }

    private static void take(int bytes) throws IOException {
        long left;
        do {
            left = ROOM.get();
            if (left < bytes) {
                throw new IOException("No space left on device");
            }
        } while (left != Long.MAX_VALUE && !ROOM.compareAndSet(left, left - bytes));
    }

    private static final class Channel extends FileBase {
        private final FileChannel file;

        Channel(FileChannel file) {
            this.file = file;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            take(src.remaining());
            return file.write(src);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            take(src.remaining());
            return file.write(src, position);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return file.read(dst);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return file.read(dst, position);
        }

        @Override
        public long position() throws IOException {
            return file.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            file.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            file.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            file.force(metaData);
        }

        @Override
        public synchronized FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return file.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            file.close();
        }
    }
}
