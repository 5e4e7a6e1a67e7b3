package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.forensics.targets.http.UnwatchedClientApp;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import dev.forensics.testing.LeakTests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A client whose bodies the agent does not track is named once in the journal, with the version its jar declares,
 * when its class loads, here AsyncHttpClient from Maven Central loaded in two class loaders; the clients it does
 * track, used first in the same JVM, give no such line. On JDK 17 and 25.
 */
class UnwatchedClientIT {
    static final Path LIBS = Paths.get(System.getProperty("forensics.unwatched.libs", "target/it-libs/unwatched")).toAbsolutePath();

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void anUntrackedClientInUseIsNamedOnceWithItsVersionAndATrackedOneNever(Jdk jdk) throws Exception {
        Path jar = asyncHttpClientJar();
        String version = jar.getFileName().toString().replace("async-http-client-", "").replace(".jar", "");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(LeakTests.workDir()).start(UnwatchedClientApp.class, "out", jar.toString())) {
            assertThat(jvm.waitFor(Duration.ofMinutes(2))).as(jvm.stderr()).isZero();
            assertThat(jvm.stdout()).contains("COVERED USED").contains("LOADED org.asynchttpclient.DefaultAsyncHttpClient in ahc-2").contains("DONE");
            String journal = jvm.journal();
            List<String> named = journal.lines().filter(l -> l.contains(" is in use; ")).collect(Collectors.toList());
            assertThat(named).as(journal).hasSize(1);
            assertThat(named.get(0)).contains("INFO   leak         AsyncHttpClient " + version
                    + " is in use; its response bodies are not tracked (org.asynchttpclient.DefaultAsyncHttpClient in URLClassLoader 'ahc-1')");
            assertThat(journal).as("tracked clients are not named").doesNotContain("not tracked (org.apache.").doesNotContain("not tracked (java.");
            assertAgentClean(jvm);
        }
    }

    static Path asyncHttpClientJar() throws Exception {
        assumeTrue(Files.isDirectory(LIBS), "AsyncHttpClient not copied to " + LIBS + " (run through mvn verify)");
        try (Stream<Path> jars = Files.list(LIBS)) {
            return jars.filter(p -> p.getFileName().toString().startsWith("async-http-client-")).findFirst()
                    .orElseThrow(() -> new AssertionError("no async-http-client jar in " + LIBS));
        }
    }
}
