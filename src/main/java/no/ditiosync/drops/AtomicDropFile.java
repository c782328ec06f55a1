package no.ditiosync.drops;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One drop file, written so a payroll system polling the folder never sees half of it
 * (docs/output-formats.md, "Drop files"): lines go to a hidden {@code .name.tmp} in the same folder,
 * {@link #close()} makes them durable, and {@link #publish} renames atomically. Close and publish
 * are separate steps so the export ledger can commit in between.
 * Payroll data is personal data: on POSIX file systems folders we create are 0700 and files 0600
 * from the moment they exist; a drop may be opened to its group (0640, folder 0750) when it is
 * complete, for a payroll system that reads as another user of the same group.
 */
public final class AtomicDropFile implements Closeable {

    /** File modes a drop may have (setting PAYROLL_FILE_MODE). */
    public static final String OWNER_ONLY = "0600";
    public static final String OWNER_AND_GROUP = "0640";

    private static final Set<OpenOption> CREATE = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Path temp;
    private final Path finalPath;
    private final DropFormat format;
    private final FileChannel channel;
    private final Writer writer;
    private final String fileMode;
    private int lines;
    private boolean closed;

    private AtomicDropFile(Path temp, Path finalPath, DropFormat format, FileChannel channel, Writer writer,
                           String fileMode) {
        this.fileMode = fileMode;
        this.temp = temp;
        this.finalPath = finalPath;
        this.format = format;
        this.channel = channel;
        this.writer = writer;
    }

    /** Creates {@code folder} if needed and starts {@code .finalName.tmp} there with the format's header. */
    public static AtomicDropFile open(Path folder, String finalName, DropFormat format) throws IOException {
        return open(folder, finalName, format, OWNER_ONLY);
    }

    /** @param fileMode {@link #OWNER_ONLY} or {@link #OWNER_AND_GROUP}: the mode of the complete file */
    public static AtomicDropFile open(Path folder, String finalName, DropFormat format, String fileMode) throws IOException {
        requirePlainName(finalName);
        if (!fileMode.equals(OWNER_ONLY) && !fileMode.equals(OWNER_AND_GROUP)) {
            throw new IllegalArgumentException("file mode " + fileMode + " is neither " + OWNER_ONLY + " nor " + OWNER_AND_GROUP);
        }
        boolean posix = createFolder(folder, fileMode);
        Path temp = folder.resolve("." + finalName + ".tmp");
        // a leftover temp is a crashed attempt that was never published: start it over
        Files.deleteIfExists(temp);
        // CREATE_NEW also refuses to follow a symlink someone planted under the temp name
        FileChannel channel = posix
                ? FileChannel.open(temp, CREATE, attributes("rw-------"))
                : FileChannel.open(temp, CREATE);
        try {
            // an encoder that reports, unlike OutputStreamWriter(Charset), which writes '?' silently
            Writer writer = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(channel),
                    format.charset().newEncoder()));
            format.writeHeader(writer);
            return new AtomicDropFile(temp, folder.resolve(finalName), format, channel, writer, fileMode);
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    public void append(DropLine line) throws IOException {
        if (closed) {
            throw new IllegalStateException("drop file already closed: " + temp);
        }
        format.writeLine(line, writer);
        lines++;
    }

    /** Lines appended so far, header not counted. */
    public int lines() {
        return lines;
    }

    public Path tempPath() {
        return temp;
    }

    public Path finalPath() {
        return finalPath;
    }

    /** Flushes and fsyncs the temp file. Does not publish: that is {@link #publish}, after the ledger commit. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        // the writer only wraps the channel: once flushed, closing the channel releases everything,
        // also when the flush failed (e.g. a character the charset cannot encode)
        try (channel) {
            writer.flush();
            channel.force(true);
        }
        if (fileMode.equals(OWNER_AND_GROUP) && temp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            // set explicitly: a umask could have taken the group bit at creation
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r-----"));
        }
    }

    /** Abandons the drop: the temp file is removed, nothing is published. */
    public void discard() throws IOException {
        closed = true;
        channel.close(); // no flush: the content is thrown away; closing twice is fine
        Files.deleteIfExists(temp);
    }

    /**
     * Renames {@code temp} to {@code finalPath} atomically (same folder, same file system).
     * Safe to repeat after a crash: with the temp gone and the final there it does nothing, and a
     * temp identical to an existing final is just removed. A different file under a published
     * name is refused, never overwritten: the payroll system may already have read it.
     */
    public static void publish(Path temp, Path finalPath) throws IOException {
        boolean finalExists = Files.exists(finalPath, LinkOption.NOFOLLOW_LINKS);
        if (!Files.exists(temp, LinkOption.NOFOLLOW_LINKS)) {
            if (finalExists) {
                return;
            }
            throw new NoSuchFileException(temp.toString(), null, "neither the temp nor the published drop exists");
        }
        if (finalExists) {
            if (Files.mismatch(temp, finalPath) == -1L) {
                Files.delete(temp);
                return;
            }
            throw new FileAlreadyExistsException(finalPath.toString(), temp.toString(),
                    "a different drop was already published under this name");
        }
        Files.move(temp, finalPath, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(finalPath.toAbsolutePath().getParent());
    }

    /**
     * The optional {@code .done} marker of a published drop: {@code {drop file name}.done} beside it
     * (e.g. {@code visma_acme_20250304T050607Z_run-42.csv.done}). The full name is kept so each
     * marker names exactly one drop, and a poller that picks up {@code *.csv} never takes a marker.
     */
    public static Path doneMarker(Path finalPath) {
        return finalPath.resolveSibling(finalPath.getFileName() + ".done");
    }

    /**
     * Writes the empty {@link #doneMarker} of {@code finalPath}, after the drop itself is published,
     * with the drop's own permissions. A poller that waits for markers therefore never sees a marker
     * without its complete file. Safe to repeat after a crash between the rename and the marker:
     * an existing marker is left as it is.
     */
    public static void publishDoneMarker(Path finalPath) throws IOException {
        if (!Files.isRegularFile(finalPath, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchFileException(finalPath.toString(), null, "a .done marker needs its published drop");
        }
        Path marker = doneMarker(finalPath);
        if (Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        boolean posix = finalPath.getFileSystem().supportedFileAttributeViews().contains("posix");
        // CREATE_NEW: refuses a symlink planted under the marker name instead of following it
        try (FileChannel channel = posix
                ? FileChannel.open(marker, CREATE, attributes("rw-------"))
                : FileChannel.open(marker, CREATE)) {
            channel.force(true);
        }
        if (posix) {
            // the drop's mode, set explicitly: a umask could have taken the group bit at creation
            Files.setPosixFilePermissions(marker, Files.getPosixFilePermissions(finalPath, LinkOption.NOFOLLOW_LINKS));
        }
        syncDirectory(marker.toAbsolutePath().getParent());
    }

    /** What went wrong with a file or folder, in plain words for an operator (no Java class names). */
    public static String plainReason(IOException e) {
        String what = e instanceof java.nio.file.FileSystemException f && f.getFile() != null ? f.getFile() : null;
        String reason = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : e instanceof NoSuchFileException ? "no such file or folder"
                : e instanceof FileAlreadyExistsException ? "a file of that name is in the way"
                : e instanceof java.nio.file.NotDirectoryException ? "not a folder"
                : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                : e.getMessage();
        return what == null ? reason : reason + ": " + what;
    }

    /**
     * {@code {target}_{company}_{yyyyMMdd'T'HHmmss'Z'}_{runId}.csv}. Each part is reduced to
     * {@code [A-Za-z0-9-]}, so no separator, dot or {@code _} (the part separator) gets through.
     */
    public static String fileName(String target, String company, Instant runStart, String runId) {
        if (runStart == null) {
            throw new IllegalArgumentException("runStart is missing");
        }
        return namePrefix(target, company) + STAMP.format(runStart) + "_" + safePart("runId", runId) + ".csv";
    }

    /** What every drop name of one target and company starts with: {@code {target}_{company}_}. */
    public static String namePrefix(String target, String company) {
        return safePart("target", target) + "_" + safePart("company", company) + "_";
    }

    /** The company's part of a drop's name, as {@link #namePrefix} writes it. */
    public static String companyPart(String company) {
        return safePart("company", company);
    }

    private static String safePart(String what, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("file name part " + what + " is missing");
        }
        StringBuilder out = new StringBuilder(value.length());
        value.codePoints().forEach(cp -> out.append(
                (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || cp == '-'
                        ? (char) cp : '-'));
        return out.toString();
    }

    private static void requirePlainName(String name) {
        if (name == null || name.isEmpty() || name.startsWith(".") || name.indexOf('/') >= 0
                || name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a plain drop file name: '" + name + "'");
        }
    }

    // Makes the rename itself durable. Not every platform can open a directory (Windows cannot).
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort: the rename has happened either way
        }
    }

    /**
     * Makes {@code folder} and its missing parents for drops of {@code fileMode}: owner-only (0700), or
     * 0750 for 0640 drops; a folder that exists keeps its mode.
     *
     * @return whether the file system has POSIX modes
     */
    public static boolean createFolder(Path folder, String fileMode) throws IOException {
        boolean posix = folder.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (!posix) {
            Files.createDirectories(folder);
            return false;
        }
        Set<PosixFilePermission> mode = PosixFilePermissions.fromString(fileMode.equals(OWNER_ONLY) ? "rwx------" : "rwxr-x---");
        List<Path> missing = new ArrayList<>();
        for (Path p = folder.toAbsolutePath(); p != null && Files.notExists(p); p = p.getParent()) {
            missing.add(p);
        }
        Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(mode));
        // the umask narrows a mode given at creation (a service's 077 made 0750 folders 0700): set it after
        for (Path made : missing) {
            Files.setPosixFilePermissions(made, mode);
        }
        return true;
    }

    private static FileAttribute<?>[] attributes(String mode) {
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode))};
    }
}
