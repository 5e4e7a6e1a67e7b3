package dev.forensics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.forensics.targets.ExitWith;
import dev.forensics.targets.ReadyAtOnce;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The output directory as an attacker or a dying disk leaves it: squatted by another user, a link, a random uid
 * without a name, read-only, full, or not a directory at all, and a pid that comes back. The agent takes only a
 * directory that is its own, says in one line where findings go instead, and never changes the exit status.
 * Tests that mount a file system or act as another user need root and are skipped, with the reason, otherwise.
 */
class OutputDirIT {
    static final String ATTACKER = "fx-attacker";

    @Test
    void aSquattedOrLinkedTempDirectoryIsNotUsedAndOneLineSaysWhereFindingsGo() throws Exception {
        int attacker = attackerUid();
        for (String squat : List.of("directory", "link")) {
            Path tmp = sharedTmp();
            Path wd = Files.createTempDirectory("forensics-wd-");
            Files.writeString(wd.resolve("forensics"), "a file where ./forensics would go: the temp directory is next");
            Path wellKnown = tmp.resolve("forensics-" + System.getProperty("user.name"));
            Path attackers = Files.createDirectory(tmp.resolve("attackers-own"));
            chmod(attackers, "rwxrwxrwx");
            chown(attacker, attackers);
            if (squat.equals("directory")) {
                Files.createDirectory(wellKnown);
                chmod(wellKnown, "rwxrwxrwx");
                chown(attacker, wellKnown);
            } else {
                Files.createSymbolicLink(wellKnown, attackers);
                run("chown", "-h", attacker + ":" + attacker, wellKnown.toString());
            }
            try (ForkedJvm jvm = ForkedJvm.on(Jdk.jdk17()).workDir(wd).noAgent().jvmArg("-Djava.io.tmpdir=" + tmp)
                    .jvmArg("-javaagent:" + ForkedJvm.AGENT_JAR + "=doctor=off").start(ExitWith.class, "3")) {
                assertThat(jvm.waitFor()).isEqualTo(3);
                List<String> ours = forensicsLines(jvm);
                assertThat(ours).as(jvm.stderr()).hasSize(1);
                assertThat(ours.get(0)).startsWith("forensics: the output directory " + wellKnown + " "
                        + (squat.equals("directory") ? "belongs to another user (uid " + attacker + ")" : "is a symbolic link"))
                        .contains("; findings go to " + wellKnown + "-");
                Path fresh = Paths.get(ours.get(0).substring(ours.get(0).indexOf("findings go to ") + 15, ours.get(0).lastIndexOf(" instead")));
                assertThat(ForkedJvm.journalIn(fresh, jvm.pid())).exists();
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh))).isEqualTo("rwx------");
                try (Stream<Path> planted = Files.list(squat.equals("directory") ? wellKnown : attackers)) {
                    assertThat(planted).as("nothing of ours in the other user's directory").isEmpty();
                }
            }
        }
    }

    @Test
    void anExplicitDirectoryOfAnotherUserOrOpenToAllIsReplacedByAPrivateOne() throws Exception {
        int attacker = attackerUid();
        Path tmp = sharedTmp();
        Path foreign = Files.createDirectory(tmp.resolve("theirs"));
        chown(attacker, foreign);
        Path shared = Files.createDirectory(tmp.resolve("shared"));
        chmod(shared, "rwxrwxrwx");
        for (Path dir : List.of(foreign, shared)) {
            try (ForkedJvm jvm = ForkedJvm.on(Jdk.jdk17()).dir(dir).jvmArg("-Djava.io.tmpdir=" + tmp).start(ExitWith.class, "0")) {
                assertThat(jvm.waitFor()).isZero();
                List<String> ours = forensicsLines(jvm);
                assertThat(ours).as(jvm.stderr()).containsExactly("forensics: the output directory " + dir + " "
                        + (dir == foreign ? "belongs to another user (uid " + attacker + ")" : "can be written by other users (mode 777)")
                        + "; findings go to " + tmp.resolve("forensics-" + System.getProperty("user.name")) + " instead");
                try (Stream<Path> left = Files.list(dir)) {
                    assertThat(left).isEmpty();
                }
            }
        }
    }

    /** OpenShift runs images as a random uid with no passwd entry: user.name is "?", and every start must find its own directory again. */
    @Test
    void aUidWithoutANameUsesOneStableDirectoryAcrossStarts() throws Exception {
        assumeRoot("to run a JVM as a uid without a passwd entry");
        Path tmp = sharedTmp();
        Path wd = Files.createTempDirectory("forensics-wd-");
        chmod(wd, "rwxr-xr-x"); // not writable for that uid: no ./forensics
        String cp = Paths.get("target/test-classes").toAbsolutePath().toString();
        for (int run = 0; run < 2; run++) {
            try (ForkedJvm jvm = ForkedJvm.on(Jdk.jdk17()).workDir(wd).noAgent().classpath(cp)
                    .wrappedBy("setpriv", "--reuid=4242", "--regid=4242", "--clear-groups")
                    .jvmArg("-Djava.io.tmpdir=" + tmp, "-javaagent:" + ForkedJvm.AGENT_JAR + "=doctor=off").start(ExitWith.class, "0")) {
                assertThat(jvm.waitFor()).as(jvm.stderr()).isZero();
                assertThat(forensicsLines(jvm)).as(jvm.stderr()).isEmpty();
            }
        }
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("forensics-")).sorted())
                    .as("the agent's directories after two starts").containsExactly("forensics-uid4242", "forensics-uid4242.lib");
        }
        assertThat(Files.list(tmp.resolve("forensics-uid4242")).map(p -> p.getFileName().toString()).filter(n -> n.startsWith("journal-")))
                .isNotEmpty();
    }

    /** What held, kept so: the exit status. And new: one line, not one per hook, when the directory is unusable. */
    @Test
    void anUnusableDirectoryCostsOneLineAndNeverTheExitStatus() throws Exception {
        Path tmp = Files.createTempDirectory("forensics-tmp-");
        List<Path> dirs = new ArrayList<>(List.of(Paths.get("/dev/null"), Paths.get("/dev/null/forensics"), Paths.get("/proc/forensics")));
        List<Path> mounts = new ArrayList<>();
        if (isRoot()) {
            Path ro = Files.createTempDirectory("forensics-ro-");
            run("mount", "-t", "tmpfs", "-o", "ro,size=64k,mode=0700", "tmpfs", ro.toString());
            mounts.add(ro);
            dirs.add(ro);
            Path full = Files.createTempDirectory("forensics-full-");
            run("mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", full.toString());
            mounts.add(full);
            fill(full);
            dirs.add(full);
        } else {
            System.err.println("SKIPPED OutputDirIT read-only and full file systems: need root to mount them");
        }
        try {
            for (Path dir : dirs) {
                try (ForkedJvm jvm = ForkedJvm.on(Jdk.jdk17()).dir(dir).jvmArg("-Djava.io.tmpdir=" + tmp).start(ExitWith.class, "3")) {
                    assertThat(jvm.waitFor()).as("exit status with dir=" + dir).isEqualTo(3);
                    List<String> ours = forensicsLines(jvm);
                    assertThat(ours).as("dir=" + dir + ":\n" + jvm.stderr()).hasSize(1);
                    assertThat(ours.get(0)).startsWith("forensics: the output directory " + dir + " ")
                            .endsWith("; findings go to " + tmp.resolve("forensics-" + System.getProperty("user.name")) + " instead");
                }
            }
        } finally {
            for (Path m : mounts) {
                run("umount", m.toString());
            }
        }
    }

    /** A disk that fills while the JVM runs: no empty box, claim or last-words file stays; the last words go to stderr. */
    @Test
    void aDiskThatFillsUpLeavesNoEmptyFilesBehind() throws Exception {
        assumeRoot("to mount a small file system and fill it");
        Path mount = Files.createTempDirectory("forensics-filling-");
        run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString());
        try {
            Path dir = mount.resolve("out");
            long deadPid;
            try (ForkedJvm first = ForkedJvm.on(Jdk.jdk17()).dir(dir).agentOptions("heartbeat=1s").start(ReadyAtOnce.class, "600")) {
                first.awaitStdout("READY", Duration.ofSeconds(30));
                first.await(() -> Files.exists(dir.resolve("black-box-" + first.pid() + ".txt")), "the first run's box", Duration.ofSeconds(30));
                first.signal("KILL");
                first.waitFor();
                deadPid = first.pid();
            }
            try (ForkedJvm jvm = ForkedJvm.on(Jdk.jdk17()).dir(dir).agentOptions("heartbeat=1s").start(ReadyAtOnce.class, "600")) {
                jvm.awaitStdout("READY", Duration.ofSeconds(30));
                fill(mount); // after the start-up check of the directory
                Path box = dir.resolve("black-box-" + jvm.pid() + ".txt");
                jvm.await(() -> !Files.exists(dir.resolve("black-box-" + deadPid + ".txt")), "the dead run's box to be claimed", Duration.ofSeconds(30));
                ForkedJvm.sleep(2000);
                jvm.signal("TERM");
                assertThat(jvm.waitFor()).isEqualTo(143);
                // Whether the head still fits depends on the pages the cleanup above freed; the rest goes to stderr either way.
                assertThat(jvm.stderr()).containsAnyOf("[forensics] last words could not be written to " + dir, "stopped accepting lines");
                try (Stream<Path> files = Files.list(dir)) {
                    List<String> left = files.filter(p -> p.getFileName().toString().contains(".claimed-") || size(p) == 0)
                            .map(p -> p.getFileName() + " (" + size(p) + " bytes)").collect(Collectors.toList());
                    assertThat(left).as("empty files and claims left in " + dir).isEmpty();
                }
                assertThat(box).as("no empty black box").satisfiesAnyOf(b -> assertThat(b).doesNotExist(), b -> assertThat(size(b)).isPositive());
            }
        } finally {
            run("umount", mount.toString());
        }
    }

    /** In a container the JVM is pid 1 at every start: two runs must still write two journals. */
    @Test
    void twoRunsWithTheSamePidNeverShareAJournal() throws Exception {
        assumeRoot("to start JVMs as pid 1 of their own pid namespace");
        Path dir = Files.createTempDirectory("forensics-pid1-").resolve("out");
        for (int run = 0; run < 2; run++) {
            try (ForkedJvm jvm = ForkedJvm.on(Jdk.jdk17()).dir(dir).wrappedBy("unshare", "--pid", "--fork", "--mount-proc").start(ExitWith.class, "0")) {
                assertThat(jvm.waitFor()).as(jvm.stderr()).isZero();
            }
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> journals = s.filter(p -> p.getFileName().toString().startsWith("journal-")).sorted().collect(Collectors.toList());
            assertThat(journals).as("journals in " + dir).hasSize(2).allSatisfy(j -> {
                assertThat(j.getFileName().toString()).startsWith("journal-1-");
                assertThat(ForkedJvm.read(j).lines().filter(l -> l.contains("System.exit(0) called by"))).as("runs in " + j).hasSize(1);
            });
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static List<String> forensicsLines(ForkedJvm jvm) {
        return jvm.stderrLines().stream().filter(l -> l.startsWith("forensics") || l.startsWith("[forensics]")).collect(Collectors.toList());
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }

    /** Fills a small file system to the last byte. */
    private static void fill(Path mount) throws IOException {
        try (var out = Files.newOutputStream(mount.resolve("filler"))) {
            byte[] block = new byte[4096];
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            assertThat(String.valueOf(full.getMessage())).contains("No space left");
        }
    }

    /** A directory like /tmp: everyone may create in it, no one may remove another's entry. */
    private static Path sharedTmp() throws IOException {
        Path tmp = Files.createTempDirectory(Paths.get("/tmp"), "forensics-shared-tmp-");
        run("chmod", "1777", tmp.toString());
        return tmp;
    }

    private static boolean isRoot() throws IOException {
        return Files.readString(Paths.get("/proc/self/status")).lines().filter(l -> l.startsWith("Uid:")).anyMatch(l -> l.split("\\s+")[2].equals("0"));
    }

    private static void assumeRoot(String why) throws IOException {
        boolean root = isRoot();
        if (!root) {
            System.err.println("SKIPPED OutputDirIT: needs root " + why);
        }
        assumeTrue(root, "needs root " + why);
    }

    private static int attackerUid() throws Exception {
        assumeRoot("to act as a second local user");
        Process id = new ProcessBuilder("id", "-u", ATTACKER).redirectErrorStream(true).start();
        String out = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        boolean present = id.waitFor() == 0;
        if (!present) {
            System.err.println("SKIPPED OutputDirIT: no user " + ATTACKER + " (useradd -m " + ATTACKER + ")");
        }
        assumeTrue(present, "needs a local user " + ATTACKER + ": useradd -m " + ATTACKER);
        return Integer.parseInt(out);
    }

    private static void chown(int uid, Path p) {
        run("chown", uid + ":" + uid, p.toString());
    }

    private static void chmod(Path p, String perms) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    }

    private static void run(String... command) {
        ForkedJvm.run(command);
    }
}
