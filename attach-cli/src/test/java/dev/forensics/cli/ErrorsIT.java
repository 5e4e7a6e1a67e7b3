package dev.forensics.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.tools.attach.VirtualMachine;
import dev.forensics.cli.targets.Service;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every way a command can be refused gives its own message and exit code, and leaves the JVM as it was: nothing
 * is loaded, nothing printed on its stderr, it keeps running. The CLI runs on each JDK, the JVM on the other.
 */
class ErrorsIT {

    private static Jdk other(Jdk jdk) {
        return jdk.name().equals("17") ? Jdk.jdk25() : Jdk.jdk17();
    }

    /** Huge durations once ended in an ArithmeticException stack trace (exit 1); they are usage errors. */
    @ParameterizedTest(name = "CLI on {0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void outOfRangeDurationsAreUsageErrorsInOneLine(Jdk cli) throws Exception {
        Path cwd = Files.createTempDirectory("forensics-cli-range-");
        String self = Long.toString(ProcessHandle.current().pid());
        String[][] commands = {
            {"report", self, "--timeout=9223372036854775807m"},
            {"report", self, "--timeout=9223372036854775807s"},
            {"report", self, "--timeout=25h"},
            {"attach", self, "heartbeat=9223372036854775807s"},
            {"attach", self, "leakHeldAfter=9223372036854775807h,journalMaxBytes=9223372036854775807k"},
            {"jfr", "start", self, "--max-age=9223372036854775807m"},
        };
        for (String[] args : commands) {
            Cli.Result r = Cli.run(cli, cwd, args);
            assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
            assertThat(r.stderr()).as(r.toString()).startsWith("forensics: ").doesNotContain("Exception").doesNotContain("\tat ");
            assertThat(r.stderr().strip().lines().count()).as(r.toString()).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "CLI on {0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void missingProcessesAndProcessesThatAreNotJvmsHaveTheirOwnExitCodes(Jdk cli) throws Exception {
        Path cwd = Files.createTempDirectory("forensics-cli-");
        long unused = unusedPid();
        Cli.Result gone = Cli.run(cli, cwd, "report", Long.toString(unused));
        assertThat(gone.exit()).as(gone.toString()).isEqualTo(ExitCodes.NO_SUCH_PROCESS);
        assertThat(gone.stderr()).isEqualTo("forensics: no process with pid " + unused + "\n");

        Cli.Result noMain = Cli.run(cli, cwd, "attach", "com.example.NoSuchService");
        assertThat(noMain.exit()).as(noMain.toString()).isEqualTo(ExitCodes.NO_SUCH_PROCESS);
        assertThat(noMain.stderr()).contains("no JVM of this user has the main class or jar 'com.example.NoSuchService'");

        Process sleep = new ProcessBuilder("sleep", "120").start();
        try {
            Cli.Result notJvm = Cli.run(cli, cwd, "attach", Long.toString(sleep.pid()));
            assertThat(notJvm.exit()).as(notJvm.toString()).isEqualTo(ExitCodes.NOT_A_JVM);
            assertThat(notJvm.stderr()).contains("pid " + sleep.pid() + " (sleep) is not a JVM");
            assertThat(sleep.isAlive()).isTrue();
        } finally {
            sleep.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest(name = "CLI on {0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aJvmOfAnotherUserNamesTheUserToRunAs(Jdk cli) throws Exception {
        assumeTrue(Proc.self().euid() == 0, "needs root to run the CLI as another user (nobody)");
        assumeTrue(Files.isExecutable(Paths.get("/usr/sbin/runuser")), "needs runuser");
        try (ForkedJvm jvm = ForkedJvm.on(other(cli)).noAgent().start(Service.class)) {
            jvm.awaitStdout("READY", Duration.ofSeconds(30));
            Cli.Result r = Cli.exec(List.of("/usr/sbin/runuser", "-u", "nobody", "--", cli.require().java().toString(), "-jar", Cli.JAR.toString(),
                    "attach", Long.toString(jvm.pid())), Paths.get("/tmp"));
            assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.OTHER_USER);
            assertThat(r.stderr()).contains("pid " + jvm.pid() + " runs as user root (you are nobody)").contains("sudo -u root forensics");
            assertUntouched(jvm);
        }
    }

    @ParameterizedTest(name = "CLI on {0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void disableAttachMechanismIsNamedAndTheJvmKeepsRunningWithoutAThreadDump(Jdk cli) throws Exception {
        try (ForkedJvm jvm = ForkedJvm.on(other(cli)).noAgent().jvmArg("-XX:+DisableAttachMechanism").start(Service.class)) {
            jvm.awaitStdout("READY", Duration.ofSeconds(30));
            Cli.Result r = Cli.run(cli, jvm.workDir(), "attach", Long.toString(jvm.pid()));
            assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.ATTACH_REFUSED);
            assertThat(r.stderr()).contains("pid " + jvm.pid() + " refuses attach").contains("-XX:+DisableAttachMechanism")
                    .contains("-javaagent:forensics.jar");
            assertThat(jvm.stdout()).doesNotContain("Full thread dump");
            assertUntouched(jvm);
        }
    }

    @ParameterizedTest(name = "CLI on {0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void dynamicAgentLoadingDisabledOnJava25IsExplainedWithJep451(Jdk cli) throws Exception {
        try (ForkedJvm jvm = ForkedJvm.on(Jdk.jdk25()).noAgent().jvmArg("-XX:-EnableDynamicAgentLoading").start(Service.class)) {
            jvm.awaitStdout("READY", Duration.ofSeconds(30));
            Cli.Result r = Cli.run(cli, jvm.workDir(), "attach", Long.toString(jvm.pid()));
            assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.ATTACH_REFUSED);
            assertThat(r.stderr()).contains("pid " + jvm.pid() + " (Java 25) runs with -XX:-EnableDynamicAgentLoading")
                    .contains("JEP 451").contains("-javaagent:forensics.jar");
            assertThat(jvm.process().isAlive()).isTrue();
            assertThat(Cli.run(cli, jvm.workDir(), "report", Long.toString(jvm.pid())).exit()).isEqualTo(ExitCodes.NO_AGENT);
        }
    }

    @ParameterizedTest(name = "CLI on {0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void refusedCommandsLeaveAPlainServiceUntouched(Jdk cli) throws Exception {
        try (ForkedJvm jvm = ForkedJvm.on(other(cli)).noAgent().start(Service.class)) {
            jvm.awaitStdout("READY", Duration.ofSeconds(30));
            String pid = Long.toString(jvm.pid());
            Path cwd = jvm.workDir();

            for (String command : List.of("report", "doctor")) {
                Cli.Result r = Cli.run(cli, cwd, command, pid);
                assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.NO_AGENT);
                assertThat(r.stderr()).isEqualTo("forensics: pid " + pid + " has no forensics agent; load it with: forensics attach " + pid + "\n");
            }

            Cli.Result bad = Cli.run(cli, cwd, "attach", pid, "colour=blue,redact=maybe");
            assertThat(bad.exit()).as(bad.toString()).isEqualTo(ExitCodes.USAGE);
            assertThat(bad.stderr()).contains("bad agent options, nothing was sent to the JVM").contains("unknown option 'colour'")
                    .contains("bad value for 'redact'").contains("options: dir log redact");

            Cli.Result noJar = Cli.run(cli, cwd, "attach", pid, "--agent", "/nonexistent/forensics.jar");
            assertThat(noJar.exit()).as(noJar.toString()).isEqualTo(ExitCodes.AGENT_JAR_NOT_FOUND);
            assertThat(noJar.stderr()).contains("no agent jar at /nonexistent/forensics.jar");

            Cli.Result notAgent = Cli.run(cli, cwd, "attach", pid, "--agent", Cli.JAR.toString());
            assertThat(notAgent.exit()).as(notAgent.toString()).isEqualTo(ExitCodes.AGENT_JAR_NOT_FOUND);
            assertThat(notAgent.stderr()).contains("is not the forensics agent");

            Path alone = Files.createTempDirectory("forensics-cli-alone-").resolve("forensics-cli.jar");
            Files.copy(Cli.JAR, alone, StandardCopyOption.REPLACE_EXISTING);
            Cli.Result lonely = Cli.exec(List.of(cli.java().toString(), "-jar", alone.toString(), "attach", pid), cwd);
            assertThat(lonely.exit()).as(lonely.toString()).isEqualTo(ExitCodes.AGENT_JAR_NOT_FOUND);
            assertThat(lonely.stderr()).contains("forensics.jar not found (looked at [" + alone.resolveSibling("forensics.jar"))
                    .contains("--agent PATH");

            assertThat(Cli.run(cli, cwd, "report", pid).exit()).as("still no agent").isEqualTo(ExitCodes.NO_AGENT);
            assertUntouched(jvm);
        }
    }

    @ParameterizedTest(name = "CLI on {0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void anAgentStartedWithCommandsOffIsReportedAsAnsweringNothing(Jdk cli) throws Exception {
        try (ForkedJvm jvm = ForkedJvm.on(other(cli)).noAgent().start(Service.class)) {
            jvm.awaitStdout("READY", Duration.ofSeconds(30));
            String pid = Long.toString(jvm.pid());
            Cli.Result attach = Cli.run(cli, jvm.workDir(), "attach", pid, "dir=" + jvm.dir() + ",commands=off");
            assertThat(attach.exit()).as(attach.toString()).isZero();
            assertThat(attach.stdout()).contains("output directory: " + jvm.dir()).contains("self-check not available")
                    .contains("commands=off");
            Cli.Result report = Cli.run(cli, jvm.workDir(), "report", pid);
            assertThat(report.exit()).as(report.toString()).isEqualTo(ExitCodes.NOT_AVAILABLE);
            assertThat(report.stderr()).contains("was started with commands=off");
            assertThat(jvm.dir().resolve("requests")).doesNotExist();
            jvm.awaitJournal("hooks active", Duration.ofSeconds(30));
        }
    }

    /** Bypasses the CLI's own checks: a raw attach with bad options, and a bad request file, reach the agent itself. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void theAgentRejectsBadOptionsABadRequestAndASecondLoadWithoutHarmingTheService(Jdk target) throws Exception {
        try (ForkedJvm jvm = ForkedJvm.on(target).noAgent().start(Service.class)) {
            jvm.awaitStdout("READY", Duration.ofSeconds(30));
            VirtualMachine vm = VirtualMachine.attach(Long.toString(jvm.pid()));
            try {
                vm.loadAgent(ForkedJvm.AGENT_JAR.toString(), "dir=" + jvm.dir() + ",colour=blue");
            } finally {
                vm.detach();
            }
            jvm.await(() -> jvm.stderr().contains("forensics: ignoring unknown option 'colour'"), "the agent's one stderr line", Duration.ofSeconds(20));
            jvm.awaitJournal("hooks active", Duration.ofSeconds(30));
            VirtualMachine again = VirtualMachine.attach(Long.toString(jvm.pid()));
            try {
                again.loadAgent(ForkedJvm.AGENT_JAR.toString(), "log=off");
            } finally {
                again.detach();
            }
            jvm.awaitJournal("loaded again by attach; ignored, the running agent keeps its options", Duration.ofSeconds(20));

            Path requests = jvm.dir().resolve("requests");
            jvm.await(() -> Files.isDirectory(requests), "the requests directory", Duration.ofSeconds(20));
            String name = jvm.pid() + "-0123abcd";
            Path tmp = requests.resolve("." + name + ".tmp");
            Files.writeString(tmp, "command=format-disk;file=/etc/passwd\n");
            Files.move(tmp, requests.resolve(name + ".request"), StandardCopyOption.ATOMIC_MOVE);
            Path response = requests.resolve(name + ".response");
            jvm.await(() -> Files.exists(response), "an answer to the bad request", Duration.ofSeconds(20));
            assertThat(Files.readString(response, StandardCharsets.UTF_8)).startsWith("forensics-response error bad-request unknown command 'format-disk'");
            assertThat(jvm.journal()).contains("rejected a request from the forensics CLI: unknown command 'format-disk'");

            assertThat(jvm.process().isAlive()).isTrue();
            assertThat(jvm.stderrLines()).filteredOn(l -> l.startsWith("forensics")).hasSize(1);
            Cli.Result report = Cli.run(target, jvm.workDir(), "report", Long.toString(jvm.pid()));
            assertThat(report.exit()).as("the channel still answers").isZero();
        }
    }

    /** Loading nothing, printing nothing: the JVM is exactly as it was, and still running. */
    private static void assertUntouched(ForkedJvm jvm) {
        assertThat(jvm.process().isAlive()).isTrue();
        assertThat(jvm.stderr()).isEmpty();
        assertThat(jvm.dir()).doesNotExist();
    }

    private static long unusedPid() throws Exception {
        long max = Long.parseLong(Files.readAllLines(Paths.get("/proc/sys/kernel/pid_max")).get(0).strip());
        for (long pid = max - 1; pid > 1000; pid--) {
            if (!Files.exists(Paths.get("/proc", Long.toString(pid)))) {
                return pid;
            }
        }
        throw new AssertionError("no unused pid");
    }
}
