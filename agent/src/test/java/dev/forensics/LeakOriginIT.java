package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.targets.http.HttpBodies;
import dev.forensics.targets.http.OriginSites;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import dev.forensics.testing.LeakTests;
import java.io.File;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Leak sites named by the application's line, at default settings, on JDK 17 and 25: a rare leaking call among
 * thousands of correct ones from deep stacks (which spend the stack budget), an application class under
 * {@code org.apache.hc.} that is not the client's jar, a call through a wrapper library jar, and a site that keeps
 * leaking, whose running total the journal tells while the JVM runs.
 */
class LeakOriginIT {
    private static final String PKG = "dev.forensics.targets.http.OriginSites.";

    static List<Jdk> jdks() {
        return Jdk.all().collect(Collectors.toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void everyLeakingSiteIsNamedByTheApplicationsLineAndARepeatingOneByItsRunningTotal(Jdk jdk) throws Exception {
        Path work = LeakTests.workDir();
        Path jfr = work.resolve("app.jfr");
        String classpath = wrapperJar(work) + File.pathSeparator + ForkedJvm.targetClasspath();
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(work).recording(jfr).classpath(classpath).start(OriginSites.class, "out")) {
            assertThat(jvm.waitFor(Duration.ofMinutes(4))).as(jvm.stderr()).isZero();
            assertThat(jvm.stdout()).contains("LEAKED").contains("DONE");
            String journal = jvm.journal();
            List<String> leaks = journal.lines().filter(l -> l.contains(" leaked at ")).collect(Collectors.toList());

            // A site the sampler would miss behind the busy loop's stacks.
            assertThat(leaks).as(journal).anyMatch(l -> l.contains("1 response body leaked at " + PKG + "rareLeak(OriginSites.java:")
                    && l.contains("/error/rare?token=*** → 500 (Apache HttpClient 5, entity)"));
            // A body of a named site's request may still miss its stack while the sampler is busy (the shape's first
            // bodies took theirs already), but no site is known only as unsampled.
            for (String l : leaks) {
                if (l.contains("at an unsampled call site — ")) {
                    String request = l.substring(l.indexOf(" — ") + 3, l.indexOf(")") + 1);
                    assertThat(leaks).as("a named site for " + request).anyMatch(n -> !n.contains("unsampled") && n.contains(request));
                }
            }

            // Under the client's package but from the test classes directory: the application's line.
            assertThat(leaks).anyMatch(l -> l.contains("1 response body leaked at org.apache.hc.forensicsit.ApacheSideApp.leak(ApacheSideApp.java:")
                    && l.contains("/error/hc?token=***"));
            assertThat(journal).containsPattern("origin stack of bodies obtained at org\\.apache\\.hc\\.forensicsit\\.ApacheSideApp\\.leak\\("
                    + "[^\\n]* via org\\.apache\\.hc\\.client5\\.[^\\n]* from " + Pattern.quote(PKG) + "main\\(");

            // The wrapper library's frame sits between the application's line and the client: listed, not the headline.
            assertThat(leaks).anyMatch(l -> l.contains("1 response body leaked at " + PKG + "viaWrapper(OriginSites.java:")
                    && l.contains("/error/wrapped?token=***"));
            assertThat(journal).containsPattern("origin stack of bodies obtained at " + Pattern.quote(PKG) + "viaWrapper\\([^\\n]*"
                    + " via com\\.example\\.wrapperlib\\.Wrapper\\.fetch\\(Wrapper\\.java:\\d+\\)");

            // The repeating site: named once, then a running total while the JVM runs.
            assertThat(journal).containsPattern("ERROR  leak         \\d+ response bod(y|ies) leaked at " + Pattern.quote(PKG)
                    + "keepLeaking\\(OriginSites\\.java:\\d+\\) \\(total \\d+ since \\d\\d:\\d\\d:\\d\\d\\) — GET http://127\\.0\\.0\\.1:\\d+/error/again\\?token=\\*\\*\\* → 500");
            assertThat(journal).doesNotContain(HttpBodies.SECRET);
            assertAgentClean(jvm);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(jfr).stream()
                .filter(e -> e.getEventType().getName().equals("forensics.ResponseBodyLeak")).collect(Collectors.toList());
        assertThat(events).anyMatch(e -> e.getString("originSite").startsWith("org.apache.hc.forensicsit.ApacheSideApp.leak(")
                && e.getString("originStack").contains("via org.apache.hc.client5."));
        assertThat(events).anyMatch(e -> e.getString("originSite").startsWith(PKG + "viaWrapper("));
    }

    /** The wrapper library as a jar of its own, built from its compiled class; it goes ahead of the test classes. */
    private static Path wrapperJar(Path work) throws Exception {
        String entry = "com/example/wrapperlib/Wrapper.class";
        Path compiled = Paths.get("target", "test-classes", entry);
        Path jar = work.resolve("wrapperlib-1.0.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
            j.putNextEntry(new JarEntry(entry));
            j.write(Files.readAllBytes(compiled));
            j.closeEntry();
        }
        return jar;
    }
}
