package dev.forensics.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The one definition of the agent's meters: name, type, tags, and where each value is read from. The recorders
 * ({@code leak}, {@code pipe}, the agent) hand in their figures once; Micrometer and OpenTelemetry bindings read the same
 * definitions and pull values when their registry asks, so nothing is counted twice and nothing runs on a request.
 * A meter whose feature is off has no figures and is simply not there.
 */
public final class Meters {
    public enum Type {
        GAUGE,
        COUNTER
    }

    /** What a meter reads: every series it has now, as tag values (in the meter's tag order) and a value. */
    public interface Reading {
        void read(Series out);
    }

    /** Receives one series of a meter. */
    public interface Series {
        void value(long value, String... tagValues);
    }

    /** One meter. {@code dynamic}: its series (tag values) appear as they happen, so registries that need each one named are told again. */
    public record Meter(
            String name,
            Type type,
            String description,
            String unit,
            List<String> tags,
            boolean dynamic,
            Reading reading) {}

    /** The leak feature's figures, all read from counters it keeps anyway. */
    public interface LeakFigures {
        long open();

        /** Open tracked bodies by client, as of the watcher's last tick. */
        Map<String, Long> openByClient();

        /** GC-confirmed leaks by client and status class, keys {client, class}. */
        Map<List<String>, Long> leakedByClientAndStatus();

        long heldTooLong();

        long untracked();

        /** Health figures as the sampler sees them; negative when unknown. */
        long liveThreads();

        long openFileDescriptors();

        long closeWaitSockets();
    }

    /** Broken pipes and std streams. */
    public interface PipeFigures {
        /** Failed socket writes by kind (broken_pipe, reset, closed, other). */
        Map<String, Long> failedWrites();

        long loopsDetected();

        long loopsActive();

        /** 1 per broken std stream, by stream name (stdout, stderr). */
        Map<String, Long> brokenStdStreams();
    }

    /** The agent's own health. */
    public interface AgentFigures {
        long hooksActive();

        long hooksMissing();

        long suppressedErrors();
    }

    private static volatile LeakFigures leaks;
    private static volatile PipeFigures pipes;
    private static volatile AgentFigures agent;

    private Meters() {}

    public static void leaks(LeakFigures f) {
        leaks = f;
    }

    public static void pipes(PipeFigures f) {
        pipes = f;
    }

    public static void agent(AgentFigures f) {
        agent = f;
    }

    /** The meters whose figures exist, in a stable order. */
    public static List<Meter> all() {
        List<Meter> out = new ArrayList<>();
        LeakFigures l = leaks;
        if (l != null) {
            out.add(new Meter(
                    "forensics.response.bodies.open",
                    Type.GAUGE,
                    "HTTP response bodies obtained and not yet closed, by client",
                    "{body}",
                    List.of("client"),
                    true,
                    s -> {
                        Map<String, Long> by = l.openByClient();
                        for (Map.Entry<String, Long> e : by.entrySet()) {
                            s.value(e.getValue(), e.getKey());
                        }
                    }));
            out.add(new Meter(
                    "forensics.response.bodies.leaked",
                    Type.COUNTER,
                    "HTTP response bodies never closed and collected (GC-confirmed leaks), by client and status class",
                    "{body}",
                    List.of("client", "status"),
                    true,
                    s -> {
                        for (Map.Entry<List<String>, Long> e :
                                l.leakedByClientAndStatus().entrySet()) {
                            s.value(e.getValue(), e.getKey().get(0), e.getKey().get(1));
                        }
                    }));
            out.add(plain(
                    "forensics.response.bodies.held.too.long",
                    Type.COUNTER,
                    "HTTP response bodies reported open longer than leakHeldAfter",
                    "{body}",
                    s -> s.value(l.heldTooLong())));
            out.add(plain(
                    "forensics.response.bodies.untracked",
                    Type.COUNTER,
                    "HTTP response bodies not tracked because the table was full (leakMaxOpen)",
                    "{body}",
                    s -> s.value(l.untracked())));
            out.add(plain(
                    "forensics.jvm.threads.live",
                    Type.GAUGE,
                    "Live threads, as the forensics health sampler sees them",
                    "{thread}",
                    s -> known(s, l.liveThreads())));
            out.add(plain(
                    "forensics.process.fds.open",
                    Type.GAUGE,
                    "Open file descriptors of the process (/proc/self/fd)",
                    "{fd}",
                    s -> known(s, l.openFileDescriptors())));
            out.add(plain(
                    "forensics.sockets.close.wait",
                    Type.GAUGE,
                    "TCP sockets of the process in CLOSE_WAIT: the peer closed, this side never did",
                    "{socket}",
                    s -> known(s, l.closeWaitSockets())));
        }
        PipeFigures p = pipes;
        if (p != null) {
            out.add(new Meter(
                    "forensics.pipe.writes.failed",
                    Type.COUNTER,
                    "Socket writes that failed because the peer went away, by kind",
                    "{write}",
                    List.of("kind"),
                    false,
                    s -> {
                        for (Map.Entry<String, Long> e : p.failedWrites().entrySet()) {
                            s.value(e.getValue(), e.getKey());
                        }
                    }));
            out.add(plain(
                    "forensics.pipe.loops",
                    Type.COUNTER,
                    "Broken-pipe loops detected: one site writing again and again to a peer that left",
                    "{loop}",
                    s -> s.value(p.loopsDetected())));
            out.add(plain(
                    "forensics.pipe.loops.active",
                    Type.GAUGE,
                    "Broken-pipe loops still failing",
                    "{loop}",
                    s -> s.value(p.loopsActive())));
            out.add(new Meter(
                    "forensics.stdstreams.broken",
                    Type.GAUGE,
                    "1 when the standard stream's writes fail (its reader is gone)",
                    "{stream}",
                    List.of("stream"),
                    false,
                    s -> {
                        for (Map.Entry<String, Long> e : p.brokenStdStreams().entrySet()) {
                            s.value(e.getValue(), e.getKey());
                        }
                    }));
        }
        AgentFigures a = agent;
        if (a != null) {
            out.add(plain(
                    "forensics.agent.hooks.active",
                    Type.GAUGE,
                    "Agent hooks woven or ready for their class",
                    "{hook}",
                    s -> s.value(a.hooksActive())));
            out.add(plain(
                    "forensics.agent.hooks.missing",
                    Type.GAUGE,
                    "Agent hooks that matched nothing on this JVM or failed",
                    "{hook}",
                    s -> s.value(a.hooksMissing())));
            out.add(plain(
                    "forensics.agent.errors.suppressed",
                    Type.COUNTER,
                    "Errors inside the agent's hooks, swallowed (the feature is then off)",
                    "{error}",
                    s -> s.value(a.suppressedErrors())));
        }
        return Collections.unmodifiableList(out);
    }

    private static Meter plain(String name, Type type, String description, String unit, Reading reading) {
        return new Meter(name, type, description, unit, List.of(), false, reading);
    }

    private static void known(Series s, long v) {
        if (v >= 0) {
            s.value(v);
        }
    }

    private static final Map<String, String> CLIENT_TAGS = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A client's name as a tag: versions cut to their major ("Spring WebClient 6 on Reactor Netty 1", "OkHttp 4"), so a
     * patch upgrade does not start new series and the tag has as many values as there are clients, not releases.
     */
    public static String clientTag(String client) {
        if (client == null) {
            return "unknown";
        }
        String t = CLIENT_TAGS.get(client);
        if (t == null) {
            t = majorVersions(client);
            if (CLIENT_TAGS.size() < 256) {
                CLIENT_TAGS.put(client, t);
            }
        }
        return t;
    }

    /**
     * Every " 6.2.12"-like version cut to " 6": a space, digits, a dot and what follows of letters, digits, dots and
     * dashes. By hand, not by regex: this class loads in premain, and no regex engine is loaded there for the agent.
     */
    static String majorVersions(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int n = s.length();
        int i = 0;
        while (i < n) {
            if (s.charAt(i) == ' ' && i + 1 < n && digit(s.charAt(i + 1))) {
                int j = i + 1;
                while (j < n && digit(s.charAt(j))) {
                    j++;
                }
                out.append(s, i, j);
                if (j < n && s.charAt(j) == '.') {
                    j++;
                    while (j < n
                            && (digit(s.charAt(j))
                                    || letter(s.charAt(j))
                                    || s.charAt(j) == '.'
                                    || s.charAt(j) == '-')) {
                        j++;
                    }
                }
                i = j;
            } else {
                out.append(s.charAt(i++));
            }
        }
        return out.toString();
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean letter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    /** "2xx" … "5xx" for an HTTP status, "unknown" otherwise: the status tag never holds more than six values. */
    public static String statusClass(int status) {
        return status >= 100 && status < 600 ? (char) ('0' + status / 100) + "xx" : "unknown";
    }
}
