package no.ditiosync.app;

import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.testing.AppProcess;
import no.ditiosync.testing.DeliveredPayroll;
import no.ditiosync.testing.PayrollTruth;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A target of the user's own, added as README's "Adding a target" says: the example format class
 * (examples/custom-target/HoursFormat.java) compiled into a jar of its own against the application,
 * its route (examples/custom-target/deliver-hours.camel.yaml) in the routes/ of a working folder,
 * PAYROLL_TARGETS naming it and PAYROLL_TARGET_HOURS_FORMAT naming the class.
 */
class CustomTargetTest {

    static final LocalDate START = LocalDate.parse("2026-11-01");
    static final Path EXAMPLE = AppProcess.projectRoot().resolve("examples/custom-target");
    static SimulatedDitio ditio;
    @TempDir
    static Path build;
    static Path hoursJar;

    @BeforeAll
    static void startDitioAndBuildTheFormat() throws Exception {
        ditio = SimulatedDitio.start(SimulatorConfig.defaults().seed(11).workers(20).weeks(2), 0);
        hoursJar = jar(build.resolve("hours"), System.getProperty("java.class.path"), EXAMPLE.resolve("HoursFormat.java"));
    }

    /** The sources compiled against {@code classPath} into {@code dir}/format.jar. */
    static Path jar(Path dir, String classPath, Path... sources) throws Exception {
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp", classPath));
        Stream.of(sources).map(Path::toString).forEach(args::add);
        int status = javac.run(null, errors, errors, args.toArray(String[]::new));
        assertThat(status).as("javac: %s", errors.toString(StandardCharsets.UTF_8)).isZero();
        Path jar = dir.resolve("format.jar");
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar));
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new java.util.jar.JarEntry(classes.relativize(f).toString()));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    @AfterAll
    static void stopDitio() {
        ditio.close();
    }

    /** A folder laid out as an operator's: application.properties, mappings/, routes/ (with or without deliver-hours). */
    static Path workingFolder(Path dir, boolean withHoursRoute) throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        Path root = AppProcess.projectRoot();
        Files.copy(root.resolve("application.properties"), work.resolve("application.properties"));
        for (String folder : List.of("routes", "mappings")) {
            Files.createDirectories(work.resolve(folder));
            try (Stream<Path> files = Files.list(root.resolve(folder))) {
                for (Path f : files.toList()) {
                    Files.copy(f, work.resolve(folder).resolve(f.getFileName()));
                }
            }
        }
        if (withHoursRoute) {
            Files.copy(EXAMPLE.resolve("deliver-hours.camel.yaml"), work.resolve("routes/deliver-hours.camel.yaml"));
        }
        return work;
    }

    static Map<String, String> env(Path dir) {
        Map<String, String> env = CommandLineTest.envFor(ditio, dir);
        env.put("PAYROLL_START_DATE", START.toString());
        env.put("PAYROLL_TARGETS", "csv,hours");
        env.put("PAYROLL_TARGET_HOURS_FORMAT", "com.example.payroll.HoursFormat");
        return env;
    }

    static CommandLineTest.Result run(Path dir, Path work, Map<String, String> env, String... args) throws Exception {
        return run(dir, work, List.of(hoursJar), env, args);
    }

    static CommandLineTest.Result run(Path dir, Path work, List<Path> jars, Map<String, String> env, String... args)
            throws Exception {
        Process p = AppProcess.builderIn(work, jars, env, args)
                .redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile())
                .start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("finished in time").isTrue();
        return new CommandLineTest.Result(p.exitValue(), Files.readString(dir.resolve("stdout.txt")),
                Files.readString(dir.resolve("stderr.txt")));
    }

    @Test
    void aTargetOfYourOwnGetsEveryLineAndEveryCorrectionThroughItsRouteAndFormat(@TempDir Path dir) throws Exception {
        Path work = workingFolder(dir, true);
        Map<String, String> env = env(dir);

        CommandLineTest.Result first = run(dir, work, env, "sync", "--once");
        assertThat(first.exit()).as(first.err()).isZero();
        List<Path> hours = drops(dir, "hours");
        List<Path> csv = drops(dir, "csv");
        assertThat(hours).hasSize(1);
        assertThat(hours.get(0).getFileName().toString()).startsWith("hours_cli_").endsWith(".csv");
        // the same lines as the built-in CSV target got, in the example's own layout
        assertThat(Files.readAllLines(hours.get(0), StandardCharsets.UTF_8))
                .containsExactlyElementsOf(asHoursLines(csv.get(0)));
        assertThat(sums(hours)).isEqualTo(PayrollTruth.perEmployeeDayAndWageType(ditio.data(), START));

        ditio.data().randomMutations(new Random(4), 20);
        CommandLineTest.Result second = run(dir, work, env, "sync", "--once");
        assertThat(second.exit()).as(second.err()).isZero();
        hours = drops(dir, "hours");
        csv = drops(dir, "csv");
        assertThat(hours).hasSize(2);
        List<String> corrections = Files.readAllLines(hours.get(1), StandardCharsets.UTF_8);
        assertThat(corrections).containsExactlyElementsOf(asHoursLines(csv.get(1)));
        assertThat(corrections).as("offsetting lines for changed hours").anyMatch(l -> l.split(";")[3].startsWith("-"));
        // every drop so far sums to Ditio's truth now, per employee, day and wage type
        assertThat(sums(hours)).isEqualTo(PayrollTruth.perEmployeeDayAndWageType(ditio.data(), START));
    }

    @Test
    void withoutItsRouteStartUpStopsNamingTheRoute(@TempDir Path dir) throws Exception {
        CommandLineTest.Result r = run(dir, workingFolder(dir, false), env(dir), "sync", "--once");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("Setting PAYROLL_TARGETS (payroll.targets): target hours has no route "
                + "deliver-hours in routes/ (for a drop folder: a templatedRoute of deliver-file, see README, Adding a target)");
        assertThat(dir.resolve("out/hours")).doesNotExist();
    }

    @Test
    void aFormatClassNotOnTheClassPathStopsStartUpNamingItsKey(@TempDir Path dir) throws Exception {
        Map<String, String> env = env(dir);
        env.put("PAYROLL_TARGET_HOURS_FORMAT", "com.example.payroll.MinutesFormat");
        CommandLineTest.Result r = run(dir, workingFolder(dir, true), env, "sync", "--once");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("Setting PAYROLL_TARGET_HOURS_FORMAT (payroll.target.hours.format): no class "
                + "com.example.payroll.MinutesFormat on the class path (start with java -cp "
                + "target/ditio-payroll-sync.jar:<your jar> no.ditiosync.app.DitioPayrollSync ...)");

        env.remove("PAYROLL_TARGET_HOURS_FORMAT");
        r = run(dir, workingFolder(dir.resolve("again"), true), env, "sync", "--once");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("Setting PAYROLL_TARGETS (payroll.targets): unknown target 'hours' (known: "
                + "visma, sap, tripletex, csv, jdbc; a target of your own needs its format class in "
                + "PAYROLL_TARGET_HOURS_FORMAT (payroll.target.hours.format))");
    }

    /** One company of several may have a target of its own, its format named in that company's settings alone. */
    @Test
    void oneCompanyOfSeveralHasATargetOfItsOwn(@TempDir Path dir) throws Exception {
        Map<String, String> env = env(dir);
        env.remove("PAYROLL_TARGET_HOURS_FORMAT");
        env.put("PAYROLL_TARGETS", "csv");
        env.put("PAYROLL_COMPANIES", "acme,bygg");
        env.remove("PAYROLL_COMPANY"); // read only without PAYROLL_COMPANIES
        env.put("COMPANY_BYGG_PAYROLL_TARGETS", "csv,hours");
        env.put("COMPANY_BYGG_PAYROLL_TARGET_HOURS_FORMAT", "com.example.payroll.HoursFormat");
        Path work = workingFolder(dir, true);

        CommandLineTest.Result r = run(dir, work, env, "sync", "--once");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(dir.resolve("out/acme/hours")).doesNotExist();
        try (Stream<Path> files = Files.list(dir.resolve("out/bygg/hours"))) {
            List<Path> hours = files.filter(f -> f.getFileName().toString().startsWith("hours_bygg_")).toList();
            assertThat(hours).hasSize(1);
            assertThat(sums(hours)).isEqualTo(PayrollTruth.perEmployeeDayAndWageType(ditio.data(), START));
        }

        // a wrong class in the company's own setting is named as that setting
        env.put("COMPANY_BYGG_PAYROLL_TARGET_HOURS_FORMAT", "com.example.payroll.MinutesFormat");
        r = run(dir, workingFolder(dir.resolve("again"), true), env, "sync", "--once");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("Setting company.bygg.payroll.target.hours.format: no class "
                + "com.example.payroll.MinutesFormat on the class path");
    }

    /**
     * The example writes no cancellations: corrected by cancel-and-rebook, it would write each cancelled
     * line as hours, paid again. Start-up refuses that, naming the setting.
     */
    @Test
    void cancelAndRebookIsRefusedForAFormatThatWritesNoCancellations(@TempDir Path dir) throws Exception {
        Map<String, String> env = env(dir);
        env.put("PAYROLL_TARGET_HOURS_CORRECTION", "cancel-and-rebook");

        CommandLineTest.Result r = run(dir, workingFolder(dir, true), env, "sync", "--once");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("Setting PAYROLL_TARGET_HOURS_CORRECTION (payroll.target.hours.correction): "
                + "com.example.payroll.HoursFormat writes no cancellations (its writesCancellations() is false), so target "
                + "hours takes offsetting lines only: leave the setting out, or set it to offset");
        assertThat(dir.resolve("out/hours")).doesNotExist();
    }

    /** A format class may be costly to make, or count itself: start-up makes it once, checks it and uses that one. */
    @Test
    void theFormatClassIsMadeOnce(@TempDir Path dir) throws Exception {
        Path source = Files.createDirectories(dir.resolve("src")).resolve("CountedHoursFormat.java");
        Files.writeString(source, """
                package com.example.payroll;

                import no.ditiosync.drops.DropFormat;
                import no.ditiosync.drops.DropLine;
                import no.ditiosync.payroll.PayrollLine;

                /** The example's format, saying on stderr each time it is made. */
                public final class CountedHoursFormat implements DropFormat {
                    private final HoursFormat hours = new HoursFormat();

                    public CountedHoursFormat() {
                        System.err.println("CountedHoursFormat made");
                    }

                    public String target() { return hours.target(); }
                    public java.nio.charset.Charset charset() { return hours.charset(); }
                    public void writeHeader(java.io.Writer out) throws java.io.IOException { hours.writeHeader(out); }
                    public void writeLine(DropLine line, java.io.Writer out) throws java.io.IOException { hours.writeLine(line, out); }
                    public String refusal(PayrollLine line) { return hours.refusal(line); }
                }
                """);
        Path counted = jar(dir.resolve("counted"), System.getProperty("java.class.path") + java.io.File.pathSeparator + hoursJar,
                source);
        Map<String, String> env = env(dir);
        env.put("PAYROLL_TARGET_HOURS_FORMAT", "com.example.payroll.CountedHoursFormat");

        CommandLineTest.Result r = run(dir, workingFolder(dir, true), List.of(hoursJar, counted), env, "sync", "--once");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(drops(dir, "hours")).hasSize(1);
        assertThat(r.err()).containsOnlyOnce("CountedHoursFormat made");
    }

    static List<Path> drops(Path dir, String target) throws Exception {
        try (Stream<Path> files = Files.list(dir.resolve("out").resolve(target))) {
            return files.filter(f -> f.getFileName().toString().startsWith(target + "_")).sorted().toList();
        }
    }

    /** The CSV target's lines as the hours format lays them out: employee;date;wageType;hours;project. */
    static List<String> asHoursLines(Path csv) throws Exception {
        List<String> lines = new ArrayList<>(List.of("employee;date;wageType;hours;project"));
        List<String> rows = Files.readAllLines(csv, StandardCharsets.UTF_8);
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",", 7);
            lines.add(f[1] + ";" + f[2] + ";" + f[3] + ";" + new BigDecimal(f[4]).setScale(2, RoundingMode.HALF_UP).toPlainString()
                    + ";" + f[5]);
        }
        return lines;
    }

    static Map<String, BigDecimal> sums(List<Path> files) throws Exception {
        Map<String, BigDecimal> sums = new TreeMap<>();
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(";", -1);
                sums.merge(DeliveredPayroll.normalEmployee(f[0]) + "|" + f[1] + "|" + f[2], new BigDecimal(f[3]), BigDecimal::add);
            }
        }
        return DeliveredPayroll.normalise(sums);
    }
}
