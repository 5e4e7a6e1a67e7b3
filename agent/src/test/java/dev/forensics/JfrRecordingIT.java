package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.targets.Idle;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmc.common.item.Aggregators;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.ItemFilters;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;

/** A recording made with forensics.jfc holds the agent's status, readable by jdk.jfr.consumer and by JMC. */
class JfrRecordingIT {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void agentStatusIsInTheRecordingForBothParsers(Jdk jdk) throws Exception {
        Path jfr = Files.createTempDirectory("forensics-jfr-").resolve("app.jfr");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).recording(jfr).start(Idle.class, "out", "0")) {
            assertThat(jvm.waitFor()).isZero();
            assertAgentClean(jvm);
        }
        List<RecordedEvent> status = RecordingFile.readAllEvents(jfr).stream()
                .filter(e -> e.getEventType().getName().equals("forensics.AgentStatus")).collect(Collectors.toList());
        assertThat(status).isNotEmpty();
        RecordedEvent last = status.get(status.size() - 1);
        assertThat(last.getInt("hooksActive")).isGreaterThanOrEqualTo(2);
        assertThat(last.getInt("hooksMissing")).isZero();
        assertThat(last.getLong("adviceErrors")).isZero();
        assertThat(last.getLong("transformationErrors")).isZero();
        assertThat(last.getEventType().getCategoryNames()).startsWith("Forensics");
        assertThat(last.getEventType().getLabel()).isEqualTo("Forensics Agent Status");

        IItemCollection items = JfrLoaderToolkit.loadEvents(jfr.toFile());
        IItemCollection jmcStatus = items.apply(ItemFilters.type("forensics.AgentStatus"));
        assertThat(jmcStatus.hasItems()).isTrue();
        assertThat(jmcStatus.getAggregate(Aggregators.count()).longValue()).isEqualTo(status.size());
        assertThat(items.apply(ItemFilters.type("jdk.Shutdown")).hasItems()).as("jdk.Shutdown enabled by forensics.jfc").isTrue();
    }
}
