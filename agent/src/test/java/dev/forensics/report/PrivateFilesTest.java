package dev.forensics.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What held when it was attacked, kept so: a link planted where the agent writes is never written through. */
class PrivateFilesTest {
    @TempDir
    Path dir;

    @Test
    void twoThreadsProbingOneDirectoryAtOnceBothFindItUsable() throws Exception {
        // A JVM that exits while the agent starts probes its output directory from two threads at once.
        Path out = Files.createDirectory(dir.resolve("out"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.List<java.util.concurrent.Future<String>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                answers.add(pool.submit(() -> PrivateFiles.unusable(out, false)));
            }
            for (java.util.concurrent.Future<String> a : answers) {
                assertThat(a.get()).isNull();
            }
        } finally {
            pool.shutdownNow();
        }
        try (java.util.stream.Stream<Path> left = Files.list(out)) {
            assertThat(left).as("no probe left behind").isEmpty();
        }
    }

    @Test
    void aLinkAtAFileTheAgentWritesIsRefusedAndItsTargetUntouched() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "precious\n");
        Path link = Files.createSymbolicLink(dir.resolve("black-box-1.txt"), victim);
        assertThatThrownBy(() -> PrivateFiles.open(link, false)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> PrivateFiles.open(link, true)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> PrivateFiles.create(link)).isInstanceOf(IOException.class);
        Path dangling = Files.createSymbolicLink(dir.resolve("last-words-1.txt"), dir.resolve("made-through-the-link"));
        assertThatThrownBy(() -> PrivateFiles.create(dangling)).isInstanceOf(IOException.class);
        assertThat(Files.readString(victim)).isEqualTo("precious\n");
        assertThat(dir.resolve("made-through-the-link")).doesNotExist();
    }

    @Test
    void aLinkAtTheJournalsPathIsNotWrittenThrough() throws Exception {
        Path out = Files.createDirectory(dir.resolve("out"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path victim = Files.writeString(dir.resolve("victim"), "precious\n");
        Journal journal = new Journal(out, 1 << 20);
        Files.createSymbolicLink(journal.file(), victim);
        assertThat(journal.append(Instant.now(), "INFO", "agent", "a line")).isFalse();
        assertThat(journal.failed()).as("said once, then quiet").isTrue();
        assertThat(Files.readString(victim)).isEqualTo("precious\n");
    }

    @Test
    void aJournalIsNamedByPidAndStartAndRecreatedWhenRemoved() throws Exception {
        Path out = Files.createDirectory(dir.resolve("out"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Journal journal = new Journal(out, 1 << 20);
        assertThat(journal.file().getFileName().toString()).matches("journal-" + ProcessHandle.current().pid() + "-\\d{8}-\\d{6}-\\d{3}\\.log");
        assertThat(journal.append(Instant.now(), "INFO", "agent", "first")).isTrue();
        Files.delete(journal.file());
        assertThat(journal.append(Instant.now(), "INFO", "agent", "second")).isTrue();
        assertThat(Files.readString(journal.file())).contains("this journal was removed while the JVM ran").contains("second").doesNotContain("first");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(journal.file()))).isEqualTo("rw-------");
    }

    @Test
    void aDirectoryIsOursOnlyWhenNoOneElseCanWriteItAndItIsNoLink() throws Exception {
        Path mine = Files.createDirectory(dir.resolve("mine"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        assertThat(PrivateFiles.unusable(mine, false)).isNull();
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(PrivateFiles.unusable(open, false)).isEqualTo("can be written by other users (mode 777)");
        Path link = Files.createSymbolicLink(dir.resolve("link"), mine);
        assertThat(PrivateFiles.unusable(link, true)).isEqualTo("is a symbolic link");
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertThat(PrivateFiles.unusable(file, true)).isEqualTo("is not a directory");
        Path created = dir.resolve("new/deeper");
        assertThat(PrivateFiles.unusable(created, true)).isNull();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(created))).isEqualTo("rwx------");
        try (var left = Files.list(created)) {
            assertThat(left).as("the write probe is removed").isEmpty();
        }
    }
}
