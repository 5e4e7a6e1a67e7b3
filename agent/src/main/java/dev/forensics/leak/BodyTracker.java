package dev.forensics.leak;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * Every open response body, by identity: a striped hash table of phantom-referenced {@link TrackedBody} records with
 * a hard cap (a body that arrives when the table is full is counted, not tracked). Closing unlinks the record and
 * marks it closed under the stripe lock, so a record the garbage collector enqueues counts as a leak only if it was
 * never closed: those are the GC-confirmed leaks. Each close or read holds the body reachable until the record is
 * unlinked (reachability fence), so a body being closed while the collector runs can never be mistaken for a leak.
 */
final class BodyTracker {
    private static final int STRIPES = 64;

    private final Stripe[] stripes = new Stripe[STRIPES];
    private final ReferenceQueue<Object> queue = new ReferenceQueue<>();
    private final int maxOpen;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final LongAdder untracked = new LongAdder();
    private final LongAdder tracked = new LongAdder();
    private final AtomicLong leaked = new AtomicLong();

    private static final class Stripe {
        TrackedBody[] buckets = new TrackedBody[16];
        int size;
    }

    BodyTracker(int maxOpen) {
        this.maxOpen = maxOpen;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe();
        }
    }

    ReferenceQueue<Object> queue() {
        return queue;
    }

    /**
     * Starts tracking a body; returns null when the table is full (counted in {@link #untracked()}) or when the body
     * is already tracked (the first registration wins: it names where the body was first handed out).
     */
    TrackedBody open(
            Object body,
            Origin origin,
            String client,
            String kind,
            int status,
            String method,
            Object url,
            long contentLength,
            int flags) {
        if (open.incrementAndGet() > maxOpen) {
            open.decrementAndGet();
            untracked.increment();
            return null;
        }
        int hash = System.identityHashCode(body);
        TrackedBody record =
                new TrackedBody(body, queue, hash, origin, client, kind, status, method, url, contentLength, flags);
        Stripe s = stripe(hash);
        synchronized (s) {
            if (find(s, body, hash) != null) {
                open.decrementAndGet();
                record.clear();
                Reference.reachabilityFence(body);
                return null;
            }
            TrackedBody[] b = s.buckets;
            int i = hash & (b.length - 1);
            record.next = b[i];
            b[i] = record;
            if (++s.size > b.length) {
                grow(s);
            }
        }
        tracked.increment();
        int now = open.get();
        for (int p = peak.get(); now > p && !peak.compareAndSet(p, now); p = peak.get()) {
            // lost a race with another opener; retry with the newer peak
        }
        Reference.reachabilityFence(body);
        return record;
    }

    /** Marks the body closed; returns its record, or null when it was not tracked. */
    TrackedBody close(Object body) {
        if (open.get() == 0) {
            return null;
        }
        int hash = System.identityHashCode(body);
        Stripe s = stripe(hash);
        TrackedBody r;
        synchronized (s) {
            r = find(s, body, hash);
            if (r != null) {
                unlinkClosed(s, r);
            }
        }
        Reference.reachabilityFence(body);
        return r;
    }

    /** The open record of a body, or null. */
    TrackedBody find(Object body) {
        if (open.get() == 0) {
            return null;
        }
        int hash = System.identityHashCode(body);
        Stripe s = stripe(hash);
        TrackedBody r;
        synchronized (s) {
            r = find(s, body, hash);
        }
        Reference.reachabilityFence(body);
        return r;
    }

    /** Closes a record found through something other than its body (an alias); false when it was already closed or leaked. */
    boolean closeRecord(TrackedBody r) {
        return retire(r, TrackedBody.CLOSED);
    }

    /** Counts bytes read; -1 (end of stream) or reading all content-length bytes where that releases the connection closes it. */
    TrackedBody read(Object body, long n) {
        if (open.get() == 0) {
            return null;
        }
        int hash = System.identityHashCode(body);
        Stripe s = stripe(hash);
        TrackedBody closed = null;
        synchronized (s) {
            TrackedBody r = find(s, body, hash);
            if (r != null) {
                if (n < 0) {
                    unlinkClosed(s, r);
                    closed = r;
                } else {
                    r.bytesRead += n;
                    if ((r.flags & TrackedBody.LENGTH_COMPLETES) != 0
                            && r.contentLength >= 0
                            && r.bytesRead >= r.contentLength) {
                        unlinkClosed(s, r);
                        closed = r;
                    }
                }
            }
        }
        Reference.reachabilityFence(body);
        return closed;
    }

    /**
     * Called for a record the collector enqueued: its body became unreachable. Returns true when it had not been
     * closed, which makes it a leak; false when a close won the race.
     */
    boolean reap(TrackedBody r) {
        if (!retire(r, TrackedBody.LEAKED)) {
            return false;
        }
        leaked.incrementAndGet();
        return true;
    }

    /** Takes a still-open record out of the table as closed or leaked; false when a close or the collector came first. */
    private boolean retire(TrackedBody r, int how) {
        Stripe s = stripe(r.hash);
        synchronized (s) {
            if ((r.flags & (TrackedBody.CLOSED | TrackedBody.LEAKED)) != 0 || !unlink(s, r)) {
                return false;
            }
            r.flags |= how;
        }
        open.decrementAndGet();
        return true;
    }

    /** Marks (under the stripe lock) and returns the open records the predicate selects, e.g. held too long. */
    List<TrackedBody> mark(Predicate<TrackedBody> select, int flag) {
        return mark(select, flag, null);
    }

    /** {@link #mark}, also showing every open record to {@code each} (the same walk counts open bodies by client). */
    List<TrackedBody> mark(Predicate<TrackedBody> select, int flag, java.util.function.Consumer<TrackedBody> each) {
        List<TrackedBody> out = new ArrayList<>();
        for (Stripe s : stripes) {
            synchronized (s) {
                for (TrackedBody head : s.buckets) {
                    for (TrackedBody r = head; r != null; r = r.next) {
                        if (each != null) {
                            each.accept(r);
                        }
                        if ((r.flags & flag) == 0 && select.test(r)) {
                            r.flags |= flag;
                            out.add(r);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** A copy of the open records, for the live table. */
    List<TrackedBody> snapshot() {
        List<TrackedBody> out = new ArrayList<>(Math.max(16, open.get()));
        for (Stripe s : stripes) {
            synchronized (s) {
                for (TrackedBody head : s.buckets) {
                    for (TrackedBody r = head; r != null; r = r.next) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }

    int open() {
        return open.get();
    }

    int peak() {
        return peak.get();
    }

    int maxOpen() {
        return maxOpen;
    }

    /** Bodies not tracked because the table was at its cap. */
    long untracked() {
        return untracked.sum();
    }

    long tracked() {
        return tracked.sum();
    }

    long leaked() {
        return leaked.get();
    }

    private Stripe stripe(int hash) {
        return stripes[(hash ^ (hash >>> 16)) & (STRIPES - 1)];
    }

    private static TrackedBody find(Stripe s, Object body, int hash) {
        TrackedBody[] b = s.buckets;
        for (TrackedBody r = b[hash & (b.length - 1)]; r != null; r = r.next) {
            if (r.hash == hash && r.refersTo(body)) {
                return r;
            }
        }
        return null;
    }

    /**
     * A closed record is not cleared (here or in {@link #retire}): closes run on every body, and Reference.clear is a
     * native call before JDK 23. An unlinked record is garbage the collector never discovers; one something still holds
     * when its body dies is enqueued, and {@link #reap} finds it CLOSED (set under the stripe lock) and ignores it.
     */
    private void unlinkClosed(Stripe s, TrackedBody r) {
        unlink(s, r);
        r.flags |= TrackedBody.CLOSED;
        open.decrementAndGet();
    }

    private static boolean unlink(Stripe s, TrackedBody r) {
        TrackedBody[] b = s.buckets;
        int i = r.hash & (b.length - 1);
        TrackedBody prev = null;
        for (TrackedBody x = b[i]; x != null; prev = x, x = x.next) {
            if (x == r) {
                if (prev == null) {
                    b[i] = x.next;
                } else {
                    prev.next = x.next;
                }
                x.next = null;
                s.size--;
                return true;
            }
        }
        return false;
    }

    private static void grow(Stripe s) {
        TrackedBody[] old = s.buckets;
        TrackedBody[] b = new TrackedBody[old.length * 2];
        for (TrackedBody head : old) {
            TrackedBody r = head;
            while (r != null) {
                TrackedBody next = r.next;
                int i = r.hash & (b.length - 1);
                r.next = b[i];
                b[i] = r;
                r = next;
            }
        }
        s.buckets = b;
    }
}
