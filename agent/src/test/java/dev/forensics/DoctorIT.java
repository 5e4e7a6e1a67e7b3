package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.targets.DoctorReady;
import dev.forensics.targets.Hello;
import dev.forensics.testing.Environments;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.ItemFilters;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;

/**
 * The doctor in a forked JVM with the real agent: risks from fixture roots (envRoot=) and from the real JVM's own
 * flags and class path, each in the journal with its fix, as forensics.Risk events, and in one summary line.
 */
class DoctorIT {
    private static final Duration START = Duration.ofSeconds(60);
    private static final String NO_LOG4J = "log4j";

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aCleanEnvironmentGivesNoRiskAndPrintsNothing(Jdk jdk) {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).agentOptions("envRoot=" + Environments.root("clean")).classpath(ForkedJvm.classpathWithout(NO_LOG4J))
                .start(DoctorReady.class, "out")) {
            assertThat(jvm.waitFor()).isZero();
            assertThat(jvm.journal()).contains("doctor: 0 risk(s), 0 note(s)").contains("stopped by systemd unit orders.service (TimeoutStopSec=60s)")
                    .doesNotContain("risk ");
            assertThat(jvm.stderr()).isEmpty();
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void sessionScopeUnderNohupIsOneSummaryLineAndJournalLinesWithFixesAndJfrEvents(Jdk jdk) throws Exception {
        Path jfr = Files.createTempDirectory("forensics-doctor-jfr-").resolve("app.jfr");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).agentOptions("envRoot=" + Environments.root("session-v2") + ",log=stderr")
                .classpath(ForkedJvm.classpathWithout(NO_LOG4J)).recording(jfr).start(DoctorReady.class, "out")) {
            assertThat(jvm.waitFor()).isZero();
            assertThat(jvm.journal()).contains("WARN   doctor       risk session-scope: This JVM runs inside the login session scope session-146.scope")
                    .contains("Fix: Run it as a systemd service")
                    .contains("INFO   doctor       risk sighup-ignored: SIGHUP is ignored");
            List<String> ours = jvm.stderrLines().stream().filter(l -> l.contains("forensics")).collect(Collectors.toList());
            assertThat(ours).hasSize(1);
            assertThat(ours.get(0)).isEqualTo("[forensics] 1 risk at start-up: runs in login session scope session-146.scope: dies when that session ends, and nohup does not help "
                    + "[session-scope] — fixes in " + jvm.journalFile());
            assertAgentClean(jvm);
        }
        List<RecordedEvent> risks = RecordingFile.readAllEvents(jfr).stream().filter(e -> e.getEventType().getName().equals("forensics.Risk"))
                .collect(Collectors.toList());
        assertThat(risks).extracting(e -> e.getString("id")).contains("session-scope", "sighup-ignored");
        RecordedEvent scope = risks.stream().filter(e -> e.getString("id").equals("session-scope")).findFirst().orElseThrow();
        assertThat(scope.getString("severity")).isEqualTo("WARN");
        assertThat(scope.getString("fix")).contains("loginctl enable-linger");
        assertThat(scope.getString("evidence")).contains("/proc/self/cgroup");
        assertThat(scope.getEventType().getCategoryNames()).startsWith("Forensics");
        IItemCollection items = JfrLoaderToolkit.loadEvents(jfr.toFile());
        assertThat(items.apply(ItemFilters.type("forensics.Risk")).hasItems()).as("JMC's parser reads forensics.Risk").isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void restartOnFailureWithSuccessExitStatus143IsExplained(Jdk jdk) {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).agentOptions("envRoot=" + Environments.root("systemd-v2"))
                .env("INVOCATION_ID", "0f1e2d3c4b5a69788796a5b4c3d2e1f0").classpath(ForkedJvm.classpathWithout(NO_LOG4J))
                .start(DoctorReady.class, "out")) {
            assertThat(jvm.waitFor()).isZero();
            assertThat(jvm.journal()).contains("risk restart-policy: aiproxy.service has Restart=on-failure, SuccessExitStatus=143: systemd will NOT restart it after "
                    + "a SIGTERM from outside systemd (the JVM runs its hooks and exits with status 143) [clean]")
                    .contains("Fix: Set Restart=always");
            assertThat(jvm.stderr()).contains("forensics - 1 risk at start-up: aiproxy.service (Restart=on-failure) will not be restarted after SIGTERM (exit 143) [restart-policy]");
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aShellAsPid1IsReported(Jdk jdk) {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).agentOptions("envRoot=" + Environments.root("container-shell-pid1"))
                .classpath(ForkedJvm.classpathWithout(NO_LOG4J)).start(DoctorReady.class, "out")) {
            assertThat(jvm.waitFor()).isZero();
            assertThat(jvm.journal()).contains("risk pid1-shell: PID 1 of this container is a shell").contains("Fix: Use `exec java …`");
            assertAgentClean(jvm);
        }
    }

    /** -Xrs on the real command line of the forked JVM, read from its own /proc/self/cmdline. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void xrsOnTheCommandLineIsReportedWithItsFix(Jdk jdk) {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).agentOptions("doctor=on").jvmArg("-Xrs").classpath(ForkedJvm.classpathWithout(NO_LOG4J))
                .start(DoctorReady.class, "out")) {
            assertThat(jvm.waitFor()).isZero();
            assertThat(jvm.journal()).contains("risk xrs: -Xrs is set: the JVM installs no handlers for SIGTERM, SIGINT and SIGHUP")
                    .contains("Fix: Remove -Xrs");
            assertAgentClean(jvm);
        }
    }

    /** log4j-core (a pinned test dependency) on the real class path, default configuration: its hook is on. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void log4jOnTheClassPathWithItsShutdownHookIsReported(Jdk jdk) {
        assertThat(ForkedJvm.targetClasspath()).contains("log4j-core");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).agentOptions("envRoot=" + Environments.root("clean")).start(DoctorReady.class, "out")) {
            assertThat(jvm.waitFor()).isZero();
            assertThat(jvm.journal()).contains("risk log4j2-shutdown-hook: Log4j 2 (log4j-core) is on the class path with its shutdown hook enabled (default configuration)")
                    .contains("Fix: Set shutdownHook=\"disable\"");
            assertThat(jvm.stderr()).contains("forensics - 1 risk at start-up: Log4j 2 stops in its own shutdown hook: lines logged during shutdown are lost [log4j2-shutdown-hook]");
            assertAgentClean(jvm);
        }
    }

    /** The real machine running the tests, whatever it is: the doctor reports and never disturbs the application. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void theRealEnvironmentNeverBreaksStartup(Jdk jdk) {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).agentOptions("doctor=on").start(DoctorReady.class, "out")) {
            assertThat(jvm.waitFor()).isZero();
            assertThat(jvm.stdout()).contains("READY");
            assertThat(jvm.journal()).containsPattern("doctor: \\d+ risk\\(s\\), \\d+ note\\(s\\) in \\d+ ms");
            assertAgentClean(jvm);
        }
        try (ForkedJvm jvm = ForkedJvm.on(jdk).agentOptions("doctor=off,blackbox=off").start(Hello.class)) {
            assertThat(jvm.waitFor()).isZero();
            assertThat(jvm.stderr()).isEmpty();
            assertThat(jvm.files(n -> n.startsWith("black-box-"))).isEmpty();
        }
    }
}
