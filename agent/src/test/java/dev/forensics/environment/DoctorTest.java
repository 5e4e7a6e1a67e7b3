package dev.forensics.environment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.testing.Environments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each risk from fixture copies of real machines, with its fix; a clean environment gives none. */
class DoctorTest {

    private static Doctor.Report examine(Path root, Map<String, String> env) {
        return Doctor.examine(new Doctor.Inputs(new Host(root, env), "self"));
    }

    private static Doctor.Report examine(String fixture, Map<String, String> env) {
        return examine(Environments.root(fixture), env);
    }

    private static Risk risk(Doctor.Report r, String id) {
        return r.risks().stream().filter(x -> x.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no risk " + id + " in " + ids(r)));
    }

    private static List<String> ids(Doctor.Report r) {
        return r.risks().stream().map(x -> x.id() + "/" + x.severity()).collect(Collectors.toList());
    }

    @Test
    void aCleanEnvironmentGivesNone() {
        Doctor.Report r = examine("clean", Map.of("INVOCATION_ID", "5e8a0b1c2d3e4f50617283940a1b2c3d"));
        assertThat(r.risks()).as(ids(r).toString()).isEmpty();
        assertThat(r.supervisor().description()).isEqualTo("systemd unit orders.service (TimeoutStopSec=60s)");
        assertThat(r.supervisor().stopTimeoutMillis()).isEqualTo(60_000);
    }

    @Test
    void loginSessionScopeOnCgroupV2WithNohupIsARiskAndSighupIgnoredANote() {
        Doctor.Report r = examine("session-v2", Map.of());
        Risk scope = risk(r, "session-scope");
        assertThat(scope.isWarning()).isTrue();
        assertThat(scope.message()).contains("session-146.scope").contains("nohup does not help")
                .contains("not set in logind.conf");
        assertThat(scope.fix()).contains("systemd service").contains("systemd-run").contains("loginctl enable-linger");
        assertThat(scope.evidence()).contains("/proc/self/cgroup");
        Risk hup = risk(r, "sighup-ignored");
        assertThat(hup.isWarning()).isFalse();
        assertThat(hup.message()).contains("SIGHUP is ignored");
        assertThat(ids(r)).as("nohup'd: the terminal hangup is survived").doesNotContain("controlling-terminal/WARN");
    }

    @Test
    void loginSessionScopeOnCgroupV1WithATerminalAndKillUserProcessesFromADropIn() {
        Doctor.Report r = examine("session-v1", Map.of());
        assertThat(risk(r, "session-scope").message()).contains("session-3.scope")
                .contains("KillUserProcesses=yes in /etc/systemd/logind.conf.d/10-kill-user-processes.conf");
        Risk tty = risk(r, "controlling-terminal");
        assertThat(tty.isWarning()).isTrue();
        assertThat(tty.message()).contains("pts/1").contains("SIGHUP");
        assertThat(tty.fix()).contains("setsid nohup");
    }

    @Test
    void restartOnFailureWithSuccessExitStatus143StaysDownAfterSigterm() {
        Doctor.Report r = examine("systemd-v2", Map.of("INVOCATION_ID", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"));
        Risk restart = risk(r, "restart-policy");
        assertThat(restart.isWarning()).isTrue();
        assertThat(restart.message()).contains("aiproxy.service has Restart=on-failure, SuccessExitStatus=143")
                .contains("will NOT restart it after a SIGTERM from outside systemd (the JVM runs its hooks and exits with status 143) [clean]")
                .contains("It does restart it after SIGKILL")
                .contains("143 included: it is a status, not a signal");
        assertThat(restart.fix()).contains("Restart=always");
        assertThat(restart.evidence()).contains("/etc/systemd/system/aiproxy.service + /etc/systemd/system/aiproxy.service.d/override.conf");
        assertThat(r.supervisor().stopTimeoutMillis()).isEqualTo(90_000);
    }

    /** Every Restart= value against the ways a JVM ends; 143 is the status after a SIGTERM it handled. */
    @ParameterizedTest(name = "Restart={0}")
    @CsvSource({
        "'',           WARN, after a SIGTERM from outside systemd",
        "no,           WARN, after SIGKILL",
        "always,       NONE, ''",
        "on-success,   WARN, after SIGKILL (kill -9, the kernel OOM killer) [failure]",
        "on-failure,   INFO, but not after System.exit(0) or the end of main",
        "on-abnormal,  WARN, exits with status 143) [failure]",
        "on-abort,     WARN, exits with status 143) [failure]",
        "on-watchdog,  WARN, after SIGKILL",
    })
    void eachRestartValueIsExplained(String restart, String expected, String phrase) {
        Path root = Environments.copy("systemd-v2");
        Environments.write(root, "/etc/systemd/system/aiproxy.service.d/override.conf", "[Service]\n");
        Environments.write(root, "/etc/systemd/system/aiproxy.service",
                "[Service]\nExecStart=/usr/bin/java -jar /root/aiproxy/aiproxy.jar\n" + (restart.isEmpty() ? "" : "Restart=" + restart + "\n"));
        Doctor.Report r = examine(root, Map.of());
        List<Risk> found = r.risks().stream().filter(x -> x.id().equals("restart-policy")).collect(Collectors.toList());
        if (expected.equals("NONE")) {
            assertThat(found).isEmpty();
            return;
        }
        assertThat(found).hasSize(1);
        assertThat(found.get(0).severity().name()).isEqualTo(expected);
        assertThat(found.get(0).message()).contains(phrase);
        assertThat(found.get(0).fix()).isNotBlank();
    }

    @Test
    void withXrsSigtermKillsTheJvmAndOnFailureCountsThatAsClean() {
        Path root = Environments.copy("systemd-v2");
        Environments.write(root, "/etc/systemd/system/aiproxy.service.d/override.conf", "[Service]\n");
        Environments.write(root, "/proc/self/cmdline", "/usr/bin/java\0-Xrs\0-jar\0/root/aiproxy/aiproxy.jar\0");
        Doctor.Report r = examine(root, Map.of());
        assertThat(risk(r, "restart-policy").message()).contains("with -Xrs the JVM dies of the signal itself) [clean]");
        assertThat(risk(r, "xrs").fix()).contains("Remove -Xrs");
    }

    @Test
    void killModeKillSignalAndAShellAsMainProcess() {
        Path root = Environments.copy("systemd-v2");
        Environments.write(root, "/etc/systemd/system/aiproxy.service.d/override.conf", "[Service]\nKillMode=mixed\nKillSignal=SIGKILL\nRestart=always\n");
        Environments.write(root, "/proc/self/stat", Files.exists(root.resolve("proc/self/stat"))
                ? read(root, "proc/self/stat").replace("1187 (java) S 1 ", "1187 (java) S 1180 ") : "");
        Environments.write(root, "/proc/1180/stat", "1180 (bash) S 1 1180 1180 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 3100 1 1 1\n");
        Doctor.Report r = examine(root, Map.of());
        Risk kill = risk(r, "kill-mode");
        assertThat(kill.message()).contains("not the main process").contains("bash (pid 1180)").contains("gets SIGKILL after TimeoutStopSec=90s");
        assertThat(kill.fix()).contains("exec java");
        assertThat(risk(r, "kill-signal").message()).contains("KillSignal=SIGKILL");
        // SYSTEMD_EXEC_PID, when systemd sets it, decides.
        Doctor.Report main = examine(root, Map.of("SYSTEMD_EXEC_PID", "1187"));
        assertThat(ids(main)).doesNotContain("kill-mode/WARN");
    }

    @Test
    void aPreviousShutdownNearTimeoutStopSecIsARisk() {
        Path root = Environments.copy("clean");
        Doctor.Report r = Doctor.examine(new Doctor.Inputs(new Host(root, Map.of()), "self").previousShutdownMillis(58_000));
        Risk t = risk(r, "stop-timeout");
        assertThat(t.message()).contains("TimeoutStopSec=60s").contains("took 58.0 s");
        assertThat(Doctor.examine(new Doctor.Inputs(new Host(root, Map.of()), "self").previousShutdownMillis(2_000)).risks()).isEmpty();
    }

    @Test
    void aUserServiceWithoutLingeringStopsAtLogout() {
        Doctor.Report r = examine("user-service", Map.of("HOME", "/home/azureuser"));
        Risk linger = risk(r, "user-manager-no-linger");
        assertThat(linger.message()).contains("user@1000.service").contains("azureuser");
        assertThat(linger.fix()).contains("loginctl enable-linger azureuser");
        assertThat(risk(r, "restart-policy").isWarning()).as("on-failure restarts a JVM after SIGTERM (exit 143)").isFalse();
        Path root = Environments.copy("user-service");
        Environments.write(root, "/var/lib/systemd/linger/azureuser", "");
        assertThat(ids(examine(root, Map.of("HOME", "/home/azureuser")))).doesNotContain("user-manager-no-linger/WARN");
    }

    @Test
    void aShellAsPid1OfAContainerSwallowsTheStopSignal() {
        Doctor.Report r = examine("container-shell-pid1", Map.of());
        Risk pid1 = risk(r, "pid1-shell");
        assertThat(pid1.isWarning()).isTrue();
        assertThat(pid1.message()).contains("PID 1 of this container is a shell (/bin/sh -c java -jar /app/app.jar)")
                .contains("no shutdown hooks");
        assertThat(pid1.fix()).contains("exec java").contains("ENTRYPOINT [\"java\"").contains("--init");
    }

    @Test
    void theJvmAsPid1IsANoteUnlessXrsMakesItDropSigterm() {
        Risk note = risk(examine("container-java-pid1", Map.of()), "jvm-pid1");
        assertThat(note.isWarning()).isFalse();
        assertThat(note.message()).contains("PID 1 of its container").contains("SIGTERM still works");
        Path root = Environments.copy("container-java-pid1");
        Environments.write(root, "/proc/self/cmdline", "java\0-Xrs\0-jar\0/app/app.jar\0");
        Doctor.Report r = examine(root, Map.of());
        assertThat(risk(r, "jvm-pid1").isWarning()).isTrue();
        assertThat(risk(r, "jvm-pid1").message()).contains("-Xrs removes that handler");
        assertThat(risk(r, "xrs").isWarning()).isTrue();
    }

    @Test
    void exitOnOutOfMemoryErrorFromJavaToolOptions() {
        Doctor.Report r = examine("clean", Map.of("JAVA_TOOL_OPTIONS", "-XX:+ExitOnOutOfMemoryError"));
        Risk oom = risk(r, "exit-on-oom");
        assertThat(oom.message()).contains("exits at once with status 3 without running shutdown hooks");
        assertThat(oom.fix()).contains("HeapDumpOnOutOfMemoryError");
        assertThat(ids(r)).as("Restart=always restarts after exit 3").doesNotContain("restart-policy/WARN");
    }

    @Test
    void kubernetesGracePeriodAndTerminationLog() {
        Doctor.Report r = Doctor.examine(new Doctor.Inputs(new Host(Environments.root("kubernetes"), Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1")), "self")
                .previousShutdownMillis(27_500));
        Risk k = risk(r, "kubernetes-grace");
        assertThat(k.isWarning()).as("27.5 s of a 30 s grace period").isTrue();
        assertThat(k.message()).contains("terminationGracePeriodSeconds (default 30 s").contains("took 27.5 s").contains("/dev/termination-log exists");
        assertThat(k.fix()).contains("FallbackToLogsOnError");
        assertThat(risk(r, "jvm-pid1").isWarning()).isFalse();
        assertThat(r.supervisor().stopTimeoutMillis()).isEqualTo(30_000);
    }

    @Test
    void log4jWithItsDefaultShutdownHookIsARiskAndDisablingItInTheConfigurationClearsIt() {
        Map<String, String> resources = new HashMap<>();
        resources.put(LoggingRisks.LOG4J_CORE, "");
        assertThat(logging(resources, Map.of())).extracting(Risk::id).containsExactly("log4j2-shutdown-hook");
        resources.put("log4j2.xml", "<Configuration status=\"WARN\" shutdownHook=\"disable\">\n<Appenders/>\n</Configuration>");
        assertThat(logging(resources, Map.of())).isEmpty();
        resources.put("log4j2.xml", "<Configuration status=\"WARN\">\n<Appenders/>\n</Configuration>");
        assertThat(logging(resources, Map.of()).get(0).message()).contains("(log4j2.xml)");
        assertThat(logging(resources, Map.of("log4j2.shutdownHookEnabled", "false"))).isEmpty();
        resources.put("log4j2.component.properties", "log4j.shutdownHookEnabled = false\n");
        assertThat(logging(resources, Map.of())).isEmpty();
    }

    @Test
    void logbackOnlyWhenItsConfigurationAsksForAShutdownHook() {
        Map<String, String> resources = new HashMap<>();
        resources.put(LoggingRisks.LOGBACK, "");
        resources.put("logback.xml", "<configuration>\n<appender name=\"F\" class=\"ch.qos.logback.core.FileAppender\"/>\n</configuration>");
        assertThat(logging(resources, Map.of())).isEmpty();
        resources.put("logback.xml", "<configuration>\n  <shutdownHook class=\"ch.qos.logback.core.hook.DefaultShutdownHook\"/>\n</configuration>");
        Risk r = logging(resources, Map.of()).get(0);
        assertThat(r.id()).isEqualTo("logback-shutdown-hook");
        assertThat(r.fix()).contains("Remove <shutdownHook/>");
    }

    private static List<Risk> logging(Map<String, String> resources, Map<String, String> properties) {
        List<Risk> out = new java.util.ArrayList<>();
        LoggingRisks.check(resources::get, properties::get, out);
        return out;
    }

    @Test
    void badOrMissingFilesNeverBreakTheDoctor() throws Exception {
        Path root = Environments.copy("systemd-v2");
        byte[] junk = new byte[5000];
        new java.util.Random(4).nextBytes(junk);
        for (String f : new String[] {"proc/self/stat", "proc/self/status", "proc/self/cgroup", "proc/self/mountinfo", "proc/self/cmdline",
                "proc/1/stat", "proc/1/cmdline", "etc/systemd/system/aiproxy.service", "etc/passwd", "proc/vmstat"}) {
            Files.write(root.resolve(f), junk);
        }
        Files.createDirectories(root.resolve("etc/systemd/system/aiproxy.service.d/x.conf.d"));
        Doctor.Report r = examine(root, Map.of("JAVA_TOOL_OPTIONS", "\"unterminated", "SYSTEMD_EXEC_PID", "x"));
        assertThat(r).isNotNull();
        Doctor.Report empty = examine(Files.createTempDirectory("forensics-empty-root"), Map.of("INVOCATION_ID", "1"));
        assertThat(empty.risks()).extracting(Risk::severity).allMatch(s -> s == dev.forensics.report.Finding.Severity.INFO);
    }

    private static String read(Path root, String rel) {
        try {
            return Files.readString(root.resolve(rel));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
