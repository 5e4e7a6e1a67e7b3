package dev.forensics.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;

/** A JDK that agent tests fork target JVMs on. Every agent test runs on 17 and on Temurin 25. */
public record Jdk(String name, Path home) {

    /** OpenJDK 17 (the JDK running the build when it is 17) and Temurin 25 from {@code forensics.jdk25}. */
    public static Stream<Jdk> all() {
        return Stream.of(jdk17(), jdk25());
    }

    public static Jdk jdk17() {
        Path running = Paths.get(System.getProperty("java.home"));
        if (Runtime.version().feature() == 17) {
            return new Jdk("17", running);
        }
        return new Jdk("17", Paths.get("/usr/lib/jvm/java-17-openjdk-amd64"));
    }

    public static Jdk jdk25() {
        return new Jdk("25", Paths.get(System.getProperty("forensics.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64")));
    }

    public Path java() {
        return home.resolve("bin").resolve("java");
    }

    public boolean present() {
        return Files.isExecutable(java());
    }

    /** Skips the test, visibly, when this JDK is not installed on the machine. */
    public Jdk require() {
        assumeTrue(present(), "JDK " + name + " not found at " + home + "; skipping the JDK " + name + " run of this test");
        return this;
    }

    @Override
    public String toString() {
        return "JDK " + name;
    }
}
