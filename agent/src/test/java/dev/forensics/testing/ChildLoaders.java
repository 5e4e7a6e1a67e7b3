package dev.forensics.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.forensics.targets.AgentReady;
import dev.forensics.targets.ChildLoaderLauncher;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Class paths for targets run by {@link ChildLoaderLauncher}: the JVM's class path holds the launcher alone, and the
 * application (the test classes and the jars a test names) lives in a child loader the system loader cannot see, as
 * under Spring Boot's launcher. SLF4J with Logback or Log4j 2 comes from {@code target/it-libs/logback} or
 * {@code target/it-libs/log4j}, never the test class path.
 */
public final class ChildLoaders {
    public static final Path LOGBACK_LIBS = Paths.get(System.getProperty("forensics.logback.libs", "target/it-libs/logback")).toAbsolutePath();
    public static final Path LOG4J_LIBS = Paths.get(System.getProperty("forensics.log4j.libs", "target/it-libs/log4j")).toAbsolutePath();

    public static final Path MICROMETER_LIBS = Paths.get(System.getProperty("forensics.micrometer.libs", "target/it-libs/micrometer")).toAbsolutePath();
    public static final Path OTEL_LIBS = Paths.get(System.getProperty("forensics.otel.libs", "target/it-libs/otel")).toAbsolutePath();

    private ChildLoaders() {}

    /** The test classes plus Micrometer (micrometer-core and what it needs). */
    public static String withMicrometer() {
        return withLibs(MICROMETER_LIBS, "Micrometer");
    }

    /** The test classes plus the OpenTelemetry API, SDK and its testing module (InMemoryMetricReader). */
    public static String withOtel() {
        return withLibs(OTEL_LIBS, "OpenTelemetry SDK");
    }

    /** A directory in {@code work} with the launcher's classes only: the forked JVM's whole class path. */
    public static String launcherOnly(Path work) {
        Path dir = work.resolve("launcher");
        for (Class<?> c : List.of(ChildLoaderLauncher.class, AgentReady.class)) {
            String file = c.getName().replace('.', '/') + ".class";
            try {
                Path to = dir.resolve(file);
                Files.createDirectories(to.getParent());
                Files.copy(testClasses().resolve(file), to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir.toString();
    }

    public static Path testClasses() {
        try {
            return Paths.get(ChildLoaderLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The test classes plus SLF4J 2 and Logback. */
    public static String withLogback() {
        return withLibs(LOGBACK_LIBS, "SLF4J and Logback");
    }

    /** The test classes plus SLF4J 2 and Log4j 2 (log4j-slf4j2-impl). */
    public static String withLog4j() {
        return withLibs(LOG4J_LIBS, "SLF4J and Log4j 2");
    }

    private static String withLibs(Path libs, String what) {
        assumeTrue(Files.isDirectory(libs), what + " jars not copied to " + libs + " (run through mvn verify)");
        List<String> entries = new ArrayList<>(List.of(testClasses().toString()));
        try (Stream<Path> jars = Files.list(libs)) {
            jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> entries.add(p.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return String.join(File.pathSeparator, entries);
    }

    /** The test classes plus the test class path's entries whose path contains one of the texts, e.g. "/org/slf4j/". */
    public static String withTestJars(String... texts) {
        List<String> entries = new ArrayList<>(List.of(testClasses().toString()));
        entries.addAll(Arrays.stream(ForkedJvm.targetClasspath().split(File.pathSeparator))
                .filter(p -> Arrays.stream(texts).anyMatch(p::contains)).collect(Collectors.toList()));
        return String.join(File.pathSeparator, entries);
    }
}
