package dev.forensics.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.testing.Jdk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code forensics lastwords} prints what dead JVMs left in an output directory, newest first, one header per file,
 * and nothing else that lives there. The files here are plain text as the termination and black-box features write
 * them; the end-to-end case (a real SIGTERM, real last words) is in AttachReportIT.
 */
class LastWordsIT {

    @ParameterizedTest(name = "CLI on {0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void lastWordsAndVerdictsArePrintedNewestFirstUnderAHeaderEach(Jdk cli) throws Exception {
        Path cwd = Files.createTempDirectory("forensics-lastwords-");
        Path dir = Files.createDirectory(cwd.resolve("forensics"));
        Path older = write(dir.resolve("last-words-4242.txt"), "SIGTERM from pid 77 (sh deploy.sh) at 12:03:11.284\nthreads: …\n", 1_000);
        Path verdict = write(dir.resolve("previous-run-4300.txt"), "previous run (pid 4242) died without last words; likely SIGKILL\n", 2_000);
        Path newest = write(dir.resolve("last-words-4300.txt"), "System.exit(3) called by com.acme.Lib.shutdown on thread \"library-thread\"", 3_000);
        write(dir.resolve("journal-4300-20260101-120000-000.log"), "a journal line\n", 4_000);
        Path noWords = write(dir.resolve("no-last-words-4100-20260101-115900.txt"), "previous run (pid 4100) died without last words at about …\n", 500);
        Path secret = write(cwd.resolve("secret.txt"), "not for the reader of last words\n", 0);
        Files.createSymbolicLink(dir.resolve("last-words-4500-20260101-120100-000.txt"), secret);
        write(dir.resolve("last-words-4400.txt.tmp4400"), "half written\n", 5_000);

        Cli.Result all = Cli.run(cli, cwd, "lastwords");
        assertThat(all.exit()).as(all.toString()).isZero();
        String out = all.stdout();
        assertThat(out).as("the newest verdict first, then the headers").startsWith("System.exit(3) called by com.acme.Lib.shutdown on thread \"library-thread\"\n\n"
                + "==> forensics/last-words-4300.txt (last words, ");
        assertThat(out.indexOf(newest.getFileName().toString())).isLessThan(out.indexOf(verdict.getFileName().toString()));
        assertThat(out.indexOf(verdict.getFileName().toString())).isLessThan(out.indexOf(older.getFileName().toString()));
        assertThat(out).contains("(last words, ").contains("(black-box verdict, ")
                .contains("System.exit(3) called by com.acme.Lib.shutdown on thread \"library-thread\"\n")
                .contains("likely SIGKILL").contains("SIGTERM from pid 77 (sh deploy.sh)")
                .doesNotContain("a journal line").doesNotContain("half written").doesNotContain("not for the reader");
        assertThat(out).contains("==> forensics/" + noWords.getFileName() + " (black-box verdict, ").contains("previous run (pid 4100) died without last words");

        Cli.Result one = Cli.run(cli, cwd, "lastwords", "-n", "1", dir.toString());
        assertThat(one.stdout()).contains(newest.getFileName().toString()).doesNotContain(verdict.getFileName().toString());

        Cli.Result file = Cli.run(cli, cwd, "lastwords", older.toString());
        assertThat(file.stdout()).startsWith("SIGTERM from pid 77 (sh deploy.sh) at 12:03:11.284\nthreads: …\n\n==> " + older + " (last words, ")
                .contains("SIGTERM from pid 77");

        Cli.Result json = Cli.run(cli, cwd, "lastwords", "--json", dir.toString());
        assertThat(json.stdout().strip()).startsWith("[{\"file\":\"" + newest + "\",\"kind\":\"last words\"")
                .contains("\"text\":\"SIGTERM from pid 77 (sh deploy.sh) at 12:03:11.284\\nthreads: …\\n\"").endsWith("]");
    }

    /** A planted or foreign file must not drive the operator's terminal: its control characters print escaped. */
    @ParameterizedTest(name = "CLI on {0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void controlCharactersInAFilePrintEscaped(Jdk cli) throws Exception {
        Path cwd = Files.createTempDirectory("forensics-lastwords-");
        Path dir = Files.createDirectory(cwd.resolve("forensics"));
        write(dir.resolve("last-words-4500.txt"), "SIGTERM from pid 9 (sh)\u001b[2K\u001b[1Gexited normally\r\nsecond line\u0007\n", 1_000);
        Cli.Result r = Cli.run(cli, cwd, "lastwords");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.stdout()).contains("SIGTERM from pid 9 (sh)\\x1b[2K\\x1b[1Gexited normally\\r\nsecond line\\x07\n")
                .doesNotContain("\u001b").doesNotContain("\u0007");
    }

    @ParameterizedTest(name = "CLI on {0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void theNewestVerdictsTwoLinesComeFirstAndBlackBoxVerdictsAreListed(Jdk cli) throws Exception {
        Path cwd = Files.createTempDirectory("forensics-lastwords-");
        Path dir = Files.createDirectory(cwd.resolve("forensics"));
        write(dir.resolve("no-last-words-4100-20261203-101500.txt"), "previous run (pid 4100) died without last words; likely SIGKILL from the kernel OOM killer\n\n"
                + "evidence:\n  oom_kill 0 → 1\n", 1_000);
        write(dir.resolve("last-words-4300-20261203-110000-000.txt"), "SIGTERM from systemd (pid 1): it is stopping aiproxy.service (systemctl stop, a dependency, or shutdown)\n"
                + "next: systemd will not restart aiproxy.service: a stop through systemd never triggers Restart=\n\ntime: …\nexit status: 143\n", 2_000);

        Cli.Result r = Cli.run(cli, cwd, "lastwords");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.stdout()).startsWith("SIGTERM from systemd (pid 1): it is stopping aiproxy.service (systemctl stop, a dependency, or shutdown)\n"
                + "next: systemd will not restart aiproxy.service: a stop through systemd never triggers Restart=\n\n==> forensics/last-words-4300-")
                .contains("==> forensics/no-last-words-4100-20261203-101500.txt (black-box verdict, ").contains("likely SIGKILL from the kernel OOM killer");

        Cli.Result json = Cli.run(cli, cwd, "lastwords", "--json", dir.toString());
        assertThat(json.stdout()).contains("\"verdict\":[\"SIGTERM from systemd (pid 1): it is stopping aiproxy.service (systemctl stop, a dependency, or shutdown)\","
                + "\"next: systemd will not restart aiproxy.service: a stop through systemd never triggers Restart=\"]");
    }

    @ParameterizedTest(name = "CLI on {0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void anEmptyDirectorySaysSoAndAMissingOneIsAnError(Jdk cli) throws Exception {
        Path cwd = Files.createTempDirectory("forensics-lastwords-");
        Cli.Result missing = Cli.run(cli, cwd, "lastwords");
        assertThat(missing.exit()).as(missing.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(missing.stderr()).isEqualTo("forensics: no such file or directory: " + cwd.resolve("forensics") + "\n");

        Files.createDirectory(cwd.resolve("forensics"));
        Cli.Result empty = Cli.run(cli, cwd, "lastwords");
        assertThat(empty.exit()).isZero();
        assertThat(empty.stdout()).isEqualTo("no last words or black-box verdicts in " + cwd.resolve("forensics") + "\n");
    }

    private static Path write(Path file, String text, long ageOffsetMillis) throws Exception {
        Files.writeString(file, text);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(3600).plusMillis(ageOffsetMillis)));
        return file;
    }
}
