package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.targets.RecorderListenerOnly;
import dev.forensics.targets.http.IncidentScenario;
import dev.forensics.testing.Environments;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import dev.forensics.testing.LastWordsFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.ItemFilters;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;

/**
 * JFR costs nothing until someone records: a JVM that never records loads none of the agent's event classes and no
 * more of jdk.jfr than a recorder listener needs, while a recording started by {@code jcmd JFR.start} long after
 * start-up holds every forensics event the service runs into from then on, and the state from before: the bodies
 * still open, the risks found at start, the agent's status, a standard stream that broke before anyone recorded.
 */
class LateRecordingIT {
    private static final Duration ACT = Duration.ofSeconds(90);
    private static final String OPTIONS = "leakHeldAfter=1s,healthPeriod=200ms,pipeLoopWindow=1s,envRoot=" + Environments.root("session-v2");

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aJvmThatNeverRecordsLoadsNoEventClassAndNoMoreOfJfrThanAListenerNeeds(Jdk jdk) throws Exception {
        Path work = Files.createTempDirectory("forensics-nojfr-");
        Path classes = work.resolve("classes.txt");
        Path go = work.resolve("go");
        Files.writeString(go, "at once\n");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(work).agentOptions(OPTIONS).jvmArg("-Xlog:class+load=info:file=" + classes)
                .stdoutPipedTo("head", "-n", "1").start(IncidentScenario.class, work.resolve("out").toString(), "exit", go.toString())) {
            assertThat(jvm.waitFor(ACT)).as(jvm.stderr()).isEqualTo(3);
            String journal = jvm.journal();
            assertThat(journal).as("the scenario ran every hook that emits an event")
                    .contains("stdout (fd 1) is broken since").contains("open longer than").contains("withdrawn:").contains("leaked at")
                    .contains("broken-pipe loop at").contains(" ended: ").contains("risk session-scope").contains("System.exit(3) called by");
            assertThat(journal).doesNotContain("JFR initialised");
            assertAgentClean(jvm);
        }
        List<String> loaded = loadedClasses(classes);
        assertThat(loaded).as("class+load log").contains("dev.forensics.report.Jfr");
        assertThat(loaded).filteredOn(c -> c.startsWith("dev.forensics.bootstrap.events.")).as("forensics event classes").isEmpty();
        assertThat(loaded).as("JFR never initialised").doesNotContain("jdk.jfr.internal.MetadataRepository", "jdk.jfr.internal.PlatformRecording");

        Path listenerOnly = work.resolve("listener-only.txt");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).noAgent().workDir(work).jvmArg("-Xlog:class+load=info:file=" + listenerOnly)
                .start(RecorderListenerOnly.class)) {
            assertThat(jvm.waitFor()).isZero();
            assertThat(jvm.stdout()).contains("initialized=false");
        }
        Set<String> jfrForAListener = jfrClasses(loadedClasses(listenerOnly));
        assertThat(jfrClasses(loaded)).as("jdk.jfr classes beyond what FlightRecorder.addListener loads").isSubsetOf(jfrForAListener);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aRecordingStartedByJcmdLongAfterStartUpHoldsEveryEventOfTheIncidentAndTheStateFromBefore(Jdk jdk) throws Exception {
        Path work = Files.createTempDirectory("forensics-late-jfr-");
        Path jfr = work.resolve("late.jfr");
        Path go = work.resolve("go");
        Instant recordingStarted;
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(work).agentOptions(OPTIONS).stdoutPipedTo("head", "-n", "1")
                .start(IncidentScenario.class, work.resolve("out").toString(), "signal", go.toString())) {
            awaitFile(jvm, work.resolve("early-done"));
            assertThat(jvm.journal()).as("nothing recorded so far").doesNotContain("JFR initialised");
            recordingStarted = startLateRecording(jdk, jvm, jfr);
            Files.writeString(go, "go\n");
            awaitFile(jvm, work.resolve("late-done"));
            ForkedJvm.run(LastWordsFiles.stopScript(jvm, "TERM", "stop-service.sh").toString());
            assertThat(jvm.waitFor()).isEqualTo(143);
            assertThat(jvm.journal()).contains("JFR initialised in this JVM: 14 forensics event types");
            assertAgentClean(jvm);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
        Set<String> kinds = events.stream().map(e -> e.getEventType().getName()).filter(n -> n.startsWith("forensics."))
                .collect(Collectors.toCollection(TreeSet::new));
        List<String> incident = List.of("forensics.AgentStatus", "forensics.Risk", "forensics.OpenResponseBodies", "forensics.Health",
                "forensics.BrokenStdStream", "forensics.ResponseBodyHeld", "forensics.ResponseBodyLeak", "forensics.BrokenPipeLoop",
                "forensics.BrokenPipeLoopEnded", "forensics.SignalReceived", "forensics.LastWords");
        assertThat(kinds).containsAll(incident);
        // JFR's own shutdown hook stops the recording while the application's hooks run, so a hook's event is in the
        // dump only when the hook ended first, however the recording was started.
        assertThat(kinds).filteredOn(k -> !incident.contains(k)).isSubsetOf("forensics.ShutdownHook");
        assertThat(named(events, "forensics.AgentStatus")).anyMatch(e -> e.getInt("hooksActive") >= 2 && e.getInt("hooksMissing") == 0);
        assertThat(named(events, "forensics.Risk")).extracting(e -> e.getString("id")).contains("session-scope");
        assertThat(named(events, "forensics.OpenResponseBodies")).as("bodies opened before the recording")
                .anyMatch(e -> e.getString("url").endsWith("/live/early") && e.getLong("open") == 2);
        assertThat(named(events, "forensics.Health")).anyMatch(e -> e.getLong("openResponseBodies") >= 2);
        RecordedEvent stdout = only(events, "forensics.BrokenStdStream");
        assertThat(stdout.getString("stream")).isEqualTo("stdout");
        assertThat(stdout.getString("was")).isEqualTo("pipe");
        assertThat(Instant.ofEpochMilli(stdout.getLong("brokenAt"))).as("broke before anyone recorded").isBefore(recordingStarted);
        assertThat(named(events, "forensics.ResponseBodyHeld")).filteredOn(e -> e.getString("url").endsWith("/ok/held"))
                .extracting(e -> e.getBoolean("withdrawn")).containsExactlyInAnyOrder(false, true);
        RecordedEvent leak = only(events, "forensics.ResponseBodyLeak");
        assertThat(leak.getString("url")).endsWith("/error/late");
        assertThat(leak.getInt("status")).isEqualTo(500);
        assertThat(only(events, "forensics.BrokenPipeLoop").getStackTrace().getFrames())
                .anyMatch(f -> f.getMethod().getName().equals("keepWritingToAPeerThatClosed"));
        assertThat(only(events, "forensics.BrokenPipeLoopEnded").getLong("failures")).isGreaterThan(250);
        assertThat(only(events, "forensics.SignalReceived").getString("signal")).isEqualTo("SIGTERM");
        assertThat(named(events, "forensics.ShutdownHook")).allMatch(e -> e.getString("hook").contains("app-cleanup"));
        assertThat(only(events, "forensics.LastWords").getString("verdict")).startsWith("SIGTERM from pid ");

        IItemCollection items = JfrLoaderToolkit.loadEvents(jfr.toFile());
        for (String kind : kinds) {
            assertThat(items.apply(ItemFilters.type(kind)).hasItems()).as("JMC's parser reads " + kind).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aLateRecordingHoldsTheExitCallAndItsStack(Jdk jdk) throws Exception {
        Path work = Files.createTempDirectory("forensics-late-exit-");
        Path jfr = work.resolve("late.jfr");
        Path go = work.resolve("go");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(work).agentOptions(OPTIONS).stdoutPipedTo("head", "-n", "1")
                .start(IncidentScenario.class, work.resolve("out").toString(), "exit", go.toString())) {
            awaitFile(jvm, work.resolve("early-done"));
            startLateRecording(jdk, jvm, jfr);
            Files.writeString(go, "go\n");
            assertThat(jvm.waitFor(ACT)).isEqualTo(3);
            assertAgentClean(jvm);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
        RecordedEvent exit = only(events, "forensics.ExitRequested");
        assertThat(exit.getInt("status")).isEqualTo(3);
        assertThat(exit.getString("caller")).startsWith("dev.forensics.targets.http.IncidentScenario.main(");
        assertThat(exit.getStackTrace().getFrames()).anyMatch(f -> f.getMethod().getType().getName().endsWith("IncidentScenario"));
        assertThat(only(events, "forensics.LastWords").getString("cause")).isEqualTo("exit");
        assertThat(JfrLoaderToolkit.loadEvents(jfr.toFile()).apply(ItemFilters.type("forensics.ExitRequested")).hasItems()).isTrue();
    }

    /** {@code jcmd <pid> JFR.start} with forensics.jfc, the periodic figures at 200 ms so a short act has several. */
    private static Instant startLateRecording(Jdk jdk, ForkedJvm jvm, Path jfr) throws Exception {
        Path jfc = jvm.workDir().resolve("late.jfc");
        Files.writeString(jfc, Files.readString(ForkedJvm.JFC).replace("<setting name=\"period\">60 s</setting>", "<setting name=\"period\">200 ms</setting>")
                .replace("<setting name=\"period\">10 s</setting>", "<setting name=\"period\">200 ms</setting>"));
        Instant before = Instant.now();
        String out = jcmd(jdk, jvm.pid(), "JFR.start", "name=late", "settings=" + jfc, "filename=" + jfr, "dumponexit=true");
        assertThat(out).contains("Started recording");
        return before;
    }

    private static String jcmd(Jdk jdk, long pid, String... command) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(jdk.home().resolve("bin").resolve("jcmd").toString(), Long.toString(pid)));
        cmd.addAll(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }

    private static void awaitFile(ForkedJvm jvm, Path file) {
        jvm.await(() -> Files.exists(file), file.getFileName().toString(), ACT);
    }

    /** Class names from a {@code -Xlog:class+load} file, lambda and hidden-class suffixes cut to their host. */
    private static List<String> loadedClasses(Path log) throws IOException {
        return Files.readAllLines(log).stream().map(l -> l.replaceFirst("^\\[[^\\]]*\\]\\[[^\\]]*\\]\\[[^\\]]*\\]\\s*", ""))
                .map(l -> l.split(" ")[0]).map(c -> c.replaceFirst("\\$\\$Lambda.*", "\\$\\$Lambda")).collect(Collectors.toList());
    }

    private static Set<String> jfrClasses(List<String> loaded) {
        return loaded.stream().filter(c -> c.startsWith("jdk.jfr.")).collect(Collectors.toCollection(TreeSet::new));
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String type) {
        return events.stream().filter(e -> e.getEventType().getName().equals(type)).collect(Collectors.toList());
    }

    private static RecordedEvent only(List<RecordedEvent> events, String type) {
        List<RecordedEvent> found = named(events, type);
        assertThat(found).as(type).hasSize(1);
        return found.get(0);
    }
}
