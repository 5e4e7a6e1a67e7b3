package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static dev.forensics.testing.LastWordsFiles.firstLine;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import dev.forensics.testing.LastWordsFiles;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Text written by others reaches what the agent writes: a signal sender's arguments. Its control characters must
 * come out escaped, so a newline cannot split the verdict line and an ANSI sequence cannot repaint a terminal.
 */
class HostileTextIT {
    private static final char ESC = 27;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aSendersScriptWithANewlineAndAnsiSequencesStaysOnTheVerdictLineEscaped(Jdk jdk) throws java.io.IOException {
        java.nio.file.Path jfr;
        try (ForkedJvm jvm = SignalSenderIT.service(jdk)) {
            jfr = jvm.workDir().resolve("hostile.jfr");
            ForkedJvm.run(jdk.home().resolve("bin/jcmd").toString(), Long.toString(jvm.pid()), "JFR.start", "name=hostile",
                    "settings=" + ForkedJvm.JFC, "filename=" + jfr, "dumponexit=true");
            // The sleep keeps the sender alive while the agent reads its command line from /proc; the final ':' keeps
            // bash from exec'ing the sleep in its place.
            String script = "kill -TERM " + jvm.pid() + "\n: " + ESC + "[2K" + ESC + "[1Gexited normally" + ESC + "[0m\nsleep 1\n:";
            ForkedJvm.run("bash", "-c", script);
            assertThat(jvm.waitFor()).isEqualTo(143);
            String words = LastWordsFiles.text(jvm);
            assertThat(firstLine(words)).startsWith("SIGTERM from pid ").contains("\\n: \\x1b[2K\\x1b[1Gexited normally\\x1b[0m\\nsleep 1\\n:");
            assertThat(words.lines().skip(1).findFirst()).as("the cause is one line, the next: line follows it").hasValueSatisfying(
                    l -> assertThat(l).startsWith("next: "));
            assertThat(words.lines().skip(2).findFirst()).as("then the blank line").hasValue("");
            assertThat(words).doesNotContain(String.valueOf(ESC));
            assertThat(jvm.journal()).contains("SIGTERM from pid ").doesNotContain(String.valueOf(ESC));
            assertThat(jvm.stderr()).contains("SIGTERM from pid ").doesNotContain(String.valueOf(ESC));
            assertAgentClean(jvm);
        }
        // The events carry the same escaped text: `jfr print` and JMC show it to an operator too.
        java.util.List<RecordedEvent> signals = RecordingFile.readAllEvents(jfr).stream()
                .filter(e -> e.getEventType().getName().equals("forensics.SignalReceived")).toList();
        assertThat(signals).hasSize(1);
        assertThat(signals.get(0).getString("senderCommand")).contains("\\x1b[2K").doesNotContain(String.valueOf(ESC))
                .doesNotContain("\n:");
        assertThat(signals.get(0).getString("verdict")).doesNotContain(String.valueOf(ESC));
    }

    /** The old redaction took 14 s over a 64 KB argument before the black box's first write. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aSixtyFourKilobyteArgumentDoesNotDelayTheBlackBox(Jdk jdk) throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("forensics-hostile-it-").resolve("out");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).dir(dir).jvmArg("-Ddb.pwd=SECRET", "-Dpayload=" + "a".repeat(64 * 1024))
                .start(dev.forensics.targets.Idle.class, dir.toString(), "600")) {
            jvm.awaitStdout("READY", java.time.Duration.ofSeconds(60));
            java.nio.file.Path box = dir.resolve("black-box-" + jvm.pid() + ".txt");
            jvm.await(() -> ForkedJvm.read(box).contains("heartbeats=1"), "the black box's first write", java.time.Duration.ofSeconds(30));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("first write after (\\d+) ms").matcher(jvm.journal());
            assertThat(m.find()).as(jvm.journal()).isTrue();
            assertThat(Long.parseLong(m.group(1))).as("ms to the black box's first write").isLessThan(3_000);
            assertThat(ForkedJvm.read(box)).contains("-Ddb.pwd=*** -Dpayload=aaaa").doesNotContain("SECRET");
        }
    }
}
