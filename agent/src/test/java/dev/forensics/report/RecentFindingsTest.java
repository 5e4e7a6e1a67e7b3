package dev.forensics.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RecentFindingsTest {

    @Test
    void findingsAreCountedPerKeyNewestFirstAndCappedWithACountOfWhatWasForgotten() throws Exception {
        long droppedBefore = RecentFindings.dropped();
        RecentFindings.record(Finding.warn("exit", "k-first", "first"));
        Thread.sleep(5);
        RecentFindings.record(Finding.warn("exit", "k-second", "second"));
        Thread.sleep(5);
        RecentFindings.record(Finding.error("exit", "k-first", "first again"));

        List<RecentFindings.Entry> now = RecentFindings.snapshot();
        RecentFindings.Entry top = now.get(0);
        assertThat(top.finding().message()).isEqualTo("first again");
        assertThat(top.count()).isEqualTo(2);
        assertThat(top.first()).isBefore(top.last());
        assertThat(RecentFindings.toData(top)).containsEntry("severity", "ERROR").containsEntry("count", 2L).containsEntry("key", "k-first");

        for (int i = 0; i < RecentFindings.MAX_KEYS + 10; i++) {
            RecentFindings.record(Finding.info("flood", "flood-" + i, "flood " + i));
        }
        assertThat(RecentFindings.snapshot()).hasSize(RecentFindings.MAX_KEYS);
        assertThat(RecentFindings.dropped() - droppedBefore).isGreaterThanOrEqualTo(10);
        assertThat(RecentFindings.snapshot()).extracting(e -> e.finding().key()).doesNotContain("k-second").contains("flood-" + (RecentFindings.MAX_KEYS + 9));
    }
}
