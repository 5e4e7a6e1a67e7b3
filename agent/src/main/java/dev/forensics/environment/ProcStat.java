package dev.forensics.environment;

/**
 * One line of {@code /proc/<pid>/stat}: the fields that identify a process across pid reuse (start time in
 * clock ticks since boot, field 22) and place it in a session (session id, controlling terminal). The command
 * name sits in parentheses and may itself hold spaces and parentheses, so fields are counted from the last ')'.
 */
public record ProcStat(long pid, String comm, char state, long ppid, long session, long ttyNr, long startTicks) {
    /** Linux exposes USER_HZ, not the kernel's HZ, and USER_HZ is 100 on every architecture Java runs on. */
    public static final long TICKS_PER_SECOND = 100;

    public static ProcStat parse(String line) {
        if (line == null) {
            return null;
        }
        try {
            int open = line.indexOf('(');
            int close = line.lastIndexOf(')');
            if (open < 0 || close < open) {
                return null;
            }
            long pid = Long.parseLong(line.substring(0, open).trim());
            String comm = line.substring(open + 1, close);
            String[] f = dev.forensics.report.Text.fields(line.substring(close + 1));
            // f[0] is field 3 (state); field n is f[n - 3].
            return new ProcStat(
                    pid,
                    comm,
                    f[0].charAt(0),
                    Long.parseLong(f[1]),
                    Long.parseLong(f[3]),
                    Long.parseLong(f[4]),
                    Long.parseLong(f[19]));
        } catch (RuntimeException e) {
            return null;
        }
    }

    public static ProcStat of(Host host, String pid) {
        return parse(host.firstLine("/proc/" + pid + "/stat"));
    }

    public boolean hasControllingTerminal() {
        return ttyNr != 0;
    }

    /** A terminal's conventional name from its device number: pts/3, tty1, ttyS0, or the raw numbers. */
    public String ttyName() {
        long major = (ttyNr >> 8) & 0xfff;
        long minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
        if (major >= 136 && major <= 143) {
            return "pts/" + ((major - 136) * 256 + minor);
        }
        if (major == 4) {
            return minor < 64 ? "tty" + minor : "ttyS" + (minor - 64);
        }
        return "tty " + major + ":" + minor;
    }
}
