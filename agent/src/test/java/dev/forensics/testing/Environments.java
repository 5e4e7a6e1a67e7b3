package dev.forensics.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * Fixture roots under {@code src/test/resources/environments/}: the files of real machines ({@code /proc},
 * {@code /sys/fs/cgroup}, {@code /etc/systemd} …) that the doctor and the black box read through {@code envRoot}.
 * Tests that vary one file work on a copy.
 */
public final class Environments {
    private Environments() {}

    public static Path root(String name) {
        Path p = Paths.get("src/test/resources/environments", name).toAbsolutePath();
        if (!Files.isDirectory(p)) {
            throw new IllegalArgumentException("no fixture environment " + p);
        }
        return p;
    }

    /** A private copy of a fixture root, for tests that change a file in it. */
    public static Path copy(String name) {
        try {
            Path target = Files.createTempDirectory("forensics-env-" + name + "-");
            Path source = root(name);
            try (Stream<Path> files = Files.walk(source)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Path t = target.resolve(source.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(t);
                    } else {
                        Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void write(Path root, String systemPath, String content) {
        try {
            Path p = root.resolve(systemPath.substring(1));
            Files.createDirectories(p.getParent());
            Files.writeString(p, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
