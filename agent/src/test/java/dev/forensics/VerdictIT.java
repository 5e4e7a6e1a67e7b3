package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static dev.forensics.testing.LastWordsFiles.firstLine;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.targets.Idle;
import dev.forensics.targets.Service;
import dev.forensics.testing.Environments;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import dev.forensics.testing.LastWordsFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The verdict's two lines with real processes: real pid namespaces ({@code unshare}), a real process named systemd
 * sending the stop, fixture machines ({@code envRoot}) for the cgroup and the unit. The first line says who stopped
 * the JVM and why, the second what happens next; both head the last words, the termination log and the log line.
 */
class VerdictIT {
    static final Duration START = Duration.ofSeconds(60);

    static Stream<Arguments> plainAndKubernetesOnEachJdk() {
        return Jdk.all().flatMap(jdk -> Stream.of(Arguments.of(jdk, false), Arguments.of(jdk, true)));
    }

    static Path tempDir() {
        try {
            return Files.createTempDirectory("forensics-verdict-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A copy of bash whose process name is "systemd": what the sender's /proc/<pid>/comm says is all the agent goes by. */
    static Path systemdNamedShell(Path work) {
        try {
            Path bin = Files.createDirectories(work.resolve("bin"));
            Path systemd = bin.resolve("systemd");
            Files.copy(Path.of("/bin/bash"), systemd, StandardCopyOption.REPLACE_EXISTING);
            systemd.toFile().setExecutable(true);
            return systemd;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The script a "systemd" runs: start the JVM ("$@"), wait for the test's go, stop it, and report its status. */
    static String stopWhenTold(String afterTerm) {
        return String.join("\n",
                "nohup \"$@\" &",
                "jvm=$!",
                "while [ ! -e stop ]; do sleep 0.05; done",
                "kill -TERM $jvm",
                afterTerm,
                "wait $jvm",
                "exit $?",
                "");
    }

    static String second(String text) {
        return text.lines().skip(1).findFirst().orElse("");
    }

    static String journalOf(ForkedJvm jvm) {
        return jvm.files(n -> n.startsWith("journal-")).stream().map(ForkedJvm::read).reduce("", String::concat);
    }

    /** {@link dev.forensics.testing.AgentAssertions#assertAgentClean} for a JVM whose pid is not the forked process's (a wrapper started it). */
    static void assertCleanUnderAWrapper(ForkedJvm jvm) {
        String journal = journalOf(jvm);
        assertThat(journal).as("journal in " + jvm.dir()).contains("hooks active").contains(" 0 missing")
                .doesNotContain("disabled after an internal error").doesNotContain("transformation of");
        assertThat(jvm.stderr()).as("stderr").doesNotContain("disabled after an internal error").doesNotContain("matched nothing");
    }

    static void go(ForkedJvm jvm) {
        try {
            Files.writeString(jvm.workDir().resolve("stop"), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ForkedJvm awaitReady(ForkedJvm jvm) {
        jvm.awaitStdout("READY", START);
        return jvm.await(() -> journalOf(jvm).contains("verdict facts read in "), "the verdict's facts to be read", START);
    }

    /** The JVM is PID 1 of a new pid namespace; the test, outside it, sends SIGTERM, which arrives with si_pid 0. */
    @ParameterizedTest(name = "{0}, Kubernetes environment: {1}")
    @MethodSource("plainAndKubernetesOnEachJdk")
    void aSigtermFromOutsideThePidNamespaceIsTheContainerBeingStopped(Jdk jdk, boolean kubernetes) throws Exception {
        Path work = tempDir();
        Path out = work.resolve("out");
        Path log = Files.createFile(work.resolve("termination-log"));
        ForkedJvm.Builder b = ForkedJvm.on(jdk).workDir(work).dir(out).agentOptions("terminationLog=" + log)
                .wrappedBy("unshare", "--pid", "--fork", "--mount-proc", "--kill-child");
        if (kubernetes) {
            b.env("KUBERNETES_SERVICE_HOST", "10.96.0.1");
        }
        try (ForkedJvm jvm = awaitReady(b.start(Service.class, out.toString()))) {
            long jvmOnHost = Long.parseLong(Files.readString(Path.of("/proc/" + jvm.pid() + "/task/" + jvm.pid() + "/children")).trim());
            ForkedJvm.run("kill", "-s", "TERM", Long.toString(jvmOnHost));
            assertThat(jvm.waitFor()).isEqualTo(143);
            String words = LastWordsFiles.text(jvm);
            assertThat(LastWordsFiles.single(jvm).getFileName().toString()).as("the JVM is pid 1 in its namespace").startsWith("last-words-1-");
            if (kubernetes) {
                assertThat(firstLine(words)).isEqualTo("SIGTERM from outside this JVM's pid namespace (pid 0): Kubernetes is stopping the container "
                        + "(pod deletion or eviction, a rollout, or a failed liveness probe)");
                assertThat(second(words)).startsWith("next: whether Kubernetes starts the container again depends on the pod's restartPolicy, "
                        + "which cannot be read from inside the pod").contains("terminationGracePeriodSeconds runs out (default 30 s");
            } else {
                assertThat(firstLine(words)).isEqualTo("SIGTERM from outside this JVM's pid namespace (pid 0): the container is being stopped "
                        + "(docker stop, pod deletion or eviction)");
                assertThat(second(words)).startsWith("next: whether the container starts again depends on its restart policy, which cannot be read from inside it");
            }
            assertThat(words).contains("this JVM is PID 1 of its pid namespace (/proc/self/stat)")
                    .contains("sender: pid 0 with SI_USER: the sender is outside this JVM's pid namespace")
                    .contains("exit status: 143").contains("hook \"app-cleanup\"");
            String message = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
            assertThat(message.getBytes(StandardCharsets.UTF_8).length).isBetween(1, 4096);
            assertThat(firstLine(message)).isEqualTo(firstLine(words));
            assertThat(second(message)).isEqualTo(second(words));
            assertThat(journalOf(jvm)).contains(firstLine(words) + "; " + second(words) + " (last words: ");
            assertCleanUnderAWrapper(jvm);
        }
    }

    /**
     * The incident: a JVM started with nohup from an SSH session, in session-146.scope (the session-v2 fixture), and
     * systemd — PID 1 of a real pid namespace, named systemd — sends it SIGTERM as it stops the scope.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void systemdStoppingTheLoginSessionScopeIsTheSessionEnding(Jdk jdk) {
        Path work = tempDir();
        Path out = work.resolve("out");
        Path systemd = systemdNamedShell(work);
        try (ForkedJvm jvm = awaitReady(ForkedJvm.on(jdk).workDir(work).dir(out).agentOptions("envRoot=" + Environments.root("session-v2") + ",log=stderr")
                .wrappedBy("unshare", "--pid", "--fork", "--mount-proc", "--kill-child", systemd.toString(), "-c", stopWhenTold(""), "systemd")
                .start(Service.class, out.toString()))) {
            go(jvm);
            assertThat(jvm.waitFor()).isEqualTo(143);
            String words = LastWordsFiles.text(jvm);
            assertThat(firstLine(words)).isEqualTo("SIGTERM from systemd (pid 1): it is stopping login session scope session-146.scope, which this JVM "
                    + "was started in — the login/SSH session ended; nohup does not protect against this");
            assertThat(second(words)).startsWith("next: nothing starts this JVM again: a login session scope is not a service and has no Restart=; "
                    + "systemd sends SIGKILL at ").endsWith(" if the JVM is still running then (TimeoutStopSec=90s, systemd's default for scopes)");
            assertThat(words).contains("sender command: " + systemd + " -c ")
                    .contains("cgroup: /user.slice/user-1000.slice/session-146.scope (/proc/self/cgroup)")
                    .contains("sender taken as the system manager systemd from its name \"systemd\" and command line, read from /proc/1 as the signal arrived");
            assertThat(jvm.stderr()).contains("[forensics] " + firstLine(words) + "; " + second(words));
            assertCleanUnderAWrapper(jvm);
        }
    }

    /** A user service (the user-service fixture: litellm.service under user@1000.service, no lingering) stopped by its user manager. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void theUserManagerStoppingWithoutLingeringIsTheUserLoggingOut(Jdk jdk) {
        Path work = tempDir();
        Path out = work.resolve("out");
        Path systemd = systemdNamedShell(work);
        try (ForkedJvm jvm = awaitReady(ForkedJvm.on(jdk).workDir(work).dir(out).env("HOME", "/home/azureuser")
                .agentOptions("envRoot=" + Environments.root("user-service"))
                .wrappedBy(systemd.toString(), "-c", stopWhenTold(""), "--user").start(Service.class, out.toString()))) {
            go(jvm);
            assertThat(jvm.waitFor()).isEqualTo(143);
            String words = LastWordsFiles.text(jvm);
            assertThat(firstLine(words)).matches("SIGTERM from systemd --user \\(pid \\d+\\): user@1000\\.service is stopping — the user logged out and lingering is off");
            assertThat(second(words)).startsWith("next: litellm.service will not be restarted: its user manager is stopping with it (it starts again at "
                    + "azureuser's next login; `loginctl enable-linger azureuser` keeps user services running without a login); systemd sends SIGKILL at ");
            assertThat(words).contains("user manager: user@1000.service of azureuser; lingering off (/var/lib/systemd/linger/azureuser absent)")
                    .contains("unit: litellm.service: Restart=on-failure, RestartSec=5s (/home/azureuser/.config/systemd/user/litellm.service)");
            assertCleanUnderAWrapper(jvm);
        }
    }

    /**
     * The other incident: aiproxy.service with Restart=on-failure and SuccessExitStatus=143 (the systemd-v2 fixture) and
     * a deploy script's SIGTERM. The script is named, and the second line says systemd will not bring it back.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aDeployScriptsSigtermUnderRestartOnFailureWithSuccessExitStatus143SaysNoRestartFollows(Jdk jdk) throws Exception {
        Path work = tempDir();
        Path out = work.resolve("out");
        Path log = Files.createFile(work.resolve("termination-log"));
        try (ForkedJvm jvm = awaitReady(ForkedJvm.on(jdk).workDir(work).dir(out).wrappedBy(SignalSenderIT.DEFAULT_SIGNALS)
                .agentOptions("envRoot=" + Environments.root("systemd-v2") + ",terminationLog=" + log).start(Service.class, out.toString()))) {
            ForkedJvm.run(LastWordsFiles.stopScript(jvm, "TERM", "deploy.sh").toString());
            assertThat(jvm.waitFor()).isEqualTo(143);
            String words = LastWordsFiles.text(jvm);
            assertThat(firstLine(words)).startsWith("SIGTERM from pid ").contains("deploy.sh");
            assertThat(second(words)).isEqualTo("next: systemd will not restart aiproxy.service, because Restart=on-failure and SuccessExitStatus=143 "
                    + "make this exit clean (exit status 143)");
            assertThat(words).contains("unit: aiproxy.service: Restart=on-failure, SuccessExitStatus=143, RestartSec=5s "
                    + "(/etc/systemd/system/aiproxy.service + /etc/systemd/system/aiproxy.service.d/override.conf)");
            String message = Files.readString(log);
            assertThat(message).startsWith(firstLine(words) + "\n" + second(words) + "\n").contains("unit: aiproxy.service");
            assertThat(jvm.stderr()).contains("WARN forensics - " + firstLine(words) + "; " + second(words) + " (last words: ");
            assertAgentClean(jvm);
        }
    }

    /**
     * A hook that hangs past the unit's TimeoutStopSec=3s (a drop-in on the systemd-v2 fixture) while "systemd" stops
     * the unit and, three seconds later, SIGKILLs it as systemd would: the second line gave the deadline, the last line
     * before the kill says it is up, and the next start's verdict names the hook and the stop timeout.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aHookHungPastAShortTimeoutStopSecIsToldBeforeTheSigkill(Jdk jdk) {
        Path root = Environments.copy("systemd-v2");
        Environments.write(root, "/etc/systemd/system/aiproxy.service.d/timeout.conf", "[Service]\nTimeoutStopSec=3s\n");
        Path work = tempDir();
        Path out = work.resolve("out");
        Path systemd = systemdNamedShell(work);
        String words;
        try (ForkedJvm jvm = awaitReady(ForkedJvm.on(jdk).workDir(work).dir(out).agentOptions("envRoot=" + root)
                .wrappedBy(systemd.toString(), "-c", stopWhenTold("sleep 3; kill -KILL $jvm"), "systemd").start(Service.class, out.toString(), "hang"))) {
            go(jvm);
            assertThat(jvm.waitFor()).isEqualTo(137);
            words = LastWordsFiles.text(jvm);
        }
        assertThat(firstLine(words)).matches("SIGTERM from systemd \\(pid \\d+\\): it is stopping aiproxy\\.service \\(systemctl stop, a dependency, or shutdown\\)");
        assertThat(second(words)).startsWith("next: systemd will not restart aiproxy.service: a stop through systemd never triggers Restart=")
                .contains("; systemd sends SIGKILL at ").endsWith(" if the JVM is still running then (TimeoutStopSec=3s, set in /etc/systemd/system/aiproxy.service"
                        + " + /etc/systemd/system/aiproxy.service.d/override.conf, /etc/systemd/system/aiproxy.service.d/timeout.conf)");
        assertThat(words).contains("hook \"slow-cleanup\" (dev.forensics.targets.Service lambda) started")
                .containsPattern("the stop timeout runs out at [0-9:.]+ \\(TimeoutStopSec=3s, [^)]*\\): SIGKILL follows, and the hooks still running will not finish")
                .doesNotContain("hook \"slow-cleanup\" (dev.forensics.targets.Service lambda) finished");

        try (ForkedJvm next = ForkedJvm.on(jdk).workDir(work).dir(out).agentOptions("envRoot=" + root).start(Idle.class, out.toString(), "0")) {
            assertThat(next.waitFor()).isZero();
            List<Path> verdicts = next.files(n -> n.startsWith("no-last-words-"));
            assertThat(verdicts).hasSize(1);
            assertThat(ForkedJvm.read(verdicts.get(0))).contains("did not finish its shutdown").contains("hook(s) still running: \"slow-cleanup\"")
                    .contains("that is about the stop timeout of systemd unit aiproxy.service (TimeoutStopSec=3s), after which it sends SIGKILL");
        }
    }

    /** `kill` typed in a login shell ("-bash", as sshd starts it): said to be by hand, with the shell named. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aKillFromALoginShellIsSaidToBeByHand(Jdk jdk) {
        try (ForkedJvm jvm = SignalSenderIT.service(jdk)) {
            ForkedJvm.run("python3", "-c", "import os, sys; os.execv('/bin/bash', ['-bash', '-c', sys.argv[1]])",
                    "kill -s TERM " + jvm.pid() + "; sleep 1; exit 0"); // not exec'd into sleep: the shell stays the sender
            assertThat(jvm.waitFor()).isEqualTo(143);
            String words = LastWordsFiles.text(jvm);
            assertThat(firstLine(words)).startsWith("SIGTERM from pid ").contains(" (-bash -c kill -s TERM " + jvm.pid() + "; sleep 1; exit 0")
                    .endsWith(": a `kill` from an interactive shell");
            assertThat(words).contains("sender taken as an interactive shell from its name \"bash\" and command line");
            assertAgentClean(jvm);
        }
    }

    /** {@code timeout 8 java …}: the time limit runs out and timeout(1) sends SIGTERM; it then exits 124, as documented. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void timeoutsTimeLimitIsNamed(Jdk jdk) {
        Path work = tempDir();
        Path out = work.resolve("out");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(work).dir(out).wrappedBy("timeout", "8").start(Service.class, out.toString())) {
            assertThat(jvm.waitFor()).isEqualTo(124);
            String words = LastWordsFiles.text(jvm);
            assertThat(firstLine(words)).startsWith("SIGTERM from timeout(1) (pid " + jvm.pid() + ": timeout 8 ").endsWith("): its time limit ran out");
            assertThat(words).contains("exit status: 143").contains("sender taken as timeout(1) from its name \"timeout\"");
        }
    }

    /**
     * A parent that set PR_SET_PDEATHSIG=SIGTERM for the JVM (as supervisors written in Python or Go often do) and then
     * exits: the kernel sends SIGTERM in the parent's name as it goes, and the JVM is re-parented.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aParentThatExitsTakesTheJvmWithIt(Jdk jdk) throws Exception {
        Path work = tempDir();
        Path out = work.resolve("out");
        Path parent = work.resolve("parent.py");
        Files.writeString(parent, String.join("\n",
                "import ctypes, os, signal, sys, time",
                "pid = os.fork()",
                "if pid == 0:",
                "    ctypes.CDLL(None).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG",
                "    os.execv(sys.argv[1], sys.argv[1:])",
                "while not os.path.exists('stop'):",
                "    time.sleep(0.05)",
                "os._exit(0)",
                ""));
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(work).dir(out).wrappedBy("python3", parent.toString()).start(Service.class, out.toString())) {
            awaitReady(jvm);
            long child = Long.parseLong(Files.readString(Path.of("/proc/" + jvm.pid() + "/task/" + jvm.pid() + "/children")).trim());
            go(jvm);
            assertThat(jvm.waitFor()).as("the parent itself").isZero();
            for (long deadline = System.nanoTime() + START.toNanos(); Files.exists(Path.of("/proc/" + child)) && System.nanoTime() < deadline; ) {
                ForkedJvm.sleep(20);
            }
            assertThat(Path.of("/proc/" + child)).as("the JVM ended after its parent").doesNotExist();
            String words = LastWordsFiles.text(jvm);
            assertThat(firstLine(words)).startsWith("SIGTERM from this JVM's parent (pid " + jvm.pid())
                    .endsWith(") as it exited: a parent that ends takes the JVM with it (its own cleanup, or PR_SET_PDEATHSIG)");
            assertThat(words).contains("exit status: 143").contains("this JVM's parent at start-up: pid " + jvm.pid())
                    .contains("sender taken as this JVM's exiting parent: its pid is the parent's at start-up, and ");
        }
    }

    /** SIGTERM and SIGHUP in a burst: whichever arrives first, the exit status in the last words is the one the JVM reports. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aBurstOfSigtermAndSighupLeavesTheStatusTheJvmReports(Jdk jdk) throws Exception {
        for (int round = 0; round < 3; round++) {
            try (ForkedJvm jvm = SignalSenderIT.service(jdk)) {
                Path burst = jvm.workDir().resolve("burst.sh");
                Files.writeString(burst, "#!/bin/sh\ni=0\nwhile [ $i -lt 50 ]; do kill -s HUP " + jvm.pid() + " 2>/dev/null; kill -s TERM " + jvm.pid()
                        + " 2>/dev/null; i=$((i+1)); done\n");
                burst.toFile().setExecutable(true);
                ForkedJvm.run(burst.toString());
                int status = jvm.waitFor();
                assertThat(status).isIn(129, 143);
                String words = LastWordsFiles.text(jvm);
                assertThat(words).as("round " + round + ", exit " + status).contains("exit status: " + status + " (128 + ")
                        .contains("the JVM ends now with status " + status).doesNotContain("after all, not");
                assertThat(firstLine(words)).startsWith(status == 143 ? "SIGTERM from pid " : "SIGHUP from pid ");
                assertAgentClean(jvm);
            }
        }
    }
}
