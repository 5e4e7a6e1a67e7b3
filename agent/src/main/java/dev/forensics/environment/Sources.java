package dev.forensics.environment;

import java.util.List;

/**
 * Where the environment is read: the options {@code envRoot} and {@code unitPath}, parsed once by the agent's option
 * table. The doctor, the black box and termination capture's verdict all read through the same sources.
 *
 * @param envRoot  the directory under which system files are read ("/" on a real host)
 * @param unitPath the directories searched for systemd units instead of systemd's own, or null for those
 */
public record Sources(String envRoot, List<String> unitPath) {
    public Sources {
        unitPath = unitPath == null ? null : List.copyOf(unitPath);
    }

    /** The real host, with systemd's search path. */
    public static Sources host() {
        return new Sources("/", null);
    }
}
