package dev.forensics.environment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a systemd unit will do when the JVM goes: whether {@code Restart=} brings it back after the ways a JVM
 * actually ends (a SIGTERM it handles ends in exit status 143, an exit code, not a signal), whether a stop reaches
 * the JVM at all ({@code KillMode=}, {@code KillSignal=}, a shell in between), and whether {@code TimeoutStopSec=}
 * leaves the shutdown hooks enough time.
 */
final class ServiceRisks {
    private static final Set<String> SHELLS = Set.of("sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox");

    private ServiceRisks() {}

    /** The deepest ".service" in the cgroup path that is not the per-user manager itself; null when none. */
    static String serviceName(String cgroupPath) {
        if (cgroupPath == null) {
            return null;
        }
        String[] parts = cgroupPath.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            if (parts[i].endsWith(".service") && userManager(parts[i]) == null) {
                return parts[i];
            }
        }
        return null;
    }

    /** The uid of the per-user manager the process runs under ("user@1000.service"), or null. */
    static String userManagerUid(String cgroupPath) {
        if (cgroupPath == null) {
            return null;
        }
        for (String part : cgroupPath.split("/")) { // a one-character split takes String's fast path: no regex
            String uid = userManager(part);
            if (uid != null) {
                return uid;
            }
        }
        return null;
    }

    /** The uid in a per-user manager's unit name, "user@1000.service"; null for any other name. */
    private static String userManager(String unit) {
        if (!unit.startsWith("user@") || !unit.endsWith(".service")) {
            return null;
        }
        String uid = unit.substring(5, unit.length() - ".service".length());
        if (uid.isEmpty()) {
            return null;
        }
        for (int i = 0; i < uid.length(); i++) {
            if (uid.charAt(i) < '0' || uid.charAt(i) > '9') {
                return null;
            }
        }
        return uid;
    }

    static boolean isShell(String comm) {
        return comm != null && SHELLS.contains(comm);
    }

    /** The ways a JVM under this unit ends on its own, as systemd sees the main process end. */
    static List<SystemdUnit.Exit> jvmExits(JvmArgs args) {
        List<SystemdUnit.Exit> exits = new ArrayList<>();
        if (args.reducedSignals()) {
            exits.add(SystemdUnit.Exit.signal(
                    "SIGTERM",
                    "a SIGTERM from outside systemd (with -Xrs the JVM dies of the signal itself)",
                    "SIGTERM"));
        } else {
            exits.add(SystemdUnit.Exit.code(
                    "SIGTERM (exit 143)",
                    "a SIGTERM from outside systemd (the JVM runs its hooks and exits with status 143)",
                    143));
        }
        exits.add(SystemdUnit.Exit.signal(
                "SIGKILL or an OOM kill", "SIGKILL (kill -9, the kernel OOM killer)", "SIGKILL"));
        exits.add(SystemdUnit.Exit.signal("a crash", "a JVM crash (SIGABRT after a fatal error)", "SIGABRT"));
        if (args.flag("ExitOnOutOfMemoryError")) {
            exits.add(SystemdUnit.Exit.code(
                    "exit 3 (OutOfMemoryError)",
                    "an OutOfMemoryError (-XX:+ExitOnOutOfMemoryError exits with status 3)",
                    3));
        }
        exits.add(SystemdUnit.Exit.code("exit 1", "System.exit(1)", 1));
        exits.add(SystemdUnit.Exit.code("exit 0", "System.exit(0) or the end of main", 0));
        return exits;
    }

    static void check(Doctor.Inputs in, Doctor.Facts facts, List<Risk> risks, Doctor.Supervisor[] supervisor) {
        String name = serviceName(facts.unitPath);
        String uid = userManagerUid(facts.unitPath);
        boolean user = uid != null;
        if (name == null) {
            if (in.env("INVOCATION_ID") != null && in.env("KUBERNETES_SERVICE_HOST") == null) {
                risks.add(Risk.note(
                        "systemd-unit-unknown",
                        "systemd unit not identified",
                        "Started by systemd (INVOCATION_ID is set) but the unit could not be named from the cgroup ("
                                + facts.unitPath + "); its Restart= and stop settings were not checked.",
                        "Run `systemctl status " + facts.pid
                                + "` to find the unit and check Restart=, KillMode= and TimeoutStopSec= by hand.",
                        "/proc/" + in.pid + "/cgroup"));
            }
            return;
        }
        List<String> paths = in.unitPath != null
                ? in.unitPath
                : user ? SystemdUnit.userPaths(home(in), uid) : SystemdUnit.SYSTEM_PATHS;
        SystemdUnit unit = SystemdUnit.find(in.host, name, paths);
        long managerDefault = SystemdUnit.managerDefaultTimeoutStopMillis(in.host, user);
        if (unit == null) {
            risks.add(Risk.note(
                    "systemd-unit-unreadable",
                    "unit file of " + name + " not found",
                    "Runs as systemd unit " + name
                            + " but no unit file for it was found on the search path, so Restart= and the stop settings were not checked.",
                    "Check with `systemctl " + (user ? "--user " : "") + "cat " + name
                            + "`; pass the unit directory with the agent option unitPath= if it lives elsewhere.",
                    "searched " + String.join(":", paths)));
            supervisor[0] = new Doctor.Supervisor("systemd unit " + name, managerDefault);
            return;
        }
        String where = unit.file() + (unit.dropIns().isEmpty() ? "" : " + " + String.join(", ", unit.dropIns()));
        long stopTimeout = unit.timeoutStopMillis(managerDefault);
        supervisor[0] = new Doctor.Supervisor(
                "systemd unit " + name + " (TimeoutStopSec=" + timeout(stopTimeout) + ")", stopTimeout);

        restart(unit, facts.args, where, user, risks);
        boolean mainProcess = isMainProcess(in, facts);
        killSettings(unit, mainProcess, facts, where, stopTimeout, risks);
        stopTimeout(unit, in, stopTimeout, where, risks);
    }

    private static String home(Doctor.Inputs in) {
        String h = in.env("HOME");
        return h == null || h.isEmpty() ? null : h;
    }

    private static void restart(SystemdUnit unit, JvmArgs args, String where, boolean user, List<Risk> risks) {
        List<String> stays = new ArrayList<>();
        List<String> staysShort = new ArrayList<>();
        List<String> criticalShort = new ArrayList<>();
        List<String> comes = new ArrayList<>();
        boolean critical = false;
        for (SystemdUnit.Exit e : jvmExits(args)) {
            if (unit.restartsAfter(e)) {
                comes.add(e.what());
            } else {
                stays.add(e.what() + (unit.isClean(e) ? " [clean]" : " [failure]"));
                staysShort.add(e.label());
                if (e.signal() != null || e.code() == 143 || e.code() == 3) {
                    critical = true;
                    criticalShort.add(e.label());
                }
            }
        }
        String restart = unit.restart();
        String settings = "Restart=" + restart + (unit.get("Restart") == null ? " (not set)" : "")
                + list(unit, "SuccessExitStatus") + list(unit, "RestartPreventExitStatus")
                + list(unit, "RestartForceExitStatus");
        String semantics =
                "systemd counts exit status 0 and death by SIGHUP, SIGINT, SIGTERM or SIGPIPE as clean, plus SuccessExitStatus=; "
                        + "every other exit status (143 included: it is a status, not a signal) and every other signal is a failure; "
                        + "on-failure restarts after failures, on-success after clean exits, on-abnormal/on-abort only after unclean signals, "
                        + "and a stop or restart through systemctl never triggers Restart=.";
        if (critical) {
            risks.add(Risk.warn(
                    "restart-policy",
                    unit.name() + " (Restart=" + restart + ") will not be restarted after "
                            + String.join(", ", criticalShort),
                    unit.name() + " has " + settings + ": systemd will NOT restart it after "
                            + String.join("; after ", stays)
                            + (comes.isEmpty()
                                    ? "."
                                    : ". It does restart it after " + String.join("; after ", comes) + ".")
                            + " (" + semantics + ")",
                    restart.equals("always")
                            ? "Remove the statuses above from RestartPreventExitStatus= in [Service]."
                            : "Set Restart=always and RestartSec=5s in [Service] (`systemctl " + (user ? "--user " : "")
                                    + "edit " + unit.name()
                                    + "`), then daemon-reload. Restart=on-failure also works if 143 is not in SuccessExitStatus=; it does not restart after exit status 0.",
                    where));
        } else if (!stays.isEmpty()) {
            risks.add(Risk.note(
                    "restart-policy",
                    unit.name() + " is not restarted after " + String.join(", ", staysShort),
                    unit.name() + " has " + settings + ": systemd restarts it after " + String.join("; after ", comes)
                            + ", but not after " + String.join("; after ", stays) + ". (" + semantics + ")",
                    "Nothing to do if a deliberate exit should keep it down; Restart=always restarts after every exit that systemctl did not ask for.",
                    where));
        }
    }

    private static String list(SystemdUnit unit, String key) {
        Set<String> s = unit.statusList(key);
        return s.isEmpty() ? "" : ", " + key + "=" + String.join(" ", s);
    }

    /** Is the JVM the unit's main process? systemd ≥ 248 says so in SYSTEMD_EXEC_PID; else a shell parent means no. */
    static boolean isMainProcess(Doctor.Inputs in, Doctor.Facts facts) {
        String execPid = in.env("SYSTEMD_EXEC_PID");
        if (execPid != null && facts.stat != null) {
            return execPid.trim().equals(Long.toString(facts.stat.pid()));
        }
        return facts.parent == null || !isShell(facts.parent.comm());
    }

    private static void killSettings(
            SystemdUnit unit,
            boolean mainProcess,
            Doctor.Facts facts,
            String where,
            long stopTimeout,
            List<Risk> risks) {
        String killMode = unit.killMode().toLowerCase(Locale.ROOT);
        String parent = facts.parent == null
                ? "its parent"
                : "its parent " + facts.parent.comm() + " (pid " + facts.parent.pid() + ")";
        if (killMode.equals("none")) {
            risks.add(Risk.warn(
                    "kill-mode",
                    unit.name() + " has KillMode=none: a stop kills nothing",
                    unit.name()
                            + " has KillMode=none: `systemctl stop` runs ExecStop= and then kills nothing; the JVM keeps running outside the stopped unit.",
                    "Remove KillMode=none (deprecated) or use KillMode=mixed; stop the JVM with SIGTERM.",
                    where));
        } else if (!mainProcess && (killMode.equals("mixed") || killMode.equals("process"))) {
            risks.add(Risk.warn(
                    "kill-mode",
                    unit.name() + ": the stop signal does not reach the JVM (KillMode=" + killMode + ", "
                            + (facts.parent == null ? "a parent" : facts.parent.comm()) + " in between)",
                    "The JVM is not the main process of " + unit.name() + " (" + parent + " is) and KillMode="
                            + killMode
                            + " sends the stop signal to the main process only: a shell does not pass SIGTERM on, so the JVM "
                            + (killMode.equals("mixed")
                                    ? "gets SIGKILL after TimeoutStopSec=" + timeout(stopTimeout)
                                            + " without running its hooks."
                                    : "keeps running after the unit is stopped."),
                    "Start the JVM with `exec java …` in the script so it becomes the main process, or use KillMode=control-group.",
                    where));
        } else if (!mainProcess) {
            risks.add(Risk.note(
                    "not-main-process",
                    "the JVM is not the main process of " + unit.name(),
                    "The JVM is not the main process of " + unit.name() + " (" + parent
                            + " is): systemd judges Restart= by that process's exit, not the JVM's.",
                    "Start the JVM with `exec java …` in the script so its exit status is the unit's.",
                    where));
        }
        String signal = unit.killSignal();
        if (signal.equals("SIGKILL")) {
            risks.add(Risk.warn(
                    "kill-signal",
                    unit.name() + " stops the JVM with SIGKILL: no hooks",
                    unit.name()
                            + " has KillSignal=SIGKILL: `systemctl stop` kills the JVM without running any shutdown hook or writing last words.",
                    "Remove KillSignal= (SIGTERM is the default) and bound the shutdown with TimeoutStopSec= instead.",
                    where));
        }
    }

    private static void stopTimeout(
            SystemdUnit unit, Doctor.Inputs in, long stopTimeout, String where, List<Risk> risks) {
        long took = in.previousShutdownMillis;
        if (stopTimeout > 0 && took >= 0 && took >= stopTimeout * 8 / 10) {
            risks.add(Risk.warn(
                    "stop-timeout",
                    unit.name() + ": TimeoutStopSec=" + timeout(stopTimeout)
                            + (took >= stopTimeout ? " is shorter than" : " is close to") + " the last shutdown ("
                            + Doctor.seconds(took) + ")",
                    unit.name() + " allows TimeoutStopSec=" + timeout(stopTimeout)
                            + " for the shutdown, and the previous run's shutdown (its hooks) took "
                            + Doctor.seconds(took)
                            + (took >= stopTimeout
                                    ? ", so systemd SIGKILLed it before it finished"
                                    : ", close to the limit")
                            + ": after the timeout systemd sends SIGKILL and the remaining hooks and last words are lost.",
                    "Raise TimeoutStopSec= in [Service] well above the shutdown time, or make the slow shutdown hooks faster.",
                    where));
        } else if (stopTimeout < 0) {
            risks.add(Risk.note(
                    "stop-timeout",
                    unit.name() + " has no stop timeout",
                    unit.name()
                            + " has no stop timeout (TimeoutStopSec=infinity or 0): a hung shutdown hook blocks `systemctl stop` forever.",
                    "Set TimeoutStopSec= to a bound above the normal shutdown time.",
                    where));
        }
    }

    static String timeout(long ms) {
        return ms < 0 ? "infinity" : ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
