package dev.forensics.cli;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import dev.forensics.report.Json;
import dev.forensics.report.Printable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The JVMs of this user (all of them for root), with the forensics agent marked. It never attaches: it reads what
 * jps reads plus {@code /proc} (the JDK's release file, the agent jar and journal the JVM holds open, the manifest of
 * the jar a {@code java -jar} JVM runs), so listing cannot disturb a JVM.
 */
@Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description = {
            "Lists the JVMs on this machine that you may attach to (pid, main class or jar with its Start-Class, uptime, JDK version) and "
                    + "marks those that run the forensics agent, with its version and output directory. Never attaches to any JVM."
        })
final class ListCommand implements Callable<Integer> {
    @Parameters(
            arity = "0..1",
            paramLabel = "<filter>",
            description = "Only JVMs whose pid, main class / jar or Start-Class contains this text.")
    String filter;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    record Row(long pid, String main, String startClass, Long uptimeSeconds, String jdk, Proc.Agent agent) {}

    /** How long one JVM's open files may take to read; past it, the JVM is listed with its agent unknown. */
    static final long AGENT_LOOKUP_NANOS = 2_000_000_000L;

    static final Proc.Agent UNKNOWN = new Proc.Agent("?", java.nio.file.Paths.get("?"), null);

    /**
     * A look at another process's files ({@link Proc#agent}, {@link Proc#javaVersion}) on a thread of its own, given a
     * time limit: a file a JVM holds open, or its JDK's release file, can be replaced by a FIFO whose open blocks for
     * ever, and one such JVM must not hang the whole listing. A stuck thread is a daemon and ends with the command.
     */
    static <T> T within(java.util.concurrent.Callable<T> look, String name, long nanos, T onTimeout) {
        java.util.concurrent.FutureTask<T> lookup = new java.util.concurrent.FutureTask<>(look);
        Thread t = new Thread(lookup, "forensics-list-" + name);
        t.setDaemon(true);
        t.start();
        try {
            return lookup.get(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return onTimeout;
        } catch (java.util.concurrent.ExecutionException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return onTimeout;
        }
    }

    @Override
    public Integer call() {
        List<Row> rows = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        for (VirtualMachineDescriptor d : VirtualMachine.list()) {
            long pid;
            try {
                pid = Long.parseLong(d.id());
            } catch (NumberFormatException e) {
                continue;
            }
            if (pid == self) {
                continue;
            }
            JvmNames.Names names = JvmNames.of(pid, d.displayName());
            if (filter != null
                    && !d.id().contains(filter)
                    && !names.main().contains(filter)
                    && (names.startClass() == null || !names.startClass().contains(filter))) {
                continue;
            }
            Long uptime = ProcessHandle.of(pid)
                    .flatMap(p -> p.info().startInstant())
                    .map(s -> Duration.between(s, Instant.now()).toSeconds())
                    .orElse(null);
            String jdk = within(() -> Proc.javaVersion(pid), "jdk-" + pid, AGENT_LOOKUP_NANOS, null);
            rows.add(new Row(
                    pid,
                    names.main().isEmpty() ? "?" : names.main(),
                    names.startClass(),
                    uptime,
                    jdk,
                    within(() -> Proc.agent(pid), "agent-" + pid, AGENT_LOOKUP_NANOS, UNKNOWN)));
        }
        rows.sort(Comparator.comparingLong(Row::pid));
        if (json) {
            List<Object> list = new ArrayList<>();
            for (Row r : rows) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("pid", r.pid());
                m.put("main", r.main());
                m.put("startClass", r.startClass());
                m.put("uptimeSeconds", r.uptimeSeconds());
                m.put("jdk", r.jdk());
                if (r.agent() == null) {
                    m.put("agent", null);
                } else if (r.agent() == UNKNOWN) {
                    m.put("agent", "unknown");
                } else {
                    Map<String, Object> a = new LinkedHashMap<>();
                    a.put("version", r.agent().version());
                    a.put("jar", r.agent().jar().toString());
                    a.put(
                            "dir",
                            r.agent().dir() == null ? null : r.agent().dir().toString());
                    m.put("agent", a);
                }
                list.add(m);
            }
            System.out.println(Json.write(list));
            return ExitCodes.OK;
        }
        if (rows.isEmpty()) {
            System.out.println(
                    "no JVMs" + (filter == null ? "" : " matching '" + filter + "'") + " that this user may attach to");
            return ExitCodes.OK;
        }
        String format = "%-8s %-9s %-12s %-40s %s%n";
        System.out.printf(format, "PID", "UPTIME", "JDK", "FORENSICS", "MAIN");
        for (Row r : rows) {
            String agent = r.agent() == null
                    ? "-"
                    : r.agent() == UNKNOWN
                            ? "? (its open files could not be read in time)"
                            : r.agent().version()
                                    + (r.agent().dir() == null
                                            ? ""
                                            : " " + r.agent().dir());
            // main and Start-Class come from the target's command line and jar: another user's text, escaped
            System.out.printf(
                    format,
                    r.pid(),
                    r.uptimeSeconds() == null ? "?" : uptime(r.uptimeSeconds()),
                    r.jdk() == null ? "?" : Printable.line(r.jdk()),
                    agent,
                    Printable.line(
                            r.startClass() == null
                                    ? String.valueOf(r.main())
                                    : r.main() + " (" + r.startClass() + ")"));
        }
        return ExitCodes.OK;
    }

    static String uptime(long s) {
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + (s % 60) + "s";
        }
        if (s < 86400) {
            return (s / 3600) + "h" + (s % 3600 / 60) + "m";
        }
        return (s / 86400) + "d" + (s % 86400 / 3600) + "h";
    }
}
