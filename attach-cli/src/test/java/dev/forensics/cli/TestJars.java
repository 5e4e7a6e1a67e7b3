package dev.forensics.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Jars built at test time: a manifest with the given main attributes, and the given entries. */
final class TestJars {
    private TestJars() {}

    static Path jar(Path file, Map<String, String> mainAttributes, Map<String, byte[]> entries) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mainAttributes.forEach((k, v) -> m.getMainAttributes().putValue(k, v));
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, m)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                jar.putNextEntry(new JarEntry(e.getKey()));
                jar.write(e.getValue());
                jar.closeEntry();
            }
        }
        return file;
    }

    /** Spring Boot 3's layout as the CLI sees it: its launcher as Main-Class, the application as Start-Class. */
    static Path springBoot(Path file, String startClass) throws IOException {
        return jar(file, Map.of("Main-Class", "org.springframework.boot.loader.launch.JarLauncher", "Start-Class", startClass), Map.of());
    }
}
