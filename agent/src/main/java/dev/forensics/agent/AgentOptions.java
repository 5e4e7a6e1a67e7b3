package dev.forensics.agent;

import dev.forensics.blackbox.BoxSettings;
import dev.forensics.environment.Sources;
import dev.forensics.leak.LeakSettings;
import dev.forensics.pipe.PipeSettings;
import dev.forensics.termination.TerminationSettings;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The agent's option string, {@code key=value,key=value}, the same at start-up and at attach. Parsing never
 * throws: a bad key or value is kept as a problem (named in one stderr line by the caller) and the option keeps
 * its default, so a typo costs the user one feature at most, never the application.
 *
 * <p>Each option is declared once, in {@link #SPECS} (key, default, values, meaning), and read once, here, into the
 * typed settings of the feature it belongs to ({@link #leaks()}, {@link #pipes()}, …): feature code never sees an
 * option string, and a default lives nowhere else. The README's and {@code docs/options.md}'s tables are checked
 * against {@link #SPECS} by a test.
 */
public final class AgentOptions {

    /** One documented option: its key, default and meaning. README's and docs/options.md's options tables list exactly these. */
    public record Spec(String key, String defaultValue, String values, String meaning) {}

    public static final List<Spec> SPECS = List.of(
            new Spec(
                    "dir",
                    "./forensics, else <tmp>/forensics-<user>",
                    "path",
                    "Output directory for the journal, last words and black box; created owner-only (0700)."),
            new Spec(
                    "log",
                    "auto",
                    "auto|slf4j|stderr|off",
                    "Where one-line findings go besides the journal and JFR: the application's SLF4J logger `forensics` "
                            + "when any of its class loaders has one (auto), always stderr, or nowhere."),
            new Spec(
                    "redact",
                    "true",
                    "true|false",
                    "Redact URL userinfo and query values, auth headers and secret-looking command-line arguments."),
            new Spec(
                    "termination",
                    "on",
                    "on|off",
                    "Signal sender, exit/halt caller, shutdown-hook and last-words capture."),
            new Spec(
                    "terminationLog",
                    "/dev/termination-log",
                    "path|off",
                    "Where the one-paragraph verdict (at most 4 KB) is also written at death, only if that file exists: "
                            + "Kubernetes shows it as the container's termination message."),
            new Spec(
                    "journalMaxBytes",
                    "16m",
                    "size (k, m, g suffix) from 4k to 1024g",
                    "Cap on the journal file; past it one last line says so and the journal stops growing."),
            new Spec(
                    "journalFormat",
                    "text",
                    "text|json",
                    "The journal as text lines, or as JSON lines (one object per line, fields as in docs/journal.schema.json) for Fluent Bit, Vector or Filebeat."),
            new Spec(
                    "otelLogs",
                    "on",
                    "on|off",
                    "Findings also as OpenTelemetry log records (attributes forensics.*) once the application has set GlobalOpenTelemetry; nothing without it."),
            new Spec(
                    "status",
                    "problems",
                    "problems|always",
                    "When the start-up self-check is printed on stderr: only when a hook is missing (default) or always."),
            new Spec(
                    "commands",
                    "on",
                    "on|off",
                    "Answer the forensics CLI (status, report, doctor, jfr) through owner-only request files in dir/requests; "
                            + "one idle thread. off: the CLI can still see the agent but gets no answers."),
            new Spec(
                    "blackbox",
                    "on",
                    "on|off",
                    "Keep black-box-<pid>.txt in dir (heartbeat, memory counters) and report at the next start a run that died without last words."),
            new Spec(
                    "heartbeat",
                    "5s",
                    "duration (ms, s, m) from 1s to 10m",
                    "How often the black box is rewritten; also how precisely a silent death is dated."),
            new Spec(
                    "doctor",
                    "on",
                    "on|off",
                    "Check the environment at start-up (session scope, terminal, systemd unit, container PID 1, JVM flags, logging, Kubernetes) and report risks."),
            new Spec(
                    "envRoot",
                    "/",
                    "path",
                    "Directory the doctor and the black box read system files under (/proc, /sys/fs/cgroup, /etc/systemd …); for tests and copied environments."),
            new Spec(
                    "unitPath",
                    "systemd's search path",
                    "directories separated by ':'",
                    "Where the doctor looks for the systemd unit file and its drop-ins, instead of systemd's standard directories (resolved under envRoot)."),
            new Spec(
                    "pipes",
                    "on",
                    "on|off",
                    "Failed socket, SocketChannel and TLS writes per peer and site, and broken-pipe loop verdicts."),
            new Spec(
                    "stdstreams",
                    "on",
                    "on|off",
                    "Report once when writes to stdout or stderr start failing (reader of a pipe gone, terminal hung up)."),
            new Spec(
                    "pipeLoopFailures",
                    "20",
                    "integer 1..1000000",
                    "A site writing to one peer is a broken-pipe loop when more writes than this fail within pipeLoopWindow."),
            new Spec(
                    "pipeLoopWindow",
                    "10s",
                    "duration 100ms..1h",
                    "The window for pipeLoopFailures; a loop with no failed write for a whole window is closed with its totals."),
            new Spec(
                    "leaks",
                    "on",
                    "on|off",
                    "Track HTTP response bodies (JDK HttpClient, HttpURLConnection, Apache HttpClient 4/5, OkHttp 4/5, Jetty 12 HttpClient, Reactor Netty and Spring WebClient) and report leaked ones."),
            new Spec(
                    "leakStacks",
                    "0.1%",
                    "always|never|N/s|P%",
                    "Which tracked bodies get their origin stack: as many as fit in P% of wall-clock time, at most N per second, every one (debugging), or none."),
            new Spec(
                    "appPackages",
                    "judged by code source",
                    "package prefixes separated by ','",
                    "The application's packages: the first frame in one of them heads a finding, instead of the first frame loaded from the application's own classes or jar."),
            new Spec(
                    "leakHeldAfter",
                    "5m",
                    "duration (ms, s, m, h) from 100ms to 1000h",
                    "A body open longer than this is reported as held too long; withdrawn with a note if closed later."),
            new Spec(
                    "leakMaxOpen",
                    "50000",
                    "integer >= 100",
                    "Cap on open bodies tracked at once; bodies beyond it are counted as untracked, never stored."),
            new Spec(
                    "healthPeriod",
                    "10s",
                    "duration from 100ms to 1000h|off",
                    "How often open bodies, threads, file descriptors and CLOSE_WAIT sockets are sampled (journal on growth, MBean)."),
            new Spec(
                    "metrics",
                    "on",
                    "on|off",
                    "Publish the agent's figures as meters (forensics.*) through the application's Micrometer global registry and its "
                            + "OpenTelemetry GlobalOpenTelemetry, when the application has them (found reflectively, never bundled)."));

    /** Options whose default is worked out at run time; their {@link Spec#defaultValue} says how, in words. */
    private static final List<String> COMPUTED_DEFAULTS = List.of("dir", "appPackages", "unitPath");

    /** The longest leakHeldAfter and healthPeriod: past it a value is a typo, not a wish. */
    static final Duration MAX_PERIOD = Duration.ofHours(1000);

    static final long MAX_JOURNAL_BYTES = 1024L * 1024 * 1024 * 1024;

    private final Map<String, String> values;
    private final List<String> problems;

    private AgentOptions(Map<String, String> values, List<String> problems) {
        this.values = values;
        this.problems = problems;
    }

    public static AgentOptions defaults() {
        return parse(null);
    }

    public static AgentOptions parse(String raw) {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        if (raw != null && !raw.isBlank()) {
            String previous = null;
            for (String part : raw.split(",")) {
                String item = part.trim();
                if (item.isEmpty()) {
                    continue;
                }
                int eq = item.indexOf('=');
                if (eq < 0
                        && "appPackages".equals(previous)
                        && values.containsKey(previous)
                        && validate(previous, item) == null) {
                    values.put(previous, values.get(previous) + "," + item); // appPackages=com.acme,org.example
                    continue;
                }
                previous = eq < 0 ? null : item.substring(0, eq).trim();
                String key = eq < 0 ? item : item.substring(0, eq).trim();
                String value = eq < 0 ? null : item.substring(eq + 1).trim();
                Spec spec = spec(key);
                if (spec == null) {
                    problems.add("unknown option '" + key + "'");
                } else if (value == null || value.isEmpty()) {
                    problems.add("option '" + key + "' needs a value (" + spec.values() + ")");
                } else {
                    String error;
                    try {
                        error = validate(key, value);
                    } catch (
                            RuntimeException
                                    e) { // a value no check foresaw: the option's default, never the agent's end
                        error = "cannot use '" + value + "' (" + e + ")";
                    }
                    if (error != null) {
                        problems.add("bad value for '" + key + "': " + error);
                    } else {
                        values.put(key, value);
                    }
                }
            }
        }
        return new AgentOptions(values, Collections.unmodifiableList(problems));
    }

    /** Problems found while parsing; empty when the string was clean. */
    public List<String> problems() {
        return problems;
    }

    /** The single stderr line for all problems, or null when there are none. */
    public String problemLine() {
        if (problems.isEmpty()) {
            return null;
        }
        return "forensics: ignoring " + String.join("; ", problems)
                + " (the agent runs with defaults for these; options: " + keys() + ")";
    }

    public Path dir() {
        String d = values.get("dir");
        return d == null ? null : Paths.get(d);
    }

    public boolean dirGiven() {
        return values.containsKey("dir");
    }

    public String log() {
        return value("log");
    }

    public boolean redact() {
        return Boolean.parseBoolean(value("redact"));
    }

    /** Whether an on/off option is on. */
    public boolean feature(String key) {
        return "on".equals(value(key));
    }

    public long journalMaxBytes() {
        return parseSize(value("journalMaxBytes"));
    }

    /** Whether the health figures are sampled ({@code healthPeriod} not off), which needs the leak feature's watcher. */
    public boolean healthSampled() {
        return !"off".equals(value("healthPeriod"));
    }

    /** The leak feature and the health sampler. Loads the leak package: ask only when one of the two runs. */
    public LeakSettings leaks() {
        String period = value("healthPeriod");
        String stacks = value("leakStacks");
        if (!LeakSettings.validStacks(stacks)) { // a value validation let through that the sampler refuses: the default
            stacks = spec("leakStacks").defaultValue();
        }
        return new LeakSettings(
                feature("leaks"),
                stacks,
                value("appPackages"),
                parseDuration(value("leakHeldAfter")),
                "off".equals(period) ? null : parseDuration(period),
                Integer.parseInt(value("leakMaxOpen")),
                feature("termination"),
                feature("metrics"));
    }

    /** Broken-pipe loops and broken standard streams. */
    public PipeSettings pipes() {
        return new PipeSettings(
                feature("pipes"),
                feature("stdstreams"),
                Integer.parseInt(value("pipeLoopFailures").trim()),
                parseDuration(value("pipeLoopWindow")),
                feature("metrics"));
    }

    /** Where the doctor, the black box and the verdict read the environment. */
    public Sources sources() {
        String unitPath = value("unitPath");
        return new Sources(value("envRoot"), unitPath == null ? null : Arrays.asList(unitPath.split(":")));
    }

    public TerminationSettings termination() {
        String log = value("terminationLog");
        return new TerminationSettings("off".equals(log) ? null : Paths.get(log), sources());
    }

    public BoxSettings blackbox() {
        return new BoxSettings(
                feature("blackbox"),
                feature("doctor"),
                feature("termination"),
                parseDuration(value("heartbeat")),
                sources());
    }

    public boolean journalJson() {
        return "json".equals(value("journalFormat"));
    }

    public boolean statusAlways() {
        return "always".equals(values.get("status"));
    }

    /** The options that were given and accepted, {@code key=value,…}; empty when everything is default. */
    public String given() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : values.entrySet()) {
            sb.append(sb.length() == 0 ? "" : ",")
                    .append(e.getKey())
                    .append('=')
                    .append(e.getValue());
        }
        return sb.toString();
    }

    /** The value given for a key, or null when it was not given. */
    public String raw(String key) {
        return values.get(key);
    }

    /**
     * The value given for a key, else its declared default; null for a default worked out at run time
     * ({@code dir}, {@code appPackages}, {@code unitPath}) when none was given. Given values are validated already.
     */
    String value(String key) {
        String v = values.get(key);
        if (v != null) {
            return v;
        }
        Spec spec = spec(key);
        if (spec == null) {
            throw new IllegalArgumentException("no option " + key);
        }
        return COMPUTED_DEFAULTS.contains(key) ? null : spec.defaultValue();
    }

    private static Spec spec(String key) {
        for (Spec s : SPECS) {
            if (s.key().equals(key)) {
                return s;
            }
        }
        return null;
    }

    private static String keys() {
        StringBuilder sb = new StringBuilder();
        for (Spec s : SPECS) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(s.key());
        }
        return sb.toString();
    }

    private static String validate(String key, String value) {
        switch (key) {
            case "redact":
                return oneOf(value, "true", "false");
            case "journalFormat":
                return oneOf(value, "text", "json");
            case "termination":
            case "otelLogs":
            case "commands":
            case "blackbox":
            case "doctor":
                return oneOf(value, "on", "off");
            case "heartbeat": {
                Duration d = parseDuration(value);
                return d == null || d.toMillis() < 1000 || d.toMillis() > 600_000
                        ? "expected a duration from 1s to 10m such as 5s, got '" + value + "'"
                        : null;
            }
            case "envRoot":
            case "unitPath":
                for (String part : value.split(":")) {
                    try {
                        if (!Paths.get(part).isAbsolute()) {
                            return "expected absolute paths, got '" + part + "'";
                        }
                    } catch (RuntimeException e) {
                        return "not a path: '" + part + "'";
                    }
                }
                return null;
            case "pipes":
            case "stdstreams":
            case "metrics":
                return oneOf(value, "on", "off");
            case "pipeLoopFailures":
                return intIn(value, 1, 1_000_000);
            case "pipeLoopWindow": {
                Duration d = parseDuration(value);
                return d == null || d.toMillis() < 100 || d.compareTo(Duration.ofHours(1)) > 0
                        ? "expected a duration from 100ms to 1h such as 500ms, 10s or 2m, got '" + value + "'"
                        : null;
            }
            case "leaks":
                return oneOf(value, "on", "off");
            case "leakStacks":
                return value.equals("always")
                                || value.equals("never")
                                || value.matches("[1-9][0-9]{0,6}/s")
                                || (value.matches("[0-9]{1,3}(\\.[0-9]{1,3})?%")
                                        && Double.parseDouble(value.substring(0, value.length() - 1)) > 0
                                        && Double.parseDouble(value.substring(0, value.length() - 1)) <= 100)
                        ? null
                        : "expected always, never, a rate such as 100/s or a time share such as 0.5%, got '" + value
                                + "'";
            case "appPackages":
                for (String p : value.split(",")) {
                    if (!p.trim().matches("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*\\.?")) {
                        return "expected package prefixes such as com.acme,org.example, got '" + value + "'";
                    }
                }
                return null;
            case "leakHeldAfter": {
                Duration d = parseDuration(value);
                return d == null || d.toMillis() < 100 || d.compareTo(MAX_PERIOD) > 0
                        ? "expected a duration from 100ms to 1000h such as 30s or 5m, got '" + value + "'"
                        : null;
            }
            case "healthPeriod": {
                if (value.equals("off")) {
                    return null;
                }
                Duration d = parseDuration(value);
                return d == null || d.toMillis() < 100 || d.compareTo(MAX_PERIOD) > 0
                        ? "expected off or a duration from 100ms to 1000h such as 10s, got '" + value + "'"
                        : null;
            }
            case "leakMaxOpen":
                try {
                    return Integer.parseInt(value) >= 100
                            ? null
                            : "expected an integer of at least 100, got '" + value + "'";
                } catch (NumberFormatException e) {
                    return "expected an integer of at least 100, got '" + value + "'";
                }
            case "log":
                return oneOf(value, "auto", "slf4j", "stderr", "off");
            case "status":
                return oneOf(value, "problems", "always");
            case "journalMaxBytes": {
                long size = parseSize(value);
                return size < 4096 || size > MAX_JOURNAL_BYTES
                        ? "expected a size from 4k to 1024g such as 512k or 16m, got '" + value + "'"
                        : null;
            }
            case "terminationLog":
                if (value.equals("off")) {
                    return null;
                }
            // fall through: a path
            case "dir":
                try {
                    Paths.get(value);
                    return null;
                } catch (RuntimeException e) {
                    return "not a path: '" + value + "'";
                }
            default:
                return null;
        }
    }

    private static String intIn(String value, int min, int max) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min && n <= max) {
                return null;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        return "expected a whole number from " + min + " to " + max + ", got '" + value + "'";
    }

    private static String oneOf(String value, String... allowed) {
        for (String a : allowed) {
            if (a.equals(value)) {
                return null;
            }
        }
        return "expected one of " + String.join("|", allowed) + ", got '" + value + "'";
    }

    /** Parses sizes such as 4096, 512k, 16m; returns -1 when it is not a size or does not fit in a long. */
    static long parseSize(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (v.endsWith("k")) {
            unit = 1024;
        } else if (v.endsWith("m")) {
            unit = 1024 * 1024;
        } else if (v.endsWith("g")) {
            unit = 1024L * 1024 * 1024;
        }
        if (unit != 1) {
            v = v.substring(0, v.length() - 1);
        }
        try {
            long n = Long.parseLong(v);
            return n < 0 ? -1 : Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            return -1;
        }
    }

    /**
     * Parses durations such as 500ms, 30s, 5m; returns null when it is not a duration, or one too long to count in
     * nanoseconds (about 292 years): every caller converts with toNanos or toMillis, which would throw.
     */
    public static Duration parseDuration(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            Duration d;
            if (v.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            } else if (v.endsWith("s")) {
                d = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            } else if (v.endsWith("m")) {
                d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            } else if (v.endsWith("h")) {
                d = Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
            } else {
                d = Duration.ofMillis(Long.parseLong(v));
            }
            d.toNanos(); // throws past Long.MAX_VALUE nanoseconds
            return d;
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
    }
}
