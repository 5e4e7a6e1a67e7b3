package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.targets.StdStreamWriter;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmc.common.item.ItemFilters;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;

/**
 * A JVM whose stdout pipe reader exits goes on printing into nothing (SIGPIPE is ignored, PrintStream swallows
 * EPIPE): the agent says so once, naming the pipe, the time and the first failed write, in the journal, the log and
 * JFR. With stderr broken too the agent's own stderr fallback gives up quietly instead of looping.
 */
class StdStreamIT {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void stdoutWhoseReaderExitedIsReportedOnceInTheJournal(Jdk jdk) throws Exception {
        Path jfr = Files.createTempDirectory("forensics-std-").resolve("app.jfr");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).recording(jfr).jvmArg("-Xlog:jfr+startup=off").stdoutPipedTo("head", "-n", "1").start(StdStreamWriter.class, "out", "out", "50")) {
            assertThat(jvm.waitFor()).isZero();
            assertThat(jvm.stdout()).as("what the reader read before it exited").isEqualTo("line 0\n");
            String journal = jvm.journal();
            List<String> broken = journal.lines().filter(l -> l.contains("stdout (fd 1) is broken since")).toList();
            assertThat(broken).as(journal).hasSize(1);
            assertThat(broken.get(0)).contains("WARN").contains("writes fail with \"Broken pipe\"").contains("It was a pipe (pipe:[")
                    .contains("its reader is gone").contains("First failed write: dev.forensics.targets.StdStreamWriter.main(StdStreamWriter.java:");
            assertThat(jvm.stderr()).contains("checkError=true")
                    .contains("SECTION   stdout (fd 1, pipe pipe:[")
                    .as("the application's SLF4J log (on the working stderr) has it once").containsOnlyOnce("WARN forensics - stdout (fd 1) is broken");
            assertThat(journal).as("the finding after the break still reaches the journal").contains("System.exit(0) called by");

            List<RecordedEvent> events = RecordingFile.readAllEvents(jfr).stream()
                    .filter(e -> e.getEventType().getName().equals("forensics.BrokenStdStream")).toList();
            assertThat(events).hasSize(1);
            assertThat(events.get(0).getString("stream")).isEqualTo("stdout");
            assertThat(events.get(0).getString("was")).isEqualTo("pipe");
            assertThat(events.get(0).getString("target")).startsWith("pipe:[");
            assertThat(JfrLoaderToolkit.loadEvents(jfr.toFile()).apply(ItemFilters.type("forensics.BrokenStdStream")).hasItems()).isTrue();
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void brokenStderrIsReportedOnceAndTheStderrFallbackDoesNotLoop(Jdk jdk) {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).classpath(ForkedJvm.classpathWithout("slf4j")).agentOptions("log=stderr")
                .stderrPiped().start(StdStreamWriter.class, "out", "err", "50")) {
            assertThat(jvm.readStderrLineThenHangUp()).isEqualTo("line 0");
            assertThat(jvm.waitFor(Duration.ofSeconds(30))).isZero();
            String journal = jvm.journal();
            assertThat(journal.lines().filter(l -> l.contains("stderr (fd 2) is broken since")).count()).as(journal).isEqualTo(1);
            assertThat(journal).contains("It was a pipe (pipe:[").contains("First failed write: dev.forensics.targets.StdStreamWriter.main(")
                    .as("later findings still reach the journal").contains("System.exit(0) called by");
            assertThat(jvm.stdout()).contains("checkError=true").contains("SECTION   stderr (fd 2, pipe pipe:[");
            assertAgentClean(jvm);
        }
    }
}
