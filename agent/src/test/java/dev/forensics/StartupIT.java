package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.targets.ExitWith;
import dev.forensics.targets.Hello;
import dev.forensics.targets.Idle;
import dev.forensics.targets.SocketWriter;
import dev.forensics.targets.http.EarlyLeaks;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import dev.forensics.testing.LoopbackPeer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
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
     * Every hook is live before main: a batch job that leaks bodies in its first moments and ends has each one
     * reported with its origin, although it never waits for the agent.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void bodiesLeakedInTheFirstMomentsAreReportedWithTheirOrigin(Jdk jdk) {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).agentOptions("leakStacks=always").start(EarlyLeaks.class, "out")) {
            assertThat(jvm.waitFor()).as(jvm.stderr()).isZero();
            assertThat(jvm.stdout()).contains("LEAKED 20 within");
            assertThat(jvm.journal())
                    .contains("20 response bodies open")
                    .contains("10 at dev.forensics.targets.http.EarlyLeaks.main(EarlyLeaks.java:24)")
                    .contains("10 at dev.forensics.targets.http.EarlyLeaks.main(EarlyLeaks.java:33)");
            assertAgentClean(jvm);
        }
    }

    /** Off means off: a feature switched off loads none of its classes (read from the JVM's own class-loading log). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aFeatureSwitchedOffLoadsNoneOfItsClasses(Jdk jdk) throws Exception {
        try (LoopbackPeer peer = new LoopbackPeer(LoopbackPeer.Mode.CLOSE)) {
            Object[][] cases = {
                    {"leaks=off,healthPeriod=off", EarlyLeaks.class, new String[] {"out"},
                            new String[] {"dev.forensics.leak.", "dev.forensics.instrument.jdkhttp.", "dev.forensics.instrument.urlconnection.",
                                    "dev.forensics.instrument.apache5.", "dev.forensics.instrument.apache5async.", "dev.forensics.instrument.apache4.",
                                    "dev.forensics.instrument.okhttp.", "dev.forensics.instrument.jetty.", "dev.forensics.instrument.UnwatchedClients",
                                    "dev.forensics.agent.Installer$NoteUnwatched", "dev.forensics.report.LibraryVersion"}},
                    {"pipes=off,stdstreams=off", SocketWriter.class, new String[] {"out", "early-socket", Integer.toString(peer.port()), "200", "1024", "0"},
                            new String[] {"dev.forensics.pipe.", "dev.forensics.instrument.socket.", "dev.forensics.instrument.stdstream."}},
                    {"metrics=off", EarlyLeaks.class, new String[] {"out"},
                            new String[] {"dev.forensics.metrics.", "dev.forensics.leak.LeakMeters", "dev.forensics.pipe.PipeMeters",
                                    "dev.forensics.agent.AgentMeters"}},
                    {"termination=off", ExitWith.class, new String[] {"3"},
                            new String[] {"dev.forensics.termination.", "dev.forensics.instrument.exit."}},
                    {"blackbox=off,doctor=off,commands=off", ExitWith.class, new String[] {"0"},
                            new String[] {"dev.forensics.blackbox.", "dev.forensics.agent.CommandChannel", "dev.forensics.agent.Commands",
                                    "dev.forensics.agent.AgentCommand", "dev.forensics.agent.JfrCommands"}},
            };
            for (Object[] c : cases) {
                String options = (String) c[0];
                try (ForkedJvm jvm = ForkedJvm.on(jdk).agentOptions(options).jvmArg("-Xlog:class+load=info:stdout")
                        .start((Class<?>) c[1], (String[]) c[2])) {
                    jvm.waitFor();
                    List<String> loaded = jvm.stdout().lines().filter(l -> l.contains(" dev.forensics.")).collect(Collectors.toList());
                    assertThat(loaded).as("agent classes loaded with " + options).isNotEmpty();
                    for (String prefix : (String[]) c[3]) {
                        assertThat(loaded).as(options + ": nothing under " + prefix).noneMatch(l -> l.contains(" " + prefix));
                    }
                }
            }
        }
    }
}
