package dev.forensics.environment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.testing.Environments;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParsersTest {

    /** The cgroup-path tests the start-up thread runs without a regex, on the paths real hosts give. */
    @Test
    void sessionScopesServicesUserManagersAndContainerRuntimesAreReadFromCgroupPaths() {
        assertThat(Surroundings.sessionScope("/user.slice/user-1000.slice/session-146.scope")).isEqualTo("session-146.scope");
        assertThat(Surroundings.sessionScope("session-c2.scope")).isEqualTo("session-c2.scope");
        assertThat(Surroundings.sessionScope("/user.slice/user-1000.slice/session-.scope")).isNull();
        assertThat(Surroundings.sessionScope("/user.slice/user-1000.slice/session-3.scope/app")).isNull();
        assertThat(Surroundings.sessionScope("/system.slice/aiproxy.service")).isNull();

        String userService = "/user.slice/user-1000.slice/user@1000.service/app.slice/litellm.service";
        assertThat(ServiceRisks.userManagerUid(userService)).isEqualTo("1000");
        assertThat(ServiceRisks.serviceName(userService)).isEqualTo("litellm.service");
        assertThat(ServiceRisks.serviceName("/user.slice/user-1000.slice/user@1000.service")).isNull();
        assertThat(ServiceRisks.userManagerUid("/user.slice/user-1000.slice/user@.service")).isNull();
        assertThat(ServiceRisks.userManagerUid("/system.slice/user@x1.service")).isNull();
        assertThat(ServiceRisks.serviceName("/system.slice/user@x1.service")).isEqualTo("user@x1.service");
        assertThat(ServiceRisks.userManagerUid("/system.slice/aiproxy.service")).isNull();

        assertThat(Surroundings.namesContainerRuntime("12:pids:/kubepods/besteffort/pod1/abc\n")).isTrue();
        assertThat(Surroundings.namesContainerRuntime("0::/system.slice/docker-0123.scope\n")).isTrue();
        assertThat(Surroundings.namesContainerRuntime("0::/init.scope\n")).isFalse();
    }

    @Test
    void statLineIsReadFromTheLastParenthesisSoOddCommandNamesDoNotShiftFields() {
        ProcStat s = ProcStat.parse("4242 (my (odd) java) S 1 4242 4242 34816 -1 4194304 4819 0 1 0 1 1 0 0 20 0 19 0 70399 9188380672 9327");
        assertThat(s.pid()).isEqualTo(4242);
        assertThat(s.comm()).isEqualTo("my (odd) java");
        assertThat(s.ppid()).isEqualTo(1);
        assertThat(s.session()).isEqualTo(4242);
        assertThat(s.ttyNr()).isEqualTo(34816);
        assertThat(s.ttyName()).isEqualTo("pts/0");
        assertThat(s.startTicks()).isEqualTo(70399);
        assertThat(ProcStat.parse("garbage")).isNull();
        assertThat(ProcStat.parse("12 (x) S 1")).isNull();
        assertThat(ProcStat.parse(null)).isNull();
    }

    @Test
    void realStatLineOfThisJvmParses() {
        ProcStat self = ProcStat.of(new Host(null, Map.of()), "self");
        assertThat(self.pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(self.startTicks()).isPositive();
        long started = ProcessFacts.startMillis(new Host(null, Map.of()), self.startTicks());
        long jdk = ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli();
        assertThat(Math.abs(started - jdk)).as("start time from ticks and boot time matches the JDK's").isLessThan(2000);
    }

    @Test
    void signalMasksName_SIGHUP_SIGINT_SIGTERM() {
        long mask = ProcessFacts.mask("0000000000004003");
        assertThat(ProcessFacts.isSet(mask, ProcessFacts.SIGHUP)).isTrue();
        assertThat(ProcessFacts.isSet(mask, ProcessFacts.SIGINT)).isTrue();
        assertThat(ProcessFacts.isSet(mask, ProcessFacts.SIGQUIT)).isFalse();
        assertThat(ProcessFacts.isSet(mask, ProcessFacts.SIGTERM)).isTrue();
        assertThat(ProcessFacts.mask("zz")).isZero();
    }

    @Test
    void cgroupLinesOfV1AndV2AndTheSystemdPathOfEach() {
        Host v1 = new Host(Environments.root("session-v1"), Map.of());
        List<Cgroups.Line> lines = Cgroups.lines(v1, "self");
        assertThat(lines).hasSize(11);
        assertThat(lines.get(9).controllers()).containsExactly("cpuacct", "cpu");
        assertThat(Cgroups.unitPath(lines)).isEqualTo("/user.slice/user-1000.slice/session-3.scope");
        Host v2 = new Host(Environments.root("session-v2"), Map.of());
        assertThat(Cgroups.unitPath(Cgroups.lines(v2, "self"))).isEqualTo("/user.slice/user-1000.slice/session-146.scope");
    }

    @Test
    void memoryCgroupIsFoundThroughMountinfoForV1V2AndACgroupNamespace() {
        Host v1 = new Host(Environments.root("oom-v1"), Map.of());
        Cgroups.MemoryDir d1 = Cgroups.memoryDir(v1, "self");
        assertThat(d1.version()).isEqualTo(1);
        assertThat(d1.dir()).isEqualTo("/sys/fs/cgroup/memory/system.slice/app.service");
        Cgroups.MemorySample s1 = Cgroups.sample(v1, d1);
        assertThat(s1.usage()).isEqualTo(1073000000L);
        assertThat(s1.limit()).isEqualTo(1073741824L);
        assertThat(s1.oomKill()).isEqualTo(2);
        assertThat(s1.hostOomKill()).isEqualTo(2);

        Host v2 = new Host(Environments.root("oom-v2"), Map.of());
        Cgroups.MemoryDir d2 = Cgroups.memoryDir(v2, "self");
        assertThat(d2.version()).isEqualTo(2);
        assertThat(d2.dir()).isEqualTo("/sys/fs/cgroup/system.slice/app.service");
        Cgroups.MemorySample s2 = Cgroups.sample(v2, d2);
        assertThat(s2.oomKill()).isEqualTo(1);
        assertThat(s2.parentOomKill()).isEqualTo(3);
        assertThat(s2.fractionOfLimit()).isGreaterThan(0.9);

        // Kubernetes: cgroupns shows "0::/" and the mount's root is the pod's cgroup; the files are at the mount point.
        Host k8s = new Host(Environments.root("kubernetes"), Map.of());
        Cgroups.MemoryDir dk = Cgroups.memoryDir(k8s, "self");
        assertThat(dk.dir()).isEqualTo("/sys/fs/cgroup");
        assertThat(Cgroups.sample(k8s, dk).limit()).isEqualTo(1073741824L);

        // An unlimited v1 limit and "max" in v2 both mean no limit.
        Host s = new Host(Environments.root("session-v1"), Map.of());
        assertThat(Cgroups.sample(s, Cgroups.memoryDir(s, "self")).limit()).isEqualTo(-1);
    }

    @Test
    void mountinfoEscapesAreDecoded() {
        Cgroups.Mount m = Cgroups.parseMount("35 24 0:31 / /sys/fs/cgroup/my\\040mem rw,relatime shared:17 - cgroup cgroup rw,memory");
        assertThat(m.mountPoint()).isEqualTo("/sys/fs/cgroup/my mem");
        assertThat(m.superOptions()).contains("memory");
        assertThat(Cgroups.parseMount("27 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw")).isNull();
    }

    @Test
    void jvmOptionsStopAtTheMainClassAndEnvironmentOptionsCount() {
        JvmArgs a = JvmArgs.parse(List.of("java", "-Xrs", "-cp", "-XX:+ExitOnOutOfMemoryError", "Main", "-XX:+CrashOnOutOfMemoryError"),
                Map.of(), f -> null);
        assertThat(a.reducedSignals()).isTrue();
        assertThat(a.flag("ExitOnOutOfMemoryError")).as("the class path value is not an option").isFalse();
        assertThat(a.flag("CrashOnOutOfMemoryError")).as("an application argument is not an option").isFalse();

        JvmArgs env = JvmArgs.parse(List.of("java", "-jar", "app.jar", "-Xrs"),
                Map.of("JAVA_TOOL_OPTIONS", "-XX:+ExitOnOutOfMemoryError -Dx=\"a b\"", "_JAVA_OPTIONS", "-XX:-ExitOnOutOfMemoryError"), f -> null);
        assertThat(env.reducedSignals()).isFalse();
        assertThat(env.flag("ExitOnOutOfMemoryError")).as("_JAVA_OPTIONS comes last and wins").isFalse();
        assertThat(env.value("-Dx=")).isEqualTo("a b");

        JvmArgs argfile = JvmArgs.parse(List.of("java", "@opts", "Main"), Map.of(),
                f -> f.equals("opts") ? "# flags\n-Xrs\n-XX:+ExitOnOutOfMemoryError\n" : null);
        assertThat(argfile.reducedSignals()).isTrue();
        assertThat(argfile.flag("ExitOnOutOfMemoryError")).isTrue();
    }
}
