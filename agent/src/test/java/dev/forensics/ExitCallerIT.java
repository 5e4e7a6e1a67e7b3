package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static dev.forensics.testing.LastWordsFiles.firstLine;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.targets.ExitFromWorker;
import dev.forensics.targets.HaltFromWorker;
import dev.forensics.targets.Idle;
import dev.forensics.targets.MainThrows;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import dev.forensics.testing.LastWordsFiles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A library calling System.exit or Runtime.halt from a worker thread is named, with its thread, in the last words,
 * the journal and the log; and a JVM that simply runs out of non-daemon threads says so too.
 */
class ExitCallerIT {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void exitFromAWorkerThreadNamesTheCallerAndThread(Jdk jdk) {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).classpath(ForkedJvm.classpathWithout("slf4j")).start(ExitFromWorker.class, "out")) {
            assertThat(jvm.waitFor()).isEqualTo(3);
            assertThat(jvm.journal()).contains("System.exit(3) called by dev.forensics.targets.ExitFromWorker.shutdownLibrary(ExitFromWorker.java:")
                    .contains("on thread \"library-thread\"");
            assertThat(jvm.stderr()).as("no SLF4J: the finding is one stderr line")
                    .contains("[forensics] System.exit(3) called by dev.forensics.targets.ExitFromWorker.shutdownLibrary");
            String words = LastWordsFiles.text(jvm);
            assertThat(firstLine(words)).isEqualTo("System.exit(3) called by dev.forensics.targets.ExitFromWorker.shutdownLibrary(ExitFromWorker.java:13)"
                    + " on thread \"library-thread\"");
            assertThat(words).contains("exit status: 3 (System.exit)").contains("Runtime.exit(3) on thread \"library-thread\", called from:")
                    .contains("shutdown started on thread \"library-thread\"");
            assertAgentClean(jvm);
        }
    }

    /**
     * HotSpot does not verify redefined boot classes unless told to: with {@code BytecodeVerificationLocal} a woven
     * {@code Runtime} or {@code Thread} (edited without ASM, see EntryPatch) that the verifier rejected would leave
     * its hook missing and the verdict unnamed.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void theWovenExitPathPassesTheVerifierWhenBootClassesAreVerified(Jdk jdk) {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).jvmArg("-XX:+UnlockDiagnosticVMOptions", "-XX:+BytecodeVerificationLocal").start(ExitFromWorker.class, "out")) {
            assertThat(jvm.waitFor()).isEqualTo(3);
            assertThat(firstLine(LastWordsFiles.text(jvm))).startsWith("System.exit(3) called by dev.forensics.targets.ExitFromWorker.shutdownLibrary(");
            assertThat(jvm.journal()).contains(" 0 missing").contains("hook exit.exit active").contains("hook exit.uncaught active");
            assertAgentClean(jvm);
        }
        try (ForkedJvm jvm = ForkedJvm.on(jdk).jvmArg("-XX:+UnlockDiagnosticVMOptions", "-XX:+BytecodeVerificationLocal").start(MainThrows.class, "out")) {
            assertThat(jvm.waitFor()).isEqualTo(1);
            assertThat(firstLine(LastWordsFiles.text(jvm))).startsWith("main ended with an uncaught java.lang.IllegalStateException");
            assertThat(jvm.journal()).contains(" 0 missing").contains("hook exit.uncaught active");
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void haltFromAWorkerThreadIsOnDiskBeforeTheJvmGoesAndNamesTheHooksThatWillNotRun(Jdk jdk) {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).start(HaltFromWorker.class, "out")) {
            assertThat(jvm.waitFor()).isEqualTo(7);
            assertThat(jvm.stdout()).doesNotContain("hook ran");
            String words = LastWordsFiles.text(jvm);
            assertThat(firstLine(words)).isEqualTo("Runtime.halt(7) called by dev.forensics.targets.HaltFromWorker.giveUp(HaltFromWorker.java:14)"
                    + " on thread \"watchdog\"");
            assertThat(words).contains("exit status: 7 (Runtime.halt)")
                    .contains("halting: 1 registered application shutdown hook will not run: \"never-runs\"");
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void mainDyingOfAnUncaughtExceptionIsTheVerdict(Jdk jdk) {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).start(MainThrows.class, "out")) {
            assertThat(jvm.waitFor()).isEqualTo(1);
            String words = LastWordsFiles.text(jvm);
            assertThat(firstLine(words)).isEqualTo("main ended with an uncaught java.lang.IllegalStateException: no config at /etc/app.conf"
                    + " (at dev.forensics.targets.MainThrows.loadConfig(MainThrows.java:11)) and no non-daemon thread was left,"
                    + " so the JVM ends with status 1");
            assertThat(words).contains("shutdown started on thread \"DestroyJavaVM\"");
            assertThat(jvm.stderr()).as("the JVM's own report of the exception, nothing from us")
                    .contains("Exception in thread \"main\" java.lang.IllegalStateException").doesNotContain("[forensics]");
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void mainReturningWithNoThreadLeftIsANormalEndSaidInOneJournalLine(Jdk jdk) {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).start(Idle.class, "out", "0")) {
            assertThat(jvm.waitFor()).isZero();
            assertThat(jvm.stderr()).isEmpty();
            assertThat(jvm.journal()).contains("main returned and no non-daemon thread was left, so the JVM ends normally (status 0)");
            assertThat(jvm.files(n -> n.startsWith("last-words-"))).as("a normal end leaves no last-words file").isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void findingsGoToTheApplicationsSlf4jLoggerWhenItHasOne(Jdk jdk) {
        assertThat(ForkedJvm.targetClasspath()).contains("slf4j-simple");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).start(ExitFromWorker.class, "out")) {
            jvm.waitFor();
            // slf4j-simple writes "[thread] WARN forensics - message" to stderr
            assertThat(jvm.stderr()).contains("WARN forensics - System.exit(3) called by").doesNotContain("[forensics]");
        }
        try (ForkedJvm jvm = ForkedJvm.on(jdk).classpath(ForkedJvm.classpathWithout("slf4j")).start(ExitFromWorker.class, "out")) {
            jvm.waitFor();
            assertThat(jvm.stderr()).contains("[forensics] System.exit(3)");
        }
    }
}
