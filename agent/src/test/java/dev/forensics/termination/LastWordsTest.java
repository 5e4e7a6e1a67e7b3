package dev.forensics.termination;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LastWordsTest {
    @TempDir
    Path dir;

    @Test
    void theFirstDeathWritesAnOwnerOnlyFileAndLaterLinesAreAppended() throws Exception {
        LastWords w = new LastWords(dir, null);
        w.append("  written while the head was composed");
        assertThat(w.begin(List.of("verdict", "cause:"), "verdict")).isTrue();
        assertThat(Files.readAllLines(w.file())).as("verdict and cause are on disk first").containsExactly("verdict", "cause:");
        assertThat(w.begin(List.of("another verdict"), "another verdict")).as("one file per death").isFalse();
        w.append("  appended while threads were gathered");
        w.complete(List.of("threads (1):", "shutdown:"));
        w.append("  later");
        Path f = w.file();
        assertThat(f.getFileName().toString()).startsWith("last-words-" + ProcessHandle.current().pid() + "-").endsWith(".txt");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(Files.readAllLines(f)).containsExactly("verdict", "cause:", "threads (1):", "shutdown:",
                "  written while the head was composed", "  appended while threads were gathered", "  later");
    }

    @Test
    void controlCharactersInAnyLineAreEscapedSoTheVerdictStaysTheFirstLine() throws Exception {
        LastWords w = new LastWords(dir, null);
        String verdict = "SIGTERM from pid 7 (bash -c kill -TERM 1\n\u001b[2Kexited normally)";
        w.begin(List.of(verdict, "cause:"), verdict);
        w.complete(List.of("uncaught: java.io.IOException: bad\r\u001b]0;title\u0007"));
        w.append("  then \u009b31m");
        List<String> lines = Files.readAllLines(w.file());
        assertThat(lines).containsExactly("SIGTERM from pid 7 (bash -c kill -TERM 1\\n\\x1b[2Kexited normally)", "cause:",
                "uncaught: java.io.IOException: bad\\r\\x1b]0;title\\x07", "  then \\x9b31m");
    }

    @Test
    void appendedLinesAreCapped() throws Exception {
        LastWords w = new LastWords(dir, null);
        w.begin(List.of("v"), "v");
        w.complete(List.of());
        for (int i = 0; i < LastWords.MAX_APPENDED_LINES + 50; i++) {
            w.append("line " + i);
        }
        List<String> lines = Files.readAllLines(w.file());
        assertThat(lines).hasSize(1 + LastWords.MAX_APPENDED_LINES + 1);
        assertThat(lines.get(lines.size() - 1)).startsWith("(further lines dropped");
    }

    @Test
    void theTerminationLogGetsTheVerdictAndCauseOnlyWhenItExistsAndAtMost4k() throws Exception {
        Path missing = dir.resolve("missing-termination-log");
        new LastWords(dir.resolve("a"), missing).begin(List.of("v"), "v");
        assertThat(missing).doesNotExist();

        Path log = Files.createFile(dir.resolve("termination-log"));
        Files.writeString(log, "old content that must go");
        new LastWords(dir.resolve("b"), log).begin(List.of("SIGTERM from pid 1", "", "cause (signal):", "  sender: pid 1", "threads (1):", "  \"main\""),
                "SIGTERM from pid 1");
        String text = Files.readString(log);
        assertThat(text).startsWith("SIGTERM from pid 1\nsender: pid 1\nlast words: ").doesNotContain("old content").doesNotContain("main");

        assertThat(LastWords.truncateUtf8("é".repeat(3000), 4096)).hasSize(4096);
        byte[] cut = LastWords.truncateUtf8("a" + "é".repeat(3000), 4096);
        assertThat(cut.length).isEqualTo(4095);
        assertThat(new String(cut, StandardCharsets.UTF_8)).doesNotContain("\uFFFD");
    }

    @Test
    void anUnwritableDirectoryFallsBackToStderrWithoutThrowing() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        LastWords w = new LastWords(file.resolve("out"), null);
        assertThat(w.begin(List.of("verdict"), "verdict")).isTrue();
        assertThat(w.file()).isNull();
        assertThat(w.location()).isEqualTo("stderr");
        w.append("still fine");
    }
}
