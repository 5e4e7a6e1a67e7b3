package dev.forensics;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static dev.forensics.testing.LastWordsFiles.firstLine;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.targets.Service;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import dev.forensics.testing.LastWordsFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real signals from separate processes to a forked service under the agent: the last words name who sent them,
 * the JVM keeps its own exit status and runs the application's hooks, and nothing is lost when things go wrong.
 */
class SignalSenderIT {
    /** Resets TERM/INT/HUP to their defaults before exec'ing the JVM: a build started in the background ignores INT. */
    static final String[] DEFAULT_SIGNALS = {"python3", "-c",
        "import os,signal,sys\n"
            + "for s in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM): signal.signal(s, signal.SIG_DFL)\n"
            + "os.execvp(sys.argv[1], sys.argv[1:])"};

    static Stream<Arguments> signalsOnEachJdk() {
        return Jdk.all().flatMap(jdk -> Stream.of(Arguments.of(jdk, "TERM", 143), Arguments.of(jdk, "INT", 130), Arguments.of(jdk, "HUP", 129)));
    }

    static ForkedJvm service(Jdk jdk, String... options) {
        ForkedJvm.Builder b = ForkedJvm.on(jdk).wrappedBy(DEFAULT_SIGNALS);
        Path out = tempDir().resolve("out");
        String[] args = Stream.concat(Stream.of(out.toString()), Stream.of(options)).toArray(String[]::new);
        return b.workDir(out.getParent()).start(Service.class, args).awaitStdout("READY", Duration.ofSeconds(60));
    }

    static Path tempDir() {
        try {
            return Files.createTempDirectory("forensics-sig-");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0} SIG{1}")
    @MethodSource("signalsOnEachJdk")
    void signalFromAScriptIsAttributedToTheScriptWithTheJvmsOwnStatusAndHooks(Jdk jdk, String signal, int status) {
        try (ForkedJvm jvm = service(jdk)) {
            ForkedJvm.run(LastWordsFiles.stopScript(jvm, signal, "stop-service.sh").toString());
            assertThat(jvm.waitFor()).as("the JVM's own exit status for SIG" + signal).isEqualTo(status);
            assertThat(jvm.stdout()).as("the application's hook ran").contains("app hook ran");
            String words = LastWordsFiles.text(jvm);
            assertThat(firstLine(words)).startsWith("SIG" + signal + " from pid ").contains("stop-service.sh").contains(" at ");
            assertThat(words).contains("sender command: /bin/sh " + jvm.workDir().resolve("stop-service.sh"))
                    .contains("exit status: " + status)
                    .contains("hook \"app-cleanup\"").contains("finished after")
                    .contains("the JVM ends now with status " + status);
            assertThat(jvm.journal()).contains("SIG" + signal + " from pid ");
            assertThat(jvm.stderr()).as("the application's log (slf4j-simple on stderr)").contains("WARN forensics - SIG" + signal + " from pid ");
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void terminalHangupIsAttributedToTheKernel(Jdk jdk) throws Exception {
        Path work = tempDir();
        Path pty = work.resolve("under-pty.py");
        // The JVM runs as the session leader of a pseudo-terminal; closing the master side is what an SSH disconnect
        // does to a login session's terminal. A login shell starts with SIGHUP at its default; the child resets it, so
        // a test run started under nohup (which the JVM would inherit as "ignored") still sees a hangup.
        Files.writeString(pty, String.join("\n",
                "import os, pty, select, signal, sys, time",
                "pid, fd = pty.fork()",
                "if pid == 0:",
                "    signal.signal(signal.SIGHUP, signal.SIG_DFL)",
                "    os.execv(sys.argv[1], sys.argv[1:])",
                "buf = b''",
                "deadline = time.time() + 60",
                "while b'READY' not in buf and time.time() < deadline:",
                "    r, _, _ = select.select([fd], [], [], 0.5)",
                "    if r:",
                "        try:",
                "            buf += os.read(fd, 65536)",
                "        except OSError:",
                "            break",
                "os.close(fd)",
                "_, st = os.waitpid(pid, 0)",
                "print(buf.decode(errors='replace'))",
                "print('EXIT %d' % os.waitstatus_to_exitcode(st))",
                ""), StandardCharsets.UTF_8);
        Path out = work.resolve("out");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(work).dir(out).wrappedBy("python3", pty.toString()).start(Service.class, out.toString())) {
            assertThat(jvm.waitFor(Duration.ofSeconds(90))).isZero();
            assertThat(jvm.stdout()).contains("READY").contains("EXIT 129");
            String words = LastWordsFiles.text(jvm);
            assertThat(firstLine(words)).startsWith("SIGHUP from the kernel: the controlling terminal hung up at ");
            assertThat(words).contains("SI_KERNEL").contains("exit status: 129").contains("hook \"app-cleanup\"");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void underNohupSighupStaysIgnoredAndTheJvmSurvivesIt(Jdk jdk) {
        Path out = tempDir().resolve("out");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(out.getParent()).wrappedBy("nohup").start(Service.class, out.toString())
                .awaitStdout("READY", Duration.ofSeconds(60))) {
            jvm.signal("HUP");
            ForkedJvm.sleep(1500);
            assertThat(jvm.process().isAlive()).as("a JVM under nohup survives SIGHUP").isTrue();
            assertThat(jvm.files(n -> n.startsWith("last-words-"))).as("no death, no last words").isEmpty();
            assertThat(jvm.journal()).contains("SIGHUP: ignored since start-up (nohup)").contains("SIGHUP is ignored since start-up");
            ForkedJvm.run(LastWordsFiles.stopScript(jvm, "TERM", "stop.sh").toString());
            assertThat(jvm.waitFor()).isEqualTo(143);
            assertThat(firstLine(LastWordsFiles.text(jvm))).startsWith("SIGTERM from pid ").contains("stop.sh");
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aHookThatHangsUntilSigkillIsNamedInTheLastWords(Jdk jdk) {
        try (ForkedJvm jvm = service(jdk, "hang")) {
            jvm.signal("TERM");
            Path file = jvm.await(() -> !jvm.files(n -> n.startsWith("last-words-")).isEmpty()
                            && ForkedJvm.read(LastWordsFiles.single(jvm)).contains("still running after "),
                    "a line naming the hung hook", Duration.ofSeconds(30)).files(n -> n.startsWith("last-words-")).get(0);
            jvm.signal("KILL");
            assertThat(jvm.waitFor()).isEqualTo(137);
            String words = ForkedJvm.read(file);
            assertThat(words).contains("hook \"slow-cleanup\" (dev.forensics.targets.Service lambda) started")
                    .contains("still running after ").contains(": hook \"slow-cleanup\"")
                    .contains("at dev.forensics.targets.Service.sleep(Service.java:")
                    .doesNotContain("hook \"slow-cleanup\" (dev.forensics.targets.Service lambda) finished");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void aBurstOfAHundredSigtermsLeavesOneCoherentLastWords(Jdk jdk) throws Exception {
        try (ForkedJvm jvm = service(jdk)) {
            Path burst = jvm.workDir().resolve("burst.sh");
            Files.writeString(burst, "#!/bin/sh\ni=0\nwhile [ $i -lt 100 ]; do kill -s TERM " + jvm.pid() + " 2>/dev/null; i=$((i+1)); done\n"
                    + "sleep 1\n");
            burst.toFile().setExecutable(true);
            ForkedJvm.run(burst.toString());
            assertThat(jvm.waitFor()).isEqualTo(143);
            String words = LastWordsFiles.text(jvm);
            assertThat(firstLine(words)).startsWith("SIGTERM from pid ").contains("burst.sh");
            assertThat(words.lines().filter(l -> l.contains("shutdown started on thread"))).hasSize(1);
            assertThat(words).contains("the JVM ends now with status 143");
            assertThat(jvm.stdout().lines().filter(l -> l.equals("app hook ran"))).hasSize(1);
            try (Stream<Path> files = Files.list(jvm.workDir())) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("hs_err"));
            }
            assertThat(jvm.stderr()).doesNotContain("Exception").doesNotContain("#  SIG");
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void whenTheOutputDirectoryIsUnwritableOneLineSaysSoAndTheLastWordsGoToTheFallback(Jdk jdk) throws Exception {
        Path work = tempDir();
        Path notADir = Files.writeString(work.resolve("a-file"), "not a directory");
        Path out = notADir.resolve("out");
        Path tmp = Files.createDirectory(work.resolve("tmp"));
        Path fallback = tmp.resolve("forensics-" + System.getProperty("user.name"));
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(work).dir(out).jvmArg("-Djava.io.tmpdir=" + tmp).wrappedBy(DEFAULT_SIGNALS)
                .start(Service.class, out.toString(), "no-wait").awaitStdout("READY", Duration.ofSeconds(60))) {
            ForkedJvm.run(LastWordsFiles.stopScript(jvm, "TERM", "stop.sh").toString());
            assertThat(jvm.waitFor()).isEqualTo(143);
            assertThat(jvm.stderrLines()).filteredOn(l -> l.startsWith("forensics")).containsExactly(
                    "forensics: the output directory " + out + " is unusable (Not a directory); findings go to " + fallback + " instead");
            try (java.util.stream.Stream<Path> s = Files.list(fallback)) {
                Path words = s.filter(p -> p.getFileName().toString().startsWith("last-words-" + jvm.pid() + "-")).findFirst().orElseThrow();
                assertThat(Files.readString(words)).containsPattern("^SIGTERM from pid \\d+ \\(/bin/sh [^)]*stop\\.sh").contains("exit status: 143");
            }
            assertThat(jvm.stdout()).contains("app hook ran");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void anApplicationSignalHandlerInstalledAfterStartUpStillLetsTheSenderBeCaptured(Jdk jdk) {
        try (ForkedJvm jvm = service(jdk, "own-handler")) {
            ForkedJvm.run(LastWordsFiles.stopScript(jvm, "TERM", "stop-service.sh").toString());
            assertThat(jvm.waitFor()).isEqualTo(143);
            assertThat(jvm.stdout()).contains("app handler").contains("app hook ran");
            String words = LastWordsFiles.text(jvm);
            assertThat(firstLine(words)).startsWith("SIGTERM from pid ").contains("stop-service.sh");
            assertThat(words).contains("the application installed its own SIGTERM handler dev.forensics.targets.Service (a lambda)");
            assertThat(jvm.journal()).contains("delivered to the application's own handler");
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void theVerdictIsWrittenToAnExistingTerminationLog(Jdk jdk) throws Exception {
        Path work = tempDir();
        Path log = Files.createFile(work.resolve("termination-log"));
        Path out = work.resolve("out");
        try (ForkedJvm jvm = ForkedJvm.on(jdk).workDir(work).dir(out).agentOptions("terminationLog=" + log)
                .start(Service.class, out.toString()).awaitStdout("READY", Duration.ofSeconds(60))) {
            ForkedJvm.run(LastWordsFiles.stopScript(jvm, "TERM", "kubelet-stop.sh").toString());
            assertThat(jvm.waitFor()).isEqualTo(143);
            byte[] message = Files.readAllBytes(log);
            assertThat(message.length).isBetween(1, 4096);
            String text = new String(message, StandardCharsets.UTF_8);
            assertThat(firstLine(text)).startsWith("SIGTERM from pid ").contains("kubelet-stop.sh");
            assertThat(text).contains("last words: " + LastWordsFiles.single(jvm));
        }
    }
}
