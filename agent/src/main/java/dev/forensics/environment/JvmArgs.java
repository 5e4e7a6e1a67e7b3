package dev.forensics.environment;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The JVM options a process runs with, read from its command line and the environment variables the JVM and
 * launcher add options from, in the order they take effect (later wins): JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS,
 * the command line up to the main class or jar ({@code @argfiles} expanded), _JAVA_OPTIONS. Reading
 * /proc instead of the management API keeps java.management out of every JVM the agent starts in.
 */
public final class JvmArgs {
    /** Launcher options whose value is the next argument. */
    private static final Set<String> TAKES_VALUE = Set.of(
            "-cp",
            "-classpath",
            "--class-path",
            "-p",
            "--module-path",
            "--upgrade-module-path",
            "--add-modules",
            "--limit-modules",
            "--add-reads",
            "--add-exports",
            "--add-opens",
            "--patch-module",
            "--enable-native-access",
            "--source",
            "--describe-module",
            "-d");

    static final int MAX_ARGFILE = 64 * 1024;

    private final List<String> commandLine;
    private final List<String> options;

    private JvmArgs(List<String> commandLine, List<String> options) {
        this.commandLine = Collections.unmodifiableList(commandLine);
        this.options = Collections.unmodifiableList(options);
    }

    public static JvmArgs of(Host host, String pid) {
        String cwd = "/proc/" + pid + "/cwd/";
        return parse(
                host.nulSeparated("/proc/" + pid + "/cmdline"),
                host.envOf(pid),
                file -> host.read(file.startsWith("/") ? file : cwd + file));
    }

    public static JvmArgs parse(List<String> argv, Map<String, String> env, Function<String, String> readFile) {
        List<String> options = new ArrayList<>();
        options.addAll(split(env.get("JAVA_TOOL_OPTIONS")));
        List<String> launcher = new ArrayList<>(split(env.get("JDK_JAVA_OPTIONS")));
        for (int i = 1; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.startsWith("@") && !a.startsWith("@@")) {
                String text = readFile.apply(a.substring(1));
                if (text != null) {
                    launcher.addAll(split(text.length() > MAX_ARGFILE ? text.substring(0, MAX_ARGFILE) : text));
                }
            } else {
                launcher.add(a);
            }
        }
        for (int i = 0; i < launcher.size(); i++) {
            String a = launcher.get(i);
            if (!a.startsWith("-")
                    || a.equals("-jar")
                    || a.equals("-m")
                    || a.equals("--module")
                    || a.startsWith("--module=")) {
                break; // the main class, jar or module: everything after it belongs to the application
            }
            if (TAKES_VALUE.contains(a)) {
                i++; // its value (a class path, a module list) is not an option
                continue;
            }
            options.add(a);
        }
        options.addAll(split(env.get("_JAVA_OPTIONS")));
        return new JvmArgs(new ArrayList<>(argv), options);
    }

    /** Whitespace-separated options with single or double quotes and # comment lines, as argfiles have. */
    static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        if (s == null) {
            return out;
        }
        StringBuilder cur = new StringBuilder();
        boolean inToken = false;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    cur.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inToken = true;
            } else if (c == '#' && !inToken) {
                while (i < s.length() && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (Character.isWhitespace(c)) {
                if (inToken) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    inToken = false;
                }
            } else {
                cur.append(c);
                inToken = true;
            }
        }
        if (inToken) {
            out.add(cur.toString());
        }
        return out;
    }

    /** The whole command line as started (argv), for display after redaction. */
    public List<String> commandLine() {
        return commandLine;
    }

    /** The JVM options in effect order. */
    public List<String> options() {
        return options;
    }

    public boolean has(String option) {
        return options.contains(option);
    }

    /** A boolean -XX flag: the last -XX:+Name or -XX:-Name wins; false when never given. */
    public boolean flag(String name) {
        boolean on = false;
        for (String o : options) {
            if (o.equals("-XX:+" + name)) {
                on = true;
            } else if (o.equals("-XX:-" + name)) {
                on = false;
            }
        }
        return on;
    }

    /** The value of -XX:Name=value or -Dname=value, last one wins; null when absent. */
    public String value(String prefix) {
        String v = null;
        for (String o : options) {
            if (o.startsWith(prefix)) {
                v = o.substring(prefix.length());
            }
        }
        return v;
    }

    /** -Xrs and -XX:+ReduceSignalUsage: the JVM installs no handlers for HUP, INT and TERM, so hooks never run on them. */
    public boolean reducedSignals() {
        boolean on = false;
        for (String o : options) {
            if (o.equals("-Xrs") || o.equals("-XX:+ReduceSignalUsage")) {
                on = true;
            } else if (o.equals("-XX:-ReduceSignalUsage")) {
                on = false;
            }
        }
        return on;
    }
}
