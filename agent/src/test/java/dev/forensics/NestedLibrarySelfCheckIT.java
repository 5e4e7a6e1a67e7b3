package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.targets.ChildLoaderLauncher;
import dev.forensics.targets.http.Apache5InChild;
import dev.forensics.testing.ChildLoaders;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import dev.forensics.testing.LeakTests;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The self-check of a library that only a child class loader holds (as Spring Boot's nested jars), created after the
 * start-up self-check: not applicable at start-up, and once that loader has appeared, ready (class not loaded) or
 * active (woven) in the status read later, here the JFR status event at the end of the recording.
 */
class NestedLibrarySelfCheckIT {
    record Run(String journal, String stdout, RecordedEvent lastStatus) {}

    static Run run(Jdk jdk, String appPath, String mode) throws Exception {
        Path work = LeakTests.workDir();
        Path jfr = work.resolve("app.jfr");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(work).classpath(ChildLoaders.launcherOnly(work)).recording(jfr)
                .jvmArg("-Dlauncher.afterSelfCheck=true")
                .start(ChildLoaderLauncher.class, "-", appPath, Apache5InChild.class.getName(), "out", mode)) {
            assertThat(jvm.waitFor(Duration.ofMinutes(2))).as(jvm.stderr()).isZero();
            assertThat(jvm.stdout()).contains("DONE");
            assertAgentClean(jvm);
            List<RecordedEvent> status = RecordingFile.readAllEvents(jfr).stream()
                    .filter(e -> e.getEventType().getName().equals("forensics.AgentStatus"))
                    .sorted(java.util.Comparator.comparing(RecordedEvent::getStartTime)).toList(); // file order is not time order
            assertThat(status).isNotEmpty();
            return new Run(jvm.journal(), jvm.stdout(), status.get(status.size() - 1));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void libraryOnlyInALoaderCreatedAfterStartUpIsReadyThenActiveAndNotApplicableOnlyWhereAbsent(Jdk jdk) throws Exception {
        String slf4j = "/org/slf4j/";
        Run absent = run(jdk, ChildLoaders.withTestJars(slf4j), "idle");
        Run idle = run(jdk, ChildLoaders.withTestJars(slf4j, "/httpcomponents/client5/", "/httpcomponents/core5/"), "idle");
        Run request = run(jdk, ChildLoaders.withTestJars(slf4j, "/httpcomponents/client5/", "/httpcomponents/core5/"), "request");

        long apache5Hooks = absent.journal().lines().filter(l -> l.contains(" hook apache5.")).count();
        assertThat(apache5Hooks).isGreaterThanOrEqualTo(1);
        for (Run r : List.of(absent, idle, request)) {
            // the start-up check ran before the child loader existed: honest about what it had seen
            assertThat(r.journal()).containsPattern("hook apache5\\.execute not_applicable: library in none of the \\d+ class loaders? seen so far");
        }
        int notApplicableWhenAbsent = absent.lastStatus().getInt("hooksNotApplicable");
        assertThat(idle.lastStatus().getInt("hooksNotApplicable")).isEqualTo(notApplicableWhenAbsent - apache5Hooks);
        assertThat(idle.lastStatus().getInt("hooksActive")).isEqualTo(absent.lastStatus().getInt("hooksActive") + apache5Hooks);
        assertThat(request.lastStatus().getInt("hooksNotApplicable")).isEqualTo(notApplicableWhenAbsent - apache5Hooks);
        assertThat(request.journal()).contains("hook apache5.execute active: org.apache.hc.client5.http.impl.classic.MainClientExec woven in URLClassLoader 'app'");
        assertThat(idle.journal()).doesNotContain("hook apache5.execute active:");
        assertThat(absent.lastStatus().getInt("hooksMissing")).isZero();
    }
}
