package dev.forensics.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReporterTest {
    @TempDir
    Path dir;

    @Test
    void identicalFindingsAreAggregatedAndSummarisedAfterTheWindow() throws Exception {
        Journal journal = new Journal(dir, 1 << 20);
        Reporter r = new Reporter(journal, new LogSink("off"));
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        long t = 0;
        r.write(Finding.warn("pipe", "k", "broken pipe at A"), t, at);
        for (int i = 0; i < 1000; i++) {
            r.write(Finding.warn("pipe", "k", "broken pipe at A"), t + i, at);
        }
        r.write(Finding.warn("pipe", "other", "broken pipe at B"), t, at);
        r.write(Finding.warn("pipe", "k", "broken pipe at A"), t + Reporter.WINDOW_NANOS + 1, at);
        String text = Files.readString(journal.file());
        assertThat(text.lines()).hasSize(3);
        assertThat(text).contains("broken pipe at A (+1000 more like this since");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(journal.file()))).isEqualTo("rw-------");
    }

    @Test
    void aFindingThatLimitsItsOwnLinesIsNeverHeldBackByTheWindowButStaysInTheBudget() throws Exception {
        Journal journal = new Journal(dir, 1 << 20);
        Reporter r = new Reporter(journal, new LogSink("off"));
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        r.write(Finding.error("leak", "leak:A", "1 response body leaked at A"), 0, at, false, false);
        r.write(Finding.error("leak", "leak:A", "36 response bodies leaked at A (total 37 since 00:00:00)"), 1, at, false, false);
        r.write(Finding.warn("pipe", "k", "broken pipe at B"), 2, at);
        r.write(Finding.warn("pipe", "k", "broken pipe at B"), 3, at);
        String text = Files.readString(journal.file());
        assertThat(text.lines()).hasSize(3);
        assertThat(text).contains("(total 37 since").doesNotContain("more like this");
    }

    @Test
    void aGlobalBudgetCapsDistinctFindingsPerMinute() throws Exception {
        Journal journal = new Journal(dir, 1 << 24);
        Reporter r = new Reporter(journal, new LogSink("off"));
        for (int i = 0; i < Reporter.LINES_PER_MINUTE * 3; i++) {
            r.write(Finding.warn("x", "key" + i, "finding " + i), i, Instant.now());
        }
        assertThat(Files.readString(journal.file()).lines()).hasSize(Reporter.LINES_PER_MINUTE);
    }

    @Test
    void theJournalStopsAtItsCapAndSaysSoOnce() throws Exception {
        Journal journal = new Journal(dir, 4096);
        for (int i = 0; i < 500; i++) {
            journal.append(Instant.now(), "INFO", "x", "line number " + i + " with some padding to fill the journal");
        }
        String text = Files.readString(journal.file());
        assertThat(text).containsOnlyOnce("journal reached its cap");
        assertThat(Files.size(journal.file())).isLessThan(4096 + 300);
    }

    @Test
    void multiLineMessagesStayOneLine() throws Exception {
        Journal journal = new Journal(dir, 1 << 20);
        journal.append(Instant.now(), "WARN", "x", "first\nsecond\r\nthird");
        assertThat(Files.readString(journal.file()).lines()).hasSize(1).first().asString().contains("first | second | third");
    }

    @Test
    void hostileMessagesBecomeOneEscapedLineOfBoundedLength() throws Exception {
        Journal journal = new Journal(dir, 1 << 24);
        journal.append(Instant.now(), "WARN", "x", "exit \u001b[2Kforged\u0007 " + "y".repeat(1 << 20));
        String text = Files.readString(journal.file());
        assertThat(text.lines()).hasSize(1);
        assertThat(text).contains("exit \\x1b[2Kforged\\x07 yyy").doesNotContain("\u001b").contains("(cut: ");
        assertThat(text.length()).isLessThan(Journal.MAX_LINE + 200);
    }
}
