package dev.forensics.environment;

import dev.forensics.report.Loaders;
import dev.forensics.report.Redaction;
import dev.forensics.report.Text;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * Reads the environment a JVM runs in and names the risks visible before anything goes wrong: a login session
 * that takes the JVM with it, a terminal hangup, a systemd unit that will not restart it, a container whose PID 1
 * swallows the stop signal, JVM flags that skip the shutdown hooks, a logging framework that stops first. Every
 * probe reads through a {@link Host}, so tests run it against fixture copies of real machines, and a probe that
 * fails is skipped on its own.
 */
public final class Doctor {

    /** What to examine: a host (real or fixture), a process on it ("self" for this JVM), and what only the JVM itself knows. */
    public static final class Inputs {
        final Host host;
        final String pid;
        List<String> unitPath;
        long previousShutdownMillis = -1;
        Function<String, String> resource = name -> null;
        Function<String, String> property = name -> null;

        public Inputs(Host host, String pid) {
            this.host = host;
            this.pid = pid;
        }

        /** This JVM: its own system properties and system class path answer the logging questions. */
        public static Inputs self(Host host) {
            Inputs in = new Inputs(host, "self");
            in.property = System::getProperty;
            in.resource = Doctor::applicationResource;
            return in;
        }

        /** Unit search directories (absolute, resolved under the host root) instead of systemd's own list. */
        public Inputs unitPath(List<String> dirs) {
            this.unitPath = dirs == null || dirs.isEmpty() ? null : dirs;
            return this;
        }

        /** How long the previous run's shutdown took, from its black box; -1 when unknown. */
        public Inputs previousShutdownMillis(long millis) {
            this.previousShutdownMillis = millis;
            return this;
        }

        public Inputs resources(Function<String, String> resource) {
            this.resource = resource;
            return this;
        }

        public Inputs properties(Function<String, String> property) {
            this.property = property;
            return this;
        }

        String env(String key) {
            return host.envOf(pid).get(key);
        }
    }

    /** Who stops this JVM and how long it waits before SIGKILL (-1: no limit or unknown). */
    public record Supervisor(String description, long stopTimeoutMillis) {}

    /** Everything the doctor found, and how long it took to look. */
    public record Report(List<Risk> risks, Supervisor supervisor, long micros) {
        public List<Risk> warnings() {
            List<Risk> out = new ArrayList<>();
            for (Risk r : risks) {
                if (r.isWarning()) {
                    out.add(r);
                }
            }
            return out;
        }
    }

    /** What the probes share, read once. */
    static final class Facts {
        String pid;
        ProcStat stat;
        ProcStat parent;
        List<Cgroups.Line> cgroups;
        String unitPath;
        long ignored;
        JvmArgs args;
    }

    private Doctor() {}

    public static Report examine(Inputs in) {
        long t0 = System.nanoTime();
        List<Risk> risks = new ArrayList<>();
        Supervisor[] supervisor = {null};
        Facts f = new Facts();
        f.pid = in.pid;
        f.stat = ProcStat.of(in.host, in.pid);
        f.parent = f.stat == null ? null : ProcStat.of(in.host, Long.toString(f.stat.ppid()));
        f.cgroups = Cgroups.lines(in.host, in.pid);
        f.unitPath = Cgroups.unitPath(f.cgroups);
        f.ignored = ProcessFacts.ignoredSignals(in.host, in.pid);
        f.args = JvmArgs.of(in.host, in.pid);

        probe(() -> session(in, f, risks));
        probe(() -> terminalAndSignals(in, f, risks));
        probe(() -> ServiceRisks.check(in, f, risks, supervisor));
        probe(() -> container(in, f, risks));
        probe(() -> jvmFlags(f, risks));
        probe(() -> LoggingRisks.check(in.resource, in.property, risks));
        probe(() -> kubernetes(in, risks, supervisor));
        return new Report(Collections.unmodifiableList(risks), supervisor[0], (System.nanoTime() - t0) / 1000);
    }

    /** One probe failing on an odd file must not cost the others. */
    private static void probe(Runnable probe) {
        try {
            probe.run();
        } catch (RuntimeException | StackOverflowError e) {
            // Nothing to report about the environment from this probe; the others still run.
        }
    }

    private static void session(Inputs in, Facts f, List<Risk> risks) {
        if (f.unitPath == null) {
            return;
        }
        String scope = Surroundings.sessionScope(f.unitPath);
        String cgroupFile = "/proc/" + in.pid + "/cgroup";
        if (scope != null) {
            String kill = killUserProcesses(in.host);
            risks.add(Risk.warn(
                    "session-scope",
                    "runs in login session scope " + scope + ": dies when that session ends, and nohup does not help",
                    "This JVM runs inside the login session scope " + scope + " (" + f.unitPath
                            + "), not as a service: when that SSH or login "
                            + "session ends it is killed with the scope if logind's KillUserProcesses=yes (" + kill
                            + "), or when the session is "
                            + "terminated (loginctl terminate-session/terminate-user); nohup does not help, it only ignores SIGHUP and leaves the JVM in the scope.",
                    "Run it as a systemd service (a unit with Restart=always, `systemctl enable --now app`), or start it outside the session with "
                            + "`systemd-run --unit=app -p Restart=always java …`; for a user service, `loginctl enable-linger <user>` keeps it after logout.",
                    cgroupFile + ": " + f.unitPath));
            return;
        }
        String uid = ServiceRisks.userManagerUid(f.unitPath);
        if (uid != null) {
            String user = userName(in.host, uid, in.env("USER"));
            boolean linger = user != null && in.host.exists("/var/lib/systemd/linger/" + user);
            if (!linger) {
                risks.add(Risk.warn(
                        "user-manager-no-linger",
                        "user service under user@" + uid + ".service without lingering: stops when the user logs out",
                        "This JVM runs under the per-user service manager user@" + uid + ".service (" + f.unitPath
                                + ") and lingering is off for " + (user == null ? "uid " + uid : user)
                                + ": the user manager, and every user service with it, stops when the user's last login session ends.",
                        "`loginctl enable-linger " + (user == null ? "<user>" : user)
                                + "` (check with `loginctl show-user " + (user == null ? "<user>" : user)
                                + " -p Linger`), or run it as a system service.",
                        cgroupFile + ": " + f.unitPath + "; /var/lib/systemd/linger/" + (user == null ? "?" : user)
                                + " absent"));
            }
        }
    }

    /** KillUserProcesses= from logind.conf and its drop-ins, described for the message. */
    static String killUserProcesses(Host host) {
        String value = null;
        String source = null;
        List<String> files = new ArrayList<>();
        files.add("/etc/systemd/logind.conf");
        for (String dir : new String[] {"/usr/lib/systemd/logind.conf.d", "/etc/systemd/logind.conf.d"}) {
            java.nio.file.Path d = host.path(dir);
            if (java.nio.file.Files.isDirectory(d)) {
                try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.list(d)) {
                    s.map(p -> dir + "/" + p.getFileName())
                            .filter(p -> p.endsWith(".conf"))
                            .sorted()
                            .limit(32)
                            .forEach(files::add);
                } catch (IOException | RuntimeException ignored) {
                    // keep what was found
                }
            }
        }
        for (String file : files) {
            String text = host.read(file);
            if (text == null) {
                continue;
            }
            for (String line : text.split("\n")) {
                String l = line.trim();
                if (l.startsWith("KillUserProcesses=")) {
                    value = l.substring("KillUserProcesses=".length()).trim();
                    source = file;
                }
            }
        }
        return value == null
                ? "not set in logind.conf: the build default applies, yes upstream, no on Debian, Ubuntu and RHEL"
                : "KillUserProcesses=" + value + " in " + source;
    }

    private static String userName(Host host, String uid, String envUser) {
        String name = Surroundings.passwdName(host, uid);
        return name != null ? name : envUser;
    }

    private static void terminalAndSignals(Inputs in, Facts f, List<Risk> risks) {
        String status = "/proc/" + in.pid + "/status";
        boolean hupIgnored = ProcessFacts.isSet(f.ignored, ProcessFacts.SIGHUP);
        String mask = "SigIgn " + Text.hex16(f.ignored);
        if (f.stat != null && f.stat.hasControllingTerminal() && !hupIgnored) {
            risks.add(Risk.warn(
                    "controlling-terminal",
                    "attached to terminal " + f.stat.ttyName() + ": an SSH disconnect (SIGHUP) stops it",
                    "This JVM has the controlling terminal " + f.stat.ttyName()
                            + " and does not ignore SIGHUP: when the terminal closes (an SSH "
                            + "disconnect, a closed window) the JVM gets SIGHUP and shuts down.",
                    "Run it as a systemd service or with `systemd-run`; `setsid nohup java … &` at least detaches it from the terminal.",
                    "/proc/" + in.pid + "/stat tty_nr " + f.stat.ttyNr() + "; " + status + " " + mask));
        }
        if (hupIgnored) {
            risks.add(Risk.note(
                    "sighup-ignored",
                    "SIGHUP ignored (nohup)",
                    "SIGHUP is ignored (inherited, typically from nohup), so the JVM installs no SIGHUP handler: a terminal hangup neither stops it "
                            + "nor runs its hooks. It does not protect against the end of a login session scope, SIGTERM or SIGKILL.",
                    "If the intent is to outlive the login session, run it as a systemd service instead of with nohup.",
                    status + " " + mask));
        }
        if (ProcessFacts.isSet(f.ignored, ProcessFacts.SIGTERM)) {
            risks.add(Risk.warn(
                    "sigterm-ignored",
                    "SIGTERM ignored: stop requests do nothing until SIGKILL",
                    "SIGTERM is ignored (inherited from the parent process), so the JVM installs no handler for it: kill, `systemctl stop` and `docker stop` "
                            + "do nothing until SIGKILL arrives after the stop timeout, and then no shutdown hook runs.",
                    "Start the JVM from a parent that does not ignore SIGTERM (look for `trap '' TERM` or signal(SIGTERM, SIG_IGN) in the wrapper).",
                    status + " " + mask));
        }
        if (ProcessFacts.isSet(f.ignored, ProcessFacts.SIGINT)) {
            risks.add(Risk.note(
                    "sigint-ignored",
                    "SIGINT ignored",
                    "SIGINT is ignored (a background job of a non-interactive shell inherits that): Ctrl-C and kill -INT do not stop this JVM.",
                    "Stop it with SIGTERM; start it as a service to get predictable signal handling.",
                    status + " " + mask));
        }
    }

    private static void container(Inputs in, Facts f, List<Risk> risks) {
        boolean container = in.host.exists("/.dockerenv")
                || in.host.exists("/run/.containerenv")
                || in.env("container") != null
                || in.env("KUBERNETES_SERVICE_HOST") != null;
        String init1 = in.host.read("/proc/1/cgroup");
        container |= init1 != null && Surroundings.namesContainerRuntime(init1);
        if (f.stat != null && f.stat.pid() == 1) {
            boolean xrs = f.args.reducedSignals();
            String message = "This JVM is PID 1" + (container ? " of its container" : "")
                    + ": the kernel delivers to PID 1 only the signals it has a "
                    + "handler for, and orphaned processes are re-parented to it for reaping, which the JVM does not do (zombies pile up if it starts "
                    + "processes that fork). SIGTERM still works because the JVM handles it"
                    + (xrs
                            ? " — except that -Xrs removes that handler, so SIGTERM is dropped and the container is SIGKILLed at the end of its grace period."
                            : ".");
            String fix =
                    "Run a minimal init as PID 1 that forwards signals and reaps: `docker run --init`, or ENTRYPOINT [\"tini\", \"--\", \"java\", …]; "
                            + "in Kubernetes, shareProcessNamespace: true makes the pause container PID 1.";
            risks.add(
                    xrs
                            ? Risk.warn(
                                    "jvm-pid1",
                                    "the JVM is PID 1 with -Xrs: the kernel drops SIGTERM",
                                    message,
                                    fix,
                                    "/proc/self/stat pid 1")
                            : Risk.note("jvm-pid1", "the JVM is PID 1", message, fix, "/proc/self/stat pid 1"));
            return;
        }
        ProcStat init = ProcStat.of(in.host, "1");
        List<String> cmd = in.host.nulSeparated("/proc/1/cmdline");
        String comm = init == null ? null : init.comm();
        if (ServiceRisks.isShell(comm) || (!cmd.isEmpty() && isShellPath(cmd.get(0)))) {
            String shown = Redaction.commandLine(cmd.toArray(new String[0]));
            risks.add(Risk.warn(
                    "pid1-shell",
                    "PID 1 is a shell that does not pass SIGTERM on: SIGKILL after the grace period, no hooks",
                    "PID 1" + (container ? " of this container" : "") + " is a shell ("
                            + (shown.length() > 200 ? shown.substring(0, 200) + "…" : shown)
                            + "), not the JVM: `docker stop` and Kubernetes send SIGTERM to PID 1 only, the shell neither passes it on nor exits, and after "
                            + "the grace period (docker 10 s, Kubernetes 30 s) everything is SIGKILLed: no shutdown hooks, no last words.",
                    "Use `exec java …` in the entrypoint script, or the exec form ENTRYPOINT [\"java\", …] instead of the shell form; or an init that "
                            + "forwards signals (docker run --init, tini, dumb-init).",
                    "/proc/1/comm " + comm + "; /proc/1/cmdline"));
        }
    }

    private static boolean isShellPath(String argv0) {
        String base = argv0.substring(argv0.lastIndexOf('/') + 1);
        return ServiceRisks.isShell(base) && !base.equals("busybox");
    }

    private static void jvmFlags(Facts f, List<Risk> risks) {
        JvmArgs a = f.args;
        String where = "/proc/" + f.pid + "/cmdline and JAVA_TOOL_OPTIONS/JDK_JAVA_OPTIONS/_JAVA_OPTIONS";
        if (a.reducedSignals()) {
            risks.add(Risk.warn(
                    "xrs",
                    "-Xrs: no shutdown hooks on SIGTERM, SIGINT or SIGHUP",
                    "-Xrs is set: the JVM installs no handlers for SIGTERM, SIGINT and SIGHUP, so those signals kill it outright — no shutdown hooks, no "
                            + "flushed logs, no last words — and systemd then sees death by SIGTERM, which it counts as a clean exit.",
                    "Remove -Xrs (it exists for JVMs embedded in a native process that handles signals itself).",
                    where));
        }
        if (a.flag("ExitOnOutOfMemoryError")) {
            risks.add(Risk.warn(
                    "exit-on-oom",
                    "-XX:+ExitOnOutOfMemoryError: exits without hooks at the first OutOfMemoryError",
                    "-XX:+ExitOnOutOfMemoryError is set: at the first OutOfMemoryError the JVM exits at once with status 3 without running shutdown "
                            + "hooks — no last words, no flushed logs; only \"Terminating due to java.lang.OutOfMemoryError\" on stderr, and the black box at the next start.",
                    "Keep it if fail-fast is wanted, but make sure the supervisor restarts on exit status 3 and add -XX:+HeapDumpOnOutOfMemoryError "
                            + "-XX:HeapDumpPath=<dir> to see what filled the heap.",
                    where));
        }
        if (a.flag("CrashOnOutOfMemoryError")) {
            risks.add(Risk.warn(
                    "crash-on-oom",
                    "-XX:+CrashOnOutOfMemoryError: aborts without hooks at the first OutOfMemoryError",
                    "-XX:+CrashOnOutOfMemoryError is set: at the first OutOfMemoryError the JVM aborts (SIGABRT, hs_err file, core dump) without running shutdown hooks.",
                    "Make sure the supervisor restarts after SIGABRT and that core dumps have room; add -XX:+HeapDumpOnOutOfMemoryError to see what filled the heap.",
                    where));
        }
    }

    private static void kubernetes(Inputs in, List<Risk> risks, Supervisor[] supervisor) {
        if (in.env("KUBERNETES_SERVICE_HOST") == null) {
            return;
        }
        boolean log = in.host.exists("/dev/termination-log");
        long took = in.previousShutdownMillis;
        String previous = took < 0 ? "" : " The previous run's shutdown took " + seconds(took) + ".";
        String message =
                "Kubernetes pod: on deletion the kubelet runs the preStop hook, sends SIGTERM, and SIGKILLs the container when "
                        + "terminationGracePeriodSeconds (default 30 s, counted from the start of preStop) runs out."
                        + previous
                        + (log
                                ? " /dev/termination-log exists: what is written there becomes the container's termination message in `kubectl describe pod`."
                                : "");
        String fix =
                "Keep the shutdown well under the grace period or raise terminationGracePeriodSeconds; set terminationMessagePolicy: "
                        + "FallbackToLogsOnError to see the log tail when nothing was written to the termination log.";
        String evidence = "KUBERNETES_SERVICE_HOST" + (log ? ", /dev/termination-log" : "");
        risks.add(
                took >= 25_000
                        ? Risk.warn(
                                "kubernetes-grace",
                                "the last shutdown took " + seconds(took) + " of the default 30 s grace period",
                                message,
                                fix,
                                evidence)
                        : Risk.note(
                                "kubernetes-grace",
                                "Kubernetes: SIGKILL after terminationGracePeriodSeconds",
                                message,
                                fix,
                                evidence));
        if (supervisor[0] == null) {
            supervisor[0] = new Supervisor("Kubernetes (terminationGracePeriodSeconds, default 30 s)", 30_000);
        }
    }

    static String seconds(long millis) {
        return Text.oneDecimal(millis / 1000.0) + " s";
    }

    /**
     * A resource's text from the first class loader that has it, in the order loaders appeared: the system loader
     * (where -cp and -jar put the application) first, then those that hold nested jars (Spring Boot's, a web app's).
     */
    static String applicationResource(String name) {
        ClassLoader loader = Loaders.withResource(name);
        URL url = loader == null ? null : loader.getResource(name);
        if (url == null) {
            return null;
        }
        if (name.endsWith(".class")) {
            return "";
        }
        try (InputStream in = url.openStream()) {
            return new String(in.readNBytes(Host.MAX_READ), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
