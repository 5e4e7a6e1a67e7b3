package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.targets.http.ApacheAsyncBodies;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import dev.forensics.testing.LeakTests;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Apache HttpClient 5 async in a forked JVM with the agent, on JDK 17 and 25. What leaks there is a connection held by
 * an exchange whose body nobody reads: the classic facade's stream (over the default and the minimal client) and a
 * reactive Publisher never subscribed are each reported as held too long with the line that obtained them, the
 * status and a redacted URL, and listed at exit. They are never GC-confirmed: the I/O reactor references an open
 * exchange. The correct twins are silent, among them {@code SimpleHttpResponse} and the facade's small body left
 * unclosed, which the client buffered whole and whose connection it released by itself.
 */
class ApacheAsyncBodyLeakIT {
    private static final String AT = "at dev.forensics.targets.http.ApacheAsyncBodies.";

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void bodiesNobodyReadsAreReportedAsHeldWithTheirOriginAndTheBufferedOnesNever(Jdk jdk) throws Exception {
        Path work = LeakTests.workDir();
        Path jfr = work.resolve("app.jfr");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(work).agentOptions("leakHeldAfter=2s").recording(jfr)
                .start(ApacheAsyncBodies.class, "out", "400")) {
            assertThat(jvm.waitFor(Duration.ofMinutes(3))).as(jvm.stderr()).isZero();
            assertThat(jvm.stdout()).contains("CLEAN 400").contains("USERINFO REFUSED").contains("LEAKED 3").contains("WITHDRAWN");
            String journal = jvm.journal();

            List<String> held = journal.lines().filter(l -> l.contains(" WARN ") && l.contains(" open longer than ")).collect(Collectors.toList());
            assertThat(held).as(journal).hasSize(4);
            assertThat(held).anyMatch(l -> l.contains("1 response body open longer than 2s " + AT + "leakFacade(ApacheAsyncBodies.java:")
                    && l.matches(".* — GET http://127\\.0\\.0\\.1:\\d+/big-error/facade\\?token=\\*\\*\\*&user=\\*\\*\\* → 500 "
                    + "\\(Apache HttpClient 5 async, classic facade stream\\).*an error response.*"));
            assertThat(held).anyMatch(l -> l.contains("1 response body open longer than 2s " + AT + "leakMinimal(ApacheAsyncBodies.java:")
                    && l.contains("/big-error/minimal?token=***&user=*** → 500 (Apache HttpClient 5 async, classic facade stream)"));
            assertThat(held).anyMatch(l -> l.contains("1 response body open longer than 2s " + AT + "leakReactive(ApacheAsyncBodies.java:")
                    && l.contains("/big-error/reactive?token=***&user=*** → 500 (Apache HttpClient 5 async, reactive Publisher)"));
            assertThat(held).anyMatch(l -> l.contains(AT + "holdFacade(ApacheAsyncBodies.java:") && l.contains("/big/held?token=*** → 200"));
            assertThat(journal).contains("withdrawn: 1 response body reported as open longer than 2s " + AT + "holdFacade(")
                    .contains("was closed after all");

            assertThat(journal).as("an open async exchange stays reachable: never GC-confirmed").doesNotContain(" leaked at ");
            assertThat(journal).as("no body consumed the idiomatic ways is ever reported").doesNotContain("cleanCall(");
            assertThat(journal).as("buffering and pushing consumers cannot hold a connection, abandoned or not")
                    .doesNotContain("abandonBuffered(").doesNotContain("/big-error/abandoned");

            String atExit = journal.substring(journal.indexOf("open response bodies at exit (shutdown):"));
            assertThat(atExit).contains("3 response bodies open, by origin site:");
            for (String site : new String[] {"leakFacade", "leakMinimal", "leakReactive"}) {
                assertThat(atExit).containsPattern("  1 " + Pattern.quote(AT + site + "(ApacheAsyncBodies.java:") + "\\d+\\) — GET http://127\\.0\\.0\\.1:\\d+/big-error/");
            }
            assertThat(atExit).doesNotContain("holdFacade(");
            // The silence is not for want of tracking: 400 clean, 4 abandoned buffered, 4 held; each one tracked and
            // all but three released.
            assertThat(atExit).contains("tracking: 408 bodies tracked since start");
            ResponseBodyLeakIT.assertNoSecret(jvm, jfr);
            assertAgentClean(jvm);
        }
        List<RecordedEvent> heldEvents = RecordingFile.readAllEvents(jfr).stream()
                .filter(e -> e.getEventType().getName().equals("forensics.ResponseBodyHeld") && !e.getBoolean("withdrawn"))
                .collect(Collectors.toList());
        assertThat(heldEvents).anyMatch(e -> e.getString("originSite").startsWith("dev.forensics.targets.http.ApacheAsyncBodies.leakReactive(")
                && e.getInt("status") == 500 && e.getString("method").equals("GET")
                && e.getString("url").endsWith("/big-error/reactive?token=***&user=***")
                && e.getString("client").startsWith("Apache HttpClient 5 async"));
    }
}
