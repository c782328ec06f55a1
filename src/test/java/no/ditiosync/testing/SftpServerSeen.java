package no.ditiosync.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** An SFTP server of the tests as the payroll provider sees it: its files, and each final name it created. */
public interface SftpServerSeen {

    /** The server's folder on this machine. */
    Path root();

    /** Regular files under a folder of the root (relative paths), sorted. */
    List<String> files(String folder) throws IOException;

    /** Every final name a drop was given on the server, in order, once per time it was given. */
    List<String> finalsCreated() throws IOException;
}
