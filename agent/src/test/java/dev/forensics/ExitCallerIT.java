package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.targets.ExitFromWorker;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A library calling System.exit from a worker thread is named, with its thread, in the journal and the log. */
class ExitCallerIT {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void exitFromAWorkerThreadNamesTheCallerAndThread(Jdk jdk) {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).classpath(ForkedJvm.classpathWithout("slf4j")).start(ExitFromWorker.class, "out")) {
            assertThat(jvm.waitFor()).isEqualTo(3);
            assertThat(jvm.journal()).contains("System.exit(3) called by dev.forensics.targets.ExitFromWorker.shutdownLibrary(ExitFromWorker.java:")
                    .contains("on thread \"library-thread\"");
            assertThat(jvm.stderr()).as("no SLF4J: the finding is one stderr line")
                    .contains("[forensics] System.exit(3) called by dev.forensics.targets.ExitFromWorker.shutdownLibrary");
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void findingsGoToTheApplicationsSlf4jLoggerWhenItHasOne(Jdk jdk) {
        assertThat(ForkedJvm.targetClasspath()).contains("slf4j-simple");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).start(ExitFromWorker.class, "out")) {
            jvm.waitFor();
            // slf4j-simple writes "[thread] WARN forensics - message" to stderr
            assertThat(jvm.stderr()).contains("WARN forensics - System.exit(3) called by").doesNotContain("[forensics]");
        }
        try (ForkedJvm jvm = ForkedJvm.on(jdk).classpath(ForkedJvm.classpathWithout("slf4j")).start(ExitFromWorker.class, "out")) {
            jvm.waitFor();
            assertThat(jvm.stderr()).contains("[forensics] System.exit(3)");
        }
    }
}
