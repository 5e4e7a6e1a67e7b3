package dev.forensics.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Work directories for the leak tests under target/, where nothing else on the machine tidies /tmp away mid-test. */
public final class LeakTests {
    private LeakTests() {}

    public static Path workDir() {
        try {
            Path base = Paths.get("target", "leak-it").toAbsolutePath();
            Files.createDirectories(base);
            return Files.createTempDirectory(base, "run-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
