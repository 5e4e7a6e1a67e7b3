package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.targets.http.ReactorNettyApp;
import dev.forensics.targets.http.ReactorNettyRawApp;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import dev.forensics.testing.LeakTests;
import dev.forensics.testing.TargetClasspaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Reactor Netty's HttpClient and Spring's WebClient over it, for real against the loopback server, in a forked JVM with
 * the agent on JDK 17 and 25: the bodies an application never consumes, releases or cancels are reported with the line
 * that obtained them, the status, the client and a redacted URL, while every idiomatic way of giving a body back stays
 * silent; a pool those bodies starve is reported once, with the site to fix.
 */
class ReactorNettyIT {
    static final String APP = "dev.forensics.targets.http.ReactorNettyApp.";
    static final String WEBCLIENT = "(Spring WebClient 6.2.12 on Reactor Netty 1.2.11, body never consumed or cancelled)";
    static final String NETTY = "(Reactor Netty 1.2.11, body never consumed or cancelled)";

    static List<Jdk> jdks() {
        return Jdk.all().collect(Collectors.toList());
    }

    /** Every body's stack (leakStacks=always): this test is about naming each pattern's line; ResponseBodyLeakIT covers the sampler. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void bodiesNeverConsumedAreReportedWithTheirOriginWhileEveryWayOfGivingThemBackStaysSilent(Jdk jdk) throws Exception {
        Path jfr = LeakTests.workDir().resolve("app.jfr");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(LeakTests.workDir()).agentOptions("leakHeldAfter=3s,leakStacks=always").recording(jfr)
                .start(ReactorNettyApp.class, "out", "patterns", "100")) {
            assertThat(jvm.waitFor(Duration.ofMinutes(4))).as(jvm.stderr() + jvm.stdout()).isZero();
            assertThat(jvm.stdout()).contains("CLEAN 560").contains("LEAKED 240").contains("DONE");
            String journal = jvm.journal();

            // Each leak site is named, with its request and the client; a small body either arrived whole (the
            // connection went back, its buffers wait in the unread response: GC-confirmed once the response is
            // dropped) or did not (the connection is held: open too long, and still open at exit).
            for (String[] leak : new String[][] {{"ReactorNettyApp.leakExchange", "/error/chat?token=***&user=*** → 500 " + WEBCLIENT},
                    {"ReactorNettyRawApp.leakResponseConnection", "/error/raw?token=*** → 500 " + NETTY},
                    // assembled in the application's code, subscribed on a thread without any of its frames
                    {"ReactorNettyApp.leakExchangeSubscribedElsewhere", "/error/elsewhere?token=*** → 500 " + WEBCLIENT},
                    {"ReactorNettyRawApp.leakResponseConnectionSubscribedElsewhere", "/error/raw-elsewhere?token=*** → 500 " + NETTY}}) {
                List<String> reports = journal.lines().filter(l -> l.contains(" at " + site(leak[0])))
                        .filter(l -> l.contains(" leaked at ") || l.contains(" open longer than ")).collect(Collectors.toList());
                assertThat(reports).as(journal).isNotEmpty();
                for (String r : reports) {
                    assertThat(r).contains("GET http://127.0.0.1:").contains(leak[1]).contains("an error response");
                }
                assertThat(leakedOrOpenAtExit(journal, leak[0])).as(journal).isEqualTo(leak[0].endsWith("Elsewhere") ? 20 : 100);
            }
            assertThat(journal).as("no body given back the idiomatic way is ever reported")
                    .doesNotContain("ReactorNettyApp.web").doesNotContain("ReactorNettyRawApp.raw");
            assertThat(journal).contains("open response bodies at exit (shutdown):");
            assertNoSecret(jvm, jfr);
            assertAgentClean(jvm);
            assertThat(journal).containsPattern("hook reactornetty\\.response\\s.*woven");
        }
    }

    /** Reactor Netty 1.3 (Spring Boot 4's) on Netty 4.2, from its own class path: the same hooks, the same findings. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void reactorNetty13sHttpClientIsTrackedTheSameWay(Jdk jdk) throws Exception {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(LeakTests.workDir()).agentOptions("leakHeldAfter=3s,leakStacks=always")
                .classpath(TargetClasspaths.reactorNetty13()).start(ReactorNettyRawApp.class, "out", "50")) {
            assertThat(jvm.waitFor(Duration.ofMinutes(4))).as(jvm.stderr() + jvm.stdout()).isZero();
            assertThat(jvm.stdout()).contains("CLEAN 240").contains("LEAKED 70").contains("DONE");
            String journal = jvm.journal();
            String netty13 = "(Reactor Netty " + TargetClasspaths.REACTOR_NETTY13_VERSION + ", body never consumed or cancelled)";
            for (String[] leak : new String[][] {{"ReactorNettyRawApp.leakResponseConnection", "/error/raw?token=*** → 500 " + netty13, "50"},
                    {"ReactorNettyRawApp.leakResponseConnectionSubscribedElsewhere", "/error/raw-elsewhere?token=*** → 500 " + netty13, "20"}}) {
                List<String> reports = journal.lines().filter(l -> l.contains(" at " + site(leak[0])))
                        .filter(l -> l.contains(" leaked at ") || l.contains(" open longer than ")).collect(Collectors.toList());
                assertThat(reports).as(journal).isNotEmpty().allMatch(r -> r.contains(leak[1]));
                assertThat(leakedOrOpenAtExit(journal, leak[0])).as(journal).isEqualTo(Long.parseLong(leak[2]));
            }
            assertThat(journal).doesNotContain("ReactorNettyRawApp.raw");
            assertNoSecret(jvm, null);
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aPoolStarvedByUnconsumedBodiesIsReportedOnceWithTheSiteToFixAndAHeldBodyIsWithdrawnOnceReleased(Jdk jdk) throws Exception {
        Path jfr = LeakTests.workDir().resolve("app.jfr");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(LeakTests.workDir()).agentOptions("leakHeldAfter=1s").recording(jfr)
                .start(ReactorNettyApp.class, "out", "pool")) {
            assertThat(jvm.waitFor(Duration.ofMinutes(2))).as(jvm.stderr() + jvm.stdout()).isZero();
            assertThat(jvm.stdout()).contains("REFUSED 5").contains("DONE");
            String journal = jvm.journal();
            List<String> refusals = journal.lines().filter(l -> l.contains("refused an acquire")).collect(Collectors.toList());
            assertThat(refusals).as(journal).hasSize(2);
            assertThat(refusals.get(0)).contains("ERROR")
                    .contains("connection pool 'proxy-pool' (Reactor Netty) refused an acquire: 1 acquire already pending, its limit"
                            + " (PoolAcquirePendingLimitException); 2 response bodies open, all from " + APP + "forward(ReactorNettyApp.java:")
                    .contains("GET http://127.0.0.1:").contains("/huge/upstream?token=*** → 200 " + WEBCLIENT)
                    .contains("fix that site");
            assertThat(jvm.stdout()).contains("TIMED OUT");
            assertThat(refusals.get(1)).contains("connection pool 'slow-pool' (Reactor Netty) refused an acquire: an acquire waited 500 ms"
                            + " for a connection and timed out (PoolAcquireTimeoutException); 3 response bodies open, all from " + APP + "forward(");
            assertThat(journal).contains("1 response body open longer than 1s at " + APP + "hold(")
                    .contains("withdrawn: 1 response body reported as open longer than 1s at " + APP + "hold(");
            String atExit = journal.substring(journal.indexOf("open response bodies at exit (shutdown):"));
            assertThat(atExit).contains("3 response bodies open, by origin site:")
                    .containsPattern("  2 at " + Pattern.quote(APP + "forward(ReactorNettyApp.java:") + "\\d+\\) — GET http://127\\.0\\.0\\.1:\\d+/huge/upstream\\?token=\\*\\*\\* → 200");
            assertNoSecret(jvm, jfr);
            assertAgentClean(jvm);
        }
        List<RecordedEvent> refused = RecordingFile.readAllEvents(jfr).stream()
                .filter(e -> e.getEventType().getName().equals("forensics.ConnectionPoolRefused")).collect(Collectors.toList());
        assertThat(refused).hasSize(2);
        RecordedEvent e = refused.stream().filter(r -> r.getString("pool").equals("proxy-pool")).findFirst().orElseThrow();
        assertThat(e.getString("pool")).isEqualTo("proxy-pool");
        assertThat(e.getString("client")).isEqualTo("Reactor Netty");
        assertThat(e.getString("refusal")).contains("PoolAcquirePendingLimitException");
        assertThat(e.getLong("openBodies")).isEqualTo(2);
        assertThat(e.getString("leadingSite")).startsWith(APP + "forward(ReactorNettyApp.java:");
        assertThat(e.getLong("leadingSiteBodies")).isEqualTo(2);
    }

    /** {@code ReactorNettyApp.leakExchange} → how its lines name it: {@code dev.forensics…ReactorNettyApp.leakExchange(ReactorNettyApp.java:}. */
    static String site(String classAndMethod) {
        String type = classAndMethod.substring(0, classAndMethod.indexOf('.'));
        return "dev.forensics.targets.http." + classAndMethod + "(" + type + ".java:";
    }

    /** GC-confirmed leaks at a site plus its bodies still open at exit, from the exit summary. */
    static long leakedOrOpenAtExit(String journal, String classAndMethod) {
        String atExit = journal.substring(journal.indexOf("open response bodies at exit (shutdown):"));
        Pattern row = Pattern.compile("\\s(\\d+) at " + Pattern.quote(site(classAndMethod)));
        long n = 0;
        for (String line : atExit.lines().collect(Collectors.toList())) {
            Matcher m = row.matcher(line);
            if (m.find()) {
                n += Long.parseLong(m.group(1));
            }
        }
        return n;
    }

    static void assertNoSecret(ForkedJvm jvm, Path jfr) throws Exception {
        ResponseBodyLeakIT.assertNoSecret(jvm, jfr);
        for (String secret : new String[] {ReactorNettyApp.PASSWORD, "Bearer"}) {
            assertThat(jvm.journal()).doesNotContain(secret);
            assertThat(jvm.stderr()).doesNotContain(secret);
            if (jfr != null) {
                assertThat(new String(Files.readAllBytes(jfr), StandardCharsets.ISO_8859_1)).doesNotContain(secret);
            }
        }
    }
}
