package dev.forensics.agent;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One request from the forensics CLI to a running agent, {@code command=report;format=json}: the private protocol
 * of the request files in {@code dir/requests}. These are not agent options (nobody writes them after
 * {@code -javaagent:}), so they have their own small parser here rather than rows in {@link AgentOptions#SPECS};
 * the CLI builds and validates requests with this same class, and the agent validates again and answers a bad
 * request with an error instead of acting on it. Depends on nothing but the JDK, since the CLI bundles it.
 */
public record AgentCommand(String name, Map<String, String> args) {
    public static final List<String> NAMES = List.of("status", "report", "doctor", "jfr-start", "jfr-dump", "jfr-stop");

    /** First line of every answer; an error answer continues with a code and one line of explanation. */
    public static final String OK = "forensics-response ok";

    public static final String ERROR = "forensics-response error ";
    /** Error codes the agent answers with; the CLI maps each to an exit code. */
    public static final String BAD_REQUEST = "bad-request";

    public static final String UNAVAILABLE = "unavailable";
    public static final String NO_RECORDING = "no-recording";
    public static final String FAILED = "failed";

    static final int MAX_BYTES = 4096;
    static final Duration MAX_WAIT = Duration.ofSeconds(60);

    public AgentCommand {
        args = Collections.unmodifiableMap(new LinkedHashMap<>(args));
    }

    public static AgentCommand of(String name, String... keyValues) {
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            if (keyValues[i + 1] != null) {
                args.put(keyValues[i], keyValues[i + 1]);
            }
        }
        return new AgentCommand(name, args);
    }

    /** Parses and validates; the message of the exception is the one line the CLI or the agent shows. */
    public static AgentCommand parse(String raw) {
        String line = raw == null ? "" : raw.strip();
        if (line.length() > MAX_BYTES || line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a request is one line of at most " + MAX_BYTES + " characters");
        }
        if (!line.startsWith("command=")) {
            throw new IllegalArgumentException("a request starts with command=");
        }
        String name = null;
        Map<String, String> args = new LinkedHashMap<>();
        for (String item : line.split(";")) {
            int eq = item.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + item + "' is not key=value");
            }
            String key = item.substring(0, eq);
            String value = item.substring(eq + 1);
            if (key.equals("command")) {
                name = value;
            } else if (args.put(key, value) != null) {
                throw new IllegalArgumentException("'" + key + "' given twice");
            }
        }
        AgentCommand c = new AgentCommand(name, args);
        String problem = c.problem();
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return c;
    }

    /** What is wrong with this request, or null. */
    public String problem() {
        if (!NAMES.contains(name)) {
            return "unknown command '" + name + "' (known: " + String.join(" ", NAMES) + ")";
        }
        for (Map.Entry<String, String> e : args.entrySet()) {
            String v = e.getValue();
            if (v.indexOf(';') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
                return "'" + e.getKey() + "' may not contain ';' or a line break";
            }
            switch (e.getKey()) {
                case "format":
                    if (!v.equals("text") && !v.equals("json")) {
                        return "format is text or json, not '" + v + "'";
                    }
                    break;
                case "wait": {
                    Duration d = AgentOptions.parseDuration(v);
                    if (d == null || d.isNegative() || d.compareTo(MAX_WAIT) > 0) {
                        return "wait is a duration of at most 60s, not '" + v + "'";
                    }
                    break;
                }
                case "file":
                    if (!name.startsWith("jfr-")) {
                        return "file applies to jfr commands only";
                    }
                    try {
                        if (!Paths.get(v).isAbsolute()) {
                            return "file must be an absolute path, not '" + v + "'";
                        }
                    } catch (RuntimeException ex) {
                        return "file is not a path: '" + v + "'";
                    }
                    break;
                case "maxAge": {
                    Duration d = AgentOptions.parseDuration(v);
                    if (!name.equals("jfr-start") || d == null || d.compareTo(Duration.ofSeconds(1)) < 0) {
                        return "maxAge is a duration of at least 1s, for jfr-start only, not '" + v + "'";
                    }
                    break;
                }
                case "maxSize":
                    if (!name.equals("jfr-start") || AgentOptions.parseSize(v) < 1024 * 1024) {
                        return "maxSize is a size of at least 1m, for jfr-start only, not '" + v + "'";
                    }
                    break;
                default:
                    return "unknown key '" + e.getKey() + "'";
            }
        }
        return null;
    }

    public String format() {
        StringBuilder sb = new StringBuilder("command=").append(name);
        for (Map.Entry<String, String> e : args.entrySet()) {
            sb.append(';').append(e.getKey()).append('=').append(e.getValue());
        }
        return sb.toString();
    }

    public boolean json() {
        return "json".equals(args.get("format"));
    }

    public Duration waitFor(Duration dflt) {
        String w = args.get("wait");
        return w == null ? dflt : AgentOptions.parseDuration(w);
    }

    public Path file() {
        String f = args.get("file");
        return f == null ? null : Paths.get(f);
    }

    public Duration maxAge() {
        String v = args.get("maxAge");
        return v == null ? null : AgentOptions.parseDuration(v);
    }

    public long maxSize() {
        String v = args.get("maxSize");
        return v == null ? -1 : AgentOptions.parseSize(v);
    }
}
