package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.targets.ExitWith;
import dev.forensics.targets.Hello;
import dev.forensics.targets.Idle;
import dev.forensics.targets.SocketWriter;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import dev.forensics.testing.LoopbackPeer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The agent starts without a trace on the host: no output, its own exit status, harmless when misused. */
class StartupIT {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void helloPrintsHelloAndNothingFromTheAgent(Jdk jdk) {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).start(Hello.class)) {
            assertThat(jvm.waitFor()).isZero();
            assertThat(jvm.stdout()).isEqualTo("Hello" + System.lineSeparator());
            assertThat(jvm.stderr()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void badOptionsAreNamedInOneLineAndTheApplicationKeepsItsExitStatus(Jdk jdk) {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).agentOptions("colour=blue,redact=maybe,termination=on").start(ExitWith.class, "7")) {
            assertThat(jvm.waitFor()).isEqualTo(7);
            assertThat(jvm.stdout()).contains("running");
            List<String> lines = jvm.stderrLines();
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0)).startsWith("forensics: ").contains("unknown option 'colour'").contains("'redact'").contains("maybe")
                    .doesNotContain("'termination'");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void outputDirectoryAndJournalAreOwnerOnly(Jdk jdk) throws Exception {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).start(Idle.class, "out", "0")) {
            assertThat(jvm.waitFor()).isZero();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(jvm.dir()))).isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(jvm.journalFile()))).isEqualTo("rw-------");
            assertThat(jvm.journal()).contains("forensics ").contains("JDK " + jdk.name()).contains("hook exit.halt active");
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void defaultDirectoryIsForensicsUnderTheWorkingDirectory(Jdk jdk) throws Exception {
        Path wd = Files.createTempDirectory("forensics-wd-");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(wd).dir(wd.resolve("forensics")).agentOptions("dir=forensics")
                .start(Idle.class, wd.resolve("forensics").toString(), "0")) {
            assertThat(jvm.waitFor()).isZero();
            assertThat(ForkedJvm.journalIn(wd.resolve("forensics"), jvm.pid())).exists();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void anUnusableWorkingDirectoryFallsBackToTheTempDirectory(Jdk jdk) throws Exception {
        Path wd = Files.createTempDirectory("forensics-wd-");
        Files.writeString(wd.resolve("forensics"), "a file where the default directory would go");
        Path tmp = Files.createTempDirectory("forensics-tmp-");
        Path expected = tmp.resolve("forensics-" + System.getProperty("user.name"));
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(wd).dir(expected).agentOptions("status=problems")
                .jvmArg("-Djava.io.tmpdir=" + tmp).noAgent().jvmArg("-javaagent:" + ForkedJvm.AGENT_JAR + "=doctor=off")
                .start(Idle.class, expected.toString(), "0")) {
            assertThat(jvm.waitFor()).isZero();
            assertThat(ForkedJvm.journalIn(expected, jvm.pid())).exists();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(expected))).isEqualTo("rwx------");
            assertThat(jvm.stderr()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void loadingTheAgentTwiceIsHarmless(Jdk jdk) {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).jvmArg("-javaagent:" + ForkedJvm.AGENT_JAR).start(Hello.class)) {
            assertThat(jvm.waitFor()).isZero();
            assertThat(jvm.stdout()).isEqualTo("Hello" + System.lineSeparator());
            assertThat(jvm.stderrLines()).containsExactly("forensics: already loaded in this JVM; ignoring the second -javaagent");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void jdkToolsPickingUpJavaToolOptionsAreSkipped(Jdk jdk) throws Exception {
        jdk.require();
        Path dir = Files.createTempDirectory("forensics-tool-").resolve("out");
        ProcessBuilder pb = new ProcessBuilder(jdk.home().resolve("bin/jps").toString(), "-q").redirectErrorStream(true);
        pb.environment().put("JAVA_TOOL_OPTIONS", "-javaagent:" + ForkedJvm.AGENT_JAR + "=dir=" + dir);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(out).as("only the JVM's own 'Picked up' line mentions us").doesNotContain("forensics:").doesNotContain("[forensics]");
        assertThat(out.lines().filter(l -> l.contains("forensics"))).allMatch(l -> l.startsWith("Picked up JAVA_TOOL_OPTIONS"));
        assertThat(dir).doesNotExist();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aRenamedJarStillWorks(Jdk jdk) throws Exception {
        Path copy = Files.createTempDirectory("forensics-renamed-").resolve("agent-copy.jar");
        Files.copy(ForkedJvm.AGENT_JAR, copy);
        try (ForkedJvm jvm = ForkedJvm.on(jdk).noAgent().jvmArg("-javaagent:" + copy + "=dir=" + copy.resolveSibling("out"))
                .dir(copy.resolveSibling("out")).start(Idle.class, copy.resolveSibling("out").toString(), "0")) {
            assertThat(jvm.waitFor(Duration.ofSeconds(60))).isZero();
            assertThat(jvm.journal()).contains("hook exit.exit active");
            assertThat(jvm.stderr()).doesNotContain("forensics:");
        }
    }

    /**
     * The default installDelay: Byte Buddy's part starts a second after premain. Socket classes the application loaded
     * and a connection it opened meanwhile are still covered (retransformation), and termination capture was there
     * from the start.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void delayedInstallationCoversClassesLoadedMeanwhile(Jdk jdk) {
        try (LoopbackPeer peer = new LoopbackPeer(LoopbackPeer.Mode.CLOSE);
             ForkedJvm jvm = ForkedJvm.on(jdk).agentOptions("installDelay=1s")
                     .start(SocketWriter.class, "out", "early-socket", Integer.toString(peer.port()), "100", "1024", "100")) {
            assertThat(jvm.waitFor()).as(jvm.stderr()).isZero();
            assertThat(jvm.stdout()).contains("CONNECTED before the agent installed").contains("DONE");
            String journal = jvm.journal();
            assertThat(journal.indexOf("termination capture installed")).as(journal).isNotNegative()
                    .isLessThan(journal.indexOf("hooks active"));
            assertThat(journal).contains("broken-pipe loop").contains("SocketWriter.keepWriting(SocketWriter.java:");
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aJvmEndingBeforeTheDelayNeverInstallsByteBuddy(Jdk jdk) {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).agentOptions("installDelay=1m").start(Hello.class)) {
            assertThat(jvm.waitFor(Duration.ofSeconds(30))).isZero();
            assertThat(jvm.stdout()).isEqualTo("Hello" + System.lineSeparator());
            assertThat(jvm.stderr()).isEmpty();
            assertThat(jvm.files(n -> n.startsWith("journal-"))).allSatisfy(j -> assertThat(Files.readString(j)).doesNotContain("hooks active"));
        }
    }
}
