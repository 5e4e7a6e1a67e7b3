package dev.forensics.termination;

import dev.forensics.environment.Surroundings;
import dev.forensics.environment.SystemdUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Joins what termination capture knows (the signal, its sender, the exit status about to be reported) with what
 * the environment probes read at start-up (cgroup, unit, container, PID 1) into the verdict's two lines: who
 * stopped the JVM and why, then what happens next. Pure: facts in, {@link Verdict} out, so every case is tested on
 * fixtures. Where a fact is missing the lines say what is known and stop there.
 */
final class CauseResolver {
    private static final Set<String> SHELLS =
            Set.of("sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "fish", "busybox");
    private static final Set<String> CONTAINER_INITS = Set.of("tini", "dumb-init", "docker-init", "catatonit");
    /** What a shell typed into runs under: an SSH login, a console login, a terminal multiplexer, su or sudo. */
    private static final Set<String> TERMINAL_PARENTS = Set.of(
            "sshd",
            "sshd-session",
            "login",
            "tmux: server",
            "screen",
            "SCREEN",
            "su",
            "sudo",
            "xterm",
            "gnome-terminal-",
            "konsole",
            "tilix",
            "alacritty",
            "kitty");

    static final long KUBERNETES_GRACE_MILLIS = 30_000;

    private CauseResolver() {}

    /**
     * This JVM as a process: its pid, its parent when it started and its parent now (a parent that exited leaves the
     * JVM re-parented). {@code parentPidNow} is -1 when not read.
     */
    record Self(long pid, long parentPid, String parentCommand, long parentPidNow) {
        static final Self UNKNOWN = new Self(-1, -1, "", -1);
    }

    /** Who sent a signal, as far as the facts show. */
    enum Sender {
        SYSTEMD_SCOPE,
        SYSTEMD_UNIT,
        SYSTEMD_OTHER,
        USER_MANAGER_STOPPING,
        USER_MANAGER_UNIT,
        CONTAINER,
        KUBERNETES,
        CONTAINER_INIT,
        TIMEOUT,
        PARENT_EXITING,
        SHELL_BY_HAND,
        KERNEL,
        SELF,
        PROCESS,
        UNKNOWN
    }

    static Sender sender(SignalRecord r, Surroundings env, Self self, String userStateNow) {
        if (r == null) {
            return Sender.UNKNOWN;
        }
        if (r.fromKernel()) {
            return Sender.KERNEL;
        }
        if (!r.fromProcess()) {
            return Sender.UNKNOWN;
        }
        if (r.pid() == 0) {
            return env.kubernetes() ? Sender.KUBERNETES : Sender.CONTAINER;
        }
        if (r.pid() == self.pid()) {
            return Sender.SELF;
        }
        String comm = r.comm();
        if (comm.equals("systemd")) {
            boolean user = r.args().contains("--user") || (r.uid() != 0 && env.userManagerUid() != null);
            if (user) {
                return userManagerStopping(env, userStateNow) ? Sender.USER_MANAGER_STOPPING : Sender.USER_MANAGER_UNIT;
            }
            if (env.sessionScope() != null) {
                return Sender.SYSTEMD_SCOPE;
            }
            return env.serviceName() != null && env.userManagerUid() == null
                    ? Sender.SYSTEMD_UNIT
                    : Sender.SYSTEMD_OTHER;
        }
        if (r.pid() == 1 && CONTAINER_INITS.contains(comm)) {
            return Sender.CONTAINER_INIT;
        }
        if (comm.equals("timeout")) {
            return Sender.TIMEOUT;
        }
        if (r.pid() == self.parentPid()
                && (r.args().isEmpty() || (self.parentPidNow() >= 0 && self.parentPidNow() != self.parentPid()))) {
            return Sender.PARENT_EXITING;
        }
        if (interactiveShell(comm, r.args(), r.parentComm())
                || (comm.equals("kill") && interactiveShell(r.parentComm(), r.parentArgs(), null))) {
            return Sender.SHELL_BY_HAND;
        }
        return Sender.PROCESS;
    }

    /** Lingering off and logind not showing the user logged in: the user manager is going with the last session. */
    private static boolean userManagerStopping(Surroundings env, String userStateNow) {
        boolean loggedIn = "active".equals(userStateNow) || "online".equals(userStateNow);
        return Boolean.FALSE.equals(env.linger()) && !loggedIn;
    }

    /**
     * A shell someone types into: a login shell ("-bash"), or a shell with no script and no -c under a terminal's
     * process (sshd, login, tmux …). A bare "bash" with an unknown parent may be reading a script from a pipe.
     */
    static boolean interactiveShell(String comm, List<String> args, String parentComm) {
        if (comm == null || !SHELLS.contains(comm) || args.isEmpty()) {
            return false;
        }
        if (args.get(0).startsWith("-")) {
            return true;
        }
        for (int i = 1; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("-") || a.equals("-c") || a.equals("-s")) {
                return false; // a script, a command string, or commands from stdin
            }
        }
        return parentComm != null && TERMINAL_PARENTS.contains(parentComm);
    }

    /** The first line for a signal whose sender the native handler recorded. */
    static String signalLine(SignalRecord r, Surroundings env, Self self, String userStateNow) {
        String name = Verdicts.signalName(r.signo());
        switch (sender(r, env, self, userStateNow)) {
            case SYSTEMD_SCOPE:
                return name + " from systemd (pid " + r.pid() + "): it is stopping login session scope "
                        + env.sessionScope()
                        + ", which this JVM was started in — the login/SSH session ended; nohup does not protect against this";
            case SYSTEMD_UNIT:
                return name + " from systemd (pid " + r.pid() + "): it is stopping " + env.serviceName()
                        + " (systemctl stop, a dependency, or shutdown)";
            case SYSTEMD_OTHER:
                return name + " from systemd (pid " + r.pid() + "): it is stopping the unit this JVM runs in"
                        + (env.cgroupPath() == null
                                ? " (its cgroup could not be read)"
                                : " (cgroup " + env.cgroupPath() + ")");
            case USER_MANAGER_STOPPING:
                return name + " from systemd --user (pid " + r.pid() + "): user@" + env.userManagerUid()
                        + ".service is stopping — the user logged out and lingering is off";
            case USER_MANAGER_UNIT:
                return name + " from systemd --user (pid " + r.pid() + "): it is stopping "
                        + (env.serviceName() != null ? env.serviceName() : "the user unit this JVM runs in")
                        + " (systemctl --user stop, a dependency, or the user manager stopping)";
            case CONTAINER:
                return name
                        + " from outside this JVM's pid namespace (pid 0): the container is being stopped (docker stop, pod deletion or eviction)";
            case KUBERNETES:
                return name + " from outside this JVM's pid namespace (pid 0): Kubernetes is stopping the container "
                        + "(pod deletion or eviction, a rollout, or a failed liveness probe)";
            case CONTAINER_INIT:
                return name + " from " + r.comm()
                        + " (pid 1), the container's init passing on its stop signal: the container is being stopped "
                        + "(docker stop, pod deletion or eviction)";
            case TIMEOUT:
                return name + " from timeout(1) (pid " + r.pid()
                        + (r.senderShort().isEmpty() ? "" : ": " + r.senderShort()) + "): its time limit ran out";
            case PARENT_EXITING:
                String parent = r.senderShort().isEmpty() ? self.parentCommand() : r.senderShort();
                return name + " from this JVM's parent (pid " + r.pid()
                        + (parent == null || parent.isEmpty() ? "" : ", " + parent)
                        + ") as it exited: a parent that ends takes the JVM with it (its own cleanup, or PR_SET_PDEATHSIG)";
            case SHELL_BY_HAND:
                return Verdicts.signal(r, self.pid()) + ": a `kill` from an interactive shell";
            default:
                return Verdicts.signal(r, self.pid());
        }
    }

    /**
     * Both lines and their evidence.
     *
     * @param c             the cause as recorded (its first line is already resolved)
     * @param userStateNow  logind's STATE= for the user manager's user, read at death, or null
     * @param nowMillis     when the verdict is made (the SIGKILL deadline counts from the signal, else from now)
     */
    static Verdict resolve(Cause c, Surroundings env, Self self, String userStateNow, long nowMillis) {
        Surroundings e = env == null ? Surroundings.UNKNOWN : env;
        // A signal the application handled and then exited on still counts as that sender's stop.
        Sender sender = c.signal() != null ? sender(c.signal(), e, self, userStateNow) : Sender.UNKNOWN;
        List<String> evidence = new ArrayList<>();
        long from = c.signal() != null ? c.signal().realNanos() / 1_000_000 : nowMillis;
        StringBuilder next = new StringBuilder("next: ");
        long[] sigkillAt = {-1};
        String stopTimeout = null;
        switch (sender) {
            case SYSTEMD_UNIT:
            case USER_MANAGER_UNIT: {
                String manager = sender == Sender.SYSTEMD_UNIT ? "systemd" : "systemd --user";
                next.append(manager)
                        .append(" will not restart ")
                        .append(e.serviceName() != null ? e.serviceName() : "the unit")
                        .append(
                                ": a stop through systemd never triggers Restart= (a `systemctl restart` starts it again by itself); ");
                stopTimeout = systemdKill(next, e, from, sigkillAt);
                break;
            }
            case SYSTEMD_SCOPE:
            case SYSTEMD_OTHER:
                next.append(
                        sender == Sender.SYSTEMD_SCOPE
                                ? "nothing starts this JVM again: a login session scope is not a service and has no Restart=; "
                                : "whether anything starts it again is not known (no service unit was identified); ");
                stopTimeout = systemdKill(next, e, from, sigkillAt);
                break;
            case USER_MANAGER_STOPPING: {
                String user = e.userName() == null ? "<user>" : e.userName();
                next.append(e.serviceName() != null ? e.serviceName() : "this user service")
                        .append(" will not be restarted: its user manager is stopping with it (it starts again at ")
                        .append(user)
                        .append("'s next login; `loginctl enable-linger ")
                        .append(user)
                        .append("` keeps user services running without a login); ");
                stopTimeout = systemdKill(next, e, from, sigkillAt);
                break;
            }
            case KUBERNETES:
                next.append(kubernetesNext(from));
                break;
            case CONTAINER:
            case CONTAINER_INIT:
                next.append(e.kubernetes() ? kubernetesNext(from) : dockerNext());
                break;
            default:
                if (sender == Sender.UNKNOWN && c.kind() == Cause.Kind.SIGNAL && e.unit() != null) {
                    // Without the sender, a stop through systemd (never restarted) cannot be ruled out.
                    next.append("the sender is not known: if systemd sent it to stop ")
                            .append(e.serviceName())
                            .append(", nothing restarts it; if not, ");
                }
                next.append(ownExit(c, e));
        }
        evidence(e, self, c, sender, userStateNow, evidence);
        if ((sender == Sender.SYSTEMD_UNIT || sender == Sender.USER_MANAGER_UNIT)
                && e.unit() != null
                && c.status() != null) {
            // A signal alone cannot tell `systemctl kill` from a stop; the caveat stays with the evidence.
            SystemdUnit.RestartDecision d =
                    e.unit().restartDecision(SystemdUnit.Exit.code("exit " + c.status(), c.status()));
            evidence.add("if this was `systemctl kill` rather than a stop, Restart= applies: systemd would "
                    + (d.restarts() ? "" : "not ") + "restart " + e.serviceName() + ", because " + d.because()
                    + " (exit status " + c.status() + ")");
        }
        return new Verdict(c.verdict(), next.toString(), evidence, sigkillAt[0], stopTimeout);
    }

    /** The SIGKILL that follows a systemd stop; returns the setting it comes from. */
    private static String systemdKill(StringBuilder next, Surroundings e, long from, long[] sigkillAt) {
        long t = e.stopTimeoutMillis();
        if (t == -1) {
            next.append("systemd waits for the shutdown without a limit (TimeoutStopSec=infinity)");
            return "TimeoutStopSec=infinity";
        }
        if (t < 0) {
            next.append(
                    "systemd sends SIGKILL if the JVM is still running after TimeoutStopSec= (90 s unless the unit changes it)");
            return "TimeoutStopSec= (not read)";
        }
        String setting =
                "TimeoutStopSec=" + timespan(t) + (e.stopTimeoutSource() == null ? "" : ", " + e.stopTimeoutSource());
        sigkillAt[0] = from + t;
        next.append("systemd sends SIGKILL at ")
                .append(Verdicts.clock(from + t))
                .append(" if the JVM is still running then (")
                .append(setting)
                .append(')');
        return setting;
    }

    /** No deadline is kept for the shutdown record: the pod's grace period is not readable in-pod, so 30 s is only the default. */
    private static String kubernetesNext(long from) {
        return "whether Kubernetes starts the container again depends on the pod's restartPolicy, which cannot be read from inside the pod "
                + "(a deleted or evicted pod is not restarted; its controller may create a new one); the kubelet sends SIGKILL when "
                + "terminationGracePeriodSeconds runs out (default 30 s, counted from the preStop hook: about "
                + Verdicts.clock(from + KUBERNETES_GRACE_MILLIS)
                + "; not readable in-pod either)";
    }

    private static String dockerNext() {
        return "whether the container starts again depends on its restart policy, which cannot be read from inside it (a `docker stop` is "
                + "never restarted, whatever --restart says); docker stop sends SIGKILL after 10 s unless its --time (stop_grace_period) says otherwise";
    }

    /** The JVM ends on its own (a signal from a script, an exit call): what the supervisor makes of its exit status. */
    private static String ownExit(Cause c, Surroundings e) {
        Integer status = c.status();
        if (status == null) {
            return "the exit status is not known yet: the application's own signal handler decides whether and how the JVM ends";
        }
        if (e.unit() != null) {
            SystemdUnit.RestartDecision d = e.unit().restartDecision(SystemdUnit.Exit.code("exit " + status, status));
            String manager = e.userManagerUid() != null ? "systemd --user" : "systemd";
            String s = d.restarts()
                    ? manager + " will restart " + e.serviceName() + " after "
                            + e.unit().restartSec() + ", because " + d.because()
                    : manager + " will not restart " + e.serviceName() + ", because " + d.because();
            return s + " (exit status " + status + ")"
                    + (e.mainProcess()
                            ? ""
                            : "; but systemd judges the unit's main process, not this JVM (" + e.mainProcessSource()
                                    + ")");
        }
        if (e.serviceName() != null) {
            return "this JVM runs in " + e.serviceName() + ", but its unit file was not found (" + e.unitSource()
                    + "), so whether systemd restarts it after exit status " + status + " is not known";
        }
        if (e.sessionScope() != null) {
            return "nothing starts this JVM again: it runs in login session scope " + e.sessionScope()
                    + ", not under a supervisor (exit status " + status + ")";
        }
        if (e.kubernetes()) {
            return "whether Kubernetes starts the container again after exit status " + status
                    + " depends on the pod's restartPolicy, which cannot be " + "read from inside the pod";
        }
        if (e.containerEvidence() != null || e.jvmIsPid1()) {
            return "whether the container starts again after exit status " + status
                    + " depends on its restart policy, which cannot be read from inside it";
        }
        if (e == Surroundings.UNKNOWN) {
            return "who supervises this JVM is not known: the environment had not been read yet (exit status " + status
                    + ")";
        }
        if (e.cgroupPath() == null) {
            return "who supervises this JVM is not known: its cgroup could not be read (exit status " + status + ")";
        }
        return "no supervisor was found (no service unit in its cgroup, no container): nothing is known to start this JVM again (exit status "
                + status + ")";
    }

    private static void evidence(
            Surroundings e, Self self, Cause c, Sender sender, String userStateNow, List<String> out) {
        if (e == Surroundings.UNKNOWN) {
            out.add("environment: not read yet (the JVM went before the agent's start-up probes ran)");
            return;
        }
        out.add("cgroup: " + (e.cgroupPath() == null ? "unknown" : e.cgroupPath()) + " (" + e.cgroupSource() + ")");
        if (e.sessionScope() != null) {
            out.add(
                    "login session scope: " + e.sessionScope()
                            + " (the cgroup's last part); systemd stops a session scope when the session ends "
                            + "(logout, SSH disconnect, loginctl terminate-session, with KillUserProcesses=yes) or when the machine shuts down");
        }
        if (e.userManagerUid() != null) {
            out.add("user manager: user@" + e.userManagerUid() + ".service"
                    + (e.userName() == null ? "" : " of " + e.userName())
                    + (e.linger() == null ? "; lingering unknown" : e.linger() ? "; lingering on" : "; lingering off")
                    + (e.lingerSource() == null ? "" : " (" + e.lingerSource() + ")")
                    + (userStateNow == null
                            ? ""
                            : "; logind user state now: " + userStateNow + " (/run/systemd/users/" + e.userManagerUid()
                                    + ")"));
        }
        if (e.serviceName() != null) {
            SystemdUnit u = e.unit();
            StringBuilder sb = new StringBuilder("unit: ").append(e.serviceName());
            if (u != null) {
                sb.append(": Restart=").append(u.restart()).append(u.get("Restart") == null ? " (not set)" : "");
                for (String key :
                        new String[] {"SuccessExitStatus", "RestartPreventExitStatus", "RestartForceExitStatus"}) {
                    if (!u.statusList(key).isEmpty()) {
                        sb.append(", ").append(key).append('=').append(String.join(" ", u.statusList(key)));
                    }
                }
                sb.append(", RestartSec=").append(u.restartSec());
            }
            out.add(sb.append(" (").append(e.unitSource()).append(')').toString());
            if (!e.mainProcess()) {
                out.add("main process of the unit: not this JVM (" + e.mainProcessSource() + ")");
            }
        }
        if (e.stopTimeoutMillis() != -2 && (e.serviceName() != null || e.sessionScope() != null)) {
            out.add("stop timeout: "
                    + (e.stopTimeoutMillis() == -1 ? "none (infinity)" : timespan(e.stopTimeoutMillis())) + " ("
                    + e.stopTimeoutSource() + ")");
        }
        if (e.containerEvidence() != null) {
            out.add("container: " + e.containerEvidence());
        }
        if (e.jvmIsPid1()) {
            out.add("this JVM is PID 1 of its pid namespace (/proc/self/stat)");
        } else if (e.pid1Comm() != null) {
            out.add("PID 1: " + e.pid1Comm()
                    + (e.pid1Command() == null
                            ? ""
                            : " (" + Verdicts.bounded(e.pid1Command(), Verdicts.VERDICT_COMMAND_MAX) + ")")
                    + " (/proc/1/comm, /proc/1/cmdline)");
        }
        if (e.hupIgnored()) {
            out.add("SIGHUP ignored since start-up (nohup or an ignoring parent): " + e.signalMaskSource());
        }
        if (self.parentPid() > 0) {
            out.add("this JVM's parent at start-up: pid " + self.parentPid()
                    + (self.parentCommand().isEmpty() ? "" : " (" + self.parentCommand() + ")")
                    + (self.parentPidNow() >= 0 ? "; now pid " + self.parentPidNow() : ""));
        }
        SignalRecord r = c.signal();
        if (r != null && sender == Sender.PARENT_EXITING) {
            out.add("sender taken as this JVM's exiting parent: its pid is the parent's at start-up, and "
                    + (r.args().isEmpty()
                            ? "it was gone before /proc/" + r.pid() + " could be read"
                            : "the JVM's parent is now pid " + self.parentPidNow()));
        } else if (r != null
                && sender != Sender.UNKNOWN
                && sender != Sender.PROCESS
                && sender != Sender.KERNEL
                && sender != Sender.SELF) {
            out.add("sender taken as " + describe(sender) + " from "
                    + (r.pid() == 0
                            ? "si_pid 0 with " + r.codeName()
                            : "its name \"" + r.comm() + "\"" + (r.args().isEmpty() ? "" : " and command line")
                                    + ", read from /proc/" + r.pid() + " as the signal arrived"));
        }
    }

    private static String describe(Sender s) {
        switch (s) {
            case SYSTEMD_SCOPE:
            case SYSTEMD_UNIT:
            case SYSTEMD_OTHER:
                return "the system manager systemd";
            case USER_MANAGER_STOPPING:
            case USER_MANAGER_UNIT:
                return "a user manager (systemd --user)";
            case CONTAINER:
            case KUBERNETES:
                return "outside the pid namespace";
            case CONTAINER_INIT:
                return "the container's init";
            case TIMEOUT:
                return "timeout(1)";
            case PARENT_EXITING:
                return "this JVM's exiting parent";
            case SHELL_BY_HAND:
                return "an interactive shell";
            default:
                return s.name();
        }
    }

    static String timespan(long ms) {
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
