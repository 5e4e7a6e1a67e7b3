package dev.forensics.environment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A systemd service unit as systemd would load it: the first unit file on the search path, then its drop-ins
 * ({@code service.d/}, {@code name@.service.d/}, {@code name.service.d/}) applied in file-name order. Only the
 * [Service] settings that decide how the JVM is stopped and whether it comes back are kept.
 */
public final class SystemdUnit {
    /** systemd's system unit search path, highest priority first (systemd.unit(5)). */
    public static final List<String> SYSTEM_PATHS = List.of(
            "/etc/systemd/system.control",
            "/run/systemd/system.control",
            "/run/systemd/transient",
            "/run/systemd/generator.early",
            "/etc/systemd/system",
            "/etc/systemd/system.attached",
            "/run/systemd/system",
            "/run/systemd/system.attached",
            "/run/systemd/generator",
            "/usr/local/lib/systemd/system",
            "/usr/lib/systemd/system",
            "/lib/systemd/system",
            "/run/systemd/generator.late");

    static final long DEFAULT_TIMEOUT_STOP_MILLIS = 90_000;
    static final int MAX_DROP_INS = 64;

    private final String name;
    private final String file;
    private final List<String> dropIns;
    private final Map<String, List<String>> service;
    /** Every assignment in the order systemd applies them, for settings two keys write (TimeoutSec, TimeoutStopSec). */
    private final List<String[]> order;

    private SystemdUnit(
            String name, String file, List<String> dropIns, Map<String, List<String>> service, List<String[]> order) {
        this.name = name;
        this.file = file;
        this.dropIns = dropIns;
        this.service = service;
        this.order = order;
    }

    /** The user manager's search path for a user with this home directory and uid. */
    public static List<String> userPaths(String home, String uid) {
        List<String> out = new ArrayList<>();
        if (home != null) {
            out.add(home + "/.config/systemd/user.control");
        }
        if (uid != null) {
            out.add("/run/user/" + uid + "/systemd/user.control");
            out.add("/run/user/" + uid + "/systemd/transient");
        }
        if (home != null) {
            out.add(home + "/.config/systemd/user");
        }
        out.add("/etc/systemd/user");
        if (uid != null) {
            out.add("/run/user/" + uid + "/systemd/user");
        }
        out.add("/run/systemd/user");
        if (home != null) {
            out.add(home + "/.local/share/systemd/user");
        }
        out.add("/usr/local/lib/systemd/user");
        out.add("/usr/lib/systemd/user");
        return out;
    }

    /** Loads the unit from the search path, or returns null when no unit file exists there. */
    public static SystemdUnit find(Host host, String unitName, List<String> searchPaths) {
        String template = templateOf(unitName);
        String mainFile = null;
        String mainText = null;
        for (String dir : searchPaths) {
            for (String candidate : template == null ? List.of(unitName) : List.of(unitName, template)) {
                String text = host.read(dir + "/" + candidate);
                if (text != null) {
                    mainFile = dir + "/" + candidate;
                    mainText = text;
                    break;
                }
            }
            if (mainText != null) {
                break;
            }
        }
        if (mainText == null) {
            return null;
        }
        Map<String, List<String>> settings = new LinkedHashMap<>();
        List<String[]> order = new ArrayList<>();
        parseInto(mainText, settings, order);
        // Drop-ins with the same file name: the higher-priority directory wins; then all apply in name order.
        TreeMap<String, String> dropIns = new TreeMap<>();
        List<String> dirNames = new ArrayList<>(List.of("service.d"));
        if (template != null) {
            dirNames.add(template + ".d");
        }
        dirNames.add(unitName + ".d");
        for (String dirName : dirNames) {
            for (String dir : searchPaths) {
                Path d = host.path(dir + "/" + dirName);
                if (!Files.isDirectory(d)) {
                    continue;
                }
                try (Stream<Path> files = Files.list(d)) {
                    files.filter(p -> p.getFileName().toString().endsWith(".conf"))
                            .limit(MAX_DROP_INS)
                            .forEach(p -> dropIns.putIfAbsent(
                                    dirName + "/" + p.getFileName(), dir + "/" + dirName + "/" + p.getFileName()));
                } catch (Exception e) {
                    // an unreadable drop-in directory is skipped, as systemd would log and go on
                }
            }
        }
        // systemd orders drop-ins by file name across the directories, not by directory.
        TreeMap<String, String> byFileName = new TreeMap<>();
        for (Map.Entry<String, String> e : dropIns.entrySet()) {
            String fileName = e.getKey().substring(e.getKey().indexOf('/') + 1);
            byFileName.put(fileName + "\u0000" + e.getKey(), e.getValue());
        }
        List<String> applied = new ArrayList<>();
        for (String path : byFileName.values()) {
            String text = host.read(path);
            if (text != null) {
                parseInto(text, settings, order);
                applied.add(path);
            }
        }
        return new SystemdUnit(unitName, mainFile, applied, settings, order);
    }

    /** A unit from one file's text (no search path, no drop-ins): fixtures and tests of what systemd will do. */
    public static SystemdUnit parse(String unitName, String file, String text) {
        Map<String, List<String>> settings = new LinkedHashMap<>();
        List<String[]> order = new ArrayList<>();
        parseInto(text, settings, order);
        return new SystemdUnit(unitName, file, List.of(), settings, order);
    }

    /** "app@blue.service" → "app@.service"; null for a unit that is not a template instance. */
    static String templateOf(String unitName) {
        int at = unitName.indexOf('@');
        int dot = unitName.lastIndexOf('.');
        if (at < 0 || dot < at || at + 1 == dot) {
            return null;
        }
        return unitName.substring(0, at + 1) + unitName.substring(dot);
    }

    /** Parses the [Service] section into key → assignments in order (list settings need every one). */
    static void parseInto(String text, Map<String, List<String>> settings, List<String[]> order) {
        String section = "";
        StringBuilder logical = new StringBuilder();
        for (String raw : text.split("\n")) {
            String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
            if (logical.length() == 0) {
                String t = line.trim();
                if (t.isEmpty() || t.startsWith("#") || t.startsWith(";")) {
                    continue;
                }
            }
            if (line.endsWith("\\")) {
                logical.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            logical.append(line);
            String t = logical.toString().trim();
            logical.setLength(0);
            if (t.startsWith("[") && t.endsWith("]")) {
                section = t.substring(1, t.length() - 1);
                continue;
            }
            int eq = t.indexOf('=');
            if (eq <= 0 || !section.equals("Service")) {
                continue;
            }
            String key = t.substring(0, eq).trim();
            String value = t.substring(eq + 1).trim();
            settings.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
            order.add(new String[] {key, value});
        }
    }

    public String name() {
        return name;
    }

    /** The unit file as a system path. */
    public String file() {
        return file;
    }

    public List<String> dropIns() {
        return dropIns;
    }

    /** The last assignment of a single-valued setting, or null. */
    public String get(String key) {
        List<String> v = service.get(key);
        return v == null || v.isEmpty() ? null : v.get(v.size() - 1);
    }

    public String restart() {
        String r = get("Restart");
        return r == null || r.isEmpty() ? "no" : r.toLowerCase(Locale.ROOT);
    }

    public String killMode() {
        String k = get("KillMode");
        return k == null || k.isEmpty() ? "control-group" : k;
    }

    public String killSignal() {
        String k = get("KillSignal");
        return k == null || k.isEmpty() ? "SIGTERM" : normalize(k);
    }

    /**
     * The stop timeout in milliseconds: the last of TimeoutStopSec= and TimeoutSec= in file order, else the
     * manager's default; -1 for infinity ("infinity", or 0, which systemd also reads as no timeout here).
     */
    public long timeoutStopMillis(long managerDefault) {
        String v = null;
        for (String[] kv : order) {
            if (kv[0].equals("TimeoutStopSec") || kv[0].equals("TimeoutSec")) {
                v = kv[1];
            }
        }
        if (v == null || v.isEmpty()) {
            return managerDefault;
        }
        long ms = parseTimespanMillis(v);
        return ms == 0 ? -1 : ms == -2 ? managerDefault : ms;
    }

    /** DefaultTimeoutStopSec= of the manager (system.conf and its drop-ins), else systemd's 90 s. */
    public static long managerDefaultTimeoutStopMillis(Host host, boolean user) {
        String base = user ? "/etc/systemd/user.conf" : "/etc/systemd/system.conf";
        long result = DEFAULT_TIMEOUT_STOP_MILLIS;
        List<String> texts = new ArrayList<>();
        String main = host.read(base);
        if (main != null) {
            texts.add(main);
        }
        Path dropDir = host.path(base + ".d");
        if (Files.isDirectory(dropDir)) {
            try (Stream<Path> files = Files.list(dropDir)) {
                files.filter(p -> p.getFileName().toString().endsWith(".conf"))
                        .sorted()
                        .limit(MAX_DROP_INS)
                        .forEach(p -> {
                            String t = Host.read(p);
                            if (t != null) {
                                texts.add(t);
                            }
                        });
            } catch (Exception ignored) {
                // keep the defaults
            }
        }
        for (String t : texts) {
            for (String line : t.split("\n")) {
                String l = line.trim();
                if (l.startsWith("DefaultTimeoutStopSec=")) {
                    long ms = parseTimespanMillis(l.substring("DefaultTimeoutStopSec=".length()));
                    if (ms != -2) {
                        result = ms == 0 ? -1 : ms;
                    }
                }
            }
        }
        return result;
    }

    /**
     * A systemd time span (systemd.time(7)): "90", "90s", "1min 30s", "2h", "500ms", "infinity". Returns
     * milliseconds, -1 for infinity, -2 when it does not parse.
     */
    public static long parseTimespanMillis(String s) {
        String v = s.trim();
        if (v.equalsIgnoreCase("infinity")) {
            return -1;
        }
        double total = 0;
        int i = 0;
        boolean any = false;
        while (i < v.length()) {
            while (i < v.length() && v.charAt(i) == ' ') {
                i++;
            }
            int start = i;
            while (i < v.length() && (Character.isDigit(v.charAt(i)) || v.charAt(i) == '.')) {
                i++;
            }
            if (start == i) {
                return -2;
            }
            double n;
            try {
                n = Double.parseDouble(v.substring(start, i));
            } catch (NumberFormatException e) {
                return -2;
            }
            while (i < v.length() && v.charAt(i) == ' ') {
                i++;
            }
            int us = i;
            while (i < v.length() && Character.isLetter(v.charAt(i)) || i < v.length() && v.charAt(i) == 'µ') {
                i++;
            }
            double unit = unitMillis(v.substring(us, i));
            if (unit < 0) {
                return -2;
            }
            total += n * unit;
            any = true;
        }
        return any ? (long) total : -2;
    }

    private static double unitMillis(String u) {
        switch (u) {
            case "":
            case "s":
            case "sec":
            case "second":
            case "seconds":
                return 1000;
            case "us":
            case "usec":
            case "µs":
                return 0.001;
            case "ms":
            case "msec":
                return 1;
            case "m":
            case "min":
            case "minute":
            case "minutes":
                return 60_000;
            case "h":
            case "hr":
            case "hour":
            case "hours":
                return 3_600_000;
            case "d":
            case "day":
            case "days":
                return 86_400_000;
            case "w":
            case "week":
            case "weeks":
                return 7 * 86_400_000.0;
            case "M":
            case "month":
            case "months":
                return 30.44 * 86_400_000;
            case "y":
            case "year":
            case "years":
                return 365.25 * 86_400_000;
            default:
                return -1;
        }
    }

    /** An exit status list setting (SuccessExitStatus=…): every assignment merged, an empty one resets. */
    public Set<String> statusList(String key) {
        Set<String> out = new LinkedHashSet<>();
        List<String> assignments = service.get(key);
        if (assignments == null) {
            return out;
        }
        for (String a : assignments) {
            if (a.isEmpty()) {
                out.clear();
                continue;
            }
            for (String item : a.split("\\s+")) {
                if (!item.isEmpty()) {
                    out.add(normalize(item));
                }
            }
        }
        return out;
    }

    /** "143" stays, "TERM"/"sigterm" become "SIGTERM". */
    static String normalize(String status) {
        String s = status.trim().toUpperCase(Locale.ROOT);
        if (s.isEmpty() || Character.isDigit(s.charAt(0))) {
            return s;
        }
        return s.startsWith("SIG") ? s : "SIG" + s;
    }

    /** How the main process ended: an exit status, or the signal that killed it. */
    public record Exit(String label, String what, int code, String signal) {
        public static Exit code(String what, int code) {
            return new Exit(what, what, code, null);
        }

        public static Exit code(String label, String what, int code) {
            return new Exit(label, what, code, null);
        }

        public static Exit signal(String what, String signal) {
            return new Exit(what, what, -1, signal);
        }

        public static Exit signal(String label, String what, String signal) {
            return new Exit(label, what, -1, signal);
        }

        public String token() {
            return signal != null ? signal : Integer.toString(code);
        }
    }

    /** systemd's "clean" exits: status 0, SIGHUP, SIGINT, SIGTERM, SIGPIPE, plus SuccessExitStatus=. */
    public boolean isClean(Exit e) {
        if (statusList("SuccessExitStatus").contains(e.token())) {
            return true;
        }
        if (e.signal() != null) {
            return Set.of("SIGHUP", "SIGINT", "SIGTERM", "SIGPIPE").contains(e.signal());
        }
        return e.code() == 0;
    }

    /** Whether systemd restarts the unit after an exit it did not ask for, and the settings that decide it. */
    public record RestartDecision(boolean restarts, String because) {}

    /**
     * {@link #restartsAfter} with its reason in the words of the unit's own settings, e.g. "Restart=on-failure and
     * SuccessExitStatus=143 make this exit clean".
     */
    public RestartDecision restartDecision(Exit e) {
        String token = e.token();
        String what = e.signal() != null ? "death by " + e.signal() : "exit status " + e.code();
        if (statusList("RestartForceExitStatus").contains(token)) {
            return new RestartDecision(
                    true,
                    "RestartForceExitStatus=" + String.join(" ", statusList("RestartForceExitStatus")) + " includes "
                            + token);
        }
        if (statusList("RestartPreventExitStatus").contains(token)) {
            return new RestartDecision(
                    false,
                    "RestartPreventExitStatus=" + String.join(" ", statusList("RestartPreventExitStatus"))
                            + " includes " + token);
        }
        boolean clean = isClean(e);
        String restart = restart();
        String setting = get("Restart") == null ? "Restart= is not set (no)" : "Restart=" + restart;
        String cleanness;
        if (clean && statusList("SuccessExitStatus").contains(token)) {
            cleanness =
                    "SuccessExitStatus=" + String.join(" ", statusList("SuccessExitStatus")) + " make this exit clean";
        } else if (clean) {
            cleanness = what + " is a clean exit to systemd";
        } else {
            cleanness = what
                    + " is a failure to systemd (only 0, SIGHUP, SIGINT, SIGTERM, SIGPIPE and SuccessExitStatus= are clean)";
        }
        boolean restarts = restartsAfter(e);
        switch (restart) {
            case "always":
                return new RestartDecision(restarts, setting);
            case "on-success":
            case "on-failure":
                return new RestartDecision(restarts, setting + " and " + cleanness);
            case "on-abnormal":
            case "on-abort":
                return new RestartDecision(
                        restarts,
                        restarts
                                ? setting + " and " + what + " is an unclean signal"
                                : setting + " restarts only after an unclean signal"
                                        + (restart.equals("on-abnormal") ? ", a timeout or a watchdog" : "")
                                        + ", and this is " + (e.signal() != null ? what + ", a clean one" : what));
            case "on-watchdog":
                return new RestartDecision(false, setting + " restarts only after a watchdog timeout");
            default:
                return new RestartDecision(false, setting);
        }
    }

    /** RestartSec= as systemd writes it, or its default of 100ms. */
    public String restartSec() {
        String v = get("RestartSec");
        if (v == null || v.isEmpty()) {
            return "100ms (the default RestartSec=)";
        }
        return Character.isDigit(v.charAt(v.length() - 1)) ? v + "s" : v;
    }

    /**
     * Whether systemd restarts the unit after the main process ended this way without systemd asking it to
     * (systemd.service(5), "Exit causes and the effect of the Restart= settings"; a stop or restart through
     * systemctl never triggers Restart=).
     */
    public boolean restartsAfter(Exit e) {
        if (statusList("RestartForceExitStatus").contains(e.token())) {
            return true;
        }
        if (statusList("RestartPreventExitStatus").contains(e.token())) {
            return false;
        }
        boolean clean = isClean(e);
        switch (restart()) {
            case "always":
                return true;
            case "on-success":
                return clean;
            case "on-failure":
                return !clean;
            case "on-abnormal":
            case "on-abort":
                return e.signal() != null && !clean; // an exit status, clean or not, is never "abnormal"
            default: // "no", "on-watchdog", or a value systemd would reject
                return false;
        }
    }
}
