package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.targets.ListenerProbe;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import dev.forensics.testing.LastWordsFiles;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Other features follow a death through Termination.addListener: told in order, on the dying JVM's threads. */
class TerminationListenerIT {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void listenersHearTheVerdictTheFileAndEachHookInOrder(Jdk jdk) {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).start(ListenerProbe.class, "out").awaitStdout("READY", Duration.ofSeconds(60))) {
            ForkedJvm.run(LastWordsFiles.stopScript(jvm, "TERM", "stop.sh").toString());
            assertThat(jvm.waitFor()).isEqualTo(143);
            List<String> calls = jvm.stdout().lines().filter(l -> l.startsWith("listener: ")).collect(Collectors.toList());
            assertThat(calls).hasSize(4);
            assertThat(calls.get(0)).startsWith("listener: shutdownStarted kind=signal verdict=SIGTERM from pid ").contains("stop.sh");
            assertThat(calls.get(1)).isEqualTo("listener: lastWordsWritten " + LastWordsFiles.single(jvm));
            assertThat(calls.get(2)).isEqualTo("listener: hookStarted \"probe-hook\" (dev.forensics.targets.ListenerProbe lambda)");
            assertThat(calls.get(3)).isEqualTo("listener: hookFinished \"probe-hook\" (dev.forensics.targets.ListenerProbe lambda)");
            assertAgentClean(jvm);
        }
    }
}
