package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.targets.SocketWriter;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import dev.forensics.testing.LoopbackPeer;
import dev.forensics.testing.LoopbackPeer.Mode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.ItemFilters;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;

/**
 * Code that keeps writing to a loopback peer that went away (closed, or reset with SO_LINGER 0) is named once as a
 * broken-pipe loop, with the writing method, the peer and the count; a lone failure and a healthy writer are not.
 * Every write path: Socket streams, SocketChannel (blocking, non-blocking, gathering, its socket adaptor) and TLS.
 */
class BrokenPipeLoopIT {
    private static final String SITE = "dev.forensics.targets.SocketWriter.keepWriting(SocketWriter.java:";
    private static final String OPTIONS = "pipeLoopWindow=1s";
    private static final int WRITES = 300;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void writingOnAfterThePeerClosedIsOneLoopNamingTheMethodPeerAndCount(Jdk jdk) throws Exception {
        Path jfr = Files.createTempDirectory("forensics-pipes-").resolve("app.jfr");
        try (LoopbackPeer peer = new LoopbackPeer(Mode.CLOSE);
             ForkedJvm jvm = ForkedJvm.on(jdk).agentOptions(OPTIONS).recording(jfr)
                     .start(SocketWriter.class, "out", "socket", Integer.toString(peer.port()), Integer.toString(WRITES), "1024", "2500")) {
            assertThat(jvm.waitFor()).isZero();
            int failures = failures(jvm);
            assertThat(failures).as("the target saw its writes fail").isGreaterThan(WRITES - 10);
            assertOneLoop(jvm, SITE, "127.0.0.1:" + peer.port(), failures, "socket write", "broken pipe");
            assertThat(jvm.stdout()).contains("SECTION   loop ended at " + SITE);

            List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
            List<RecordedEvent> loops = named(events, "forensics.BrokenPipeLoop");
            assertThat(loops).hasSize(1);
            RecordedEvent loop = loops.get(0);
            assertThat(loop.getString("site")).startsWith(SITE);
            assertThat(loop.getString("peer")).isEqualTo("127.0.0.1:" + peer.port());
            assertThat(loop.getLong("failures")).isEqualTo(21);
            assertThat(loop.getStackTrace().getFrames()).as("the event's stack is the writing code")
                    .anyMatch(f -> f.getMethod().getName().equals("keepWriting"));
            List<RecordedEvent> ended = named(events, "forensics.BrokenPipeLoopEnded");
            assertThat(ended).hasSize(1);
            assertThat(ended.get(0).getLong("failures")).isEqualTo(failures);
            assertThat(ended.get(0).getLong("bytesAttempted")).isEqualTo(failures * 1024L);

            IItemCollection jmc = JfrLoaderToolkit.loadEvents(jfr.toFile());
            assertThat(jmc.apply(ItemFilters.type("forensics.BrokenPipeLoop")).hasItems()).isTrue();
            assertThat(jmc.apply(ItemFilters.type("forensics.BrokenPipeLoopEnded")).hasItems()).isTrue();
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void writingOnAfterThePeerResetIsOneLoopThatCountsTheReset(Jdk jdk) {
        try (LoopbackPeer peer = new LoopbackPeer(Mode.RESET);
             ForkedJvm jvm = ForkedJvm.on(jdk).agentOptions(OPTIONS + ",pipeLoopFailures=50")
                     .start(SocketWriter.class, "out", "socket", Integer.toString(peer.port()), Integer.toString(WRITES), "1024", "2500")) {
            assertThat(jvm.waitFor()).isZero();
            int failures = failures(jvm);
            assertThat(failures).isEqualTo(WRITES);
            assertOneLoop(jvm, SITE, "127.0.0.1:" + peer.port(), failures, "socket write", "reset 1", 51);
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void withPipesOffALoopIsNotReported(Jdk jdk) {
        try (LoopbackPeer peer = new LoopbackPeer(Mode.RESET);
             ForkedJvm jvm = ForkedJvm.on(jdk).agentOptions(OPTIONS + ",pipes=off")
                     .start(SocketWriter.class, "out", "socket", Integer.toString(peer.port()), Integer.toString(WRITES), "1024", "1500")) {
            assertThat(jvm.waitFor()).isZero();
            assertThat(failures(jvm)).isEqualTo(WRITES);
            assertThat(jvm.journal()).doesNotContain("broken-pipe loop");
            assertThat(jvm.stdout()).as("no Broken pipes section").doesNotContain("SECTION Broken pipes:");
            assertThat(jvm.stderr()).isEmpty();
            assertAgentClean(jvm);
        }
    }

    static Stream<Arguments> channelApis() {
        return Jdk.all().flatMap(jdk -> Stream.of("channel", "nonblocking", "gather", "adaptor").map(api -> Arguments.of(jdk, api)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("channelApis")
    void socketChannelWritesToAGonePeerAreOneLoop(Jdk jdk, String api) {
        try (LoopbackPeer peer = new LoopbackPeer(Mode.RESET);
             ForkedJvm jvm = ForkedJvm.on(jdk).agentOptions(OPTIONS)
                     .start(SocketWriter.class, "out", api, Integer.toString(peer.port()), Integer.toString(WRITES), "1024", "2500")) {
            assertThat(jvm.waitFor()).isZero();
            int failures = failures(jvm);
            assertThat(failures).isEqualTo(WRITES);
            String site = api.equals("adaptor") ? SITE : api.equals("gather")
                    ? "dev.forensics.targets.SocketWriter.keepGathering(SocketWriter.java:" : SITE;
            assertOneLoop(jvm, site, "127.0.0.1:" + peer.port(), failures, "channel write", "broken pipe");
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void tlsWritesToAGonePeerAreCountedOnceAtTheTlsWrite(Jdk jdk) throws Exception {
        Path store = LoopbackPeer.selfSignedKeyStore(jdk, Files.createTempDirectory("forensics-tls-"));
        try (LoopbackPeer peer = new LoopbackPeer(Mode.TLS_RESET, store);
             ForkedJvm jvm = ForkedJvm.on(jdk).agentOptions(OPTIONS)
                     .jvmArg("-Djavax.net.ssl.trustStore=" + store, "-Djavax.net.ssl.trustStorePassword=" + LoopbackPeer.STORE_PASSWORD,
                             "-Djavax.net.ssl.trustStoreType=PKCS12")
                     .start(SocketWriter.class, "out", "tls", Integer.toString(peer.port()), Integer.toString(WRITES), "1024", "2500")) {
            assertThat(jvm.waitFor()).isZero();
            int failures = failures(jvm);
            assertThat(failures).isEqualTo(WRITES);
            // Each failure passes the plain socket under the TLS write too: counted twice, the total would be 2 × WRITES.
            assertOneLoop(jvm, SITE, "127.0.0.1:" + peer.port(), failures, "tls write", "broken pipe");
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void threeSitesFailingInTurnOnOneThreadToOnePeerAreThreeLoopsEachWithItsOwnCount(Jdk jdk) {
        try (LoopbackPeer peer = new LoopbackPeer(Mode.RESET);
             ForkedJvm jvm = ForkedJvm.on(jdk).agentOptions(OPTIONS)
                     .start(SocketWriter.class, "out", "sites", Integer.toString(peer.port()), Integer.toString(WRITES), "1024", "2500")) {
            assertThat(jvm.waitFor()).isZero();
            assertThat(failures(jvm)).isEqualTo(3 * WRITES);
            String journal = jvm.journal();
            for (String part : new String[] {"writeHead", "writeBody", "writeTail"}) {
                String site = "dev.forensics.targets.SocketWriter." + part + "(SocketWriter.java:";
                List<String> lines = journal.lines().filter(l -> l.contains("broken-pipe loop at " + site)).collect(Collectors.toList());
                assertThat(lines).as(part + " in\n" + journal).hasSize(2);
                assertThat(lines.get(0)).contains(": writing to 127.0.0.1:" + peer.port() + " failed 21 times in ");
                assertThat(lines.get(1)).contains(" to 127.0.0.1:" + peer.port() + " ended: " + WRITES + " failed writes over ");
            }
            assertThat(journal.lines().filter(l -> l.contains("broken-pipe loop at ")).count()).isEqualTo(6);
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aThreadThatMovesOnToAnotherSiteAndKeepsFailingThereIsASecondLoop(Jdk jdk) {
        int writes = 2000;
        try (LoopbackPeer peer = new LoopbackPeer(Mode.RESET);
             ForkedJvm jvm = ForkedJvm.on(jdk).agentOptions(OPTIONS)
                     .start(SocketWriter.class, "out", "moving", Integer.toString(peer.port()), Integer.toString(writes), "1024", "2500")) {
            assertThat(jvm.waitFor()).isZero();
            assertThat(failures(jvm)).isEqualTo(2 * writes);
            String journal = jvm.journal();
            String elsewhere = "dev.forensics.targets.SocketWriter.keepWritingElsewhere(SocketWriter.java:";
            for (String site : new String[] {SITE, elsewhere}) {
                assertThat(journal.lines().filter(l -> l.contains("broken-pipe loop at " + site) && l.contains("): writing to 127.0.0.1:"))
                        .count()).as("one verdict at " + site + " in\n" + journal).isEqualTo(1);
            }
            long first = endedTotal(journal, SITE);
            long second = endedTotal(journal, elsewhere);
            // The first site is watched by a sampled walk once its loop runs: the move is seen within a few dozen failures.
            assertThat(first + second).isEqualTo(2L * writes);
            assertThat(first).isBetween((long) writes, writes + 1000L);
            assertAgentClean(jvm);
        }
    }

    private static long endedTotal(String journal, String site) {
        Matcher m = Pattern.compile(Pattern.quote("broken-pipe loop at " + site) + "\\d+\\) to \\S+ ended: (\\d+) failed writes").matcher(journal);
        assertThat(m.find()).as("journal:\n" + journal).isTrue();
        return Long.parseLong(m.group(1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aSingleFailedWriteIsRecordedButIsNotALoop(Jdk jdk) {
        try (LoopbackPeer peer = new LoopbackPeer(Mode.RESET);
             ForkedJvm jvm = ForkedJvm.on(jdk).agentOptions(OPTIONS)
                     .start(SocketWriter.class, "out", "socket", Integer.toString(peer.port()), "1", "1024", "1500")) {
            assertThat(jvm.waitFor()).isZero();
            assertThat(failures(jvm)).isEqualTo(1);
            assertThat(jvm.stdout()).contains("SECTION   failed writes, not a loop, at " + SITE)
                    .contains(" to 127.0.0.1:" + peer.port() + ": 1, last at ");
            assertThat(jvm.journal()).doesNotContain("broken-pipe loop");
            assertThat(jvm.stderr()).doesNotContain("broken-pipe loop");
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aHealthyHighVolumeWriterProducesNoFinding(Jdk jdk) {
        for (String api : new String[] {"socket", "channel"}) {
            int writes = 2048;
            int chunk = 64 * 1024;
            try (LoopbackPeer peer = new LoopbackPeer(Mode.READ);
                 ForkedJvm jvm = ForkedJvm.on(jdk).agentOptions(OPTIONS)
                         .start(SocketWriter.class, "out", api, Integer.toString(peer.port()), Integer.toString(writes), Integer.toString(chunk), "0")) {
                assertThat(jvm.waitFor()).isZero();
                assertThat(failures(jvm)).isZero();
                jvm.await(() -> peer.bytesRead() == (long) writes * chunk, "the peer to read every byte", Duration.ofSeconds(30));
                assertThat(jvm.stdout()).as("no Broken pipes section").doesNotContain("SECTION Broken pipes:");
                assertThat(jvm.journal()).doesNotContain(" pipe ").doesNotContain("broken-pipe");
                assertThat(jvm.stderr()).isEmpty();
                assertAgentClean(jvm);
            }
        }
    }

    /** Exactly one verdict line and one totals line for the site, and nothing per failure. */
    static void assertOneLoop(ForkedJvm jvm, String site, String peer, int failures, String layer, String kind) {
        assertOneLoop(jvm, site, peer, failures, layer, kind, 21);
    }

    /** {@code verdictAt}: the failure that made it a loop, one more than pipeLoopFailures. */
    static void assertOneLoop(ForkedJvm jvm, String site, String peer, int failures, String layer, String kind, int verdictAt) {
        String journal = jvm.journal();
        List<String> pipeLines = journal.lines().filter(l -> l.contains("broken-pipe loop")).collect(Collectors.toList());
        assertThat(pipeLines).as("journal:\n" + journal).hasSize(2);
        assertThat(pipeLines.get(0)).contains("broken-pipe loop at " + site).contains(": writing to " + peer + " failed " + verdictAt + " times in ")
                .contains(layer).contains("    at " + site);
        assertThat(pipeLines.get(1)).as("journal:\n" + journal + "\nstderr:\n" + jvm.stderr()).contains("broken-pipe loop at " + site).contains(" to " + peer + " ended: " + failures + " failed writes over ")
                .contains(kind);
        assertThat(jvm.stderr()).as("the application's log (SLF4J simple, on stderr) has the verdict once")
                .containsOnlyOnce(": writing to " + peer + " failed " + verdictAt + " times").containsOnlyOnce(" ended: " + failures + " failed writes");
    }

    static int failures(ForkedJvm jvm) {
        Matcher m = Pattern.compile("WROTE writes=\\d+ failures=(\\d+)").matcher(jvm.stdout());
        assertThat(m.find()).as("stdout: " + jvm.stdout() + "\nstderr: " + jvm.stderr()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).collect(Collectors.toList());
    }
}
