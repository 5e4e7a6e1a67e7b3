package dev.forensics.environment;

/**
 * Facts about one process (ours by default) that decide how it can die: its identity across pid reuse
 * (boot id + start ticks), its signal dispositions from {@code /proc/<pid>/status}, and the machine's boot time
 * to turn start ticks into a wall-clock time.
 */
public final class ProcessFacts {
    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGQUIT = 3;
    public static final int SIGTERM = 15;

    private ProcessFacts() {}

    /** The kernel's random id of this boot; a different one means the machine restarted in between. */
    public static String bootId(Host host) {
        return host.firstLine("/proc/sys/kernel/random/boot_id");
    }

    /** Boot time in epoch seconds ({@code btime} in /proc/stat), or -1. */
    public static long bootTimeSeconds(Host host) {
        return Host.parseLong(Host.field(host.read("/proc/stat"), "btime"), -1);
    }

    /** When a process with these start ticks started, in epoch milliseconds, or -1 when boot time is unknown. */
    public static long startMillis(Host host, long startTicks) {
        long btime = bootTimeSeconds(host);
        return btime < 0 || startTicks < 0 ? -1 : btime * 1000 + startTicks * 1000 / ProcStat.TICKS_PER_SECOND;
    }

    /** The mask of ignored signals (SigIgn in /proc/pid/status), or 0 when unknown. */
    public static long ignoredSignals(Host host, String pid) {
        return mask(Host.field(host.read("/proc/" + pid + "/status"), "SigIgn"));
    }

    static long mask(String hex) {
        if (hex == null) {
            return 0;
        }
        try {
            return Long.parseUnsignedLong(hex.trim(), 16);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public static boolean isSet(long mask, int signal) {
        return (mask & (1L << (signal - 1))) != 0;
    }

    /**
     * True when pid is running and is the very process that started at startTicks in the boot bootId: a pid
     * number alone is reused by the kernel, and a container restarts its JVM with the same small pid every time.
     */
    public static boolean isAlive(Host host, long pid, long startTicks, String bootId) {
        String nowBoot = bootId(host);
        if (bootId != null && nowBoot != null && !bootId.equals(nowBoot)) {
            return false;
        }
        ProcStat stat = ProcStat.of(host, Long.toString(pid));
        return stat != null && stat.startTicks() == startTicks && stat.state() != 'Z' && stat.state() != 'X';
    }
}
