package dev.forensics.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcTest {
    /** A run's journal carries its start (a pid comes back); a container's JVM names itself by its own pid, 1. */
    @Test
    void theJournalOfAPidIsFoundUnderEitherPidAndWithOrWithoutItsStart() {
        assertThat(Proc.isJournal("journal-4242-20260101-120000-000.log", 4242, 4242)).isTrue();
        assertThat(Proc.isJournal("journal-1-20260101-120000-000.log", 4242, 1)).as("pid 1 in its container").isTrue();
        assertThat(Proc.isJournal("journal-4242.log", 4242, 4242)).as("an older agent's name").isTrue();
        assertThat(Proc.isJournal("journal-42421-20260101-120000-000.log", 4242, 4242)).as("another pid").isFalse();
        assertThat(Proc.isJournal("journal-4242-20260101-120000-000.log (deleted)", 4242, 4242)).as("removed from the disk").isFalse();
    }
}
