package dev.forensics.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Class paths for targets that need a library the test JVM cannot hold at the same time: OkHttp 5 (okhttp-jvm) shares
 * package names with OkHttp 4, so its targets get the test class path without OkHttp 4, Okio and Kotlin, plus the jars
 * maven-dependency-plugin copied to {@code target/it-libs/okhttp5}; Jetty 12.1's targets get it without Jetty 12.0,
 * plus {@code target/it-libs/jetty121}.
 */
public final class TargetClasspaths {
    public static final Path OKHTTP5_LIBS = Paths.get(System.getProperty("forensics.okhttp5.libs", "target/it-libs/okhttp5")).toAbsolutePath();
    public static final Path JETTY121_LIBS = Paths.get(System.getProperty("forensics.jetty121.libs", "target/it-libs/jetty121")).toAbsolutePath();

    /** The Reactor Netty 1.3 version copied there (the parent pom's reactor-netty13.version). */
    public static final String REACTOR_NETTY13_VERSION = System.getProperty("forensics.reactornetty13.version", "1.3.7");
    public static final Path REACTOR_NETTY13_LIBS = Paths.get(System.getProperty("forensics.reactornetty13.libs", "target/it-libs/reactor-netty13")).toAbsolutePath();

    private TargetClasspaths() {}

    /** The test class path without Reactor Netty 1.2, Netty 4.1, Reactor and Spring, plus Reactor Netty 1.3's jars. */
    public static String reactorNetty13() {
        List<String> entries = Arrays.stream(ForkedJvm.targetClasspath().split(File.pathSeparator))
                .filter(p -> !p.contains("/io/netty/") && !p.contains("/io/projectreactor/") && !p.contains("/org/reactivestreams/")
                        && !p.contains("/org/springframework/") && !p.contains("/io/micrometer/"))
                .collect(Collectors.toCollection(ArrayList::new));
        assumeTrue(Files.isDirectory(REACTOR_NETTY13_LIBS), "Reactor Netty 1.3 jars not copied to " + REACTOR_NETTY13_LIBS + " (run through mvn verify)");
        try (Stream<Path> jars = Files.list(REACTOR_NETTY13_LIBS)) {
            jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> entries.add(p.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return String.join(File.pathSeparator, entries);
    }

    /** The class path a target for this client runs with: the test class path, or the OkHttp 5 or Jetty 12.1 one. */
    public static String forClient(String client) {
        switch (client) {
            case "okhttp5":
                return okhttp5();
            case "jetty121":
                return jetty121();
            default:
                return ForkedJvm.targetClasspath();
        }
    }

    public static String okhttp5() {
        return replacing(OKHTTP5_LIBS, "OkHttp 5", "/com/squareup/okhttp3/", "/com/squareup/okio/", "/org/jetbrains/kotlin/");
    }

    public static String jetty121() {
        return replacing(JETTY121_LIBS, "Jetty 12.1", "/org/eclipse/jetty/");
    }

    /** The test class path without the entries under any of {@code dropped}, plus the jars in {@code libs}. */
    private static String replacing(Path libs, String what, String... dropped) {
        List<String> entries = Arrays.stream(ForkedJvm.targetClasspath().split(File.pathSeparator))
                .filter(p -> Arrays.stream(dropped).noneMatch(p::contains))
                .collect(Collectors.toCollection(ArrayList::new));
        assumeTrue(Files.isDirectory(libs), what + " jars not copied to " + libs + " (run through mvn verify)");
        try (Stream<Path> jars = Files.list(libs)) {
            jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> entries.add(p.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return String.join(File.pathSeparator, entries);
    }
}
