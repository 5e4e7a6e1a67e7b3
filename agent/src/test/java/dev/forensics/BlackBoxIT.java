package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.targets.Idle;
import dev.forensics.targets.ShutdownThroughBlackBoxApi;
import dev.forensics.targets.SlowShutdownHook;
import dev.forensics.testing.Environments;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real deaths without last words: a forked JVM killed with SIGKILL from another process, then a second JVM
 * started on the same directory, which must name the first pid and say how it died.
 */
class BlackBoxIT {
    private static final Duration START = Duration.ofSeconds(60);

    /** The agent prints times in the machine's zone, as the forked JVM sees it. */
    private static String human(long millis) {
        return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss xx", java.util.Locale.ROOT)
                .withZone(java.time.ZoneId.systemDefault()).format(java.time.Instant.ofEpochMilli(millis));
    }

    private static Path box(Path dir, long pid) {
        return dir.resolve("black-box-" + pid + ".txt");
    }

    private static void awaitBox(ForkedJvm jvm, String text) {
        jvm.await(() -> ForkedJvm.read(box(jvm.dir(), jvm.pid())).contains(text), "black box to contain '" + text + "'", START);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void sigkillThenRestartNamesTheFirstPidAndSaysItDiedWithoutLastWords(Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("forensics-bb-it-").resolve("out");
        long firstPid;
        try (ForkedJvm first = ForkedJvm.on(jdk).dir(dir).agentOptions("heartbeat=1s").start(Idle.class, dir.toString(), "600")) {
            first.awaitStdout("READY", START);
            awaitBox(first, "heartbeats=2");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(box(dir, first.pid())))).isEqualTo("rw-------");
            first.signal("KILL");
            assertThat(first.waitFor()).isEqualTo(128 + 9);
            firstPid = first.pid();
            assertAgentClean(first);
        }
        try (ForkedJvm second = ForkedJvm.on(jdk).dir(dir).start(Idle.class, dir.toString(), "0")) {
            assertThat(second.waitFor()).isZero();
            assertThat(second.journal()).contains("ERROR").contains("previous run (pid " + firstPid + ", started ")
                    .contains(") died without last words at about ").contains("likely SIGKILL");
            assertThat(second.stderr()).as("one line in the application's log (slf4j-simple writes to stderr)")
                    .contains("forensics - previous run (pid " + firstPid + ", started ");
            List<Path> verdicts = second.files(n -> n.startsWith("no-last-words-" + firstPid + "-"));
            assertThat(verdicts).hasSize(1);
            assertThat(Files.readString(verdicts.get(0))).contains("died without last words").contains("its black box as last written:")
                    .contains("pid=" + firstPid).contains("state=running");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(verdicts.get(0)))).isEqualTo("rw-------");
            assertThat(box(dir, firstPid)).as("the dead run's box is consumed").doesNotExist();
            assertAgentClean(second);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aNormalEndClosesTheBoxAndTheNextStartReportsNoDeath(Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("forensics-bb-it-").resolve("out");
        long firstPid;
        try (ForkedJvm first = ForkedJvm.on(jdk).dir(dir).start(Idle.class, dir.toString(), "600")) {
            first.awaitStdout("READY", START);
            awaitBox(first, "state=running");
            first.signal("TERM");
            assertThat(first.waitFor()).isEqualTo(128 + 15);
            firstPid = first.pid();
            String closed = ForkedJvm.read(box(dir, firstPid));
            assertThat(closed).contains("state=closed").contains("outcome=last words in " + dir.resolve("last-words-" + firstPid + "-"))
                    .contains("shutdown_cause=SIGTERM from pid ");
            assertAgentClean(first);
        }
        try (ForkedJvm second = ForkedJvm.on(jdk).dir(dir).start(Idle.class, dir.toString(), "0")) {
            assertThat(second.waitFor()).isZero();
            assertThat(second.journal()).contains("previous run (pid " + firstPid).contains(": last words in " + dir.resolve("last-words-" + firstPid + "-"))
                    .contains("its shutdown took").doesNotContain("died without last words");
            assertThat(second.stderrLines()).isEmpty();
            assertThat(ForkedJvm.read(box(dir, second.pid()))).contains("state=closed")
                    .contains("outcome=exited normally (shutdown cause: main returned and no non-daemon thread was left");
            assertAgentClean(second);
        }
    }

    /** With termination capture on, a kill during the hooks is reported with who sent SIGTERM and the hook that hung. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void killedDuringShutdownNamesTheSignalSenderAndTheHookStillRunning(Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("forensics-bb-it-").resolve("out");
        long firstPid;
        try (ForkedJvm first = ForkedJvm.on(jdk).dir(dir).agentOptions("heartbeat=1s").start(SlowShutdownHook.class, dir.toString())) {
            first.awaitStdout("READY", START);
            awaitBox(first, "state=running");
            first.signal("TERM");
            awaitBox(first, "slow-flush");
            awaitBox(first, "state=shutting-down");
            awaitBox(first, "shutdown_cause=SIGTERM from pid ");
            awaitBox(first, "last_words=" + dir);
            ForkedJvm.sleep(1500);
            first.signal("KILL");
            assertThat(first.waitFor()).isEqualTo(128 + 9);
            firstPid = first.pid();
        }
        try (ForkedJvm second = ForkedJvm.on(jdk).dir(dir).start(Idle.class, dir.toString(), "0")) {
            assertThat(second.waitFor()).isZero();
            assertThat(second.journal()).contains("previous run (pid " + firstPid)
                    .contains("did not finish its shutdown").contains("its last words are in " + dir.resolve("last-words-" + firstPid + "-"))
                    .contains("likely SIGKILL during its shutdown: the shutdown began at ")
                    .contains("SIGTERM from pid ").contains("\"slow-flush\"").doesNotContain("forensics-blackbox-close");
            assertAgentClean(second);
        }
    }

    /** Without termination capture the box's own hook still names the cause and the application hook that hung. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void withoutTerminationCaptureKilledDuringShutdownStillNamesTheHook(Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("forensics-bb-it-").resolve("out");
        long firstPid;
        try (ForkedJvm first = ForkedJvm.on(jdk).dir(dir).agentOptions("heartbeat=1s,termination=off").start(SlowShutdownHook.class, dir.toString())) {
            first.awaitStdout("READY", START);
            awaitBox(first, "heartbeats=3"); // the hook list is copied on every heartbeat
            first.signal("TERM");
            // The box is rewritten in place every second; poll for each fact rather than trusting one read of it.
            awaitBox(first, "slow-flush at dev.forensics.targets.SlowShutdownHook.flushMetrics(SlowShutdownHook.java:");
            awaitBox(first, "state=shutting-down");
            awaitBox(first, "shutdown_cause=signal SIGTERM");
            ForkedJvm.sleep(1500);
            first.signal("KILL");
            assertThat(first.waitFor()).isEqualTo(128 + 9);
            firstPid = first.pid();
        }
        try (ForkedJvm second = ForkedJvm.on(jdk).dir(dir).start(Idle.class, dir.toString(), "0")) {
            assertThat(second.waitFor()).isZero();
            assertThat(second.journal()).contains("previous run (pid " + firstPid)
                    .contains("likely SIGKILL during its shutdown: the shutdown began at ")
                    .contains("(signal SIGTERM, handled by the JVM) and was still running ")
                    .contains("hook(s) still running: slow-flush at dev.forensics.targets.SlowShutdownHook.flushMetrics(SlowShutdownHook.java:");
            assertAgentClean(second);
        }
    }

    /** What termination capture will do once merged, called here by the target itself. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void killedDuringShutdownReportedThroughTheApiNamesItsVerdictAndHook(Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("forensics-bb-it-").resolve("out");
        long firstPid;
        try (ForkedJvm first = ForkedJvm.on(jdk).dir(dir).agentOptions("heartbeat=1s").start(ShutdownThroughBlackBoxApi.class, dir.toString())) {
            first.awaitStdout("READY", START);
            awaitBox(first, "hooks_running=flush-metrics\n");
            first.signal("KILL");
            first.waitFor();
            firstPid = first.pid();
        }
        try (ForkedJvm second = ForkedJvm.on(jdk).dir(dir).start(Idle.class, dir.toString(), "0")) {
            assertThat(second.waitFor()).isZero();
            assertThat(second.journal()).contains("previous run (pid " + firstPid)
                    .contains("(SIGTERM from pid 4242 (deploy.sh), uid 1000)")
                    .contains("hook(s) still running: flush-metrics").doesNotContain("close-pool");
            assertAgentClean(second);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aLiveJvmSharingTheDirectoryIsNotReportedAsDead(Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("forensics-bb-it-").resolve("out");
        try (ForkedJvm first = ForkedJvm.on(jdk).dir(dir).start(Idle.class, dir.toString(), "600")) {
            first.awaitStdout("READY", START);
            awaitBox(first, "state=running");
            try (ForkedJvm second = ForkedJvm.on(jdk).dir(dir).start(Idle.class, dir.toString(), "0")) {
                assertThat(second.waitFor()).isZero();
                assertThat(second.journal()).doesNotContain("previous run");
                assertThat(second.stderrLines()).isEmpty();
                assertAgentClean(second);
            }
            assertThat(box(dir, first.pid())).exists();
            assertThat(first.process().isAlive()).isTrue();
        }
    }

    /** The OOM evidence path end to end: a dead run's box on the fixture machine whose cgroup counter grew. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void oomKillCounterFromFixtureCgroupFilesIsAttributedToTheOomKiller(Jdk jdk) throws Exception {
        Path root = Environments.copy("oom-v2");
        Path dir = Files.createTempDirectory("forensics-bb-it-").resolve("out");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("black-box-4242.txt"), String.join("\n",
                "forensics black box 1", "pid=4242", "boot_id=8f2c6e1a-3b7d-4c55-9e0f-2a1d4b6c8e90", "start_ticks=9000",
                "started_ms=1795241492000", "command=/usr/bin/java -jar /opt/app/app.jar", "cwd=/opt/app",
                "heartbeat_interval_ms=5000", "memory_cgroup_version=2", "memory_cgroup_dir=/sys/fs/cgroup/system.slice/app.service",
                "memory_cgroup_path=/system.slice/app.service", "heartbeat_ms=1795241497000",
                "memory_usage=2101346304", "memory_limit=2147483648", "oom_kill=0", "parent_oom_kill=2", "host_oom_kill=3", "state=running", "end", ""));
        try (ForkedJvm jvm = ForkedJvm.on(jdk).dir(dir).agentOptions("envRoot=" + root).classpath(ForkedJvm.classpathWithout("log4j"))
                .start(Idle.class, dir.toString(), "0")) {
            assertThat(jvm.waitFor()).isZero();
            jvm.awaitJournal("died without last words", START);
            assertThat(jvm.journal()).contains("previous run (pid 4242, started " + human(1795241492000L) + ") died without last words at about " + human(1795241497000L))
                    .contains("likely SIGKILL from the kernel OOM killer: the oom_kill counter of its memory cgroup /system.slice/app.service went 0 → 1")
                    .contains("(98%)");
            assertAgentClean(jvm);
        }
    }
}
