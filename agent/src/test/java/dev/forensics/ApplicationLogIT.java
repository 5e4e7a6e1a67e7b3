package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.targets.ChildLoaderLauncher;
import dev.forensics.targets.http.LoggingApp;
import dev.forensics.testing.ChildLoaders;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import dev.forensics.testing.LeakTests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Findings in the application's own log when its SLF4J and Logback or Log4j 2 live in a child class loader the system loader
 * cannot see (as in a Spring Boot fat jar's {@code BOOT-INF/lib}): at the finding's level, named once in the journal,
 * and an ERROR finding that the application's configuration would hide still reaches stderr.
 */
class ApplicationLogIT {
    static final String APPENDER = "<appender name=\"FILE\" class=\"ch.qos.logback.core.FileAppender\"><file>%s</file>"
            + "<encoder><pattern>%%level %%logger - %%msg%%n</pattern></encoder></appender>";

    static final String LOG4J_APPENDER = "<Appenders><File name=\"FILE\" fileName=\"%s\"><PatternLayout pattern=\"%%level %%logger - %%msg%%n\"/></File></Appenders>";

    static Stream<Arguments> jdksAndFrameworks() {
        return Jdk.all().flatMap(jdk -> Stream.of(Arguments.of(jdk, "logback"), Arguments.of(jdk, "log4j")));
    }

    static Stream<Arguments> jdksAndQuietConfigurations() {
        return Jdk.all().flatMap(jdk -> Stream.of("logback", "log4j").flatMap(framework ->
                Stream.of(Arguments.of(jdk, framework, "off"), Arguments.of(jdk, framework, "no-appender"))));
    }

    /** The same three configurations for Log4j 2, in {@code log4j2.xml}. */
    static Path log4j(Path work, String quiet) throws Exception {
        String appenders = String.format(LOG4J_APPENDER, work.resolve("app.log"));
        String loggers = switch (quiet) {
            case "off" -> "<Logger name=\"forensics\" level=\"off\"/><Root level=\"info\"><AppenderRef ref=\"FILE\"/></Root>";
            case "no-appender" -> "<Logger name=\"dev.forensics\" level=\"info\"><AppenderRef ref=\"FILE\"/></Logger><Root level=\"info\"/>";
            default -> "<Root level=\"info\"><AppenderRef ref=\"FILE\"/></Root>";
        };
        Path xml = work.resolve("log4j2.xml");
        Files.writeString(xml, "<Configuration status=\"warn\">" + appenders + "<Loggers>" + loggers + "</Loggers></Configuration>\n");
        return xml;
    }

    /** A Logback configuration writing to {@code app.log} in {@code work}; {@code quiet} hides logger 'forensics'. */
    static Path logback(Path work, String quiet) throws Exception {
        String appender = String.format(APPENDER, work.resolve("app.log"));
        String loggers = switch (quiet) {
            case "off" -> "<logger name=\"forensics\" level=\"OFF\"/><root level=\"INFO\"><appender-ref ref=\"FILE\"/></root>";
            case "no-appender" -> "<logger name=\"dev.forensics\" level=\"INFO\"><appender-ref ref=\"FILE\"/></logger><root level=\"INFO\"/>";
            default -> "<root level=\"INFO\"><appender-ref ref=\"FILE\"/></root>";
        };
        Path xml = work.resolve("logback.xml");
        Files.writeString(xml, "<configuration>" + appender + loggers + "</configuration>\n");
        return xml;
    }

    static ForkedJvm start(Jdk jdk, Path work, String quiet, String early) throws Exception {
        return start(jdk, "logback", work, quiet, early);
    }

    static ForkedJvm start(Jdk jdk, String framework, Path work, String quiet, String early) throws Exception {
        boolean log4j = framework.equals("log4j");
        return ForkedJvm.on(jdk).workDir(work).classpath(ChildLoaders.launcherOnly(work))
                .jvmArg(log4j ? "-Dlog4j2.configurationFile=" + log4j(work, quiet) : "-Dlogback.configurationFile=" + logback(work, quiet))
                .start(ChildLoaderLauncher.class, early, log4j ? ChildLoaders.withLog4j() : ChildLoaders.withLogback(), LoggingApp.class.getName(), "out");
    }

    static List<String> lines(String text, String containing) {
        return text.lines().filter(l -> l.contains(containing)).collect(Collectors.toList());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("jdksAndFrameworks")
    void errorFindingLandsInTheApplicationsLogFileAtErrorWhenSlf4jLivesInAChildLoader(Jdk jdk, String framework) throws Exception {
        Path work = LeakTests.workDir();
        try (ForkedJvm jvm = start(jdk, framework, work, "shown", "-")) {
            assertThat(jvm.waitFor(Duration.ofMinutes(2))).as(jvm.stderr()).isZero();
            assertThat(jvm.stdout()).contains("DONE");
            String log = ForkedJvm.read(work.resolve("app.log"));
            assertThat(log).contains("INFO dev.forensics.targets.http.LoggingApp - application started");
            assertThat(lines(log, "forensics - ")).as(log).hasSize(1).first().asString()
                    .startsWith("ERROR forensics - 1 response body leaked").contains("/error/app?token=***");
            String journal = jvm.journal();
            assertThat(journal).containsPattern("findings go to SLF4J logger 'forensics' \\("
                    + (framework.equals("log4j") ? "Log4j 2 2\\.\\d+\\.\\d+" : "Logback 1\\.5\\.\\d+") + " via URLClassLoader 'app'\\)");
            assertThat(lines(journal, "findings go to")).hasSize(1);
            assertThat(jvm.stderr()).doesNotContain("[forensics]").doesNotContain("response body leaked");
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("jdksAndQuietConfigurations")
    void errorFindingTheApplicationsLogWouldHideReachesStderrOnceAndTheJournalSaysHowToShowIt(Jdk jdk, String framework, String quiet) throws Exception {
        Path work = LeakTests.workDir();
        try (ForkedJvm jvm = start(jdk, framework, work, quiet, "-")) {
            assertThat(jvm.waitFor(Duration.ofMinutes(2))).as(jvm.stderr()).isZero();
            String log = ForkedJvm.read(work.resolve("app.log"));
            assertThat(log).contains("application started").doesNotContain("forensics - ");
            assertThat(lines(jvm.stderr(), "[forensics] 1 response body leaked")).as(jvm.stderr()).hasSize(1).first().asString()
                    .contains("/error/app?token=***");
            String journal = jvm.journal();
            assertThat(lines(journal, "the application's log hides ERROR findings of logger 'forensics'")).as(journal).hasSize(1).first().asString()
                    .contains(quiet.equals("off") ? "above ERROR, or OFF" : "no appender reachable")
                    .contains(framework.equals("log4j") ? "<Logger name=\"forensics\" level=\"info\">" : "<logger name=\"forensics\" level=\"INFO\"/>");
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aFindingBeforeTheApplicationsLoaderExistsGoesToStderrAndTheNextToItsLogOnceItAppears(Jdk jdk) throws Exception {
        Path work = LeakTests.workDir();
        try (ForkedJvm jvm = start(jdk, work, "shown", ChildLoaders.testClasses().toString())) {
            assertThat(jvm.waitFor(Duration.ofMinutes(2))).as(jvm.stderr()).isZero();
            assertThat(lines(jvm.stderr(), "[forensics] 1 response body leaked")).as(jvm.stderr()).hasSize(1).first().asString()
                    .contains("/error/chat?token=***");
            String log = ForkedJvm.read(work.resolve("app.log"));
            assertThat(lines(log, "forensics - ")).as(log).hasSize(1).first().asString()
                    .startsWith("ERROR forensics - 1 response body leaked").contains("/error/app?token=***");
            String journal = jvm.journal();
            int miss = journal.indexOf("no SLF4J provider in any application loader yet");
            int found = journal.indexOf("findings go to SLF4J logger 'forensics' (Logback");
            assertThat(miss).as(journal).isPositive();
            assertThat(found).as(journal).isGreaterThan(miss);
            assertAgentClean(jvm);
        }
    }
}
