package dev.forensics.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.forensics.cli.targets.AnsweringPretendAgent;
import dev.forensics.cli.targets.HoldsFifo;
import dev.forensics.cli.targets.PretendAgent;
import dev.forensics.cli.targets.Service;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The JVM's own user is the attacker here: it owns the requests directory and the files the CLI reads, it names
 * the output directory in its own marker, and it can hold any file open. Root's {@code forensics} must not be
 * turned against the machine by that (overwrite a file through a swapped link, hang on a FIFO, write into a
 * directory the JVM's user does not own), and the agent must keep its channel and files through a cleaner of
 * /tmp. Tests that need a second user run as root with {@code fx-attacker} ({@code useradd -m fx-attacker}) and
 * are skipped, with the reason, otherwise.
 */
class HostileNeighbourIT {
    static final String ATTACKER = "fx-attacker";
    static final Path TEST_CLASSES = Paths.get("target/test-classes").toAbsolutePath();

    @Test
    void rootsReportNeverWritesThroughALinkTheJvmsUserSwapsIn() throws Exception {
        int uid = attackerUid();
        Path base = hostileBase();
        Path home = ownedBy(uid, base.resolve("home"), "rwxr-xr-x");
        Path out = ownedBy(uid, home.resolve("out"), "rwx------");
        Path requests = ownedBy(uid, out.resolve("requests"), "rwx------");
        Path victim = Files.writeString(base.resolve("root-only.txt"), "root's own\n");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
        Path neverMade = base.resolve("nologin");
        Path swapper = swapper(base);
        try (ForkedJvm jvm = asUser(uid, home).start(PretendAgent.class, out.toString())) {
            jvm.awaitStdout("READY", Duration.ofSeconds(30));
            for (Path target : List.of(victim, neverMade)) {
                Process swap = startAs(uid, swapper.toString(), requests.toString(), "link", target.toString());
                try {
                    for (int i = 0; i < 3; i++) {
                        // -Xint widens the window between create and write that the old code left open.
                        Cli.Result r = Cli.exec(List.of(Jdk.jdk17().require().java().toString(), "-Xint", "-jar", Cli.JAR.toString(),
                                "report", "--timeout", "1s", Long.toString(jvm.pid())), base, java.util.Map.of(), 60);
                        assertThat(r.exit()).as(r.toString()).isNotZero();
                    }
                } finally {
                    swap.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            assertThat(Files.readString(victim)).as("the root-owned file the link pointed at").isEqualTo("root's own\n");
            assertThat(neverMade).as("a file the link named, which root must not create").doesNotExist();
        }
    }

    @Test
    void anAnswerThatIsAFifoCannotHoldTheCliPastItsTimeout() throws Exception {
        int uid = attackerUid();
        Path base = hostileBase();
        Path home = ownedBy(uid, base.resolve("home"), "rwxr-xr-x");
        Path out = ownedBy(uid, home.resolve("out"), "rwx------");
        Path requests = ownedBy(uid, out.resolve("requests"), "rwx------");
        Path swapper = swapper(base);
        try (ForkedJvm jvm = asUser(uid, home).start(PretendAgent.class, out.toString())) {
            jvm.awaitStdout("READY", Duration.ofSeconds(30));
            Process swap = startAs(uid, swapper.toString(), requests.toString(), "fifo");
            try {
                long t0 = System.nanoTime();
                Cli.Result r = Cli.runWithin(30, Jdk.jdk17(), base, "report", "--timeout", "3s", Long.toString(jvm.pid()));
                long took = (System.nanoTime() - t0) / 1_000_000;
                assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.FAILED);
                assertThat(r.stderr()).as(r.toString()).contains(".response is not a regular file; not read");
                assertThat(took).as("ms the CLI took with --timeout 3s").isLessThan(15_000);
            } finally {
                swap.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void rootRefusesARequestsDirectoryTheJvmsUserDoesNotOwn() throws Exception {
        int uid = attackerUid();
        Path base = hostileBase();
        Path home = ownedBy(uid, base.resolve("home"), "rwxr-xr-x");
        Path rootDir = Files.createDirectories(base.resolve("root-service/forensics"));
        Path rootRequests = Files.createDirectory(rootDir.resolve("requests"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try (ForkedJvm jvm = asUser(uid, home).start(PretendAgent.class, rootDir.toString())) {
            jvm.awaitStdout("READY", Duration.ofSeconds(30));
            Cli.Result r = Cli.runWithin(60, Jdk.jdk17(), base, "report", "--timeout", "3s", Long.toString(jvm.pid()));
            assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.FAILED);
            assertThat(r.stderr()).as(r.toString()).contains("refusing to send a request to pid " + jvm.pid())
                    .contains("its requests directory " + rootRequests + " belongs to root, not to " + ATTACKER);
            try (Stream<Path> left = Files.list(rootRequests)) {
                assertThat(left).isEmpty();
            }
        }
    }

    @Test
    void listDoesNotHangOnAJvmHoldingAFifoNamedJar() throws Exception {
        Path base = hostileBase();
        Path fifo = base.resolve("evil.jar");
        ForkedJvm.run("mkfifo", fifo.toString());
        try (ForkedJvm jvm = ForkedJvm.on(Jdk.jdk17()).noAgent().workDir(base).classpath(TEST_CLASSES.toString()).start(HoldsFifo.class, fifo.toString())) {
            jvm.awaitStdout("READY", Duration.ofSeconds(30));
            Cli.Result r = Cli.runWithin(30, Jdk.jdk17(), base, "list");
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.stdout()).as(r.toString()).contains(HoldsFifo.class.getName());
            assertThat(jvm.process().isAlive()).isTrue();
        }
    }

    /** The jar of a {@code java -jar} JVM, swapped for a FIFO after it started: list and name lookups read no manifest. */
    @Test
    void listAndNamesDoNotHangOnAJarSwappedForAFifo() throws Exception {
        Path base = hostileBase();
        Path jar = JarLaunchedIT.trialJar(base.resolve("swapped.jar"));
        try (ForkedJvm jvm = ForkedJvm.on(Jdk.jdk17()).noAgent().workDir(base).startJar(Paths.get("swapped.jar"))) {
            jvm.awaitStdout("READY", Duration.ofSeconds(30));
            Files.delete(jar);
            ForkedJvm.run("mkfifo", jar.toString());
            Cli.Result r = Cli.runWithin(30, Jdk.jdk17(), base, "list", Long.toString(jvm.pid()));
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.stdout()).as(r.toString()).contains("swapped.jar").doesNotContain(JarLaunchedIT.APP);
            Cli.Result byApp = Cli.runWithin(30, Jdk.jdk17(), base, "report", JarLaunchedIT.APP);
            assertThat(byApp.exit()).as(byApp.toString()).isEqualTo(ExitCodes.NO_SUCH_PROCESS);
            assertThat(jvm.process().isAlive()).isTrue();
        }
    }

    @Test
    void anAnswerThatWouldDriveTheTerminalIsPrintedEscaped() throws Exception {
        Path base = hostileBase();
        for (String kind : List.of("ok", "error")) {
            Path out = base.resolve("out-" + kind);
            try (ForkedJvm jvm = ForkedJvm.on(Jdk.jdk17()).noAgent().workDir(base).classpath(TEST_CLASSES.toString())
                    .start(AnsweringPretendAgent.class, out.toString(), kind)) {
                jvm.awaitStdout("READY", Duration.ofSeconds(30));
                Cli.Result r = Cli.runWithin(60, Jdk.jdk17(), base, "report", "--timeout", "10s", Long.toString(jvm.pid()));
                String printed = kind.equals("ok") ? r.stdout() : r.stderr();
                assertThat(r.exit()).as(r.toString()).isEqualTo(kind.equals("ok") ? ExitCodes.OK : ExitCodes.FAILED);
                assertThat(printed).as(r.toString()).contains("\\x1b[2J\\x1b[H\\x1b[31mSIGTERM from systemd (pid 1): forged\\x1b[0m\\r");
                if (kind.equals("ok")) {
                    assertThat(printed).as(r.toString()).contains("\nline two\\x07"); // lines stay lines, each escaped
                }
                assertThat(r.stdout() + r.stderr()).as(r.toString()).doesNotContain("\u001b").doesNotContain("\r").doesNotContain("\u0007");
            }
        }
    }

    @Test
    void aJvmThatHasEndedButIsNotCollectedIsExitingNotNotAJvm() throws Exception {
        Path base = hostileBase();
        // The shell starts java in the background and becomes sleep, which never collects its child: a zombie JVM.
        Process parent = new ProcessBuilder("sh", "-c", Jdk.jdk17().require().java() + " -version 2>/dev/null & echo $!; exec sleep 60")
                .directory(base.toFile()).redirectErrorStream(true).start();
        try {
            long pid = Long.parseLong(new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8)).readLine().strip());
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!Files.readString(Paths.get("/proc/" + pid + "/status")).contains("State:\tZ")) {
                assertThat(System.nanoTime()).as("pid " + pid + " became a zombie").isLessThan(deadline);
                Thread.sleep(20);
            }
            Cli.Result r = Cli.runWithin(60, Jdk.jdk17(), base, "report", Long.toString(pid));
            assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.NO_SUCH_PROCESS);
            assertThat(r.stderr()).as(r.toString()).contains("pid " + pid + " (java) is exiting").doesNotContain("not a JVM");
        } finally {
            parent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** systemd-tmpfiles removes what a quiet service left in /tmp for ten days; the agent notices and makes it again. */
    @Test
    void aRemovedRequestsDirectoryJournalAndBlackBoxAreRecreatedAndTheCliIsPointedAtFilesThatExist() throws Exception {
        try (ForkedJvm jvm = ForkedJvm.on(Jdk.jdk17()).agentOptions("heartbeat=1s").start(Service.class)) {
            jvm.awaitStdout("READY", Duration.ofSeconds(30));
            jvm.awaitJournal("hooks active", Duration.ofSeconds(30));
            Path requests = jvm.dir().resolve("requests");
            Path box = jvm.dir().resolve("black-box-" + jvm.pid() + ".txt");
            jvm.await(() -> Files.isDirectory(requests) && Files.exists(box), "the requests directory and the black box", Duration.ofSeconds(30));
            Path journal = jvm.journalFile();
            Files.delete(journal); // first: the agent journals the removal of requests/ at once
            Files.delete(box);
            Files.delete(requests);

            Cli.Result r = Cli.runWithin(60, Jdk.jdk17(), jvm.workDir(), "report", "--timeout", "10s", Long.toString(jvm.pid()));
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.stdout()).contains("output directory: " + jvm.dir() + " (journal " + journal.getFileName() + ")");
            assertThat(journal).as("the journal the report names").exists();
            assertThat(Files.readString(journal)).contains("this journal was removed while the JVM ran").contains("requests directory " + requests + " was removed");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(requests))).isEqualTo("rwx------");
            jvm.await(() -> Files.exists(box), "the black box again", Duration.ofSeconds(10));
            assertThat(Files.readString(box)).startsWith("forensics black box 1").contains("pid=" + jvm.pid());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(box))).isEqualTo("rw-------");
        }
    }

    @Test
    void anAnswerNobodyCollectsDoesNotStayInTheRequestsDirectory() throws Exception {
        try (ForkedJvm jvm = ForkedJvm.on(Jdk.jdk17()).start(Service.class)) {
            jvm.awaitStdout("READY", Duration.ofSeconds(30));
            Path requests = jvm.dir().resolve("requests");
            jvm.await(() -> Files.isDirectory(requests), "the requests directory", Duration.ofSeconds(30));
            Path response = put(requests, jvm.pid() + "-gaveup01", "command=status;format=text\n");
            jvm.await(() -> Files.exists(response), "the answer", Duration.ofSeconds(20));
            // A CLI that gave up (its --timeout, Ctrl-C) never reads it; nothing else happens in this JVM meanwhile.
            jvm.await(() -> !Files.exists(response), "the abandoned answer to be removed", Duration.ofSeconds(30));
            try (Stream<Path> left = Files.list(requests)) {
                assertThat(left).isEmpty();
            }
        }
    }

    /** What held when it was tried, kept so: request files the agent must not act on, from another user or not files at all. */
    @Test
    void foreignOversizedAndFifoRequestFilesAreRefusedAndTheChannelKeepsAnswering() throws Exception {
        int uid = attackerUid();
        try (ForkedJvm jvm = ForkedJvm.on(Jdk.jdk17()).start(Service.class)) {
            jvm.awaitStdout("READY", Duration.ofSeconds(30));
            Path requests = jvm.dir().resolve("requests");
            jvm.await(() -> Files.isDirectory(requests), "the requests directory", Duration.ofSeconds(30));

            Path tmp = requests.resolve(".foreign.tmp");
            Files.writeString(tmp, "command=jfr-dump;file=/root/.bashrc\n");
            ForkedJvm.run("chown", uid + ":" + uid, tmp.toString());
            Files.move(tmp, requests.resolve(jvm.pid() + "-foreign1.request"), StandardCopyOption.ATOMIC_MOVE);
            Path foreign = requests.resolve(jvm.pid() + "-foreign1.response");
            jvm.await(() -> Files.exists(foreign), "an answer to another user's request", Duration.ofSeconds(20));
            assertThat(Files.readString(foreign)).startsWith("forensics-response error bad-request not a request file of this user");

            Path big = put(requests, jvm.pid() + "-oversize1", "command=status;x=" + "a".repeat(5000) + "\n");
            jvm.await(() -> Files.exists(big), "an answer to an oversized request", Duration.ofSeconds(20));
            assertThat(Files.readString(big)).startsWith("forensics-response error bad-request");

            ForkedJvm.run("mkfifo", requests.resolve(jvm.pid() + "-fifo0001.request").toString());
            Path fifo = requests.resolve(jvm.pid() + "-fifo0001.response");
            jvm.await(() -> Files.exists(fifo), "an answer to a FIFO request", Duration.ofSeconds(20));
            assertThat(Files.readString(fifo)).startsWith("forensics-response error bad-request not a request file of this user");

            Cli.Result r = Cli.runWithin(60, Jdk.jdk17(), jvm.workDir(), "report", Long.toString(jvm.pid()));
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(jvm.process().isAlive()).isTrue();
        }
    }

    /** What held, kept so: root's CLI leaves no file of root's in the JVM user's directories. */
    @Test
    void rootAskingAnotherUsersJvmLeavesNoFileOfRootsBehind() throws Exception {
        int uid = attackerUid();
        Path base = hostileBase();
        Path home = ownedBy(uid, base.resolve("home"), "rwxr-xr-x");
        Path out = home.resolve("out");
        try (ForkedJvm jvm = ForkedJvm.on(Jdk.jdk17()).wrappedBy("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups")
                .workDir(home).classpath(TEST_CLASSES.toString()).dir(out).start(Service.class)) {
            jvm.awaitStdout("READY", Duration.ofSeconds(30));
            jvm.await(() -> Files.isDirectory(out.resolve("requests")), "the requests directory", Duration.ofSeconds(30));
            Cli.Result r = Cli.runWithin(60, Jdk.jdk17(), base, "report", Long.toString(jvm.pid()));
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.stdout()).contains("output directory: " + out);
            List<String> roots = new ArrayList<>();
            try (Stream<Path> all = Files.walk(home)) {
                all.forEach(p -> {
                    try {
                        boolean harness = p.getParent().equals(home) && p.getFileName().toString().matches("std(out|err)\\.txt");
                        if (!harness && (Integer) Files.getAttribute(p, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS) != uid) {
                            roots.add(p.toString());
                        }
                    } catch (IOException e) {
                        // removed meanwhile
                    }
                });
            }
            assertThat(roots).as("files not owned by " + ATTACKER + " in its home").isEmpty();
        }
    }

    // ---- the second user ----------------------------------------------------------------------------------

    private static Path put(Path requests, String name, String content) throws IOException {
        Path tmp = requests.resolve("." + name + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, requests.resolve(name + ".request"), StandardCopyOption.ATOMIC_MOVE);
        return requests.resolve(name + ".response");
    }

    static int attackerUid() throws Exception {
        boolean root = Proc.self().euid() == 0;
        if (!root) {
            System.err.println("SKIPPED " + HostileNeighbourIT.class.getSimpleName() + ": needs root to act as a second user");
        }
        assumeTrue(root, "needs root to act as a second local user");
        Process id = new ProcessBuilder("id", "-u", ATTACKER).redirectErrorStream(true).start();
        String out = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        boolean present = id.waitFor() == 0;
        if (!present) {
            System.err.println("SKIPPED " + HostileNeighbourIT.class.getSimpleName() + ": no user " + ATTACKER + " (useradd -m " + ATTACKER + ")");
        }
        assumeTrue(present, "needs a local user " + ATTACKER + ": useradd -m " + ATTACKER);
        return Integer.parseInt(out);
    }

    /** A root-owned directory others may enter, under /tmp (the attacker's JVM must reach its files). */
    static Path hostileBase() throws IOException {
        Path base = Files.createTempDirectory(Paths.get("/tmp"), "forensics-hostile-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        return base;
    }

    static Path ownedBy(int uid, Path dir, String perms) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(perms));
        ForkedJvm.run("chown", uid + ":" + uid, dir.toString());
        return dir;
    }

    private static ForkedJvm.Builder asUser(int uid, Path home) {
        return ForkedJvm.on(Jdk.jdk17()).noAgent().wrappedBy("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups")
                .workDir(home).classpath(TEST_CLASSES.toString());
    }

    private static Process startAs(int uid, String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups"));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String first = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(first).as("the swapper started").isEqualTo("WATCHING");
        return p;
    }

    /** The attacker's inotify program, compiled for this test (the build compiles the agent's JNI shim with gcc too). */
    private static Path swapper(Path base) throws Exception {
        Path bin = base.resolve("swapper");
        ForkedJvm.run("gcc", "-O2", "-o", bin.toString(), Paths.get("src/test/c/swapper.c").toAbsolutePath().toString());
        return bin;
    }
}
