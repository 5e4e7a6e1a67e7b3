package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.forensics.targets.ChildLoaderLauncher;
import dev.forensics.targets.DoctorReady;
import dev.forensics.targets.ExitFromWorker;
import dev.forensics.targets.Idle;
import dev.forensics.targets.Service;
import dev.forensics.targets.SocketWriter;
import dev.forensics.targets.http.HttpBodies;
import dev.forensics.targets.http.LoggingApp;
import dev.forensics.targets.http.OtelApp;
import dev.forensics.testing.ChildLoaders;
import dev.forensics.testing.Environments;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.JournalSchema;
import dev.forensics.testing.Jdk;
import dev.forensics.testing.LeakTests;
import dev.forensics.testing.LoopbackPeer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Findings where a fleet's pipelines read them, with their fields as data and not only as text: the application's
 * Logback with logstash-logback-encoder writing JSON, the journal as JSON lines validated against
 * {@code docs/journal.schema.json}, and the OpenTelemetry SDK's log records (an in-memory exporter) once the
 * application has registered it as GlobalOpenTelemetry, without the agent ever fixing that global itself.
 */
class StructuredFindingsIT {
    /** SLF4J 2, Logback 1.5, logstash-logback-encoder 8: fields as key-values. */
    static final Path LOGSTASH_LIBS = Paths.get(System.getProperty("forensics.logstash.libs", "target/it-libs/logstash")).toAbsolutePath();
    /** SLF4J 1.7, Logback 1.2, logstash-logback-encoder 7.2: no fluent API, fields in the MDC. */
    static final Path LOGSTASH17_LIBS = Paths.get(System.getProperty("forensics.logstash17.libs", "target/it-libs/logstash-slf4j17")).toAbsolutePath();
    static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> jdksAndSlf4j() {
        return Jdk.all().flatMap(jdk -> Stream.of(Arguments.of(jdk, "slf4j2"), Arguments.of(jdk, "slf4j17")));
    }

    static String logstashApp(String slf4j) throws Exception {
        Path libs = slf4j.equals("slf4j17") ? LOGSTASH17_LIBS : LOGSTASH_LIBS;
        assumeTrue(Files.isDirectory(libs), "logstash-logback-encoder jars not copied to " + libs + " (run through mvn verify)");
        List<String> entries = new ArrayList<>(List.of(ChildLoaders.testClasses().toString()));
        try (Stream<Path> jars = Files.list(libs)) {
            jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> entries.add(p.toString()));
        }
        return String.join(File.pathSeparator, entries);
    }

    static List<JsonNode> jsonLines(String text) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("jdksAndSlf4j")
    void leakedBodyInTheApplicationsLogstashJsonCarriesKindClientStatusAndSiteAsJsonFields(Jdk jdk, String slf4j) throws Exception {
        boolean mdc = slf4j.equals("slf4j17");
        Path work = LeakTests.workDir();
        Path appLog = work.resolve("app.json");
        Path xml = work.resolve("logback.xml");
        Files.writeString(xml, "<configuration><appender name=\"JSON\" class=\"ch.qos.logback.core.FileAppender\"><file>" + appLog
                + "</file><encoder class=\"net.logstash.logback.encoder.LogstashEncoder\"/></appender>"
                + "<root level=\"INFO\"><appender-ref ref=\"JSON\"/></root></configuration>\n");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(work).classpath(ChildLoaders.launcherOnly(work)).jvmArg("-Dlogback.configurationFile=" + xml)
                .start(ChildLoaderLauncher.class, "-", logstashApp(slf4j), LoggingApp.class.getName(), "out")) {
            assertThat(jvm.waitFor(Duration.ofMinutes(2))).as(jvm.stderr()).isZero();
            String log = ForkedJvm.read(appLog);
            List<JsonNode> ours = jsonLines(log).stream().filter(n -> n.path("logger_name").asText().equals("forensics")).collect(Collectors.toList());
            assertThat(ours).as(log).hasSize(1);
            JsonNode leak = ours.get(0);
            assertThat(leak.path("level").asText()).isEqualTo("ERROR");
            assertThat(leak.path("message").asText()).startsWith("1 response body leaked at ").contains("/error/app?token=***");
            assertThat(leak.path("kind").asText()).isEqualTo("leak");
            assertThat(leak.path("severity").asText()).isEqualTo("ERROR");
            assertThat(leak.path("category").asText()).isEqualTo("leak");
            assertThat(leak.path("client").asText()).isEqualTo("HttpURLConnection");
            // MDC values are strings; key-values keep their type
            assertThat(leak.path("status").isNumber()).as("status a number unless in the MDC: %s", leak).isEqualTo(!mdc);
            assertThat(leak.path("status").asText()).isEqualTo("500");
            assertThat(leak.path("count").asText()).isEqualTo("1");
            assertThat(leak.path("method").asText()).isEqualTo("GET");
            assertThat(leak.path("site").asText()).startsWith("dev.forensics.targets.http.UrlConnectionClient.leakErrorBody(UrlConnectionClient.java:");
            assertThat(leak.path("url").asText()).contains("/error/app?token=***").doesNotContain(HttpBodies.SECRET);
            assertThat(log).doesNotContain(HttpBodies.SECRET);
            assertThat(jvm.journal()).contains("findings go to SLF4J logger 'forensics' (Logback")
                    .contains(mdc ? "fields in the MDC" : "fields as key-values").doesNotContain("OpenTelemetry");
            assertThat(jsonLines(log).stream().filter(n -> !n.path("logger_name").asText().equals("forensics")))
                    .as("the application's own lines carry none of the finding's fields").isNotEmpty().noneMatch(n -> n.has("kind") || n.has("site"));
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void log4jTakesTheFieldsAsKeyValuesIntoItsThreadContextForTheFindingsLineOnly(Jdk jdk) throws Exception {
        Path work = LeakTests.workDir();
        Path xml = work.resolve("log4j2.xml");
        Files.writeString(xml, "<Configuration status=\"warn\"><Appenders><File name=\"FILE\" fileName=\"" + work.resolve("app.log") + "\">"
                + "<PatternLayout pattern=\"%level %logger kind=%X{kind} client=%X{client} status=%X{status} count=%X{count} - %msg%n\"/>"
                + "</File></Appenders><Loggers><Root level=\"info\"><AppenderRef ref=\"FILE\"/></Root></Loggers></Configuration>\n");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(work).classpath(ChildLoaders.launcherOnly(work)).jvmArg("-Dlog4j2.configurationFile=" + xml)
                .start(ChildLoaderLauncher.class, "-", ChildLoaders.withLog4j(), LoggingApp.class.getName(), "out")) {
            assertThat(jvm.waitFor(Duration.ofMinutes(2))).as(jvm.stderr()).isZero();
            String log = ForkedJvm.read(work.resolve("app.log"));
            assertThat(log.lines().filter(l -> l.contains(" forensics "))).as(log).singleElement().asString()
                    .startsWith("ERROR forensics kind=leak client=HttpURLConnection status=500 count=1 - 1 response body leaked at ");
            assertThat(log).contains("INFO dev.forensics.targets.http.LoggingApp kind= client= status= count= - application started")
                    .contains("INFO dev.forensics.targets.http.LoggingApp kind= client= status= count= - application done");
            assertThat(jvm.journal()).contains("findings go to SLF4J logger 'forensics' (Log4j 2").contains("fields as key-values");
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void everyLineOfTheJsonJournalParsesAndValidatesAgainstItsSchema(Jdk jdk) throws Exception {
        Path work = LeakTests.workDir();
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(work).agentOptions("journalFormat=json,leakHeldAfter=1s")
                .start(HttpBodies.class, "out", "urlconnection", "held", "exit")) {
            assertThat(jvm.waitFor(Duration.ofMinutes(2))).as(jvm.stderr()).isZero();
            String journal = jvm.journal();
            List<JsonNode> lines = JournalSchema.validLines(journal);
            assertThat(lines).hasSizeGreaterThan(10);
            assertThat(journal.lines().count()).isEqualTo(lines.size());
            JsonNode held = lines.stream().filter(n -> n.path("kind").asText().equals("held")).findFirst().orElseThrow(() -> new AssertionError(journal));
            assertThat(held.path("level").asText()).isEqualTo("WARN");
            assertThat(held.path("client").asText()).isEqualTo("HttpURLConnection");
            assertThat(held.path("status").asInt()).isEqualTo(200);
            assertThat(held.path("count").asLong()).isEqualTo(1);
            assertThat(held.path("heldAfterMillis").asLong()).isEqualTo(1000);
            assertThat(held.path("oldestMillis").asLong()).isGreaterThanOrEqualTo(1000);
            assertThat(held.path("site").asText()).contains("UrlConnectionClient.open(UrlConnectionClient.java:");
            assertThat(held.path("url").asText()).contains("/ok/held?token=***");
            assertThat(held.path("message").asText()).contains("1 response body open longer than 1s");
            JsonNode withdrawn = lines.stream().filter(n -> n.path("kind").asText().equals("withdrawn")).findFirst().orElseThrow(() -> new AssertionError(journal));
            assertThat(withdrawn.path("level").asText()).isEqualTo("INFO");
            assertThat(withdrawn.path("heldMillis").asLong()).isGreaterThanOrEqualTo(1000);
            assertThat(lines).filteredOn(n -> n.path("category").asText().equals("agent") && n.path("message").asText().contains(" hooks active, "))
                    .hasSize(1).allMatch(n -> !n.has("kind"));
            assertThat(lines).anyMatch(n -> n.path("kind").asText().equals("open-at-exit") && n.path("message").asText().startsWith("open response bodies at exit"));
            assertThat(lines).filteredOn(n -> n.path("kind").asText().equals("open-total")).last()
                    .satisfies(n -> assertThat(n.path("count").asLong()).isEqualTo(5));
            assertThat(lines).filteredOn(n -> n.path("kind").asText().equals("open-site") && n.path("url").asText().contains("/live/a?token=***"))
                    .last().satisfies(n -> {
                        assertThat(n.path("count").asLong()).isEqualTo(3);
                        assertThat(n.path("status").asInt()).isEqualTo(200);
                        assertThat(n.path("site").asText()).contains("UrlConnectionClient.open(");
                        assertThat(n.path("message").asText()).startsWith("    3 at dev.forensics.targets.http.UrlConnectionClient.open(");
                    });
            assertThat(journal).doesNotContain(HttpBodies.SECRET);
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aBrokenPipeLoopAndALibrarysSystemExitAreJsonJournalLinesWithTheirFields(Jdk jdk) throws Exception {
        try (LoopbackPeer peer = new LoopbackPeer(LoopbackPeer.Mode.CLOSE);
             ForkedJvm jvm = ForkedJvm.on(jdk).agentOptions("journalFormat=json,pipeLoopWindow=1s")
                     .start(SocketWriter.class, "out", "socket", Integer.toString(peer.port()), "300", "1024", "2500")) {
            assertThat(jvm.waitFor()).isZero();
            List<JsonNode> lines = JournalSchema.validLines(jvm.journal());
            JsonNode loop = lines.stream().filter(n -> n.path("kind").asText().equals("pipe-loop")).findFirst()
                    .orElseThrow(() -> new AssertionError(jvm.journal()));
            assertThat(loop.path("level").asText()).isEqualTo("WARN");
            assertThat(loop.path("peer").asText()).isEqualTo("127.0.0.1:" + peer.port());
            assertThat(loop.path("layer").asText()).isEqualTo("socket");
            assertThat(loop.path("count").asLong()).isEqualTo(21);
            assertThat(loop.path("site").asText()).contains("SocketWriter.keepWriting(");
            JsonNode ended = lines.stream().filter(n -> n.path("kind").asText().equals("pipe-loop-end")).findFirst()
                    .orElseThrow(() -> new AssertionError(jvm.journal()));
            assertThat(ended.path("count").asLong()).isGreaterThan(21);
            assertThat(ended.path("bytes").asLong()).isEqualTo(ended.path("count").asLong() * 1024);
        }
        try (ForkedJvm jvm = ForkedJvm.on(jdk).agentOptions("journalFormat=json").start(ExitFromWorker.class, "out")) {
            assertThat(jvm.waitFor()).isEqualTo(3);
            List<JsonNode> lines = JournalSchema.validLines(jvm.journal());
            JsonNode death = lines.stream().filter(n -> n.path("kind").asText().equals("death")).findFirst()
                    .orElseThrow(() -> new AssertionError(jvm.journal()));
            assertThat(death.path("cause").asText()).isEqualTo("exit");
            assertThat(death.path("exitStatus").asInt()).isEqualTo(3);
            assertThat(death.path("thread").asText()).isEqualTo("library-thread");
            assertThat(death.path("caller").asText()).startsWith("dev.forensics.targets.ExitFromWorker.shutdownLibrary(ExitFromWorker.java:");
            assertThat(death.path("lastWords").asText()).contains("last-words-");
            assertThat(Files.exists(Paths.get(death.path("lastWords").asText()))).isTrue();
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aPreviousRunKilledWithoutLastWordsIsAJsonJournalLineNamingItsPidAndVerdictFile(Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("forensics-structured-bb-").resolve("out");
        long firstPid;
        try (ForkedJvm first = ForkedJvm.on(jdk).dir(dir).agentOptions("heartbeat=1s").start(Idle.class, dir.toString(), "600")) {
            first.awaitStdout("READY", Duration.ofSeconds(30));
            Path box = dir.resolve("black-box-" + first.pid() + ".txt");
            first.await(() -> ForkedJvm.read(box).contains("heartbeats=2"), "two heartbeats in " + box, Duration.ofSeconds(30));
            first.signal("KILL");
            assertThat(first.waitFor()).isEqualTo(128 + 9);
            firstPid = first.pid();
        }
        try (ForkedJvm second = ForkedJvm.on(jdk).dir(dir).agentOptions("journalFormat=json").start(Idle.class, dir.toString(), "0")) {
            assertThat(second.waitFor()).isZero();
            List<JsonNode> lines = JournalSchema.validLines(second.journal());
            JsonNode death = lines.stream().filter(n -> n.path("kind").asText().equals("previous-run")).findFirst()
                    .orElseThrow(() -> new AssertionError(second.journal()));
            assertThat(death.path("level").asText()).isEqualTo("ERROR");
            assertThat(death.path("pid").asLong()).isEqualTo(firstPid);
            assertThat(death.path("message").asText()).contains("previous run (pid " + firstPid + ", started ").contains("died without last words");
            Path verdict = Paths.get(death.path("lastWords").asText());
            assertThat(verdict.getFileName().toString()).startsWith("no-last-words-" + firstPid + "-");
            assertThat(verdict).exists();
            assertAgentClean(second);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aSigtermFromAHostileScriptIsAValidJsonLineWithTheSenderAndNoRawControlCharacter(Jdk jdk) throws Exception {
        Path out = Files.createTempDirectory("forensics-structured-sig-").resolve("out");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).wrappedBy(SignalSenderIT.DEFAULT_SIGNALS).workDir(out.getParent()).agentOptions("journalFormat=json")
                .start(Service.class, out.toString()).awaitStdout("READY", Duration.ofSeconds(60))) {
            char esc = 27;
            ForkedJvm.run("bash", "-c", "kill -TERM " + jvm.pid() + "\n: " + esc + "[2K" + esc + "[1GZürich ✓\nsleep 1\n:");
            assertThat(jvm.waitFor()).isEqualTo(143);
            String journal = jvm.journal();
            assertThat(journal).doesNotContain(String.valueOf(esc)).contains("Zürich ✓");
            List<JsonNode> lines = JournalSchema.validLines(journal);
            JsonNode death = lines.stream().filter(n -> n.path("kind").asText().equals("death")).findFirst()
                    .orElseThrow(() -> new AssertionError(journal));
            assertThat(death.path("category").asText()).isEqualTo("termination");
            assertThat(death.path("cause").asText()).isEqualTo("signal");
            assertThat(death.path("signal").asText()).isEqualTo("SIGTERM");
            assertThat(death.path("exitStatus").asInt()).isEqualTo(143);
            assertThat(death.path("senderPid").asLong()).isPositive();
            assertThat(death.path("message").asText()).startsWith("SIGTERM from pid " + death.path("senderPid").asLong())
                    .contains(" | : \\x1b[2K\\x1b[1GZürich ✓ | sleep 1");
            assertThat(Paths.get(death.path("lastWords").asText())).exists();
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void theDoctorsRisksAreJsonJournalLinesOfKindRiskWithTheirId(Jdk jdk) throws Exception {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).agentOptions("journalFormat=json,envRoot=" + Environments.root("session-v2") + ",log=stderr")
                .classpath(ForkedJvm.classpathWithout("log4j")).start(DoctorReady.class, "out")) {
            assertThat(jvm.waitFor()).isZero();
            List<JsonNode> lines = JournalSchema.validLines(jvm.journal());
            assertThat(lines).filteredOn(n -> n.path("kind").asText().equals("risk")).extracting(n -> n.path("risk").asText())
                    .contains("session-scope", "sighup-ignored");
            JsonNode scope = lines.stream().filter(n -> n.path("risk").asText().equals("session-scope")).findFirst().orElseThrow();
            assertThat(scope.path("level").asText()).isEqualTo("WARN");
            assertThat(scope.path("category").asText()).isEqualTo("doctor");
            assertThat(scope.path("message").asText()).startsWith("risk session-scope: This JVM runs inside the login session scope session-146.scope");
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void theOpenTelemetrySdkOfTheApplicationReceivesALeakAsALogRecordWithItsAttributes(Jdk jdk) throws Exception {
        Path work = LeakTests.workDir();
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(work).start(OtelApp.class, "out", "early")) {
            assertThat(jvm.waitFor(Duration.ofMinutes(2))).as(jvm.stderr()).isZero();
            List<String> records = jvm.stdout().lines().filter(l -> l.startsWith("RECORD ")).collect(Collectors.toList());
            assertThat(records).as(jvm.stdout() + jvm.journal()).hasSize(1);
            assertThat(records.get(0)).startsWith("RECORD ERROR ERROR | 1 response body leaked at ")
                    .contains("/error/otel-first?token=***")
                    .contains("forensics.kind:STRING=leak").contains("forensics.severity:STRING=ERROR").contains("forensics.category:STRING=leak")
                    .contains("forensics.client:STRING=HttpURLConnection").contains("forensics.status:LONG=500").contains("forensics.count:LONG=1")
                    .contains("forensics.site:STRING=dev.forensics.targets.http.UrlConnectionClient.leakErrorBody(")
                    .contains("forensics.url:STRING=http://127.0.0.1:").doesNotContain(HttpBodies.SECRET);
            assertThat(jvm.journal()).contains("findings also go to OpenTelemetry as log records of logger 'forensics'");
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void logRecordsNeedNoTerminationCaptureToTellThatTheApplicationSetUpOpenTelemetry(Jdk jdk) throws Exception {
        Path work = LeakTests.workDir();
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(work).agentOptions("termination=off").start(OtelApp.class, "out", "early")) {
            assertThat(jvm.waitFor(Duration.ofMinutes(2))).as(jvm.stderr()).isZero();
            assertThat(jvm.stdout().lines().filter(l -> l.startsWith("RECORD "))).as(jvm.stdout() + jvm.journal()).singleElement().asString()
                    .contains("/error/otel-first?").contains("forensics.kind:STRING=leak");
            assertThat(jvm.journal()).doesNotContain("cannot be told");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void anApplicationThatSetsUpOpenTelemetryAfterAFindingCanStillDoSoAndGetsTheNextOne(Jdk jdk) throws Exception {
        Path work = LeakTests.workDir();
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(work).start(OtelApp.class, "out", "late")) {
            assertThat(jvm.waitFor(Duration.ofMinutes(2))).as(jvm.stderr()).isZero();
            assertThat(jvm.stdout()).contains("SET UP LATE").contains("RECORDS 1 ISSET true");
            assertThat(jvm.stdout().lines().filter(l -> l.startsWith("RECORD "))).singleElement().asString()
                    .contains("/error/otel-second?").contains("forensics.kind:STRING=leak");
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void withoutOpenTelemetrySetUpNothingChangesAndTheGlobalStaysUnset(Jdk jdk) throws Exception {
        Path work = LeakTests.workDir();
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(work).jvmArg("--add-opens=java.base/java.lang=ALL-UNNAMED").start(OtelApp.class, "out", "never")) {
            assertThat(jvm.waitFor(Duration.ofMinutes(2))).as(jvm.stderr()).isZero();
            assertThat(jvm.stdout()).as("the agent initialised neither OpenTelemetry's API nor, through it, java.util.logging")
                    .contains("LOGGING STARTED false").contains("RECORDS 0 ISSET false").contains("DONE");
            assertThat(jvm.journal()).contains("1 response body leaked at").doesNotContain("OpenTelemetry");
            assertAgentClean(jvm);
        }
    }
}
