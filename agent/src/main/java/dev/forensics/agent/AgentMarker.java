package dev.forensics.agent;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * How a running agent makes itself known: the system property {@code forensics.agent}, which the forensics CLI
 * reads through the attach API without loading anything into the JVM. It says which version runs, how it was
 * loaded, whether it answers CLI requests, and where its output directory is. Shared by the agent (writes) and
 * the CLI (reads), so this class depends on nothing but the JDK.
 */
public record AgentMarker(String version, String loaded, String commands, Path dir) {
    public static final String PROPERTY = "forensics.agent";

    /** The directory where the CLI drops requests and the agent leaves its answers. */
    public Path requests() {
        return dir.resolve("requests");
    }

    public boolean answersCommands() {
        return "on".equals(commands);
    }

    /** {@code version=…;loaded=…;commands=…;dir=…}: the directory last, so a ';' in a path cannot break it. */
    public String format() {
        return "version=" + version + ";loaded=" + loaded + ";commands=" + commands + ";dir=" + dir;
    }

    /** The marker in a property value, or null when the value is absent or not one of ours. */
    public static AgentMarker parse(String value) {
        if (value == null || !value.startsWith("version=")) {
            return null;
        }
        int dirAt = value.indexOf(";dir=");
        if (dirAt < 0) {
            return null;
        }
        String version = null;
        String loaded = "?";
        String commands = "off";
        for (String item : value.substring(0, dirAt).split(";")) {
            int eq = item.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = item.substring(0, eq);
            String v = item.substring(eq + 1);
            switch (key) {
                case "version":
                    version = v;
                    break;
                case "loaded":
                    loaded = v;
                    break;
                case "commands":
                    commands = v;
                    break;
                default:
                    break; // keys of a newer agent
            }
        }
        try {
            return version == null
                    ? null
                    : new AgentMarker(version, loaded, commands, Paths.get(value.substring(dirAt + 5)));
        } catch (RuntimeException e) {
            return null;
        }
    }
}
