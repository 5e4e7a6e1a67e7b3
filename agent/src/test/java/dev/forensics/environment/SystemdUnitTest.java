package dev.forensics.environment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.testing.Environments;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SystemdUnitTest {

    private static SystemdUnit unit(String service) {
        Path root = Environments.copy("systemd-v2");
        Environments.write(root, "/etc/systemd/system/app.service", "[Unit]\nDescription=x\n\n[Service]\nExecStart=/usr/bin/java -jar app.jar\n" + service);
        return SystemdUnit.find(new Host(root, Map.of()), "app.service", SystemdUnit.SYSTEM_PATHS);
    }

    @Test
    void dropInsApplyAfterTheUnitFile() {
        SystemdUnit u = SystemdUnit.find(new Host(Environments.root("systemd-v2"), Map.of()), "aiproxy.service", SystemdUnit.SYSTEM_PATHS);
        assertThat(u.file()).isEqualTo("/etc/systemd/system/aiproxy.service");
        assertThat(u.dropIns()).containsExactly("/etc/systemd/system/aiproxy.service.d/override.conf");
        assertThat(u.restart()).isEqualTo("on-failure");
        assertThat(u.statusList("SuccessExitStatus")).containsExactly("143");
        assertThat(u.killMode()).isEqualTo("control-group");
    }

    @Test
    void continuationLinesCommentsAndOtherSectionsAreHandled() {
        SystemdUnit u = unit("# Restart=always\n; Restart=on-abort\nRestart=on-failure\nSuccessExitStatus=1 2\nSuccessExitStatus=\n"
                + "SuccessExitStatus=143 \\\n   TERM\n[Install]\nRestart=always\n");
        assertThat(u.restart()).as("comments and [Install] do not count").isEqualTo("on-failure");
        assertThat(u.statusList("SuccessExitStatus")).as("an empty assignment resets the list; a backslash continues the line")
                .containsExactly("143", "SIGTERM");
    }

    @Test
    void templateInstancesUseTheTemplateFile() {
        Path root = Environments.copy("systemd-v2");
        Environments.write(root, "/usr/lib/systemd/system/worker@.service", "[Service]\nRestart=always\n");
        SystemdUnit u = SystemdUnit.find(new Host(root, Map.of()), "worker@blue.service", SystemdUnit.SYSTEM_PATHS);
        assertThat(u.file()).isEqualTo("/usr/lib/systemd/system/worker@.service");
        assertThat(u.restart()).isEqualTo("always");
    }

    @Test
    void timeSpansFollowSystemdTime7() {
        assertThat(SystemdUnit.parseTimespanMillis("90")).isEqualTo(90_000);
        assertThat(SystemdUnit.parseTimespanMillis("1min 30s")).isEqualTo(90_000);
        assertThat(SystemdUnit.parseTimespanMillis("2min30s")).isEqualTo(150_000);
        assertThat(SystemdUnit.parseTimespanMillis("500ms")).isEqualTo(500);
        assertThat(SystemdUnit.parseTimespanMillis("1h")).isEqualTo(3_600_000);
        assertThat(SystemdUnit.parseTimespanMillis("infinity")).isEqualTo(-1);
        assertThat(SystemdUnit.parseTimespanMillis("soon")).isEqualTo(-2);
        assertThat(unit("TimeoutSec=20\nTimeoutStopSec=45\n").timeoutStopMillis(90_000)).isEqualTo(45_000);
        assertThat(unit("TimeoutStopSec=45\nTimeoutSec=20\n").timeoutStopMillis(90_000)).as("the later of the two wins").isEqualTo(20_000);
        assertThat(unit("TimeoutStopSec=0\n").timeoutStopMillis(90_000)).as("0 disables the timeout").isEqualTo(-1);
        assertThat(unit("").timeoutStopMillis(90_000)).isEqualTo(90_000);
    }

    @Test
    void managerDefaultStopTimeoutComesFromSystemConf() {
        Path root = Environments.copy("systemd-v2");
        assertThat(SystemdUnit.managerDefaultTimeoutStopMillis(new Host(root, Map.of()), false)).isEqualTo(90_000);
        Environments.write(root, "/etc/systemd/system.conf", "[Manager]\n#DefaultTimeoutStopSec=90s\nDefaultTimeoutStopSec=30s\n");
        Environments.write(root, "/etc/systemd/system.conf.d/10-fast.conf", "[Manager]\nDefaultTimeoutStopSec=15s\n");
        assertThat(SystemdUnit.managerDefaultTimeoutStopMillis(new Host(root, Map.of()), false)).isEqualTo(15_000);
    }

    /**
     * systemd.service(5), "Exit causes and the effect of the Restart= settings": rows are clean exit code or signal,
     * unclean exit code, unclean signal; X marks a restart.
     */
    @ParameterizedTest(name = "Restart={0}")
    @CsvSource({
        // restart,     clean exit 0, SIGTERM, exit 143, exit 1, SIGKILL, SIGABRT
        "no,            false,        false,   false,    false,  false,   false",
        "always,        true,         true,    true,     true,   true,    true",
        "on-success,    true,         true,    false,    false,  false,   false",
        "on-failure,    false,        false,   true,     true,   true,    true",
        "on-abnormal,   false,        false,   false,    false,  true,    true",
        "on-abort,      false,        false,   false,    false,  true,    true",
        "on-watchdog,   false,        false,   false,    false,  false,   false",
    })
    void restartFollowsTheTableInSystemdService5(String restart, boolean exit0, boolean sigterm, boolean exit143, boolean exit1, boolean sigkill, boolean sigabrt) {
        SystemdUnit u = unit("Restart=" + restart + "\n");
        assertThat(u.restartsAfter(SystemdUnit.Exit.code("exit 0", 0))).isEqualTo(exit0);
        assertThat(u.restartsAfter(SystemdUnit.Exit.signal("SIGTERM", "SIGTERM"))).as("death by SIGTERM is clean").isEqualTo(sigterm);
        assertThat(u.restartsAfter(SystemdUnit.Exit.code("exit 143", 143))).as("exit status 143 is an unclean exit code").isEqualTo(exit143);
        assertThat(u.restartsAfter(SystemdUnit.Exit.code("exit 1", 1))).isEqualTo(exit1);
        assertThat(u.restartsAfter(SystemdUnit.Exit.signal("SIGKILL", "SIGKILL"))).isEqualTo(sigkill);
        assertThat(u.restartsAfter(SystemdUnit.Exit.signal("SIGABRT", "SIGABRT"))).isEqualTo(sigabrt);
    }

    @Test
    void successExitStatusMakes143CleanAndPreventAndForceOverrideRestart() {
        SystemdUnit u = unit("Restart=on-failure\nSuccessExitStatus=143\n");
        assertThat(u.isClean(SystemdUnit.Exit.code("x", 143))).isTrue();
        assertThat(u.restartsAfter(SystemdUnit.Exit.code("x", 143))).isFalse();
        SystemdUnit prevent = unit("Restart=always\nRestartPreventExitStatus=143 SIGKILL\n");
        assertThat(prevent.restartsAfter(SystemdUnit.Exit.code("x", 143))).isFalse();
        assertThat(prevent.restartsAfter(SystemdUnit.Exit.signal("x", "SIGKILL"))).isFalse();
        assertThat(prevent.restartsAfter(SystemdUnit.Exit.code("x", 1))).isTrue();
        SystemdUnit force = unit("Restart=no\nRestartForceExitStatus=KILL\n");
        assertThat(force.restartsAfter(SystemdUnit.Exit.signal("x", "SIGKILL"))).isTrue();
    }

    @Test
    void userSearchPathStartsInTheHomeDirectory() {
        List<String> paths = SystemdUnit.userPaths("/home/azureuser", "1000");
        assertThat(paths.get(0)).isEqualTo("/home/azureuser/.config/systemd/user.control");
        assertThat(paths).contains("/home/azureuser/.config/systemd/user", "/etc/systemd/user", "/usr/lib/systemd/user");
        assertThat(SystemdUnit.templateOf("worker@blue.service")).isEqualTo("worker@.service");
        assertThat(SystemdUnit.templateOf("app.service")).isNull();
    }
}
