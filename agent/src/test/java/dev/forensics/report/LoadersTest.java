package dev.forensics.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadersTest {
    @TempDir
    Path dir;

    @Test
    void aLoaderIsKnownFromItsFirstClassAndAnsweresForItsResources() throws IOException {
        Path lib = Files.createDirectories(dir.resolve("lib/org/example"));
        Files.writeString(lib.resolve("Only.txt"), "x");
        URLClassLoader app = new URLClassLoader("app-under-test", new URL[] {dir.resolve("lib").toUri().toURL()}, null);
        int before = Loaders.generation();
        assertThat(Loaders.withResource("org/example/Only.txt")).isNull();

        Loaders.saw(app);
        Loaders.saw(app);

        assertThat(Loaders.generation()).isEqualTo(before + 1);
        assertThat(Loaders.all()).startsWith(ClassLoader.getSystemClassLoader()).contains(app);
        assertThat(Loaders.withResource("org/example/Only.txt")).isSameAs(app);
        assertThat(Loaders.describe(app)).isEqualTo("URLClassLoader 'app-under-test'");
        assertThat(Loaders.describe(ClassLoader.getSystemClassLoader())).isEqualTo("the system class loader");
    }

    @Test
    void theBootstrapLoaderIsNeverRemembered() {
        int before = Loaders.generation();
        Loaders.saw(null);
        assertThat(Loaders.generation()).isEqualTo(before);
        assertThat(Loaders.all()).doesNotContainNull();
    }

    @Test
    void aLoaderNobodyHoldsIsForgotten() throws Exception {
        URLClassLoader gone = new URLClassLoader(new URL[0], null);
        Loaders.saw(gone);
        int size = Loaders.all().size();
        gone = null;
        Loaders.saw(new URLClassLoader(new URL[0], null)); // moves "last seen" off the dropped loader
        for (int i = 0; i < 50 && Loaders.all().size() > size; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(Loaders.all().size()).isLessThanOrEqualTo(size);
    }
}
