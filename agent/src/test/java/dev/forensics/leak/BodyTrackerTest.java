package dev.forensics.leak;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BodyTrackerTest {
    private static Origin origin() {
        return new Origin(System.nanoTime(), "test", null);
    }

    private static TrackedBody open(BodyTracker t, Object body, long contentLength, int flags) {
        return t.open(body, origin(), "client", "kind", 200, "GET", "http://h/p", contentLength, flags);
    }

    /** Collects until the tracker's queue yields a record, or gives up after a few seconds. */
    private static List<TrackedBody> collect(BodyTracker t, int expected) throws InterruptedException {
        List<TrackedBody> out = new ArrayList<>();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (out.size() < expected && System.nanoTime() < deadline) {
            System.gc();
            Reference<?> r = t.queue().remove(100);
            while (r != null) {
                out.add((TrackedBody) r);
                r = t.queue().poll();
            }
        }
        return out;
    }

    @Test
    void anUnreachableBodyThatWasNeverClosedIsALeak() throws Exception {
        BodyTracker t = new BodyTracker(100);
        open(t, new Object(), -1, 0);
        assertThat(t.open()).isEqualTo(1);
        List<TrackedBody> enqueued = collect(t, 1);
        assertThat(enqueued).hasSize(1);
        assertThat(t.reap(enqueued.get(0))).isTrue();
        assertThat(t.leaked()).isEqualTo(1);
        assertThat(t.open()).isZero();
        assertThat(t.reap(enqueued.get(0))).as("a record is a leak once").isFalse();
    }

    @Test
    void closedBodiesAreNeverEnqueuedNorReported() throws Exception {
        BodyTracker t = new BodyTracker(10_000);
        for (int i = 0; i < 1000; i++) {
            Object body = new Object();
            open(t, body, -1, 0);
            assertThat(t.close(body)).isNotNull();
        }
        assertThat(t.open()).isZero();
        open(t, new Object(), -1, 0); // one real leak, so we know collection happened
        List<TrackedBody> enqueued = collect(t, 1);
        Thread.sleep(200);
        System.gc();
        for (Reference<?> r; (r = t.queue().poll()) != null; ) {
            enqueued.add((TrackedBody) r);
        }
        assertThat(enqueued).hasSize(1);
        assertThat(t.reap(enqueued.get(0))).isTrue();
        assertThat(t.tracked()).isEqualTo(1001);
        assertThat(t.leaked()).isEqualTo(1);
    }

    @Test
    void endOfStreamAndAllContentLengthBytesCountAsClosed() {
        BodyTracker t = new BodyTracker(100);
        Object a = new Object();
        Object b = new Object();
        Object c = new Object();
        open(t, a, -1, TrackedBody.LENGTH_COMPLETES);
        open(t, b, 10, TrackedBody.LENGTH_COMPLETES);
        open(t, c, 10, 0);
        assertThat(t.read(a, 100)).isNull();
        assertThat(t.read(a, -1)).isNotNull();
        assertThat(t.read(b, 4)).isNull();
        assertThat(t.read(b, 6)).as("the 10th of 10 bytes").isNotNull();
        assertThat(t.read(c, 10)).as("a client that does not release at content-length").isNull();
        assertThat(t.find(c).bytesRead).isEqualTo(10);
        assertThat(t.open()).isEqualTo(1);
        Reference.reachabilityFence(a);
        Reference.reachabilityFence(b);
    }

    @Test
    void theCapIsHardAndWhatItTurnsAwayIsCounted() {
        BodyTracker t = new BodyTracker(100);
        List<Object> held = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            Object body = new Object();
            held.add(body);
            open(t, body, -1, 0);
        }
        assertThat(t.open()).isEqualTo(100);
        assertThat(t.peak()).isEqualTo(100);
        assertThat(t.untracked()).isEqualTo(50);
        assertThat(t.snapshot()).hasSize(100);
        t.close(held.get(0));
        assertThat(open(t, new Object(), -1, 0)).isNotNull();
    }

    @Test
    void aBodyIsTrackedOnceAndAliasesCloseTheirRecord() {
        BodyTracker t = new BodyTracker(100);
        Object body = new Object();
        TrackedBody first = open(t, body, -1, 0);
        assertThat(open(t, body, -1, 0)).isNull();
        assertThat(t.open()).isEqualTo(1);
        assertThat(t.closeRecord(first)).isTrue();
        assertThat(t.closeRecord(first)).isFalse();
        assertThat(t.close(body)).isNull();
        assertThat(t.open()).isZero();
    }

    @Test
    void heldBodiesAreMarkedOnce() {
        BodyTracker t = new BodyTracker(100);
        Object body = new Object();
        open(t, body, -1, 0);
        assertThat(t.mark(r -> true, TrackedBody.HELD)).hasSize(1);
        assertThat(t.mark(r -> true, TrackedBody.HELD)).isEmpty();
        assertThat(t.close(body).flags & TrackedBody.HELD).isNotZero();
    }

    /** The last words group open bodies within a budget and count the rest; a caller without one sees them all. */
    @Test
    void theLiveTableWithinABudgetCountsEveryBodyAndSaysWhatItLeftUngrouped() {
        BodyTracker t = new BodyTracker(100_000);
        LeakWatcher w = new LeakWatcher(t, Long.MAX_VALUE, 0, "never");
        List<Object> bodies = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            Object b = new Object();
            bodies.add(b);
            t.open(b, origin(), "client", "kind", 200, "GET", "http://h/items/" + i + "?token=s" + i, -1, 0);
        }
        List<String> bounded = w.lines(0);
        assertThat(bounded.get(0)).isEqualTo("20000 response bodies open, by origin site:");
        assertThat(String.join("\n", bounded)).containsPattern("  \\d+ more not grouped: grouping stops after 0 ms while the JVM shuts down")
                .doesNotContain("token=s");
        List<String> full = w.lines();
        assertThat(full.get(1)).startsWith("  20000 at an unsampled call site — GET http://h/items/{id}?token=*** → 200");
        assertThat(String.join("\n", full)).doesNotContain("not grouped");
        Reference.reachabilityFence(bodies);
    }
}
