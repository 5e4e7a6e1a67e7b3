package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.targets.http.EarlyLeaks;
import dev.forensics.targets.http.JettyStreams;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import dev.forensics.testing.LeakTests;
import dev.forensics.testing.TargetClasspaths;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Jetty 12's HttpClient (12.0 and 12.1) beyond what {@link ResponseBodyLeakIT} drives for every client (an error body
 * never read, the closing idioms, held bodies): a stream read part-way and dropped and a stream never read are each
 * named by their line, with neither the bearer token nor the URL's password anywhere; and a JVM that never uses Jetty loads none of
 * its classes nor the agent's Jetty adapter (only the hook table's rows, which name Jetty by string), whether Jetty is
 * on its class path or not.
 */
class JettyClientIT {
    private static final String SITE = "at dev.forensics.targets.http.JettyStreams.";

    /** Jetty 12.0 (Spring Boot 3.5's) from the test class path, 12.1 (Spring Boot 4's) from its own jars. */
    static Stream<Arguments> jdksAndJettys() {
        return Jdk.all().flatMap(jdk -> Stream.of(Arguments.of(jdk, "jetty"), Arguments.of(jdk, "jetty121")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("jdksAndJettys")
    void streamsReadPartWayOrNeverAreReportedWithTheirOriginAndNoSecret(Jdk jdk, String client) throws Exception {
        Path jfr = LeakTests.workDir().resolve("app.jfr");
        String label = Pattern.quote("(Jetty HttpClient " + (client.equals("jetty121") ? "12.1." : "12.0.")) + "\\d+, InputStreamResponseListener\\)";
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(LeakTests.workDir()).recording(jfr).classpath(TargetClasspaths.forClient(client))
                .start(JettyStreams.class, "out")) {
            assertThat(jvm.waitFor(Duration.ofMinutes(3))).as(jvm.stderr()).isZero();
            assertThat(jvm.stdout()).contains("CLEAN 200").contains("LEAKED").contains("DONE");
            String journal = jvm.journal();
            List<String> leaks = journal.lines().filter(l -> l.contains(" leaked at ")).collect(Collectors.toList());
            assertThat(leaks).as(journal).hasSize(2);
            assertThat(leaks).anySatisfy(l -> assertThat(l).containsPattern(Pattern.quote("1 response body leaked " + SITE + "partlyRead(JettyStreams.java:")
                    + "\\d+\\) — GET http://127\\.0\\.0\\.1:\\d+/big/partly\\?token=\\*\\*\\* → 200 " + label)
                    .contains("never closed, now unreachable (GC-confirmed)"));
            assertThat(leaks).anySatisfy(l -> assertThat(l).containsPattern(Pattern.quote("1 response body leaked " + SITE + "neverRead(JettyStreams.java:")
                    + "\\d+\\) — GET http://127\\.0\\.0\\.1:\\d+/ok/unread\\?token=\\*\\*\\* → 200 " + label));
            assertThat(journal).doesNotContain("cleanCall(").as("no body closed, read to its end or buffered is ever reported");
            assertThat(journal).doesNotContain("alice:").doesNotContain("Bearer");
            for (String hook : new String[] {"jetty.send", "jetty.headers", "jetty.success", "jetty.close", "jetty.failure"}) {
                assertThat(journal).contains("hook " + hook + " active: org.eclipse.jetty.client.");
            }
            ResponseBodyLeakIT.assertNoSecret(jvm, jfr);
            assertAgentClean(jvm);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(jfr).stream()
                .filter(e -> e.getEventType().getName().equals("forensics.ResponseBodyLeak")).collect(Collectors.toList());
        assertThat(events).hasSize(2);
        assertThat(events).anyMatch(e -> e.getString("originSite").startsWith("dev.forensics.targets.http.JettyStreams.partlyRead(")
                && e.getInt("status") == 200 && e.getString("url").endsWith("/big/partly?token=***"));
        assertThat(events).anyMatch(e -> e.getString("originSite").startsWith("dev.forensics.targets.http.JettyStreams.neverRead(")
                && e.getString("originStack").contains("JettyStreams.main("));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aJvmThatNeverUsesJettyLoadsNoneOfItsClasses(Jdk jdk) {
        String[][] cases = {
                {ForkedJvm.targetClasspath(), "hook jetty.headers ready: applied when org.eclipse.jetty.client.InputStreamResponseListener loads"},
                {ForkedJvm.classpathWithout("/org/eclipse/jetty/"), "hook jetty.headers not_applicable: library in none of the"},
        };
        for (String[] c : cases) {
            try (ForkedJvm jvm = ForkedJvm.on(jdk).jvmArg("-Xlog:class+load=info:stdout").classpath(c[0]).start(EarlyLeaks.class, "out")) {
                assertThat(jvm.waitFor()).as(jvm.stderr()).isZero();
                assertThat(jvm.stdout()).contains("LEAKED 20 within");
                List<String> loaded = jvm.stdout().lines().filter(l -> l.contains(" org.eclipse.jetty.") || l.contains(" dev.forensics.instrument.jetty.JettyHooks"))
                        .collect(Collectors.toList());
                assertThat(loaded).as("Jetty classes loaded with class path " + c[0]).isEmpty();
                assertThat(jvm.journal()).contains(c[1]);
                assertAgentClean(jvm);
            }
        }
    }
}
