package dev.forensics.blackbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.environment.Host;
import dev.forensics.report.Reporter;
import dev.forensics.testing.Environments;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Boxes of dead runs against fixture machines: what the verdict says and what it must not say. */
class PreviousRunsTest {
    static final String FIXTURE_BOOT = "8f2c6e1a-3b7d-4c55-9e0f-2a1d4b6c8e90";
    /** Times print in the machine's zone; tests compute them the same way. */
    static final String STARTED = PreviousRuns.human(1795241492000L);
    static final String HEARTBEAT = PreviousRuns.human(1795241497000L);
    Path dir;

    @BeforeEach
    void outputDirectory() throws Exception {
        dir = Files.createTempDirectory("forensics-bb-");
        Reporter.init(dir, 1 << 20, "off");
    }

    /** The box a run on the fixture machines would have left: running, last heartbeat 5 s after the start. */
    static Map<String, String> box(String... overrides) {
        Map<String, String> b = new LinkedHashMap<>();
        b.put("pid", "4242");
        b.put("boot_id", FIXTURE_BOOT);
        b.put("start_ticks", "9000");
        b.put("started_ms", "1795241492000");
        b.put("started", STARTED);
        b.put("jvm", "OpenJDK 64-Bit Server VM 17.0.15+6 (Debian)");
        b.put("command", "/usr/bin/java -Xmx1536m -jar /opt/app/app.jar");
        b.put("cwd", "/opt/app");
        b.put("flags", "");
        b.put("heartbeat_interval_ms", "5000");
        b.put("memory_cgroup_version", "2");
        b.put("memory_cgroup_dir", "/sys/fs/cgroup/system.slice/app.service");
        b.put("memory_cgroup_path", "/system.slice/app.service");
        b.put("heartbeat_ms", "1795241497000");
        b.put("memory_usage", "1992294400");
        b.put("memory_limit", "2147483648");
        b.put("oom_kill", "1");
        b.put("parent_oom_kill", "3");
        b.put("host_oom_kill", "4");
        b.put("heap_used", "1400000000");
        b.put("heap_max", "1610612736");
        b.put("state", "running");
        for (int i = 0; i < overrides.length; i += 2) {
            b.put(overrides[i], overrides[i + 1]);
        }
        return b;
    }

    void leave(Map<String, String> box) throws Exception {
        Files.write(dir.resolve("black-box-" + box.get("pid") + ".txt"), BoxFile.format(box));
    }

    PreviousRuns.Outcome startOn(Host host) {
        return PreviousRuns.examine(host, dir, PreviousRuns.claim(host, dir, 77777));
    }

    String journal() throws Exception {
        Reporter.flush();
        try (Stream<Path> s = Files.list(dir)) {
            Path j = s.filter(p -> p.getFileName().toString().startsWith("journal-")).findFirst().orElse(null);
            return j == null ? "" : Files.readString(j);
        }
    }

    List<Path> verdictFiles() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("no-last-words-")).toList();
        }
    }

    @Test
    void aGrownOomKillCounterOfTheCgroupV2IsAttributedToTheOomKiller() throws Exception {
        leave(box("oom_kill", "0", "parent_oom_kill", "2", "host_oom_kill", "3"));
        PreviousRuns.Outcome o = startOn(new Host(Environments.root("oom-v2"), Map.of()));
        assertThat(o.lines()).hasSize(1);
        assertThat(o.lines().get(0))
                .startsWith("previous run (pid 4242, started " + STARTED + ") died without last words at about " + HEARTBEAT)
                .contains("likely SIGKILL from the kernel OOM killer: the oom_kill counter of its memory cgroup /system.slice/app.service went 0 → 1")
                .contains("1.9 GiB of its 2.0 GiB limit (93%)");
        assertThat(journal()).contains("ERROR").contains("died without last words").contains("no-last-words-4242-");
        List<Path> files = verdictFiles();
        assertThat(files).hasSize(1);
        String text = Files.readString(files.get(0));
        assertThat(text).contains("oom_kill of /sys/fs/cgroup/system.slice/app.service/memory.events: 0 at the last heartbeat, 1 now")
                .contains("its black box as last written:").contains("command=/usr/bin/java -Xmx1536m -jar /opt/app/app.jar");
        assertThat(dir.resolve("black-box-4242.txt")).as("the box is consumed").doesNotExist();
    }

    @Test
    void aGrownOomKillCounterOfTheCgroupV1IsAttributedToTheOomKiller() throws Exception {
        leave(box("pid", "8000", "memory_cgroup_version", "1", "memory_cgroup_dir", "/sys/fs/cgroup/memory/system.slice/app.service",
                "oom_kill", "1", "parent_oom_kill", "-1", "host_oom_kill", "1", "memory_usage", "1073000000", "memory_limit", "1073741824"));
        PreviousRuns.Outcome o = startOn(new Host(Environments.root("oom-v1"), Map.of()));
        assertThat(o.lines().get(0)).contains("kernel OOM killer").contains("went 1 → 2").contains("(100%)");
    }

    @Test
    void whenSystemdRemovedTheServiceCgroupTheParentsCounterStillShowsTheOomKill() throws Exception {
        leave(box("memory_cgroup_dir", "/sys/fs/cgroup/system.slice/gone.service", "memory_cgroup_path", "/system.slice/gone.service",
                "oom_kill", "0", "parent_oom_kill", "2"));
        PreviousRuns.Outcome o = startOn(new Host(Environments.root("oom-v2"), Map.of()));
        assertThat(o.lines().get(0)).contains("kernel OOM killer: the oom_kill counter of the parent cgroup /system.slice went 2 → 3");
    }

    @Test
    void anOomKillElsewhereOnTheHostIsMentionedAsWeakerEvidence() throws Exception {
        leave(box("host_oom_kill", "3"));
        String v = startOn(new Host(Environments.root("oom-v2"), Map.of())).lines().get(0);
        assertThat(v).contains("likely SIGKILL; the kernel OOM killer killed a process on this host since its last heartbeat (/proc/vmstat oom_kill 3 → 4)");
    }

    @Test
    void withoutEvidenceItSaysLikelySigkill() throws Exception {
        leave(box("memory_usage", "402653184"));
        String v = startOn(new Host(Environments.root("oom-v2"), Map.of())).lines().get(0);
        assertThat(v).endsWith("; likely SIGKILL (kill -9, a supervisor or container runtime that stopped waiting, or the OOM killer with no counter to show it)");
    }

    @Test
    void aReusedPidDoesNotMakeADeadRunLookAlive() throws Exception {
        leave(box("start_ticks", "9000")); // pid 4242 is now a bash started at tick 9399000
        PreviousRuns.Outcome o = startOn(new Host(Environments.root("pid-reuse"), Map.of()));
        assertThat(o.lines()).hasSize(1);
        assertThat(o.lines().get(0)).contains("pid 4242").contains("died without last words");
    }

    @Test
    void aLiveJvmSharingTheDirectoryIsNotReported() throws Exception {
        leave(box("start_ticks", "9399000")); // the very process still running
        PreviousRuns.Outcome o = startOn(new Host(Environments.root("pid-reuse"), Map.of()));
        assertThat(o.lines()).isEmpty();
        assertThat(verdictFiles()).isEmpty();
        assertThat(journal()).doesNotContain("died without last words");
        assertThat(dir.resolve("black-box-4242.txt")).as("left for its owner").exists();
    }

    @Test
    void aContainerRestartWithTheSamePidIsStillAPreviousRun() throws Exception {
        leave(box("pid", "77777", "start_ticks", "100"));
        Host host = new Host(Environments.root("oom-v2"), Map.of());
        PreviousRuns.Outcome o = PreviousRuns.examine(host, dir, PreviousRuns.claim(host, dir, 77777));
        assertThat(o.lines().get(0)).contains("pid 77777").contains("died without last words");
    }

    /** Pid 1 at every start: an earlier run with our pid died while it was reading a box; its claim is ours to finish. */
    @Test
    void aClaimLeftByAnEarlierRunWithOurPidIsTakenOver() throws Exception {
        Path env = Files.createTempDirectory("forensics-env-");
        Files.createDirectories(env.resolve("proc/77777")); // we are 77777, so that pid runs
        Files.write(dir.resolve("black-box-4242.txt.claimed-77777"), BoxFile.format(box()));
        List<PreviousRuns.Claimed> claimed = PreviousRuns.claim(new Host(env, Map.of()), dir, 77777);
        assertThat(claimed).extracting(PreviousRuns.Claimed::pid).containsExactly(4242L);
    }

    @Test
    void aNewBootIdMeansTheHostRestartedUnderIt() throws Exception {
        leave(box("boot_id", "00000000-1111-2222-3333-444444444444"));
        String v = startOn(new Host(Environments.root("oom-v2"), Map.of())).lines().get(0);
        assertThat(v).contains("the host restarted in between (its boot id changed) without the JVM shutting down");
        assertThat(v).as("counters of another boot are not compared").doesNotContain("OOM killer");
    }

    @Test
    void killedDuringShutdownNamesTheCauseTheHookStillRunningAndTheStopTimeout() throws Exception {
        leave(box("state", "shutting-down", "shutdown_ms", "1795241407000",
                "shutdown_cause", "signal SIGTERM, handled by the JVM",
                "hooks_running", "slow-flush at com.acme.Metrics.flush(Metrics.java:88)",
                "supervisor", "systemd unit app.service (TimeoutStopSec=90s)", "stop_timeout_ms", "90000"));
        PreviousRuns.Outcome o = startOn(new Host(Environments.root("pid-reuse"), Map.of()));
        assertThat(o.lines().get(0)).contains("likely SIGKILL during its shutdown: the shutdown began at " + PreviousRuns.human(1795241407000L) + " "
                        + "(signal SIGTERM, handled by the JVM) and was still running 90 s later")
                .contains("hook(s) still running: slow-flush at com.acme.Metrics.flush(Metrics.java:88)")
                .contains("about the stop timeout of systemd unit app.service (TimeoutStopSec=90s), after which it sends SIGKILL");
        assertThat(o.lastShutdownMillis()).as("the doctor compares this with TimeoutStopSec").isEqualTo(90_000);
    }

    @Test
    void aCrashIsNamedByItsFatalErrorLog() throws Exception {
        Path root = Environments.copy("oom-v2");
        Environments.write(root, "/opt/app/hs_err_pid4242.log", "#\n# A fatal error has been detected by the Java Runtime Environment:\n#\n#  SIGSEGV (0xb)\n");
        Files.setLastModifiedTime(root.resolve("opt/app/hs_err_pid4242.log"), java.nio.file.attribute.FileTime.fromMillis(1795241497500L));
        leave(box());
        String v = startOn(new Host(root, Map.of())).lines().get(0);
        assertThat(v).contains("the JVM crashed: its fatal error log is /opt/app/hs_err_pid4242.log").doesNotContain("OOM");
    }

    @Test
    void exitOnOutOfMemoryErrorIsOfferedWhenTheFlagWasSetAndTheHeapWasFull() throws Exception {
        leave(box("flags", "ExitOnOutOfMemoryError", "heap_used", "1600000000", "memory_usage", "402653184"));
        String v = startOn(new Host(Environments.root("pid-reuse"), Map.of())).lines().get(0);
        assertThat(v).contains("or -XX:+ExitOnOutOfMemoryError ended it (exit status 3, no hooks): the heap was 99% full");
    }

    @Test
    void aHaltReportedByTerminationCaptureIsAHaltNotAKill() throws Exception {
        leave(box("state", "shutting-down", "shutdown_ms", "1795241496000",
                "shutdown_cause", "Runtime.halt(1) called by com.acme.Watchdog.fire(Watchdog.java:40) on thread \"watchdog\""));
        String v = startOn(new Host(Environments.root("pid-reuse"), Map.of())).lines().get(0);
        assertThat(v).contains("; it halted: Runtime.halt(1) called by com.acme.Watchdog.fire(Watchdog.java:40)")
                .contains("without shutdown hooks or last words").doesNotContain("during its shutdown");
    }

    @Test
    void withXrsASignalIsOfferedAsTheOtherSilentDeath() throws Exception {
        leave(box("flags", "Xrs", "memory_usage", "402653184"));
        String v = startOn(new Host(Environments.root("pid-reuse"), Map.of())).lines().get(0);
        assertThat(v).contains("likely SIGKILL (").contains("or a SIGTERM, SIGINT or SIGHUP: with -Xrs the JVM has no handler for them");
    }

    @Test
    void aClosedBoxIsNotADeathButItsShutdownTimeIsKept() throws Exception {
        leave(box("state", "closed", "shutdown_ms", "1795241497000", "closed_ms", "1795241498250",
                "outcome", "exited normally (shutdown cause: signal SIGTERM)"));
        PreviousRuns.Outcome o = startOn(new Host(Environments.root("oom-v2"), Map.of()));
        assertThat(o.lines()).containsExactly("previous run (pid 4242, started " + STARTED + ") ended at " + PreviousRuns.human(1795241498250L) + ": "
                + "exited normally (shutdown cause: signal SIGTERM); its shutdown took 1.3 s");
        assertThat(o.lastShutdownMillis()).isEqualTo(1250);
        assertThat(verdictFiles()).isEmpty();
        assertThat(journal()).doesNotContain("ERROR");
    }

    @Test
    void aBoxIsClaimedByOneStartOnly() throws Exception {
        leave(box()); // another boot's box: dead on this machine
        Host host = new Host(null, Map.of());
        long us = ProcessHandle.current().pid();
        List<PreviousRuns.Claimed> first = PreviousRuns.claim(host, dir, us);
        List<PreviousRuns.Claimed> second = PreviousRuns.claim(host, dir, us + 1);
        assertThat(first).hasSize(1);
        assertThat(second).isEmpty();
    }

    @Test
    void aTornBoxOfADeadPidIsRemovedWithoutAVerdict() throws Exception {
        byte[] whole = BoxFile.format(box());
        Files.write(dir.resolve("black-box-4242.txt"), java.util.Arrays.copyOf(whole, 200));
        PreviousRuns.Outcome o = startOn(new Host(Environments.root("oom-v2"), Map.of()));
        assertThat(o.lines()).containsExactly("an unreadable black box of pid 4242 was removed (the write was cut short, e.g. by a power loss)");
        assertThat(dir.resolve("black-box-4242.txt")).doesNotExist();
    }

    @Test
    void theBoxIsOnePageAndSurvivesHugeValuesAndNewlines() throws Exception {
        Map<String, String> b = box("command", "java " + "x".repeat(10_000), "shutdown_cause", "line one\nline two");
        byte[] bytes = BoxFile.format(b);
        assertThat(bytes.length).isLessThan(BoxFile.SIZE);
        Map<String, String> back = BoxFile.parse(new String(bytes, StandardCharsets.UTF_8));
        assertThat(back.get("shutdown_cause")).isEqualTo("line one line two");
        assertThat(back.get("state")).isEqualTo("running");
        Path f = dir.resolve("box.txt");
        try (BoxFile file = BoxFile.create(f)) {
            file.write(b, false);
            file.write(box("state", "closed"), true);
        }
        assertThat(Files.size(f)).isEqualTo(BoxFile.SIZE);
        assertThat(BoxFile.parse(Files.readString(f)).get("state")).isEqualTo("closed");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    }

    @org.junit.jupiter.api.Test
    void boxNamesAreReadByHandAsTheRegexDid() {
        assertThat(PreviousRuns.boxName("black-box-123.txt")).containsExactly(123, -1);
        assertThat(PreviousRuns.boxName("black-box-123.txt.claimed-45")).containsExactly(123, 45);
        for (String other : new String[] {"black-box-.txt", "black-box-12a.txt", "black-box-1.txt.claimed-", "black-box-1.txt.claimed-2x",
                "black-box-1.txtx", "black-box-1.txt.tmp", "journal-1.log", "black-box-99999999999999999999.txt"}) {
            assertThat(PreviousRuns.boxName(other)).as(other).isNull();
        }
    }
}
