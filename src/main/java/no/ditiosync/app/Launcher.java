package no.ditiosync.app;

import java.nio.file.Path;

/** How this program is started here, so that what it prints for the user to type works as printed. */
final class Launcher {

    private static final String PACKAGED = "java -jar target/ditio-payroll-sync.jar";

    private Launcher() {
    }

    /**
     * {@code java -jar <the jar this runs from>}, relative to the working directory when inside it
     * ({@code /app/ditio-payroll-sync.jar} in the container); the packaged jar's place in the project
     * when run from compiled classes.
     */
    static String command() {
        try {
            Path jar = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            String name = jar.getFileName().toString();
            if (!name.startsWith("ditio-payroll-sync") || !name.endsWith(".jar")) {
                return PACKAGED;
            }
            Path here = Path.of("").toAbsolutePath();
            return "java -jar " + (jar.startsWith(here) ? here.relativize(jar) : jar);
        } catch (java.net.URISyntaxException | RuntimeException unknown) {
            return PACKAGED;
        }
    }
}
