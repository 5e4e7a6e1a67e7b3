package dev.forensics.environment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where a process sits in the cgroup tree and what its memory cgroup says, for cgroup v1, v2 and the hybrid
 * layout. {@code /proc/<pid>/cgroup} names the cgroup; {@code /proc/<pid>/mountinfo} says where that cgroup's
 * files are mounted (inside a container the mount root is the container's own cgroup), as the JDK's own
 * container support resolves them.
 */
public final class Cgroups {
    /** A v1 limit at or above this means "no limit" (the kernel reports PAGE_COUNTER_MAX pages, ~2^63 bytes). */
    static final long V1_UNLIMITED = 1L << 62;

    /** One line of /proc/pid/cgroup: "4:memory:/system.slice/app.service" (v1) or "0::/system.slice/app.service" (v2). */
    public record Line(int id, List<String> controllers, String path) {}

    /** One cgroup or cgroup2 mount from mountinfo: which part of the tree (root) appears where (mountPoint). */
    public record Mount(String root, String mountPoint, String fsType, List<String> superOptions) {}

    /** The memory cgroup's directory as a system path, and the cgroup version that decides its file names. */
    public record MemoryDir(int version, String dir, String cgroupPath) {}

    /**
     * Memory figures at one moment: usage and limit in bytes (-1: unknown or no limit) and the oom_kill counters
     * of the cgroup, of its parent (v2 counts hierarchically, and the parent outlives a service's own cgroup,
     * which systemd removes when the unit stops) and of the whole host (/proc/vmstat); -1 where unavailable.
     */
    public record MemorySample(long usage, long limit, long oomKill, long parentOomKill, long hostOomKill) {
        public static final MemorySample NONE = new MemorySample(-1, -1, -1, -1, -1);

        /** Usage as a fraction of the limit, or -1 when either is unknown. */
        public double fractionOfLimit() {
            return usage < 0 || limit <= 0 ? -1 : (double) usage / limit;
        }
    }

    private Cgroups() {}

    public static List<Line> lines(Host host, String pid) {
        List<Line> out = new ArrayList<>();
        for (String l : host.lines("/proc/" + pid + "/cgroup")) {
            Line line = parseLine(l);
            if (line != null) {
                out.add(line);
            }
        }
        return out;
    }

    static Line parseLine(String l) {
        int a = l.indexOf(':');
        int b = a < 0 ? -1 : l.indexOf(':', a + 1);
        if (b < 0) {
            return null;
        }
        try {
            int id = Integer.parseInt(l.substring(0, a).trim());
            String ctl = l.substring(a + 1, b);
            return new Line(
                    id,
                    ctl.isEmpty() ? List.of() : Arrays.asList(ctl.split(",")),
                    l.substring(b + 1).trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public static List<Mount> mounts(Host host, String pid) {
        List<Mount> out = new ArrayList<>();
        for (String l : host.lines("/proc/" + pid + "/mountinfo")) {
            Mount m = parseMount(l);
            if (m != null) {
                out.add(m);
            }
        }
        return out;
    }

    static Mount parseMount(String l) {
        String[] f = l.split(" ");
        int dash = -1;
        for (int i = 6; i < f.length; i++) {
            if (f[i].equals("-")) {
                dash = i;
                break;
            }
        }
        if (dash < 0 || dash + 1 >= f.length) {
            return null;
        }
        String type = f[dash + 1];
        if (!type.equals("cgroup") && !type.equals("cgroup2")) {
            return null;
        }
        List<String> superOptions = dash + 3 < f.length ? Arrays.asList(f[dash + 3].split(",")) : List.of();
        return new Mount(unescape(f[3]), unescape(f[4]), type, superOptions);
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                try {
                    sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (RuntimeException ignored) {
                    // not an escape after all
                }
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /**
     * The cgroup systemd manages the process in: the name=systemd hierarchy on v1 and hybrid hosts, else the v2
     * path. It ends in the unit: ".../session-146.scope", ".../app.service". Null when unknown.
     */
    public static String unitPath(List<Line> lines) {
        for (Line l : lines) {
            if (l.controllers().contains("name=systemd")) {
                return l.path();
            }
        }
        for (Line l : lines) {
            if (l.id() == 0 && l.controllers().isEmpty()) {
                return l.path();
            }
        }
        return null;
    }

    /** The process's memory cgroup directory, or null when there is none to read (no controller, host root). */
    public static MemoryDir memoryDir(Host host, String pid) {
        return memoryDir(host, lines(host, pid), mounts(host, pid));
    }

    static MemoryDir memoryDir(Host host, List<Line> lines, List<Mount> mounts) {
        for (Line l : lines) {
            if (l.controllers().contains("memory")) {
                Mount m = mount(mounts, "cgroup", "memory", "/sys/fs/cgroup/memory");
                return resolve(host, 1, m, l.path(), "memory.usage_in_bytes");
            }
        }
        for (Line l : lines) {
            if (l.id() == 0 && l.controllers().isEmpty()) {
                Mount m = mount(mounts, "cgroup2", null, "/sys/fs/cgroup");
                return resolve(host, 2, m, l.path(), "memory.current");
            }
        }
        return null;
    }

    private static Mount mount(List<Mount> mounts, String type, String controller, String fallback) {
        for (Mount m : mounts) {
            if (m.fsType().equals(type)
                    && (controller == null || m.superOptions().contains(controller))) {
                return m;
            }
        }
        return new Mount("/", fallback, type, List.of());
    }

    private static MemoryDir resolve(Host host, int version, Mount m, String path, String probe) {
        String rel;
        if (m.root().equals("/")) {
            rel = path;
        } else if (path.equals(m.root()) || path.startsWith(m.root() + "/")) {
            rel = path.substring(m.root().length());
        } else {
            rel = ""; // a container's mount shows only its own cgroup
        }
        String dir = join(m.mountPoint(), rel);
        if (host.exists(dir + "/" + probe)) {
            return new MemoryDir(version, dir, path);
        }
        if (host.exists(m.mountPoint() + "/" + probe)) {
            return new MemoryDir(version, m.mountPoint(), path); // cgroup namespace: our cgroup is the mount's root
        }
        return null;
    }

    private static String join(String a, String b) {
        if (b.isEmpty() || b.equals("/")) {
            return a;
        }
        return a.endsWith("/") ? a + b.substring(b.startsWith("/") ? 1 : 0) : a + (b.startsWith("/") ? b : "/" + b);
    }

    /** Reads the memory figures now; a few small files, cheap enough for every heartbeat. */
    public static MemorySample sample(Host host, MemoryDir dir) {
        long hostOom = Host.parseLong(Host.field(host.read("/proc/vmstat"), "oom_kill"), -1);
        if (dir == null) {
            return new MemorySample(-1, -1, -1, -1, hostOom);
        }
        String d = dir.dir();
        if (dir.version() == 1) {
            long limit = Host.parseLong(host.firstLine(d + "/memory.limit_in_bytes"), -1);
            return new MemorySample(
                    Host.parseLong(host.firstLine(d + "/memory.usage_in_bytes"), -1),
                    limit >= V1_UNLIMITED ? -1 : limit,
                    Host.parseLong(Host.field(host.read(d + "/memory.oom_control"), "oom_kill"), -1),
                    -1,
                    hostOom);
        }
        String max = host.firstLine(d + "/memory.max");
        return new MemorySample(
                Host.parseLong(host.firstLine(d + "/memory.current"), -1),
                "max".equals(max) ? -1 : Host.parseLong(max, -1),
                oomKills(host, d),
                parentOomKills(host, d),
                hostOom);
    }

    static long oomKills(Host host, String dir) {
        return Host.parseLong(Host.field(host.read(dir + "/memory.events"), "oom_kill"), -1);
    }

    /** The v2 parent's counter; the root cgroup has no memory.events, so this is -1 there. */
    static long parentOomKills(Host host, String dir) {
        int slash = dir.lastIndexOf('/');
        if (slash <= 0) {
            return -1;
        }
        return oomKills(host, dir.substring(0, slash));
    }

    /** The parent directory of a cgroup directory, as recorded in a black box. */
    public static String parent(String dir) {
        int slash = dir == null ? -1 : dir.lastIndexOf('/');
        return slash <= 0 ? null : dir.substring(0, slash);
    }

    /** Reads one counter again, for comparing a dead run's last sample with now. */
    public static long oomKillsNow(Host host, int version, String dir) {
        if (dir == null) {
            return -1;
        }
        if (version == 1) {
            return Host.parseLong(Host.field(host.read(dir + "/memory.oom_control"), "oom_kill"), -1);
        }
        return oomKills(host, dir);
    }

    public static String bytes(long n) {
        if (n < 0) {
            return "unknown";
        }
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        long tenths = Math.round(v * 10); // by hand: String.format loads about ninety classes on first use
        return tenths / 10 + "." + tenths % 10 + " " + units[u];
    }
}
