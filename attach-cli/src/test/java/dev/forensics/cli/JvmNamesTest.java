package dev.forensics.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class JvmNamesTest {
    static final String LAUNCHER = "org.springframework.boot.loader.launch.JarLauncher";

    @Test
    void aSpringBootJarNamesItsLauncherAndItsApplicationClass(@TempDir Path dir) throws Exception {
        Path jar = TestJars.springBoot(dir.resolve("app.jar"), "dev.trial.App");
        assertThat(JvmNames.read(jar)).isEqualTo(new JvmNames.JarMain(LAUNCHER, "dev.trial.App"));
        Path plain = TestJars.jar(dir.resolve("plain.jar"), Map.of("Main-Class", "com.acme.Main"), Map.of());
        assertThat(JvmNames.read(plain)).isEqualTo(new JvmNames.JarMain("com.acme.Main", null));
    }

    @Test
    void aServiceAnswersToItsJarItsStartClassAndItsLauncherInFullOrByTheirLastParts() {
        JvmNames.Names n = new JvmNames.Names("/opt/trial/app.jar", LAUNCHER, "dev.trial.App");
        for (String name : new String[] {"app.jar", "/opt/trial/app.jar", "trial/app.jar", "dev.trial.App", "trial.App", "App",
                LAUNCHER, "JarLauncher", "launch.JarLauncher"}) {
            assertThat(n.answersTo(name)).as(name).isTrue();
        }
        for (String name : new String[] {"pp", "other.App", "PropertiesLauncher", "dev.trial", "app"}) {
            assertThat(n.answersTo(name)).as(name).isFalse();
        }
        JvmNames.Names classic = new JvmNames.Names("com.acme.Service", null, null);
        assertThat(classic.answersTo("Service")).isTrue();
        assertThat(classic.answersTo("App")).isFalse();
    }

    @Test
    void onlyJarsAreLookedInto() {
        assertThat(JvmNames.isJar("app.jar")).isTrue();
        assertThat(JvmNames.isJar("/srv/APP.JAR")).isTrue();
        assertThat(JvmNames.isJar("shop.war")).isTrue();
        assertThat(JvmNames.isJar("com.acme.Service")).isFalse();
        assertThat(JvmNames.of(ProcessHandle.current().pid(), "com.acme.Service --password=x"))
                .isEqualTo(new JvmNames.Names("com.acme.Service", null, null));
    }

    /** A relative jar is the JVM's working directory's; an absolute one, and absolute links, are under the JVM's root. */
    @Test
    void theJarIsFoundFromTheJvmsWorkingDirectoryOrItsRootAndLinksStayInThatRoot(@TempDir Path dir) throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path cwd = Files.createDirectories(root.resolve("srv/trial"));
        Path jar = TestJars.springBoot(Files.createDirectories(root.resolve("opt/releases")).resolve("app-1.2.jar"), "dev.trial.App");
        Files.createSymbolicLink(cwd.resolve("app.jar"), Path.of("/opt/releases/app-1.2.jar"));
        Files.createSymbolicLink(cwd.resolve("rel.jar"), Path.of("../../opt/releases/app-1.2.jar"));

        assertThat(JvmNames.locate(root, cwd, "app.jar")).isEqualTo(jar);
        assertThat(JvmNames.locate(root, cwd, "rel.jar")).isEqualTo(root.resolve("srv/trial/../../opt/releases/app-1.2.jar"));
        assertThat(JvmNames.locate(root, cwd, "/opt/releases/app-1.2.jar")).isEqualTo(jar);
        assertThat(JvmNames.locate(root, Path.of("/"), "/srv/trial/app.jar")).isEqualTo(jar);
        assertThat(JvmNames.locate(root, cwd, "missing.jar")).isNull();
        assertThat(JvmNames.locate(root, cwd, "/opt")).as("a directory").isNull();

        Files.createSymbolicLink(cwd.resolve("loop.jar"), Path.of("loop.jar"));
        assertThat(JvmNames.locate(root, cwd, "loop.jar")).isNull();
        Files.createSymbolicLink(cwd.resolve("tty.jar"), Path.of("/dev/null"));
        assertThat(JvmNames.locate(root, cwd, "tty.jar")).as("/dev/null inside the JVM's root does not exist").isNull();
        assertThat(JvmNames.locate(Path.of("/"), cwd, "tty.jar")).as("a device").isNull();
    }

    /** Opening a FIFO for reading blocks until a writer comes: one named *.jar, or linked to, is never opened. */
    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void aFifoNamedJarIsNeverOpened(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("evil.jar");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
        Files.createSymbolicLink(dir.resolve("link.jar"), fifo);
        assertThat(JvmNames.locate(dir, dir, "evil.jar")).isNull();
        assertThat(JvmNames.locate(dir, dir, "link.jar")).isNull();
        assertThat(CompletableFuture.supplyAsync(() -> JvmNames.read(fifo)).get(10, TimeUnit.SECONDS)).isNull();
        assertThat(CompletableFuture.supplyAsync(() -> JvmNames.read(dir.resolve("link.jar"))).get(10, TimeUnit.SECONDS)).isNull();
    }

    @Test
    void aJarThatCannotBeReadOrLiesInItsManifestGivesNoNames(@TempDir Path dir) throws Exception {
        assertThat(JvmNames.read(Files.writeString(dir.resolve("text.jar"), "not a zip"))).isNull();
        assertThat(JvmNames.read(TestJars.jar(dir.resolve("none.jar"), Map.of(), Map.of()))).isEqualTo(new JvmNames.JarMain(null, null));

        Path forged = TestJars.jar(dir.resolve("forged.jar"), Map.of("Main-Class", "JarLauncher", "Start-Class", "dev.App   4242  ? root"), Map.of());
        assertThat(JvmNames.read(forged)).as("a value that is no class name, which could forge a list line").isEqualTo(new JvmNames.JarMain("JarLauncher", null));

        // A manifest past 1 MiB (highly compressible, so the jar itself is small) is not read.
        Path huge = dir.resolve("huge.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(huge))) {
            out.putNextEntry(new JarEntry("META-INF/MANIFEST.MF"));
            ByteArrayOutputStream m = new ByteArrayOutputStream();
            m.write("Manifest-Version: 1.0\r\nStart-Class: dev.trial.App\r\n".getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 40_000; i++) {
                m.write(("X-Padding-" + i + ": " + "a".repeat(40) + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            out.write(m.toByteArray());
            out.closeEntry();
        }
        assertThat(Files.size(huge)).isLessThan(JvmNames.MAX_MANIFEST_BYTES);
        assertThat(JvmNames.read(huge)).isNull();
    }

    @Test
    void loaderMainIsTakenFromTheJvmOptionsOnlyNeverFromTheApplicationsArguments() {
        assertThat(Proc.systemPropertyOption(new String[] {"java", "-Xmx1g", "-Dloader.main=dev.trial.App", "-jar", "app.jar"}, "loader.main"))
                .isEqualTo("dev.trial.App");
        assertThat(Proc.systemPropertyOption(new String[] {"java", "-Dloader.main=a.A", "-Dloader.main=b.B", "-jar", "app.jar"}, "loader.main"))
                .as("the last one wins").isEqualTo("b.B");
        assertThat(Proc.systemPropertyOption(new String[] {"java", "-jar", "app.jar", "-Dloader.main=dev.Evil"}, "loader.main")).isNull();
        assertThat(Proc.systemPropertyOption(new String[] {"java", "-Dloader.main=a.A", "a.Main"}, "loader.main")).as("no -jar").isNull();
    }
}
