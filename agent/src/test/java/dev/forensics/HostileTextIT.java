package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static dev.forensics.testing.LastWordsFiles.firstLine;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import dev.forensics.testing.LastWordsFiles;
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
    void aSendersScriptWithANewlineAndAnsiSequencesStaysOnTheVerdictLineEscaped(Jdk jdk) {
        try (ForkedJvm jvm = SignalSenderIT.service(jdk)) {
            String script = "kill -TERM " + jvm.pid() + "\n: " + ESC + "[2K" + ESC + "[1Gexited normally" + ESC + "[0m";
            ForkedJvm.run("bash", "-c", script);
            assertThat(jvm.waitFor()).isEqualTo(143);
            String words = LastWordsFiles.text(jvm);
            assertThat(firstLine(words)).startsWith("SIGTERM from pid ").contains("\\n: \\x1b[2K\\x1b[1Gexited normally");
            assertThat(words.lines().skip(1).findFirst()).as("the verdict is one line, the blank line follows it").hasValue("");
            assertThat(words).doesNotContain(String.valueOf(ESC));
            assertThat(jvm.journal()).contains("SIGTERM from pid ").doesNotContain(String.valueOf(ESC));
            assertThat(jvm.stderr()).contains("SIGTERM from pid ").doesNotContain(String.valueOf(ESC));
            assertAgentClean(jvm);
        }
    }
}
