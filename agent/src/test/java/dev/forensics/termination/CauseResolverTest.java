package dev.forensics.termination;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.environment.Host;
import dev.forensics.environment.Surroundings;
import dev.forensics.environment.SystemdUnit;
import dev.forensics.testing.Environments;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The verdict's two lines from fixture machines and recorded senders: facts in, words out. */
class CauseResolverTest {
    static final long AT_MILLIS = 1_700_000_000_123L;
    static final CauseResolver.Self SELF = new CauseResolver.Self(51873, 51790, "bash", -1);

    static Surroundings env(String fixture, Map<String, String> vars) {
        return Surroundings.read(new Host(Environments.root(fixture), vars), null);
    }

    static SignalRecord sender(int signo, int pid, int uid, String comm, List<String> args, int ppid, String parentComm, List<String> parentArgs) {
        return SignalRecord.create(1, signo, SignalRecord.SI_USER, pid, uid, 1000, ppid, AT_MILLIS * 1_000_000, 5_000_000_000L, 1, comm, args,
                false, parentComm, parentArgs, false);
    }

    static Cause signal(SignalRecord r, Surroundings env, CauseResolver.Self self) {
        return new Cause(Cause.Kind.SIGNAL, CauseResolver.signalLine(r, env, self, null), List.of(), 128 + r.signo(), AT_MILLIS, r.signo(), r,
                null, "SIGTERM handler");
    }

    static Verdict verdict(SignalRecord r, Surroundings env) {
        return CauseResolver.resolve(signal(r, env, SELF), env, SELF, null, AT_MILLIS);
    }

    static final SignalRecord SYSTEMD = sender(15, 1, 0, "systemd", List.of("/sbin/init", "splash"), 0, "", List.of());
    static final SignalRecord DEPLOY_SCRIPT = sender(15, 4242, 0, "deploy.sh", List.of("/bin/sh", "/opt/deploy.sh"), 4200, "sshd",
            List.of("sshd: root@pts/0"));

    @Test
    void systemdStoppingTheLoginSessionScopeIsTheSessionEnding() {
        Surroundings env = env("session-v2", Map.of());
        Verdict v = verdict(SYSTEMD, env);
        assertThat(v.cause()).isEqualTo("SIGTERM from systemd (pid 1): it is stopping login session scope session-146.scope, which this JVM was "
                + "started in — the login/SSH session ended; nohup does not protect against this");
        assertThat(v.next()).startsWith("next: nothing starts this JVM again: a login session scope is not a service and has no Restart=; "
                + "systemd sends SIGKILL at ").endsWith(" if the JVM is still running then (TimeoutStopSec=90s, systemd's default for scopes)");
        assertThat(v.sigkillAtMillis()).isEqualTo(AT_MILLIS + 90_000);
        assertThat(v.evidence()).contains("cgroup: /user.slice/user-1000.slice/session-146.scope (/proc/self/cgroup)")
                .contains("SIGHUP ignored since start-up (nohup or an ignoring parent): /proc/self/status SigIgn 0000000000000001")
                .anyMatch(l -> l.startsWith("sender taken as the system manager systemd from its name \"systemd\""));
    }

    @Test
    void systemdStoppingTheServiceNeverRestartsIt() {
        Verdict v = verdict(SYSTEMD, env("systemd-v2", Map.of()));
        assertThat(v.cause()).isEqualTo("SIGTERM from systemd (pid 1): it is stopping aiproxy.service (systemctl stop, a dependency, or shutdown)");
        assertThat(v.next()).startsWith("next: systemd will not restart aiproxy.service: a stop through systemd never triggers Restart=")
                .contains("TimeoutStopSec=90s, systemd's default");
        assertThat(v.evidence()).contains("unit: aiproxy.service: Restart=on-failure, SuccessExitStatus=143, RestartSec=5s "
                + "(/etc/systemd/system/aiproxy.service + /etc/systemd/system/aiproxy.service.d/override.conf)")
                .contains("if this was `systemctl kill` rather than a stop, Restart= applies: systemd would not restart aiproxy.service, "
                        + "because Restart=on-failure and SuccessExitStatus=143 make this exit clean (exit status 143)");
    }

    @Test
    void aDeployScriptsSigtermUnderRestartOnFailureWithSuccessExitStatus143IsNotRestarted() {
        Verdict v = verdict(DEPLOY_SCRIPT, env("systemd-v2", Map.of()));
        assertThat(v.cause()).startsWith("SIGTERM from pid 4242 (/bin/sh /opt/deploy.sh, parent sshd: root@pts/0)");
        assertThat(v.next()).isEqualTo("next: systemd will not restart aiproxy.service, because Restart=on-failure and SuccessExitStatus=143 "
                + "make this exit clean (exit status 143)");
        assertThat(v.sigkillAtMillis()).as("nobody is stopping it: no deadline").isEqualTo(-1);
    }

    @Test
    void theUserManagerStoppingWithoutLingeringIsALogout() {
        Surroundings env = env("user-service", Map.of());
        SignalRecord r = sender(15, 1322, 1000, "systemd", List.of("/lib/systemd/systemd", "--user"), 1, "systemd", List.of("/sbin/init"));
        CauseResolver.Self self = new CauseResolver.Self(2210, 1322, "/lib/systemd/systemd --user", -1);
        Cause c = new Cause(Cause.Kind.SIGNAL, CauseResolver.signalLine(r, env, self, null), List.of(), 143, AT_MILLIS, 15, r, null, "t");
        Verdict v = CauseResolver.resolve(c, env, self, null, AT_MILLIS);
        assertThat(v.cause()).isEqualTo("SIGTERM from systemd --user (pid 1322): user@1000.service is stopping — the user logged out and lingering is off");
        assertThat(v.next()).startsWith("next: litellm.service will not be restarted: its user manager is stopping with it (it starts again at "
                + "azureuser's next login; `loginctl enable-linger azureuser` keeps user services running without a login); systemd sends SIGKILL at ");
        assertThat(v.evidence()).anyMatch(l -> l.startsWith("user manager: user@1000.service of azureuser; lingering off (/var/lib/systemd/linger/azureuser absent)"));

        assertThat(CauseResolver.signalLine(r, env, self, "active")).as("logind says the user is still logged in: a stop of the unit")
                .isEqualTo("SIGTERM from systemd --user (pid 1322): it is stopping litellm.service (systemctl --user stop, a dependency, or the user manager stopping)");
    }

    @Test
    void pidZeroIsTheContainerBeingStoppedAndKubernetesIsNamedWhenItsEnvironmentIsThere() {
        SignalRecord outside = sender(15, 0, 0, "", List.of(), 0, "", List.of());
        Verdict docker = verdict(outside, env("container-java-pid1", Map.of()));
        assertThat(docker.cause()).isEqualTo("SIGTERM from outside this JVM's pid namespace (pid 0): the container is being stopped (docker stop, pod deletion or eviction)");
        assertThat(docker.next()).contains("restart policy, which cannot be read from inside it").contains("docker stop sends SIGKILL after 10 s");
        assertThat(docker.evidence()).contains("this JVM is PID 1 of its pid namespace (/proc/self/stat)");

        Verdict k8s = verdict(outside, env("kubernetes", Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1")));
        assertThat(k8s.cause()).isEqualTo("SIGTERM from outside this JVM's pid namespace (pid 0): Kubernetes is stopping the container "
                + "(pod deletion or eviction, a rollout, or a failed liveness probe)");
        assertThat(k8s.next()).contains("restartPolicy, which cannot be read from inside the pod").contains("terminationGracePeriodSeconds runs out (default 30 s");
        assertThat(k8s.evidence()).contains("container: KUBERNETES_SERVICE_HOST is set");
    }

    @Test
    void timeoutAParentThatExitsAnInteractiveKillAndAContainerInitAreEachNamed() {
        Surroundings none = env("clean", Map.of());
        assertThat(verdict(sender(15, 51790, 0, "timeout", List.of("timeout", "30", "java", "-jar", "app.jar"), 100, "bash", List.of("-bash")), none).cause())
                .isEqualTo("SIGTERM from timeout(1) (pid 51790: timeout 30 java -jar app.jar): its time limit ran out");

        SignalRecord parentGone = sender(15, 51790, 0, "", List.of(), 0, "", List.of());
        assertThat(CauseResolver.signalLine(parentGone, none, new CauseResolver.Self(51873, 51790, "python3 run.py", 1), null))
                .isEqualTo("SIGTERM from this JVM's parent (pid 51790, python3 run.py) as it exited: a parent that ends takes the JVM with it "
                        + "(its own cleanup, or PR_SET_PDEATHSIG)");

        SignalRecord byHand = sender(15, 7001, 1000, "bash", List.of("-bash"), 7000, "sshd", List.of("sshd: alice@pts/0"));
        assertThat(verdict(byHand, none).cause()).startsWith("SIGTERM from pid 7001 (-bash, parent sshd: alice@pts/0) at ")
                .endsWith(": a `kill` from an interactive shell");
        SignalRecord binKill = sender(15, 7002, 1000, "kill", List.of("kill", "51873"), 7001, "bash", List.of("-bash"));
        assertThat(verdict(binKill, none).cause()).endsWith(": a `kill` from an interactive shell");
        SignalRecord underTmux = sender(15, 7003, 1000, "zsh", List.of("/bin/zsh"), 7000, "tmux: server", List.of("tmux"));
        assertThat(verdict(underTmux, none).cause()).endsWith(": a `kill` from an interactive shell");
        SignalRecord piped = sender(15, 7004, 0, "bash", List.of("bash"), 7000, "curl", List.of("curl", "-s", "https://example.com/stop.sh"));
        assertThat(verdict(piped, none).cause()).as("a bare bash under an unknown parent may read a piped script: not said")
                .doesNotContain("interactive").endsWith(".123");
        SignalRecord bashC = sender(15, 7005, 0, "bash", List.of("-bash", "-c", "kill 51873"), 7000, "sshd", List.of("sshd: root@notty"));
        assertThat(verdict(bashC, none).cause()).endsWith(": a `kill` from an interactive shell");

        SignalRecord tini = sender(15, 1, 0, "tini", List.of("tini", "--", "java", "-jar", "app.jar"), 0, "", List.of());
        assertThat(verdict(tini, none).cause()).isEqualTo("SIGTERM from tini (pid 1), the container's init passing on its stop signal: "
                + "the container is being stopped (docker stop, pod deletion or eviction)");
    }

    @Test
    void whereNothingIsKnownTheSecondLineSaysSoWithoutGuessing() {
        Verdict v = CauseResolver.resolve(signal(DEPLOY_SCRIPT, Surroundings.UNKNOWN, SELF), Surroundings.UNKNOWN, SELF, null, AT_MILLIS);
        assertThat(v.next()).isEqualTo("next: who supervises this JVM is not known: the environment had not been read yet (exit status 143)");
        assertThat(v.evidence()).containsExactly("environment: not read yet (the JVM went before the agent's start-up probes ran)");

        Verdict plain = verdict(DEPLOY_SCRIPT, env("container-shell-pid1", Map.of()));
        assertThat(plain.next()).startsWith("next: ");
    }

    // ---- Restart= against the exit statuses a JVM reports ----

    static final String[] RESTART = {"no", "always", "on-success", "on-failure", "on-abnormal", "on-abort", "on-watchdog"};
    static final int[] STATUSES = {143, 130, 129, 0, 1};

    /** systemd.service(5): which of these exits (all exit statuses, none a signal) each Restart= value restarts. */
    static boolean systemdRestarts(String restart, int status, boolean success143) {
        boolean clean = status == 0 || (success143 && status == 143);
        switch (restart) {
            case "always":
                return true;
            case "on-success":
                return clean;
            case "on-failure":
                return !clean;
            default:
                return false; // no, on-abnormal, on-abort, on-watchdog: an exit status is never abnormal
        }
    }

    static Stream<Arguments> everyRestartValueAgainstEveryStatus() {
        List<Arguments> out = new ArrayList<>();
        for (String r : RESTART) {
            for (int s : STATUSES) {
                out.add(Arguments.of(r, s, false));
                out.add(Arguments.of(r, s, true));
            }
        }
        return out.stream();
    }

    static Surroundings unitEnv(String settings) {
        SystemdUnit unit = SystemdUnit.parse("app.service", "/etc/systemd/system/app.service", "[Service]\nExecStart=/usr/bin/java -jar app.jar\n" + settings);
        return Surroundings.of(null, "/system.slice/app.service", unit, 90_000);
    }

    static Cause exitWith(int status) {
        if (status > 128) {
            return signal(sender(status - 128, 4242, 0, "deploy.sh", List.of("/bin/sh", "/opt/deploy.sh"), 1, "", List.of()), Surroundings.UNKNOWN, SELF);
        }
        return new Cause(Cause.Kind.EXIT, "System.exit(" + status + ") called by com.acme.Lib.stop(Lib.java:12) on thread \"worker\"", List.of(),
                status, AT_MILLIS, 0, null, "com.acme.Lib.stop(Lib.java:12)", "worker");
    }

    @ParameterizedTest(name = "Restart={0}, exit status {1}, SuccessExitStatus=143: {2}")
    @MethodSource("everyRestartValueAgainstEveryStatus")
    void theSecondLineFollowsSystemdsRestartRules(String restart, int status, boolean success143) {
        Surroundings env = unitEnv("Restart=" + restart + "\n" + (success143 ? "SuccessExitStatus=143\n" : ""));
        Verdict v = CauseResolver.resolve(exitWith(status), env, SELF, null, AT_MILLIS);
        boolean restarts = systemdRestarts(restart, status, success143);
        assertThat(v.next()).startsWith(restarts ? "next: systemd will restart app.service after " : "next: systemd will not restart app.service, because ")
                .contains("Restart=" + restart).endsWith("(exit status " + status + ")");
        if (restarts && restart.equals("on-failure")) {
            assertThat(v.next()).contains("is a failure to systemd").doesNotContain("SuccessExitStatus=143 make");
        }
        if (success143 && status == 143 && (restart.equals("on-failure") || restart.equals("on-success"))) {
            assertThat(v.next()).contains("SuccessExitStatus=143 make this exit clean");
        }

        Cause stop = signal(SYSTEMD, env, SELF);
        assertThat(CauseResolver.resolve(stop, env, SELF, null, AT_MILLIS).next()).as("a stop through systemd, Restart=" + restart)
                .startsWith("next: systemd will not restart app.service: a stop through systemd never triggers Restart=");
    }

    @Test
    void aStopHandledByTheApplicationWhichThenExitsIsStillAStop() {
        Surroundings env = unitEnv("Restart=always\n");
        Cause handled = new Cause(Cause.Kind.EXIT, "SIGTERM from systemd (pid 1): …, handled by the application, which then called System.exit(0)",
                List.of(), 0, AT_MILLIS, 15, SYSTEMD, "com.acme.Main.stop(Main.java:3)", "SIGTERM handler");
        assertThat(CauseResolver.resolve(handled, env, SELF, null, AT_MILLIS).next())
                .startsWith("next: systemd will not restart app.service: a stop through systemd never triggers Restart=");
    }

    @Test
    void anUnknownSenderInAServiceLeavesBothOutcomesOpen() {
        Surroundings env = unitEnv("Restart=on-failure\n");
        Cause unknown = new Cause(Cause.Kind.SIGNAL, Verdicts.signalUnknown(15, "no shim", AT_MILLIS), List.of(), 143, AT_MILLIS, 15, null, null, "t");
        assertThat(CauseResolver.resolve(unknown, env, SELF, null, AT_MILLIS).next()).isEqualTo("next: the sender is not known: if systemd sent it "
                + "to stop app.service, nothing restarts it; if not, systemd will restart app.service after 100ms (the default RestartSec=), because "
                + "Restart=on-failure and exit status 143 is a failure to systemd (only 0, SIGHUP, SIGINT, SIGTERM, SIGPIPE and SuccessExitStatus= are clean) "
                + "(exit status 143)");
    }

    @Test
    void restartPreventAndForceExitStatusOverrideRestart() {
        Verdict prevented = CauseResolver.resolve(exitWith(143), unitEnv("Restart=always\nRestartPreventExitStatus=143 SIGKILL\n"), SELF, null, AT_MILLIS);
        assertThat(prevented.next()).isEqualTo("next: systemd will not restart app.service, because RestartPreventExitStatus=143 SIGKILL includes 143 (exit status 143)");
        Verdict forced = CauseResolver.resolve(exitWith(0), unitEnv("Restart=no\nRestartForceExitStatus=0\nRestartSec=5\n"), SELF, null, AT_MILLIS);
        assertThat(forced.next()).isEqualTo("next: systemd will restart app.service after 5s, because RestartForceExitStatus=0 includes 0 (exit status 0)");
        Verdict unset = CauseResolver.resolve(exitWith(1), unitEnv(""), SELF, null, AT_MILLIS);
        assertThat(unset.next()).isEqualTo("next: systemd will not restart app.service, because Restart= is not set (no) (exit status 1)");
    }

    @Test
    void aShortTimeoutStopSecGivesTheSigkillDeadline() {
        Surroundings env = unitEnv("Restart=always\nTimeoutStopSec=3s\n");
        Verdict v = CauseResolver.resolve(signal(SYSTEMD, env, SELF), env, SELF, null, AT_MILLIS);
        assertThat(v.sigkillAtMillis()).isEqualTo(AT_MILLIS + 3_000);
        assertThat(v.next()).endsWith("systemd sends SIGKILL at " + Verdicts.clock(AT_MILLIS + 3_000)
                + " if the JVM is still running then (TimeoutStopSec=3s, set in /etc/systemd/system/app.service)");
    }
}
