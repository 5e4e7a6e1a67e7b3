package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.targets.ExitFromWorker;
import dev.forensics.targets.Service;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import dev.forensics.testing.LastWordsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.ItemFilters;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;

/** A recording dumped when the JVM exits holds how it ended: the signal and its sender, the exit caller, the verdict. */
class TerminationJfrIT {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void signalSenderAndVerdictAreInTheRecordingForBothParsers(Jdk jdk) throws Exception {
        Path work = Files.createTempDirectory("forensics-jfr-sig-");
        Path jfr = work.resolve("app.jfr");
        Path out = work.resolve("out");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(work).recording(jfr).start(Service.class, out.toString())
                .awaitStdout("READY", Duration.ofSeconds(60))) {
            ForkedJvm.run(LastWordsFiles.stopScript(jvm, "TERM", "stop-service.sh").toString());
            assertThat(jvm.waitFor()).isEqualTo(143);
            assertAgentClean(jvm);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
        RecordedEvent signal = only(events, "forensics.SignalReceived");
        assertThat(signal.getString("signal")).isEqualTo("SIGTERM");
        assertThat(signal.getInt("signalNumber")).isEqualTo(15);
        assertThat(signal.getLong("senderPid")).isPositive();
        assertThat(signal.getString("senderCommand")).startsWith("/bin/sh ").endsWith("stop-service.sh");
        assertThat(signal.getString("code")).startsWith("SI_USER");
        RecordedEvent words = only(events, "forensics.LastWords");
        assertThat(words.getString("verdict")).startsWith("SIGTERM from pid ");
        assertThat(words.getString("cause")).isEqualTo("signal");
        assertThat(words.getInt("exitStatus")).isEqualTo(143);
        assertThat(words.getString("file")).contains("last-words-");
        assertThat(words.getEventType().getCategoryNames()).containsExactly("Forensics", "Termination");

        IItemCollection items = JfrLoaderToolkit.loadEvents(jfr.toFile());
        assertThat(items.apply(ItemFilters.type("forensics.SignalReceived")).hasItems()).isTrue();
        assertThat(items.apply(ItemFilters.type("forensics.LastWords")).hasItems()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void exitCallerIsInTheRecordingWithItsStack(Jdk jdk) throws Exception {
        Path work = Files.createTempDirectory("forensics-jfr-exit-");
        Path jfr = work.resolve("app.jfr");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(work).recording(jfr).start(ExitFromWorker.class, "out")) {
            assertThat(jvm.waitFor()).isEqualTo(3);
            assertAgentClean(jvm);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
        RecordedEvent exit = only(events, "forensics.ExitRequested");
        assertThat(exit.getInt("status")).isEqualTo(3);
        assertThat(exit.getBoolean("halt")).isFalse();
        assertThat(exit.getString("threadName")).isEqualTo("library-thread");
        assertThat(exit.getString("caller")).startsWith("dev.forensics.targets.ExitFromWorker.shutdownLibrary(");
        assertThat(exit.getStackTrace().getFrames().stream().map(RecordedFrame::getMethod).map(m -> m.getType().getName() + "." + m.getName()))
                .contains("dev.forensics.targets.ExitFromWorker.shutdownLibrary");
        assertThat(only(events, "forensics.LastWords").getString("cause")).isEqualTo("exit");
        IItemCollection items = JfrLoaderToolkit.loadEvents(jfr.toFile());
        assertThat(items.apply(ItemFilters.type("forensics.ExitRequested")).hasItems()).isTrue();
    }

    private static RecordedEvent only(List<RecordedEvent> events, String type) {
        List<RecordedEvent> found = events.stream().filter(e -> e.getEventType().getName().equals(type)).collect(Collectors.toList());
        assertThat(found).as(type).hasSize(1);
        return found.get(0);
    }
}
