package dev.forensics.environment;

import dev.forensics.report.Text;
import java.util.ArrayList;
import java.util.List;

/**
 * Who is in charge of this JVM, read once at start-up so a dying JVM only looks things up: the cgroup it runs in
 * (a login session scope, a system or user service unit and that unit's stop and restart settings), whether it
 * is in a container or a Kubernetes pod, what PID 1 is, and whether SIGHUP was ignored from the start (nohup).
 * Every fact keeps the file it was read from, so the verdict built on it can be checked.
 */
public final class Surroundings {
    /** Container runtimes' names in a cgroup path (PID 1's cgroup on a v1 host). */
    private static final String[] CONTAINER_RUNTIMES = {"docker", "kubepods", "containerd", "libpod", "crio", "lxc"};

    /**
     * The login session scope at the end of a cgroup path ("session-146.scope"), or null. Shared with the doctor;
     * plain string tests, no regex: this runs on the agent's start-up thread of every JVM.
     */
    static String sessionScope(String cgroupPath) {
        String last = cgroupPath.substring(cgroupPath.lastIndexOf('/') + 1);
        return last.length() > "session-.scope".length() && last.startsWith("session-") && last.endsWith(".scope")
                ? last
                : null;
    }

    /** True when a cgroup file names a container runtime. Shared with the doctor. */
    static boolean namesContainerRuntime(String cgroupText) {
        for (String runtime : CONTAINER_RUNTIMES) {
            if (cgroupText.contains(runtime)) {
                return true;
            }
        }
        return false;
    }

    /** Nothing read yet (or nothing readable): every question answers "unknown". */
    public static final Surroundings UNKNOWN = new Surroundings(null);

    private final Host host;
    private String cgroupPath;
    private String cgroupSource;
    private String sessionScope;
    private String serviceName;
    private String userManagerUid;
    private String userName;
    private Boolean linger;
    private String lingerSource;
    private SystemdUnit unit;
    private String unitSource;
    private long stopTimeoutMillis = -2;
    private String stopTimeoutSource;
    private boolean mainProcess = true;
    private String mainProcessSource;
    private String containerEvidence;
    private boolean kubernetes;
    private String pid1Comm;
    private String pid1Command;
    private boolean jvmIsPid1;
    private boolean hupIgnored;
    private String signalMaskSource;

    private Surroundings(Host host) {
        this.host = host;
    }

    /** Reads the facts; a probe that fails leaves its facts unknown and the others stand. */
    public static Surroundings read(Host host, List<String> unitPath) {
        Surroundings s = new Surroundings(host);
        try {
            s.readCgroup(unitPath);
        } catch (RuntimeException e) {
            // unknown cgroup: the verdict says so
        }
        try {
            s.readProcesses();
        } catch (RuntimeException e) {
            // unknown PID 1 and signal mask
        }
        return s;
    }

    /** A snapshot built from given facts, for tests of what the verdict makes of them. */
    public static Surroundings of(Host host, String cgroupPath, SystemdUnit unit, long stopTimeoutMillis) {
        Surroundings s = new Surroundings(host);
        s.setCgroup(cgroupPath, "/proc/self/cgroup");
        s.unit = unit;
        s.unitSource = unit == null ? null : unit.file();
        s.stopTimeoutMillis = unit == null ? stopTimeoutMillis : unit.timeoutStopMillis(stopTimeoutMillis);
        s.stopTimeoutSource =
                unit != null && unit.get("TimeoutStopSec") != null ? "set in " + unit.file() : "systemd's default";
        return s;
    }

    private void readCgroup(List<String> unitPath) {
        setCgroup(Cgroups.unitPath(Cgroups.lines(host, "self")), "/proc/self/cgroup");
        if (serviceName != null) {
            boolean user = userManagerUid != null;
            List<String> paths = unitPath != null
                    ? unitPath
                    : user ? SystemdUnit.userPaths(home(), userManagerUid) : SystemdUnit.SYSTEM_PATHS;
            long managerDefault = SystemdUnit.managerDefaultTimeoutStopMillis(host, user);
            unit = SystemdUnit.find(host, serviceName, paths);
            if (unit != null) {
                unitSource = unit.file() + (unit.dropIns().isEmpty() ? "" : " + " + String.join(", ", unit.dropIns()));
                stopTimeoutMillis = unit.timeoutStopMillis(managerDefault);
                stopTimeoutSource = explicitTimeout(unit) ? "set in " + unitSource : defaultSource(managerDefault);
            } else {
                unitSource = "no unit file for " + serviceName + " on " + String.join(":", paths);
                stopTimeoutMillis = managerDefault;
                stopTimeoutSource = defaultSource(managerDefault);
            }
            String execPid = host.env("SYSTEMD_EXEC_PID");
            ProcStat self = ProcStat.of(host, "self");
            ProcStat parent = self == null ? null : ProcStat.of(host, Long.toString(self.ppid()));
            if (execPid != null && self != null) {
                mainProcess = execPid.trim().equals(Long.toString(self.pid()));
                mainProcessSource = "SYSTEMD_EXEC_PID=" + execPid.trim() + ", this JVM is pid " + self.pid();
            } else if (parent != null && ServiceRisks.isShell(parent.comm())) {
                mainProcess = false;
                mainProcessSource = "its parent is the shell " + parent.comm() + " (pid " + parent.pid() + ", /proc/"
                        + parent.pid() + "/stat)";
            }
        } else if (sessionScope != null) {
            stopTimeoutMillis = SystemdUnit.managerDefaultTimeoutStopMillis(host, false);
            stopTimeoutSource = defaultSource(stopTimeoutMillis) + " for scopes";
        }
        if (userManagerUid != null) {
            userName = passwdName(host, userManagerUid);
            if (userName != null) {
                String file = "/var/lib/systemd/linger/" + userName;
                linger = host.exists(file);
                lingerSource = file + (linger ? " exists" : " absent");
            }
        }
    }

    private void setCgroup(String path, String source) {
        cgroupPath = path;
        cgroupSource = source;
        if (path == null) {
            return;
        }
        sessionScope = sessionScope(path);
        serviceName = ServiceRisks.serviceName(path);
        userManagerUid = ServiceRisks.userManagerUid(path);
    }

    private static boolean explicitTimeout(SystemdUnit unit) {
        return unit.get("TimeoutStopSec") != null || unit.get("TimeoutSec") != null;
    }

    private static String defaultSource(long managerDefault) {
        return managerDefault == SystemdUnit.DEFAULT_TIMEOUT_STOP_MILLIS
                ? "systemd's default"
                : "the manager's DefaultTimeoutStopSec=";
    }

    private void readProcesses() {
        ProcStat self = ProcStat.of(host, "self");
        jvmIsPid1 = self != null && self.pid() == 1;
        long ignored = ProcessFacts.ignoredSignals(host, "self");
        hupIgnored = ProcessFacts.isSet(ignored, ProcessFacts.SIGHUP);
        signalMaskSource = "/proc/self/status SigIgn " + Text.hex16(ignored);
        pid1Comm = host.firstLine("/proc/1/comm");
        List<String> cmd = host.nulSeparated("/proc/1/cmdline");
        pid1Command = cmd.isEmpty() ? null : String.join(" ", cmd);
        List<String> evidence = new ArrayList<>();
        if (host.env("KUBERNETES_SERVICE_HOST") != null) {
            kubernetes = true;
            evidence.add("KUBERNETES_SERVICE_HOST is set");
        }
        if (host.exists("/.dockerenv")) {
            evidence.add("/.dockerenv exists");
        }
        if (host.exists("/run/.containerenv")) {
            evidence.add("/run/.containerenv exists");
        }
        if (host.env("container") != null) {
            evidence.add("container=" + host.env("container") + " in the environment");
        }
        String init1 = host.read("/proc/1/cgroup");
        if (init1 != null && namesContainerRuntime(init1)) {
            evidence.add("/proc/1/cgroup names a container runtime");
        }
        containerEvidence = evidence.isEmpty() ? null : String.join(", ", evidence);
    }

    private String home() {
        String h = host.env("HOME");
        return h == null || h.isEmpty() ? null : h;
    }

    /** The user name of a uid from /etc/passwd under the host root, or null. */
    static String passwdName(Host host, String uid) {
        String passwd = host.read("/etc/passwd");
        if (passwd != null) {
            for (String line : passwd.split("\n")) {
                String[] p = line.split(":");
                if (p.length > 2 && p[2].equals(uid)) {
                    return p[0];
                }
            }
        }
        return null;
    }

    /**
     * What logind says about the user's sessions now ({@code STATE=} in /run/systemd/users/<uid>: active, online,
     * lingering, closing), read at death because it is the one fact that changes at logout; null when unknown.
     */
    public String userStateNow() {
        if (host == null || userManagerUid == null) {
            return null;
        }
        return keyValue(host.read("/run/systemd/users/" + userManagerUid), "STATE");
    }

    private static String keyValue(String text, String key) {
        if (text == null) {
            return null;
        }
        for (String line : text.split("\n")) {
            if (line.startsWith(key + "=")) {
                return line.substring(key.length() + 1).trim();
            }
        }
        return null;
    }

    /** One line for the journal: what the verdicts of this run will rest on. */
    public String summary() {
        StringBuilder sb = new StringBuilder("cgroup ").append(cgroupPath == null ? "unknown" : cgroupPath);
        if (serviceName != null) {
            sb.append("; unit ")
                    .append(serviceName)
                    .append(unit == null ? " (unit file not found)" : " (" + unitSource + ")");
        }
        if (sessionScope != null) {
            sb.append("; login session scope ").append(sessionScope);
        }
        if (stopTimeoutMillis >= 0) {
            sb.append("; stop timeout ").append(stopTimeoutMillis).append(" ms");
        }
        if (containerEvidence != null) {
            sb.append("; container (").append(containerEvidence).append(')');
        }
        if (jvmIsPid1) {
            sb.append("; this JVM is PID 1");
        } else if (pid1Comm != null) {
            sb.append("; PID 1 ").append(pid1Comm);
        }
        return sb.toString();
    }

    public String cgroupPath() {
        return cgroupPath;
    }

    public String cgroupSource() {
        return cgroupSource;
    }

    /** "session-146.scope" when the JVM runs in a login session scope, else null. */
    public String sessionScope() {
        return sessionScope;
    }

    /** The service unit the JVM runs in ("aiproxy.service"), not the user manager itself; null when none. */
    public String serviceName() {
        return serviceName;
    }

    /** The uid of the per-user manager (user@1000.service) the JVM runs under, or null. */
    public String userManagerUid() {
        return userManagerUid;
    }

    public String userName() {
        return userName;
    }

    /** Lingering for the user manager's user: true, false, or null when unknown. */
    public Boolean linger() {
        return linger;
    }

    public String lingerSource() {
        return lingerSource;
    }

    /** The loaded unit, or null when it was not found (or the JVM is not in a service). */
    public SystemdUnit unit() {
        return unit;
    }

    public String unitSource() {
        return unitSource;
    }

    /** How long systemd waits after the stop signal before SIGKILL: ms, -1 for no limit, -2 when no systemd stop applies. */
    public long stopTimeoutMillis() {
        return stopTimeoutMillis;
    }

    public String stopTimeoutSource() {
        return stopTimeoutSource;
    }

    /** False when a shell (or another process) is the unit's main process: systemd then judges that one's exit. */
    public boolean mainProcess() {
        return mainProcess;
    }

    public String mainProcessSource() {
        return mainProcessSource;
    }

    /** What says this is a container ("KUBERNETES_SERVICE_HOST is set, /.dockerenv exists"), or null. */
    public String containerEvidence() {
        return containerEvidence;
    }

    public boolean kubernetes() {
        return kubernetes;
    }

    public String pid1Comm() {
        return pid1Comm;
    }

    public String pid1Command() {
        return pid1Command;
    }

    public boolean jvmIsPid1() {
        return jvmIsPid1;
    }

    /** SIGHUP was ignored when the JVM started: nohup, or a parent that ignores it. */
    public boolean hupIgnored() {
        return hupIgnored;
    }

    public String signalMaskSource() {
        return signalMaskSource;
    }
}
