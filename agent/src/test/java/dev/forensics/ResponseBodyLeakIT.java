package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.targets.http.HttpBodies;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import dev.forensics.testing.LeakTests;
import dev.forensics.testing.TargetClasspaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmc.common.item.Aggregators;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.ItemFilters;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;

/**
 * Every supported HTTP client against a real loopback server, in a forked JVM with the agent, on JDK 17 and 25: the
 * error body the code forgets is reported with the line that obtained it, the status and a redacted URL, while a
 * thousand bodies closed the idiomatic ways are never reported; a body held too long is withdrawn once closed; the
 * bodies still open when the JVM goes are counted by site.
 */
class ResponseBodyLeakIT {
    /** Client name (as HttpBodies takes it) → the driver class the origin site is in, and the client's label. */
    static final Map<String, String[]> CLIENTS = Map.ofEntries(
            Map.entry("jdk", new String[] {"JdkClient", "JDK HttpClient, ofInputStream"}),
            Map.entry("jdk-async", new String[] {"JdkClient", "JDK HttpClient, ofInputStream"}),
            Map.entry("jdk-lines", new String[] {"JdkClient", "JDK HttpClient, ofLines"}),
            Map.entry("jdk-publisher", new String[] {"JdkClient", "JDK HttpClient, ofPublisher"}),
            Map.entry("jdk-late", new String[] {"JdkClient", "JDK HttpClient, ofInputStream"}), // response built on another thread
            Map.entry("urlconnection", new String[] {"UrlConnectionClient", "HttpURLConnection, getErrorStream"}),
            Map.entry("urlconnection-https", new String[] {"UrlConnectionClient", "HttpURLConnection, getErrorStream"}),
            Map.entry("apache5", new String[] {"Apache5Client", "Apache HttpClient 5, entity"}),
            Map.entry("apache5-minimal", new String[] {"Apache5Client", "Apache HttpClient 5, entity"}), // HttpClients.createMinimal
            Map.entry("apache4", new String[] {"Apache4Client", "Apache HttpClient 4, entity"}),
            Map.entry("okhttp4", new String[] {"OkHttpBodyClient", "OkHttp 4.12.0, ResponseBody"}),
            Map.entry("okhttp5", new String[] {"OkHttpBodyClient", "OkHttp 5."}),
            Map.entry("jetty", new String[] {"JettyBodyClient", "Jetty HttpClient 12.0."}),
            Map.entry("jetty121", new String[] {"JettyBodyClient", "Jetty HttpClient 12.1."}));

    static Stream<Arguments> jdksAndClients() {
        return Jdk.all().flatMap(jdk -> CLIENTS.keySet().stream().sorted().map(c -> Arguments.of(jdk, c)));
    }

    static String site(String client, String method) {
        return "at dev.forensics.targets.http." + CLIENTS.get(client)[0] + "." + method + "(" + CLIENTS.get(client)[0] + ".java:";
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("jdksAndClients")
    void unclosedErrorBodyIsReportedWithItsOriginAmongAThousandClosedOnes(Jdk jdk, String client) throws Exception {
        Path jfr = LeakTests.workDir().resolve("app.jfr");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(LeakTests.workDir()).agentOptions("leakHeldAfter=5s").recording(jfr)
                .classpath(TargetClasspaths.forClient(client)).start(HttpBodies.class, "out", client, "leak", "1000")) {
            assertThat(jvm.waitFor(Duration.ofMinutes(4))).as(jvm.stderr()).isZero();
            assertThat(jvm.stdout()).contains("CLEAN 1000").contains("LEAKED").contains("DONE");
            String journal = jvm.journal();
            String label = CLIENTS.get(client)[1];
            String request = "GET http://127.0.0.1:".replace("http", client.endsWith("https") ? "https" : "http");

            List<String> reports = journal.lines().filter(l -> l.contains(" leaked at ") || l.contains(" open longer than ")).collect(Collectors.toList());
            if (client.equals("jdk-publisher")) {
                // Never subscribed, the publisher stays referenced by the client's connection: reported as held, never as GC-confirmed.
                assertThat(reports).as(journal).hasSize(1);
                assertThat(reports.get(0)).contains("1 response body open longer than 5s " + site(client, "leakErrorBody"));
            } else {
                assertThat(reports).as(journal).hasSize(1);
                assertThat(reports.get(0)).contains("ERROR").contains("1 response body leaked " + site(client, "leakErrorBody"))
                        .contains("never closed, now unreachable (GC-confirmed)");
            }
            assertThat(reports.get(0)).contains(request).contains("/error/chat?token=***&user=*** → 500 (" + label)
                    .contains("an error response");
            assertThat(journal).doesNotContain("cleanCall(").as("no body closed the idiomatic way is ever reported");
            assertThat(journal).contains("open response bodies at exit (shutdown):");
            assertThat(journal).contains("tracking: ").contains(" 0 not tracked because the table was full");
            assertNoSecret(jvm, jfr);
            assertAgentClean(jvm);
        }
        if (!client.equals("jdk-publisher")) {
            List<RecordedEvent> leaks = RecordingFile.readAllEvents(jfr).stream()
                    .filter(e -> e.getEventType().getName().equals("forensics.ResponseBodyLeak")).collect(Collectors.toList());
            assertThat(leaks).hasSize(1);
            RecordedEvent e = leaks.get(0);
            assertThat(e.getString("originSite")).startsWith("dev.forensics.targets.http." + CLIENTS.get(client)[0] + ".leakErrorBody(");
            assertThat(e.getString("originStack")).contains("HttpBodies.leak(");
            assertThat(e.getInt("status")).isEqualTo(500);
            assertThat(e.getString("url")).endsWith("/error/chat?token=***&user=***");
            assertThat(e.getString("method")).isEqualTo("GET");
            assertThat(e.getLong("bodies")).isEqualTo(1);
            assertThat(e.getEventType().getCategoryNames()).startsWith("Forensics");
            IItemCollection jmc = JfrLoaderToolkit.loadEvents(jfr.toFile()).apply(ItemFilters.type("forensics.ResponseBodyLeak"));
            assertThat(jmc.getAggregate(Aggregators.count()).longValue()).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("jdksAndClients")
    void bodyHeldPastTheThresholdIsWithdrawnOnceClosedAndOpenBodiesAreCountedBySiteAtExit(Jdk jdk, String client) throws Exception {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(LeakTests.workDir()).agentOptions("leakHeldAfter=1s")
                .classpath(TargetClasspaths.forClient(client)).start(HttpBodies.class, "out", client, "held", "exit")) {
            assertThat(jvm.waitFor(Duration.ofMinutes(2))).as(jvm.stderr()).isZero();
            assertThat(jvm.stdout()).contains("LIVE 5");
            String journal = jvm.journal();
            String open = site(client, "open");
            assertThat(journal).contains("WARN   leak         1 response body open longer than 1s " + open)
                    .contains("/ok/held?token=***");
            assertThat(journal).contains("withdrawn: 1 response body reported as open longer than 1s " + open)
                    .contains("was closed after all");
            String atExit = journal.substring(journal.indexOf("open response bodies at exit (shutdown):"));
            assertThat(atExit).contains("5 response bodies open, by origin site:");
            assertThat(atExit).containsPattern("  3 " + java.util.regex.Pattern.quote(open) + "\\d+\\) — GET https?://127\\.0\\.0\\.1:\\d+/live/a\\?token=\\*\\*\\* → 200");
            assertThat(atExit).containsPattern("  2 " + java.util.regex.Pattern.quote(open) + "\\d+\\) — GET https?://127\\.0\\.0\\.1:\\d+/live/b\\?token=\\*\\*\\* → 200");
            assertNoSecret(jvm, null);
            assertAgentClean(jvm);
        }
    }

    /** No query secret anywhere the agent writes: journal, stderr, stdout, JFR (as UTF-8 and UTF-16). */
    static void assertNoSecret(ForkedJvm jvm, Path jfr) throws Exception {
        assertThat(jvm.journal()).doesNotContain(HttpBodies.SECRET);
        assertThat(jvm.stderr()).doesNotContain(HttpBodies.SECRET);
        assertThat(jvm.stdout()).doesNotContain(HttpBodies.SECRET);
        for (Path f : jvm.files(n -> true)) {
            if (Files.isRegularFile(f)) {
                assertThat(Files.readString(f, StandardCharsets.ISO_8859_1)).as(f.toString()).doesNotContain(HttpBodies.SECRET);
            }
        }
        if (jfr != null) {
            String bytes = new String(Files.readAllBytes(jfr), StandardCharsets.ISO_8859_1);
            assertThat(bytes).doesNotContain(HttpBodies.SECRET);
            assertThat(bytes).doesNotContain(new String(HttpBodies.SECRET.getBytes(StandardCharsets.UTF_16BE), StandardCharsets.ISO_8859_1));
            assertThat(bytes).doesNotContain(new String(HttpBodies.SECRET.getBytes(StandardCharsets.UTF_16LE), StandardCharsets.ISO_8859_1));
        }
    }
}
