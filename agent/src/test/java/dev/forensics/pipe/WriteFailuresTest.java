package dev.forensics.pipe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class WriteFailuresTest {
    private static final long MS = 1_000_000L;
    private static final long WINDOW = 1000 * MS;

    private final WriteFailures table = new WriteFailures(20, WINDOW);

    private WriteFailures.Loop fail(String peer, String site, long atMs) {
        return table.record("socket", peer, site, FailureKind.BROKEN_PIPE, "Broken pipe", 100, atMs * MS, atMs);
    }

    @Test
    void moreThanThresholdFailuresWithinTheWindowOpenOneLoop() {
        for (int i = 0; i < 20; i++) {
            assertThat(fail("10.0.0.1:80", "A.write(A.java:1)", i)).as("failure " + (i + 1)).isNull();
        }
        WriteFailures.Loop loop = fail("10.0.0.1:80", "A.write(A.java:1)", 20);
        assertThat(loop).isNotNull();
        assertThat(loop.failures).isEqualTo(21);
        assertThat(loop.bytes).isEqualTo(2100);
        assertThat(loop.startMillis).isZero();
        for (int i = 21; i < 500; i++) {
            assertThat(fail("10.0.0.1:80", "A.write(A.java:1)", i)).as("a running loop is reported once").isNull();
        }
        assertThat(loop.failures).isEqualTo(500);
        assertThat(loop.kindSummary()).isEqualTo("broken pipe 500");
    }

    @Test
    void failuresSpreadOverWindowsAreNotALoop() {
        for (int i = 0; i < 200; i++) {
            assertThat(fail("10.0.0.1:80", "A.write(A.java:1)", i * 100L)).isNull(); // 10 per second
        }
        assertThat(table.snapshot(10).active()).isEmpty();
        assertThat(table.snapshot(10).others()).hasSize(1);
        assertThat(table.snapshot(10).others().get(0)[2]).isEqualTo("200");
    }

    @Test
    void peersAndSitesAreCountedApart() {
        for (int i = 0; i < 15; i++) {
            assertThat(fail("10.0.0.1:80", "A.write(A.java:1)", i)).isNull();
            assertThat(fail("10.0.0.2:80", "A.write(A.java:1)", i)).isNull();
            assertThat(fail("10.0.0.1:80", "B.write(B.java:9)", i)).isNull();
        }
        assertThat(table.snapshot(10).sites()).isEqualTo(3);
    }

    @Test
    void aLoopWithoutFailuresForAWindowIsClosedWithItsTotals() {
        for (int i = 0; i <= 100; i++) {
            fail("10.0.0.1:80", "A.write(A.java:1)", i);
        }
        WriteFailures.Tick early = table.tick(600 * MS, 600, 60_000 * MS);
        assertThat(early.ended()).isEmpty();
        WriteFailures.Tick late = table.tick(1200 * MS, 1200, 60_000 * MS);
        assertThat(late.ended()).hasSize(1);
        WriteFailures.Loop l = late.ended().get(0);
        assertThat(l.failures).isEqualTo(101);
        assertThat(l.lastMillis).isEqualTo(100);
        assertThat(PipeRecorder.endedMessage(l)).contains(" ended: 101 failed writes over 100 ms").contains("10100 bytes attempted");
        assertThat(table.snapshot(10).active()).isEmpty();
        assertThat(table.snapshot(10).closed()).containsExactly(l);
        // failing again later is a new loop, judged afresh
        for (int i = 0; i < 20; i++) {
            assertThat(fail("10.0.0.1:80", "A.write(A.java:1)", 5000 + i)).isNull();
        }
        assertThat(fail("10.0.0.1:80", "A.write(A.java:1)", 5020)).isNotNull();
    }

    @Test
    void aRunningLoopGetsAtMostOneUpdatePerIntervalAndOnlyWhenItFailedAgain() {
        for (int i = 0; i <= 30; i++) {
            fail("10.0.0.1:80", "A.write(A.java:1)", i);
        }
        long interval = 500 * MS;
        assertThat(table.tick(100 * MS, 100, interval).updates()).isEmpty();
        for (int i = 31; i < 400; i++) {
            fail("10.0.0.1:80", "A.write(A.java:1)", i);
        }
        List<WriteFailures.Progress> updates = table.tick(520 * MS, 520, interval).updates();
        assertThat(updates).hasSize(1);
        assertThat(updates.get(0).newFailures()).isEqualTo(379); // 400 failures, 21 of them counted when the loop opened
        assertThat(PipeRecorder.updateMessage(updates.get(0))).contains("continues: +379 failed writes").contains("400 since");
        assertThat(table.tick(530 * MS, 530, interval).updates()).isEmpty();
    }

    @Test
    void theExitEndsRunningLoopsSoTheirTotalsAreWritten() {
        for (int i = 0; i <= 50; i++) {
            fail("10.0.0.1:80", "A.write(A.java:1)", i);
        }
        List<WriteFailures.Loop> ended = table.endAll(60);
        assertThat(ended).hasSize(1);
        assertThat(PipeRecorder.endedMessage(ended.get(0))).contains("still running when the JVM ended: 51 failed writes");
    }

    @Test
    void theSiteTableIsBoundedAndCountsWhatItDropped() {
        for (int i = 0; i < WriteFailures.MAX_SITES; i++) {
            fail("10.0.0.1:" + i, "A.write(A.java:1)", 0);
        }
        assertThat(fail("10.0.0.2:1", "A.write(A.java:1)", 1)).isNull();
        WriteFailures.Snapshot full = table.snapshot(10);
        assertThat(full.sites()).isEqualTo(WriteFailures.MAX_SITES);
        assertThat(full.droppedFailures()).isEqualTo(1);
        // once the old sites have been quiet for a window they make room
        fail("10.0.0.3:1", "A.write(A.java:1)", 5000);
        assertThat(table.snapshot(10).sites()).isEqualTo(1);
    }

    @Test
    void endedLoopsKeptAreCapped() {
        for (int n = 0; n < WriteFailures.MAX_CLOSED + 5; n++) {
            for (int i = 0; i <= 20; i++) {
                fail("10.0.0.1:" + n, "A.write(A.java:1)", n * 10_000L + i);
            }
            table.tick((n * 10_000L + 5000) * MS, n * 10_000L + 5000, Long.MAX_VALUE);
        }
        WriteFailures.Snapshot s = table.snapshot(10);
        assertThat(s.closed()).hasSize(WriteFailures.MAX_CLOSED);
        assertThat(s.closedForgotten()).isEqualTo(5);
    }

    @Test
    void aKeptEntryTheTableForgotMeanwhileStillCounts() {
        WriteFailures.Entry kept = table.entry("socket", "10.0.0.1:80", "A.write(A.java:1)", 0, 0);
        assertThat(table.record(kept, FailureKind.BROKEN_PIPE, "Broken pipe", 100, 0, 0)).isNull();
        for (int i = 1; i < WriteFailures.MAX_SITES; i++) {
            fail("10.0.0.2:" + i, "A.write(A.java:1)", 0);
        }
        fail("10.0.0.3:1", "A.write(A.java:1)", 5000); // the table is full; a window later every quiet site makes room
        assertThat(kept.evicted).isTrue();
        table.record(kept, FailureKind.BROKEN_PIPE, "Broken pipe", 100, 5000 * MS, 5000);
        WriteFailures.Snapshot s = table.snapshot(WriteFailures.MAX_SITES);
        assertThat(s.others()).filteredOn(row -> row[0].equals("10.0.0.1:80")).singleElement()
                .satisfies(row -> assertThat(row[2]).as("counted afresh at a new entry").isEqualTo("1"));
    }

    @Test
    void threadsCountingAtOneSiteWhileTheCheckerRunsLoseNoFailure() throws Exception {
        WriteFailures.Entry e = table.entry("socket", "10.0.0.1:80", "A.write(A.java:1)", 0, 0);
        int threads = 4;
        int each = 20_000;
        Thread[] writers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            writers[t] = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    table.record(e, FailureKind.BROKEN_PIPE, "Broken pipe", 1, i * 1000L, 0);
                }
            });
            writers[t].start();
        }
        long ticks = 0;
        while (java.util.Arrays.stream(writers).anyMatch(Thread::isAlive)) {
            table.tick(0, 0, 0);
            table.snapshot(10);
            ticks++;
        }
        for (Thread w : writers) {
            w.join();
        }
        List<WriteFailures.Loop> loops = table.endAll(1);
        assertThat(loops).hasSize(1);
        assertThat(loops.get(0).failures).as("after " + ticks + " ticks").isEqualTo((long) threads * each);
        assertThat(loops.get(0).bytes).isEqualTo((long) threads * each);
    }
}
