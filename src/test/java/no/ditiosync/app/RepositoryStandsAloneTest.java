package no.ditiosync.app;

import no.ditiosync.testing.AppProcess;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fresh clone is all a reader has: no file of the repository points at documents outside it, and
 * every {@code docs/…} file a file names is there.
 */
class RepositoryStandsAloneTest {

    private static final Pattern OUTSIDE = Pattern.compile("\\.\\./shared|/work/share[d]|ditio-api\\.md|payroll-formats\\.md|"
            + "architecture\\.md");
    private static final Pattern DOCS_REFERENCE = Pattern.compile("docs/([A-Za-z0-9._-]+\\.md)");

    /** The files git tracks or would track (untracked but not ignored): what a clone holds. */
    private static List<Path> repositoryFiles() throws Exception {
        Path root = AppProcess.projectRoot();
        Process git = new ProcessBuilder("git", "ls-files", "--cached", "--others", "--exclude-standard")
                .directory(root.toFile()).start();
        String listing = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(git.waitFor()).isZero();
        List<Path> files = new ArrayList<>();
        for (String name : listing.lines().toList()) {
            Path f = root.resolve(name);
            if (Files.isRegularFile(f)) {
                files.add(f);
            }
        }
        assertThat(files).hasSizeGreaterThan(100);
        return files;
    }

    @Test
    void noFileNamesADocumentOutsideTheRepository() throws Exception {
        List<String> found = new ArrayList<>();
        for (Path f : repositoryFiles()) {
            String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            Matcher m = OUTSIDE.matcher(text);
            while (m.find()) {
                found.add(AppProcess.projectRoot().relativize(f) + ": " + m.group());
            }
        }
        assertThat(found).isEmpty();
    }

    @Test
    void everyDocsFileNamedIsThere() throws Exception {
        Path root = AppProcess.projectRoot();
        List<String> missing = new ArrayList<>();
        int references = 0;
        for (Path f : repositoryFiles()) {
            Matcher m = DOCS_REFERENCE.matcher(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
            while (m.find()) {
                references++;
                if (!Files.isRegularFile(root.resolve("docs").resolve(m.group(1)))) {
                    missing.add(root.relativize(f) + ": docs/" + m.group(1));
                }
            }
        }
        assertThat(references).as("files point readers at docs/").isGreaterThan(20);
        assertThat(missing).isEmpty();
    }
}
