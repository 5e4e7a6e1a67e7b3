package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static dev.forensics.testing.LastWordsFiles.firstLine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.forensics.targets.ExitFromWorker;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import dev.forensics.testing.LastWordsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A SecurityManager whose policy grants the application nearly nothing (exit, its own pid, reading the agent's
 * directory to wait for it): the agent works with its own permissions, so an exit from a library thread still leaves
 * its last words and a closed black box that names the exit. JDK 25 has no SecurityManager (JEP 486).
 */
class SecurityManagerIT {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void anExitFromALibraryThreadUnderARestrictivePolicyStillLeavesLastWords(Jdk jdk) throws Exception {
        assumeTrue(jdk.name().equals("17"), "JDK " + jdk.name() + " has no SecurityManager to run under (JEP 486); skipping its run");
        Path work = Files.createTempDirectory("forensics-sm-it-");
        Path dir = work.resolve("out");
        Path policy = work.resolve("app.policy");
        Files.writeString(policy, "grant {\n"
                + "    permission java.lang.RuntimePermission \"exitVM.*\";\n"
                + "    permission java.lang.RuntimePermission \"manageProcess\";\n"
                + "    permission java.io.FilePermission \"" + dir + "\", \"read\";\n"
                + "    permission java.io.FilePermission \"" + dir + "/-\", \"read\";\n"
                + "};\n");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(work).dir(dir).classpath(ForkedJvm.classpathWithout("slf4j"))
                .jvmArg("-Djava.security.manager=default", "-Djava.security.policy=" + policy).start(ExitFromWorker.class, dir.toString())) {
            assertThat(jvm.waitFor()).isEqualTo(3);
            String words = LastWordsFiles.text(jvm);
            assertThat(firstLine(words)).contains("System.exit(3) called by dev.forensics.targets.ExitFromWorker.shutdownLibrary(ExitFromWorker.java:");
            assertThat(words).contains("exit status: 3");
            assertThat(jvm.journal()).contains("System.exit(3) called by dev.forensics.targets.ExitFromWorker.shutdownLibrary");
            assertThat(jvm.stderr()).doesNotContain("AccessControlException").contains("System.exit(3) called by");
            String box = ForkedJvm.read(dir.resolve("black-box-" + jvm.pid() + ".txt"));
            assertThat(box).contains("state=closed").contains("System.exit(3)");
            assertAgentClean(jvm);
        }
    }
}
