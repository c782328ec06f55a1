import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Aggregates a JFR recording of one application run (bench/run, BENCH_PROFILE=1) into the few
 * tables bench/README.md reports: where the CPU samples are (top frames, by library), which step of
 * the application they belong to (the innermost no.ditiosync frame), inclusive shares of the
 * application's methods, what the threads wait for in native code, GC and CPU load.
 *
 * <pre>java JfrTop recording.jfr [topN]</pre>
 * Uses only jdk.jfr.consumer (JDK 11+); compiled by bench/run with javac into a temporary folder.
 */
public final class JfrTop {

    /** Statement base classes: a concrete one (Merge, Update, Select, ...) says more. */
    static final Set<String> GENERIC_STATEMENTS = Set.of("DataChangeStatement", "Query", "Prepared", "CommandWithValues");

    /** Frames shown per stack in the "top stacks" table. */
    static final int STACK_PREFIX = 6;

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        int top = args.length > 1 ? Integer.parseInt(args[1]) : 20;

        Samples cpu = new Samples();
        Samples nativeWait = new Samples();
        double gcPauseMs = 0;
        int gcs = 0;
        long maxHeapUsed = 0;
        double jvmCpuSum = 0;
        double machineCpuSum = 0;
        int cpuLoads = 0;

        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent e = recording.readEvent();
                switch (e.getEventType().getName()) {
                    case "jdk.ExecutionSample" -> cpu.add(e);
                    case "jdk.NativeMethodSample" -> nativeWait.add(e);
                    case "jdk.GarbageCollection" -> {
                        gcs++;
                        gcPauseMs += e.getDuration("sumOfPauses").toNanos() / 1e6;
                    }
                    case "jdk.GCHeapSummary" -> maxHeapUsed = Math.max(maxHeapUsed, e.getLong("heapUsed"));
                    case "jdk.CPULoad" -> {
                        cpuLoads++;
                        jvmCpuSum += e.getFloat("jvmUser") + e.getFloat("jvmSystem");
                        machineCpuSum += e.getFloat("machineTotal");
                    }
                    default -> {
                    }
                }
            }
        }

        System.out.printf(Locale.ROOT, "JFR recording %s%n", file.getFileName());
        System.out.printf(Locale.ROOT, "  CPU samples (jdk.ExecutionSample): %d; native samples (jdk.NativeMethodSample): %d%n",
                cpu.total, nativeWait.total);
        System.out.printf(Locale.ROOT, "  GC: %d collections, %.0f ms paused in total; max heap used (GCHeapSummary) %.1f MB%n",
                gcs, gcPauseMs, maxHeapUsed / 1048576.0);
        if (cpuLoads > 0) {
            System.out.printf(Locale.ROOT, "  CPU load (jdk.CPULoad, mean of %d): this JVM %.0f%%, whole machine %.0f%% "
                    + "(100%% = all cores busy)%n", cpuLoads, 100 * jvmCpuSum / cpuLoads, 100 * machineCpuSum / cpuLoads);
        }

        section("CPU samples by thread", cpu.byThread, cpu.total, top);
        section("CPU samples by library of the top frame", cpu.byLayer, cpu.total, top);
        section("CPU samples by application step (innermost no.ditiosync frame) x library of the top frame",
                cpu.byStepAndLayer, cpu.total, top);
        section("CPU samples by application step x JDBC call [H2 statement] (or library of the top frame)",
                cpu.byStepAndCall, cpu.total, top);
        section("CPU samples, inclusive, per application method (on the stack anywhere)", cpu.inclusiveApp, cpu.total, top);
        section("CPU samples, inclusive, per marker (H2 statements, Camel EIPs, HTTP, JSON)", cpu.inclusiveMarker,
                cpu.total, top);
        section("CPU samples by top frame (self time)", cpu.byTopFrame, cpu.total, top);
        section("Top CPU stacks (" + STACK_PREFIX + " frames, top first)", cpu.topStacks, cpu.total, 12);
        section("Native samples (threads in native code: socket reads, file sync) by application step x top frame",
                nativeWait.byStepAndTopFrame, nativeWait.total, top);
    }

    /** Counters over one kind of sample. */
    static final class Samples {
        int total;
        final Map<String, Integer> byThread = new HashMap<>();
        final Map<String, Integer> byLayer = new HashMap<>();
        final Map<String, Integer> byTopFrame = new HashMap<>();
        final Map<String, Integer> byStepAndLayer = new HashMap<>();
        final Map<String, Integer> byStepAndTopFrame = new HashMap<>();
        final Map<String, Integer> byStepAndCall = new HashMap<>();
        final Map<String, Integer> topStacks = new HashMap<>();
        final Map<String, Integer> inclusiveApp = new HashMap<>();
        final Map<String, Integer> inclusiveMarker = new HashMap<>();

        void add(RecordedEvent e) {
            RecordedStackTrace stack = e.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                return;
            }
            total++;
            RecordedThread thread = e.getThread("sampledThread");
            String threadName = thread == null ? "?" : String.valueOf(thread.getJavaName());
            bump(byThread, threadName.replaceAll("\\d+", "#"));

            List<RecordedFrame> frames = stack.getFrames();
            String topFrame = name(frames.get(0));
            String layer = layer(topFrame);
            bump(byLayer, layer);
            bump(byTopFrame, topFrame);

            String step = null;
            String jdbcCall = null;
            String statement = null;
            Set<String> seenApp = new HashSet<>();
            Set<String> seenMarker = new HashSet<>();
            StringBuilder topStack = new StringBuilder();
            for (int i = 0; i < frames.size(); i++) {
                String m = name(frames.get(i));
                if (i < STACK_PREFIX) {
                    topStack.append(i == 0 ? "" : "\n            <- ").append(m);
                }
                if (step == null) {
                    // the JDBC call and H2 statement closest to the application frame: what the app asked H2 to do
                    if (m.startsWith("org.h2.engine.SessionLocal.commit") && statement == null) {
                        statement = "commit";
                    }
                    if (m.startsWith("org.h2.jdbc.")) {
                        jdbcCall = m.substring("org.h2.jdbc.".length());
                    } else if (m.startsWith("org.h2.command.dml.") || m.startsWith("org.h2.command.query.")
                            || m.startsWith("org.h2.command.ddl.")) {
                        String type = m.substring(m.lastIndexOf('.', m.lastIndexOf('.') - 1) + 1, m.lastIndexOf('.'));
                        if (!GENERIC_STATEMENTS.contains(type) || statement == null) {
                            statement = type;
                        }
                    }
                }
                if (m.startsWith("no.ditiosync.")) {
                    String shortName = m.substring(m.lastIndexOf('.', m.lastIndexOf('.') - 1) + 1);
                    if (step == null) {
                        step = shortName;
                    }
                    seenApp.add(shortName);
                }
                String marker = marker(m);
                if (marker != null) {
                    seenMarker.add(marker);
                }
            }
            seenApp.forEach(m -> bump(inclusiveApp, m));
            seenMarker.forEach(m -> bump(inclusiveMarker, m));
            String where = step == null ? "(no application frame: " + threadName.replaceAll("\\d+", "#") + ")" : step;
            bump(byStepAndLayer, where + "  ->  " + layer);
            bump(byStepAndTopFrame, where + "  ->  " + topFrame);
            bump(byStepAndCall, where + "  ->  " + (jdbcCall != null
                    ? jdbcCall + (statement != null ? " [" + statement + "]" : "")
                    : layer.equals("H2") ? "H2 (no JDBC frame: background writer)" : layer));
            bump(topStacks, topStack.toString());
        }
    }

    /** Library of a frame, for the by-library tables. */
    static String layer(String method) {
        if (method.startsWith("org.h2.")) return "H2";
        if (method.startsWith("com.fasterxml.jackson.")) return "Jackson";
        if (method.startsWith("org.apache.camel.")) return "Camel";
        if (method.startsWith("org.apache.hc.")) return "Apache HttpClient 5";
        if (method.startsWith("no.ditiosync.")) return "application (no.ditiosync)";
        if (method.startsWith("ch.qos.logback.") || method.startsWith("org.slf4j.")) return "logging";
        if (method.startsWith("java.math.")) return "JDK java.math";
        if (method.startsWith("java.time.")) return "JDK java.time";
        if (method.startsWith("java.util.regex.")) return "JDK regex";
        if (method.startsWith("java.io.") || method.startsWith("java.nio.") || method.startsWith("sun.nio.")) return "JDK I/O";
        if (method.startsWith("java.net.") || method.startsWith("sun.net.")) return "JDK net";
        if (method.startsWith("java.") || method.startsWith("jdk.") || method.startsWith("sun.")) return "JDK other";
        return "other: " + method.substring(0, Math.max(0, nthDot(method, 3)));
    }

    /** Well-known frames that mark what a sample is doing, counted once per sample. */
    static String marker(String m) {
        if (m.startsWith("org.h2.command.dml.Merge.") || m.startsWith("org.h2.command.dml.MergeUsing.")) return "H2 MERGE";
        if (m.startsWith("org.h2.command.dml.Insert.")) return "H2 INSERT";
        if (m.startsWith("org.h2.command.dml.Update.")) return "H2 UPDATE";
        if (m.startsWith("org.h2.command.query.Select.")) return "H2 SELECT";
        if (m.startsWith("org.h2.command.CommandContainer.executeUpdate")) return "H2 executeUpdate (any DML)";
        if (m.startsWith("org.h2.jdbc.JdbcPreparedStatement.executeBatch")) return "JDBC executeBatch";
        if (m.startsWith("org.h2.jdbc.JdbcConnection.commit")) return "JDBC commit";
        if (m.startsWith("org.h2.mvstore.MVStore.store") || m.startsWith("org.h2.mvstore.MVStore.commit")
                || m.startsWith("org.h2.mvstore.MVStore.writeInBackground")) return "H2 MVStore store/commit (page writes)";
        if (m.startsWith("org.h2.mvstore.FileStore") || m.startsWith("org.h2.mvstore.RandomAccessStore")
                || m.startsWith("org.h2.mvstore.SingleFileStore")) return "H2 FileStore";
        if (m.startsWith("org.h2.")) return "H2 (any)";
        if (m.startsWith("org.apache.camel.processor.MulticastProcessor") || m.startsWith("org.apache.camel.processor.Splitter"))
            return "Camel split (Splitter/Multicast)";
        if (m.startsWith("org.apache.camel.component.bean.")) return "Camel bean invocation";
        if (m.startsWith("org.apache.camel.component.http.HttpProducer.process")) return "Camel HTTP producer (page GET)";
        if (m.startsWith("org.apache.camel.processor.LoopProcessor")) return "Camel loop";
        if (m.startsWith("org.apache.camel.language.simple.") || m.startsWith("org.apache.camel.support.builder.ExpressionBuilder"))
            return "Camel simple language";
        if (m.startsWith("org.apache.camel.support.TypeConverter") || m.startsWith("org.apache.camel.impl.converter."))
            return "Camel type conversion";
        if (m.startsWith("org.apache.camel.")) return "Camel (any)";
        if (m.startsWith("org.apache.hc.")) return "Apache HttpClient 5 (any)";
        if (m.startsWith("com.fasterxml.jackson.databind.")) return "Jackson databind";
        if (m.startsWith("com.fasterxml.jackson.core.")) return "Jackson core (tokenizer)";
        if (m.startsWith("ch.qos.logback.")) return "logging";
        if (m.startsWith("java.math.BigDecimal")) return "BigDecimal";
        return null;
    }

    static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    static void bump(Map<String, Integer> m, String key) {
        m.merge(key, 1, Integer::sum);
    }

    static int nthDot(String s, int n) {
        int at = -1;
        for (int i = 0; i < n; i++) {
            int next = s.indexOf('.', at + 1);
            if (next < 0) {
                return s.length();
            }
            at = next;
        }
        return at;
    }

    static void section(String title, Map<String, Integer> counts, int total, int top) {
        System.out.println();
        System.out.println(title + ":");
        if (total == 0) {
            System.out.println("  (no samples)");
            return;
        }
        List<Map.Entry<String, Integer>> rows = new ArrayList<>(counts.entrySet());
        rows.sort((a, b) -> b.getValue() - a.getValue());
        Map<String, Integer> shown = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> r : rows.subList(0, Math.min(top, rows.size()))) {
            shown.put(r.getKey(), r.getValue());
        }
        shown.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %5.1f%%  %6d  %s%n", 100.0 * v / total, v, k));
    }
}
