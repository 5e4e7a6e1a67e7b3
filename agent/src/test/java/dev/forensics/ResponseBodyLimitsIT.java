package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.targets.http.HttpBodies;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import dev.forensics.testing.LeakTests;
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
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.ItemFilters;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;

/**
 * The leak feature's limits and endings: a flood of leaks stays under the table's cap and says what it dropped; the
 * health figures of a process leaking sockets grow into a warning, JFR events and the MBean; the bodies still open are
 * summarised however the JVM ends (Runtime.halt, SIGTERM from another process).
 */
class ResponseBodyLimitsIT {
    private static final Pattern TRACKING = Pattern.compile(
            "tracking: (\\d+) bodies tracked since start, peak (\\d+) open at once \\(cap leakMaxOpen=(\\d+)\\), (\\d+) not tracked because the table was full");
    private static final Pattern LEAKED = Pattern.compile("(\\d+) response bodies leaked since start \\(GC-confirmed\\)");

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aHundredThousandLeakedBodiesStayUnderTheCapAndTheRestIsCounted(Jdk jdk) {
        int n = 100_000;
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(LeakTests.workDir()).agentOptions("leakMaxOpen=1000").jvmArg("-Xmx512m")
                .start(HttpBodies.class, "out", "jdk", "flood", Integer.toString(n))) {
            assertThat(jvm.waitFor(Duration.ofMinutes(10))).as(jvm.stderr()).isZero();
            assertThat(jvm.stdout()).contains("FLOODED " + n);
            String journal = jvm.journal();
            Matcher m = TRACKING.matcher(journal);
            assertThat(m.find()).as(journal).isTrue();
            long tracked = Long.parseLong(m.group(1));
            long peak = Long.parseLong(m.group(2));
            long untracked = Long.parseLong(m.group(4));
            assertThat(m.group(3)).isEqualTo("1000");
            assertThat(peak).isLessThanOrEqualTo(1000);
            assertThat(untracked).as("the cap was reached and what it turned away counted").isPositive();
            assertThat(tracked + untracked).as("every body is either tracked or counted").isEqualTo(n);
            Matcher leaked = LEAKED.matcher(journal);
            assertThat(leaked.find()).as(journal).isTrue();
            assertThat(Long.parseLong(leaked.group(1))).isPositive().isLessThanOrEqualTo(tracked);
            // Aggregated lines per site (sampled or not), never one per body.
            List<String> leakLines = journal.lines().filter(l -> l.contains("ERROR  leak")).collect(Collectors.toList());
            assertThat(leakLines).isNotEmpty().hasSizeLessThan(100);
            assertThat(leakLines).allMatch(l -> l.contains("/error/flood?token=*** → 500 (JDK HttpClient, ofInputStream)"));
            assertThat(leakLines).anyMatch(l -> l.contains("leaked at dev.forensics.targets.http.JdkClient.leakErrorBody("));
            assertThat(journal).doesNotContain(HttpBodies.SECRET);
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void unclosedBodiesOnClosedSocketsShowAsGrowingHealthFiguresInJournalJfrAndMBean(Jdk jdk) throws Exception {
        Path jfr = LeakTests.workDir().resolve("app.jfr");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(LeakTests.workDir()).agentOptions("healthPeriod=200ms")
                .jvmArg("-XX:StartFlightRecording:settings=" + ForkedJvm.JFC + ",filename=" + jfr + ",dumponexit=true,"
                        + "forensics.Health#period=200 ms,forensics.OpenResponseBodies#period=200 ms")
                .start(HttpBodies.class, "out", "urlconnection", "health", "20")) {
            assertThat(jvm.waitFor(Duration.ofMinutes(2))).as(jvm.stderr()).isZero();
            String journal = jvm.journal();
            assertThat(journal).contains("WARN   health       CLOSE_WAIT sockets grew at each of the last 5 samples")
                    .contains("WARN   health       open response bodies grew at each of the last 5 samples")
                    .contains("at dev.forensics.targets.http.UrlConnectionClient.open(");
            assertThat(journal).contains("INFO   health       health: open response bodies ");
            String out = jvm.stdout();
            assertThat(out).as("the agent never starts the platform MBean server").contains("JMX SERVERS BEFORE=0");
            assertThat(journal).contains("MBean dev.forensics:type=Health registered with the platform MBean server");
            assertThat(out).contains("MBEAN OpenResponseBodies=20").contains("MBEAN Growing=");
            assertThat(mbean(out, "CloseWaitSockets")).isGreaterThanOrEqualTo(15);
            assertThat(mbean(out, "OpenFileDescriptors")).isGreaterThan(20);
            assertThat(mbean(out, "LiveThreads")).isPositive();
            assertThat(out).contains("MBEAN dump=20 response bodies open, by origin site:");
            assertThat(journal).contains("open response bodies on request (MBean dev.forensics:type=Health):");
            assertAgentClean(jvm);
        }
        List<RecordedEvent> health = RecordingFile.readAllEvents(jfr).stream()
                .filter(e -> e.getEventType().getName().equals("forensics.Health")).collect(Collectors.toList());
        assertThat(health).isNotEmpty();
        assertThat(health.stream().mapToLong(e -> e.getLong("closeWaitSockets")).max().orElse(0)).isGreaterThanOrEqualTo(15);
        assertThat(health.stream().mapToLong(e -> e.getLong("openResponseBodies")).max().orElse(0)).isEqualTo(20);
        assertThat(health).anyMatch(e -> e.getString("growing").contains("CLOSE_WAIT sockets"));
        List<RecordedEvent> open = RecordingFile.readAllEvents(jfr).stream()
                .filter(e -> e.getEventType().getName().equals("forensics.OpenResponseBodies")).collect(Collectors.toList());
        assertThat(open).isNotEmpty().allMatch(e -> e.getString("originSite").startsWith("dev.forensics.targets.http.UrlConnectionClient.open("))
                .allMatch(e -> e.getString("originStack").contains("HttpBodies.")).allMatch(e -> e.getString("method").equals("GET"));
        IItemCollection jmc = JfrLoaderToolkit.loadEvents(jfr.toFile());
        assertThat(jmc.apply(ItemFilters.type("forensics.Health")).hasItems()).isTrue();
        assertThat(jmc.apply(ItemFilters.type("forensics.OpenResponseBodies")).hasItems()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void openBodiesAreSummarisedWhenTheJvmHalts(Jdk jdk) {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(LeakTests.workDir()).agentOptions("leakHeldAfter=1s").start(HttpBodies.class, "out", "okhttp4", "held", "halt")) {
            assertThat(jvm.waitFor(Duration.ofMinutes(2))).as(jvm.stderr()).isZero();
            String atExit = jvm.journal().substring(jvm.journal().indexOf("open response bodies at exit (Runtime.halt):"));
            assertThat(atExit).contains("5 response bodies open, by origin site:")
                    .containsPattern("  3 at dev\\.forensics\\.targets\\.http\\.OkHttpBodyClient\\.open\\(OkHttpBodyClient\\.java:\\d+\\) — GET http://127\\.0\\.0\\.1:\\d+/live/a\\?token=\\*\\*\\* → 200 \\(OkHttp 4\\.12\\.0, ResponseBody\\)");
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void openBodiesAreSummarisedWhenAnotherProcessSendsSigterm(Jdk jdk) {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(LeakTests.workDir()).agentOptions("leakHeldAfter=1s").start(HttpBodies.class, "out", "apache5", "held", "wait")) {
            jvm.awaitStdout("LIVE 5", Duration.ofMinutes(1));
            jvm.signal("TERM");
            assertThat(jvm.waitFor(Duration.ofMinutes(1))).isEqualTo(143);
            String journal = jvm.journal();
            String atExit = journal.substring(journal.indexOf("open response bodies at exit (shutdown):"));
            assertThat(atExit).contains("5 response bodies open, by origin site:")
                    .containsPattern("  2 at dev\\.forensics\\.targets\\.http\\.Apache5Client\\.open\\(Apache5Client\\.java:\\d+\\) — GET http://127\\.0\\.0\\.1:\\d+/live/b\\?token=\\*\\*\\* → 200 \\(Apache HttpClient 5, entity\\)");
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void withLeaksOffNothingIsTrackedOrReported(Jdk jdk) {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(LeakTests.workDir()).agentOptions("leaks=off,healthPeriod=off")
                .start(HttpBodies.class, "out", "okhttp4", "once")) {
            assertThat(jvm.waitFor(Duration.ofMinutes(1))).as(jvm.stderr()).isZero();
            assertThat(jvm.stdout()).contains("DONE");
            assertThat(jvm.journal()).doesNotContain("  leak  ").doesNotContain("response bod").doesNotContain("  health  ");
            assertThat(jvm.stderr()).doesNotContain("leaked");
            assertAgentClean(jvm);
        }
    }

    private static long mbean(String out, String attribute) {
        Matcher m = Pattern.compile("MBEAN " + attribute + "=(-?\\d+)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return Long.parseLong(m.group(1));
    }
}
