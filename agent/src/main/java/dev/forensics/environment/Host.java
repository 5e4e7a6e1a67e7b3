package dev.forensics.environment;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The machine as the doctor and the black box see it: system paths ({@code /proc}, {@code /sys/fs/cgroup},
 * {@code /etc/systemd} …) resolved under a root that tests point at fixtures copied from real systems, and the
 * process environment as a map that tests replace. Every read is bounded and returns null instead of throwing,
 * because a missing or odd file on some host must never cost the application its start-up.
 */
public final class Host {
    /** Enough for the largest file we read (mountinfo on a busy Kubernetes node); anything longer is cut. */
    static final int MAX_READ = 256 * 1024;

    private final Path root;
    private final Map<String, String> env;

    public Host(Path root, Map<String, String> env) {
        this.root = root == null ? Paths.get("/") : root.toAbsolutePath().normalize();
        this.env = env == null ? Map.of() : Collections.unmodifiableMap(env);
    }

    /** The real machine, or the copy under {@code envRoot} when that option is given. */
    public static Host current(String envRoot) {
        return new Host(envRoot == null || envRoot.isEmpty() ? Paths.get("/") : Paths.get(envRoot), System.getenv());
    }

    public Path root() {
        return root;
    }

    public boolean isRealRoot() {
        return root.getParent() == null;
    }

    public Map<String, String> env() {
        return env;
    }

    public String env(String key) {
        return env.get(key);
    }

    /**
     * The environment of a process: ours from the map this host was made with (tests replace it), another
     * process's from /proc/pid/environ (readable for our own user's processes only).
     */
    public Map<String, String> envOf(String pid) {
        if ("self".equals(pid)) {
            return env;
        }
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String kv : nulSeparated("/proc/" + pid + "/environ")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                out.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return out;
    }

    /** An absolute system path ("/proc/self/cgroup") under the root. */
    public Path path(String absolute) {
        String rel = absolute.startsWith("/") ? absolute.substring(1) : absolute;
        return rel.isEmpty() ? root : root.resolve(rel);
    }

    /** The system path a file under the root stands for: the inverse of {@link #path}. */
    public String systemPath(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        if (!abs.startsWith(root)) {
            return abs.toString();
        }
        return "/" + root.relativize(abs).toString();
    }

    public boolean exists(String absolute) {
        try {
            return Files.exists(path(absolute));
        } catch (RuntimeException e) {
            return false;
        }
    }

    public boolean isDirectory(String absolute) {
        try {
            return Files.isDirectory(path(absolute));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The file's text (at most {@value #MAX_READ} bytes), or null when it is missing or unreadable. */
    public String read(String absolute) {
        return read(path(absolute));
    }

    public static String read(Path file) {
        byte[] bytes = readBytes(file);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** /proc files report size 0, so this reads to EOF rather than trusting the size. Read-only, so links are followed. */
    static byte[] readBytes(Path file) {
        // FileInputStream, not Files.newInputStream: fewer layers for the few small files read on every heartbeat.
        try (InputStream in = new FileInputStream(file.toFile())) {
            return in.readNBytes(MAX_READ);
        } catch (IOException | RuntimeException e) {
            return null; // missing, a directory, unreadable
        }
    }

    /** The file's first line, trimmed, or null. */
    public String firstLine(String absolute) {
        String s = read(absolute);
        if (s == null) {
            return null;
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }

    /** The file's lines, or an empty list when it is missing. */
    public List<String> lines(String absolute) {
        String s = read(absolute);
        if (s == null || s.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String l : s.split("\n", -1)) {
            if (!l.isEmpty()) {
                out.add(l);
            }
        }
        return out;
    }

    /** A NUL-separated file (/proc/pid/cmdline, /proc/pid/environ) as its items. */
    public List<String> nulSeparated(String absolute) {
        byte[] bytes = readBytes(path(absolute));
        if (bytes == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == 0) {
                if (i > start) {
                    out.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return out;
    }

    /**
     * "key value" or "key: value" lines (/proc/vmstat, memory.events, /proc/self/status) → the value of key. Scans
     * with indexOf rather than splitting: /proc/vmstat has some 170 lines and this runs on every heartbeat.
     */
    public static String field(String text, String key) {
        if (text == null) {
            return null;
        }
        int from = 0;
        while (true) {
            int i = text.indexOf(key, from);
            if (i < 0) {
                return null;
            }
            int after = i + key.length();
            if ((i == 0 || text.charAt(i - 1) == '\n') && after < text.length()) {
                char c = text.charAt(after);
                if (c == ' ' || c == '\t' || c == ':') {
                    int end = text.indexOf('\n', after);
                    String v = text.substring(after + 1, end < 0 ? text.length() : end)
                            .trim();
                    return v.startsWith(":") ? v.substring(1).trim() : v;
                }
            }
            from = after;
        }
    }

    public static long parseLong(String s, long otherwise) {
        if (s == null) {
            return otherwise;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }
}
