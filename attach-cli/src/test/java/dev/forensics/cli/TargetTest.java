package dev.forensics.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetTest {

    @Test
    void javaVersionsAreReadFromBothSpecificationStyles() {
        assertThat(Target.featureVersion("1.8")).isEqualTo(8);
        assertThat(Target.featureVersion("11")).isEqualTo(11);
        assertThat(Target.featureVersion("17")).isEqualTo(17);
        assertThat(Target.featureVersion("25")).isEqualTo(25);
        assertThat(Target.featureVersion(null)).isEqualTo(-1);
        assertThat(Target.featureVersion("x")).isEqualTo(-1);
    }

    /** No JDK older than 17 is installed here, so the gate is checked with the properties such a JVM reports. */
    @Test
    void aJvmOlderThan17IsRefusedWithExitCode8AndItsVersion() {
        Target self = Target.resolveForTest(ProcessHandle.current().pid());
        Properties java11 = new Properties();
        java11.setProperty("java.specification.version", "11");
        java11.setProperty("java.version", "11.0.22");
        assertThatThrownBy(() -> self.requireJava17(java11)).isInstanceOfSatisfying(CliException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(ExitCodes.JVM_TOO_OLD);
            assertThat(e.getMessage()).contains("runs Java 11 (java.version 11.0.22)").contains("needs Java 17 or newer");
        });
        Properties java8 = new Properties();
        java8.setProperty("java.specification.version", "1.8");
        assertThatThrownBy(() -> self.requireJava17(java8)).hasMessageContaining("runs Java 8");
        Properties java17 = new Properties();
        java17.setProperty("java.specification.version", "17");
        assertThat(self.requireJava17(java17)).isSameAs(java17);
    }

    @Test
    void theMainClassIsTheFirstWordAndNeverTheArguments() {
        assertThat(Target.mainOf("com.acme.Service --password=hunter2")).isEqualTo("com.acme.Service");
        assertThat(Target.mainOf("/opt/app/app.jar serve")).isEqualTo("/opt/app/app.jar");
        assertThat(Target.mainOf("jdk.compiler/com.sun.tools.javac.launcher.SourceLauncher Sleep.java x")).isEqualTo("Sleep.java");
        assertThat(Target.mainOf("")).isEmpty();
        assertThat(Target.mainOf(null)).isEmpty();
    }

    /** A socket left by a killed JVM stays on disk; one its pid's next JVM cannot have made is recognised. */
    @Test
    void anAttachSocketOfAnotherUserOrOlderThanTheProcessIsStale(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve(".java_pid4242");
        try (ServerSocketChannel left = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            left.bind(UnixDomainSocketAddress.of(socket));
        }
        assertThat(Files.exists(socket)).as("a closed socket's file stays").isTrue();
        int me = Proc.self().euid();
        Instant started = Instant.now().minusSeconds(60);

        assertThat(Target.staleBecause(socket, me, started)).as("made by this user after the process started").isNull();
        assertThat(Target.staleBecause(socket, me, null)).as("start unknown").isNull();
        assertThat(Target.staleBecause(socket, me + 1, started)).contains("owned by " + Proc.userName(me))
                .contains("the JVM runs as " + Proc.userName(me + 1));

        Files.setLastModifiedTime(socket, FileTime.from(started.minusSeconds(3600)));
        assertThat(Target.staleBecause(socket, me, started)).contains("before the process started");
        Files.setLastModifiedTime(socket, FileTime.from(started.minusSeconds(1)));
        assertThat(Target.staleBecause(socket, me, started)).as("within the start time's one-second precision").isNull();
    }

    /**
     * A pid namespace lets another user's JVM have the pid whose socket a victim JVM holds in a shared /tmp: that
     * socket is "owned by someone else" for the attacker's pid, yet live. Root removes only a socket nobody listens on.
     */
    @Test
    void aLiveAttachSocketIsNeverRemovedEvenWhenItLooksStaleAndADeadOneIs(@TempDir Path dir) throws Exception {
        boolean root = Proc.self().euid() == 0;
        if (!root) {
            System.err.println("SKIPPED TargetTest.aLiveAttachSocketIsNeverRemoved…: needs root to give a socket to another user");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(root, "needs root to give a socket to another user");
        Process id = new ProcessBuilder("id", "-u", "fx-attacker").start();
        String uid = new String(id.getInputStream().readAllBytes()).strip();
        org.junit.jupiter.api.Assumptions.assumeTrue(id.waitFor() == 0, "needs a local user fx-attacker: useradd -m fx-attacker");
        Target self = Target.resolveForTest(ProcessHandle.current().pid()); // runs as root: another user's socket looks stale

        Path live = dir.resolve(".java_pid4243");
        try (ServerSocketChannel victim = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            victim.bind(UnixDomainSocketAddress.of(live));
            chown(uid, live);
            assertThat(Target.staleBecause(live, 0, Instant.now())).as("it does look stale").contains("owned by fx-attacker");
            assertThatThrownBy(() -> self.removeIfStale(live)).isInstanceOfSatisfying(CliException.class, e -> {
                assertThat(e.exitCode()).isEqualTo(ExitCodes.ATTACH_REFUSED);
                assertThat(e.getMessage()).contains("a process is listening on it, so it is left alone");
            });
            assertThat(Files.exists(live)).as("the victim's live socket").isTrue();
        }

        Path dead = dir.resolve(".java_pid4244");
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(dead));
        }
        chown(uid, dead);
        self.removeIfStale(dead);
        assertThat(Files.exists(dead)).as("a socket nobody listens on is a dead process's").isFalse();
    }

    private static void chown(String uid, Path p) throws Exception {
        assertThat(new ProcessBuilder("chown", uid, p.toString()).inheritIO().start().waitFor()).isZero();
    }
}
