package dev.forensics.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.cli.targets.boot.JarLauncher;
import dev.forensics.cli.targets.boot.TrialApp;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A service started as {@code java -jar app.jar}, laid out as Spring Boot lays out its jars: the manifest's
 * Main-Class is a launcher named {@code JarLauncher}, its Start-Class the application. An operator names it by the
 * application class, the launcher or the jar, and {@code forensics list} shows the application class.
 */
class JarLaunchedIT {
    static final Path TEST_CLASSES = Paths.get("target/test-classes").toAbsolutePath();
    static final String APP = TrialApp.class.getName();
    static final String LAUNCHER = JarLauncher.class.getName();

    @Test
    void aJarLaunchedServiceIsReachedByItsStartClassItsLauncherAndItsJar() throws Exception {
        Path work = Files.createTempDirectory("forensics-jar-");
        String jarName = "trial-" + ProcessHandle.current().pid() + ".jar";
        trialJar(work.resolve(jarName));
        try (ForkedJvm jvm = ForkedJvm.on(Jdk.jdk17()).workDir(work).startJar(Paths.get(jarName))) {
            jvm.awaitStdout("READY", Duration.ofSeconds(30)).awaitJournal("hooks active", Duration.ofSeconds(30));
            String pid = Long.toString(jvm.pid());

            Cli.Result listed = Cli.run(Jdk.jdk17(), work, "list", pid);
            assertThat(listed.exit()).as(listed.toString()).isZero();
            assertThat(listed.stdout()).as(listed.toString()).contains(jarName + " (" + APP + ")");
            Cli.Result byApp = Cli.run(Jdk.jdk17(), work, "list", "--json", TrialApp.class.getSimpleName());
            assertThat(byApp.stdout()).as("the filter sees the Start-Class too").contains("\"pid\":" + pid)
                    .contains("\"main\":\"" + jarName + "\",\"startClass\":\"" + APP + "\"");

            for (String name : new String[] {TrialApp.class.getSimpleName(), APP, LAUNCHER, jarName}) {
                Cli.Result r = Cli.run(Jdk.jdk17(), work, "report", "--json", name);
                assertThat(r.exit()).as(name + ": " + r).isZero();
                assertThat(r.stdout()).as(name + ": " + r).startsWith("{\"pid\":" + pid).contains("\"hooksActive\":");
            }
            Cli.Result text = Cli.run(Jdk.jdk17(), work, "report", "JarLauncher");
            if (text.exit() == ExitCodes.USAGE) {
                // A real Spring Boot service elsewhere on this machine answers to JarLauncher too: the rule for several matches.
                assertThat(text.stderr()).as(text.toString()).contains("'JarLauncher' matches several JVMs (pids ").contains(pid).contains("give the pid");
            } else {
                assertThat(text.exit()).as(text.toString()).isZero();
                assertThat(text.stdout()).as(text.toString()).contains("forensics ").contains("JVM: up ");
            }

            Cli.Result unknown = Cli.run(Jdk.jdk17(), work, "report", "dev.trial.NoSuchApp");
            assertThat(unknown.exit()).as(unknown.toString()).isEqualTo(ExitCodes.NO_SUCH_PROCESS);
            assertThat(unknown.stderr()).contains("no JVM of this user has the main class or jar 'dev.trial.NoSuchApp'");
        }
    }

    /** Without the agent, attach finds the service by its Start-Class too (the jar is read without attaching). */
    @Test
    void attachFindsAJarLaunchedServiceWithoutTheAgentByItsStartClass() throws Exception {
        Path work = Files.createTempDirectory("forensics-jar-");
        Path jar = trialJar(work.resolve("trial-" + ProcessHandle.current().pid() + "-attach.jar"));
        try (ForkedJvm jvm = ForkedJvm.on(Jdk.jdk17()).noAgent().workDir(work).startJar(jar)) {
            jvm.awaitStdout("READY", Duration.ofSeconds(30));
            String pid = Long.toString(jvm.pid());
            Cli.Result attached = Cli.run(Jdk.jdk17(), work, "attach", APP, "dir=" + jvm.dir() + ",doctor=off");
            assertThat(attached.exit()).as(attached.toString()).isZero();
            assertThat(attached.stdout()).contains("into pid " + pid);
            Cli.Result report = Cli.run(Jdk.jdk17(), work, "report", "--json", TrialApp.class.getSimpleName());
            assertThat(report.exit()).as(report.toString()).isZero();
            assertThat(report.stdout()).startsWith("{\"pid\":" + pid);
        }
    }

    /** Main-Class: the test's JarLauncher; Start-Class: TrialApp; both classes at the jar's root. */
    static Path trialJar(Path file) throws Exception {
        Map<String, byte[]> classes = new LinkedHashMap<>();
        for (Class<?> c : new Class<?>[] {JarLauncher.class, TrialApp.class}) {
            String entry = c.getName().replace('.', '/') + ".class";
            classes.put(entry, Files.readAllBytes(TEST_CLASSES.resolve(entry)));
        }
        return TestJars.jar(file, Map.of("Main-Class", LAUNCHER, "Start-Class", APP), classes);
    }
}
