package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.targets.ChildLoaderLauncher;
import dev.forensics.targets.http.MeteredApp;
import dev.forensics.testing.ChildLoaders;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import dev.forensics.testing.LeakTests;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent's meters in the application's own Micrometer global registry and OpenTelemetry SDK, both living in a child
 * class loader the system loader cannot see (as in a Spring Boot fat jar): open bodies rise while three bodies are held,
 * fall when they are dropped, and the leaked counter moves by three with the client and status class as tags; a
 * broken-pipe loop moves the failed-writes and loops counters.
 */
class MetersIT {
    static final String OPEN = "forensics.response.bodies.open{client=HttpURLConnection}";
    static final String LEAKED = "forensics.response.bodies.leaked{client=HttpURLConnection,status=2xx}";

    static Stream<Arguments> jdksAndLibraries() {
        return Jdk.all().flatMap(jdk -> Stream.of(Arguments.of(jdk, "micrometer"), Arguments.of(jdk, "otel")));
    }

    /** {@code METER <phase> <meter> <value>} lines of one phase. */
    static Map<String, Double> phase(String stdout, String phase) {
        Map<String, Double> out = new TreeMap<>();
        stdout.lines().filter(l -> l.startsWith("METER " + phase + " ")).forEach(l -> {
            String[] p = l.split(" ");
            out.put(String.join(" ", java.util.Arrays.copyOfRange(p, 2, p.length - 1)), Double.parseDouble(p[p.length - 1]));
        });
        return out;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("jdksAndLibraries")
    void withMetricsOffTheApplicationsRegistryHasNoForensicsMeters(Jdk jdk, String library) throws Exception {
        Path work = LeakTests.workDir();
        String app = library.equals("otel") ? ChildLoaders.withOtel() : ChildLoaders.withMicrometer();
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(work).classpath(ChildLoaders.launcherOnly(work)).agentOptions("metrics=off")
                .start(ChildLoaderLauncher.class, "-", app, MeteredApp.class.getName(), "out", library, "unbound")) {
            assertThat(jvm.waitFor(Duration.ofMinutes(2))).as(jvm.stderr()).isZero();
            String out = jvm.stdout();
            assertThat(out).contains("DONE").doesNotContain("METER ");
            assertThat(jvm.journal()).contains("leaked at").doesNotContain("meters bound");
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aRegistryThatThrowsCostsTheMetersOnlyAndIsSaidOnceInTheJournal(Jdk jdk) throws Exception {
        Path work = LeakTests.workDir();
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(work).classpath(ChildLoaders.launcherOnly(work))
                .start(ChildLoaderLauncher.class, "-", ChildLoaders.withMicrometer(), MeteredApp.class.getName(), "out", "micrometer", "hostile")) {
            assertThat(jvm.waitFor(Duration.ofMinutes(2))).as(jvm.stderr()).isZero();
            assertThat(jvm.stdout()).contains("DONE").doesNotContain("METER ");
            String journal = jvm.journal();
            assertThat(journal.lines().filter(l -> l.contains("metrics ")))
                    .as(journal).singleElement().asString()
                    .contains("Micrometer found via URLClassLoader 'app' but the meters could not be bound")
                    .contains("this registry refuses forensics meters");
            assertThat(journal).as("the leak findings go on").contains("leaked at");
            assertThat(jvm.stderr()).as("the findings go to stderr (no SLF4J here), the binding failure does not").doesNotContain("Micrometer").doesNotContain("meters");
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("jdksAndLibraries")
    void openBodiesRiseAndTheLeakedCounterMovesInTheApplicationsMetrics(Jdk jdk, String library) throws Exception {
        Path work = LeakTests.workDir();
        String app = library.equals("otel") ? ChildLoaders.withOtel() : ChildLoaders.withMicrometer();
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(work).classpath(ChildLoaders.launcherOnly(work)).agentOptions("leakStacks=always")
                .start(ChildLoaderLauncher.class, "-", app, MeteredApp.class.getName(), "out", library)) {
            assertThat(jvm.waitFor(Duration.ofMinutes(2))).as(jvm.stderr()).isZero();
            String out = jvm.stdout();
            assertThat(out).contains("DONE");
            Map<String, Double> start = phase(out, "start");
            Map<String, Double> open = phase(out, "open");
            Map<String, Double> leaked = phase(out, "leaked");
            assertThat(open).as(out).containsEntry(OPEN, (double) MeteredApp.BODIES);
            assertThat(start.getOrDefault(OPEN, 0.0)).as(out).isZero();
            assertThat(start).as(out).doesNotContainKey(LEAKED);
            assertThat(leaked).as(out).containsEntry(OPEN, 0.0).containsEntry(LEAKED, (double) MeteredApp.BODIES);
            for (String always : new String[] {"forensics.jvm.threads.live{}", "forensics.agent.hooks.active{}", "forensics.pipe.loops{}",
                    "forensics.pipe.writes.failed{kind=broken_pipe}", "forensics.stdstreams.broken{stream=stdout}"}) {
                assertThat(leaked).as(out).containsKey(always);
            }
            Map<String, Double> pipe = phase(out, "pipe");
            double failed = pipe.get("forensics.pipe.writes.failed{kind=broken_pipe}") + pipe.get("forensics.pipe.writes.failed{kind=reset}");
            assertThat(leaked.get("forensics.pipe.writes.failed{kind=broken_pipe}")).as(out).isZero();
            assertThat(failed).as(out).isGreaterThanOrEqualTo(MeteredApp.PIPE_WRITES - 2); // the first write or two may still be buffered
            assertThat(pipe).as(out).containsEntry("forensics.pipe.loops{}", 1.0);
            assertThat(leaked.get("forensics.jvm.threads.live{}")).isPositive();
            assertThat(leaked.get("forensics.agent.hooks.active{}")).isPositive();
            assertThat(leaked).containsEntry("forensics.agent.hooks.missing{}", 0.0).containsEntry("forensics.agent.errors.suppressed{}", 0.0);
            String journal = jvm.journal();
            assertThat(journal).contains(library.equals("otel") ? "meters bound to OpenTelemetry's global meter provider (OpenTelemetry API 1."
                    : "meters bound to Micrometer's global registry (Micrometer 1.").contains("via URLClassLoader 'app'");
            assertThat(journal).doesNotContain("could not be bound").doesNotContain("stopped after an error");
            assertAgentClean(jvm);
        }
    }
}
