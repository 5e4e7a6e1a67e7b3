package dev.forensics.pipe;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Failed socket writes per (peer, site) and the loop verdict: more than {@code threshold} failures at one site to
 * one peer within {@code window} is a broken-pipe loop, which stays open while failures keep coming and closes,
 * with its totals, once a whole window passes without one. Pure bookkeeping with the clock passed in (the recorder
 * reports); bounded: {@link #MAX_SITES} sites and {@link #MAX_CLOSED} remembered loops, with what was dropped counted.
 *
 * <p>Counting a failure locks only its entry, so threads failing at different sites never wait for each other; the
 * table's own lock is taken to find or add an entry (the recorder keeps the entry of a running loop, so a loop's
 * failures skip that) and by the checker and the report. Lock order: the table, then an entry, never the reverse.
 */
final class WriteFailures {
    static final int MAX_SITES = 1024;
    static final int MAX_CLOSED = 32;

    final int threshold;
    final long windowNanos;

    private final Map<String, Entry> entries = new HashMap<>(); // guarded by this
    private final List<Loop> active = new CopyOnWriteArrayList<>(); // added to under an entry's lock, never this
    private final ArrayDeque<Loop> closed = new ArrayDeque<>(); // guarded by this
    private final AtomicLong loopsSeen = new AtomicLong();
    private long droppedFailures; // guarded by this
    private long closedForgotten; // guarded by this

    /** One (peer, site): everything that ever failed there, and the current window. Guarded by itself. */
    static final class Entry {
        final String key;
        final String layer;
        final String peer;
        final String site;
        long failures;
        long bytes;
        final long[] kinds = new long[FailureKind.values().length];
        long firstMillis;
        long lastMillis;
        long lastNanos;
        String lastMessage;

        long windowStartNanos;
        long windowStartMillis;
        int windowCount;
        long windowBytes;
        final long[] windowKinds = new long[FailureKind.values().length];
        Loop loop;
        /** Forgotten by the table to make room; a recorder still holding it looks the site up again. */
        volatile boolean evicted;

        Entry(String key, String layer, String peer, String site) {
            this.key = key;
            this.layer = layer;
            this.peer = peer;
            this.site = site;
        }
    }

    /**
     * A broken-pipe loop: counted from the first failure of the window that made the verdict. A running loop is
     * changed under its entry's lock; readers on other threads get a {@link #copy()} (an ended one no longer changes).
     */
    static final class Loop {
        final long id;
        final Entry entry;
        final long startNanos;
        final long startMillis;
        final long detectedMillis;
        final int failuresAtDetection;
        long failures;
        long bytes;
        final long[] kinds;
        long lastNanos;
        long lastMillis;
        String lastMessage;
        long lastUpdateNanos;
        long failuresAtLastUpdate;
        long endedMillis;
        boolean endedAtExit;
        volatile List<String> stack = List.of();

        Loop(long id, Entry e, long now, long nowMillis) {
            this.id = id;
            this.entry = e;
            this.startNanos = e.windowStartNanos;
            this.startMillis = e.windowStartMillis;
            this.detectedMillis = nowMillis;
            this.failuresAtDetection = e.windowCount;
            this.failures = e.windowCount;
            this.bytes = e.windowBytes;
            this.kinds = e.windowKinds.clone();
            this.lastNanos = now;
            this.lastMillis = nowMillis;
            this.lastMessage = e.lastMessage;
            this.lastUpdateNanos = now;
            this.failuresAtLastUpdate = e.windowCount;
        }

        /** The same loop as it is now, for a reader that must not see it change; the caller holds the entry's lock. */
        private Loop(Loop l) {
            id = l.id;
            entry = l.entry;
            startNanos = l.startNanos;
            startMillis = l.startMillis;
            detectedMillis = l.detectedMillis;
            failuresAtDetection = l.failuresAtDetection;
            failures = l.failures;
            bytes = l.bytes;
            kinds = l.kinds.clone();
            lastNanos = l.lastNanos;
            lastMillis = l.lastMillis;
            lastMessage = l.lastMessage;
            lastUpdateNanos = l.lastUpdateNanos;
            failuresAtLastUpdate = l.failuresAtLastUpdate;
            endedMillis = l.endedMillis;
            endedAtExit = l.endedAtExit;
            stack = l.stack;
        }

        Loop copy() {
            synchronized (entry) {
                return new Loop(this);
            }
        }

        boolean ended() {
            return endedMillis != 0;
        }

        /** Failures per second from the loop's first failure to its last (or to now while it runs). */
        double rate(long untilNanos) {
            long span = Math.max(untilNanos - startNanos, 1_000_000L);
            return failures * 1e9 / span;
        }

        String kindSummary() {
            StringBuilder sb = new StringBuilder();
            for (FailureKind k : FailureKind.values()) {
                if (kinds[k.ordinal()] > 0) {
                    sb.append(sb.length() == 0 ? "" : ", ")
                            .append(k.label)
                            .append(' ')
                            .append(kinds[k.ordinal()]);
                }
            }
            return sb.toString();
        }

        FailureKind mainKind() {
            FailureKind best = FailureKind.OTHER;
            long n = -1;
            for (FailureKind k : FailureKind.values()) {
                if (kinds[k.ordinal()] > n) {
                    n = kinds[k.ordinal()];
                    best = k;
                }
            }
            return best;
        }
    }

    /** A still-running loop's progress since its last update line. */
    record Progress(Loop loop, long newFailures, long sinceNanos) {}

    /** What one tick of the checker found: loops that stopped and loops due an update line. */
    record Tick(List<Loop> ended, List<Progress> updates) {}

    WriteFailures(int threshold, long windowNanos) {
        this.threshold = threshold;
        this.windowNanos = windowNanos;
    }

    /** Counts one failure; returns the loop this failure opened, or null (no verdict, or a loop already open). */
    Loop record(
            String layer,
            String peer,
            String site,
            FailureKind kind,
            String message,
            long bytes,
            long now,
            long nowMillis) {
        while (true) {
            Entry e = entry(layer, peer, site, now, nowMillis);
            if (e == null) {
                return null;
            }
            synchronized (e) {
                if (!e.evicted) {
                    return count(e, kind, message, bytes, now, nowMillis);
                }
            }
        }
    }

    /** Broken-pipe loops judged so far. */
    long loopsSeen() {
        return loopsSeen.get();
    }

    /** Loops still failing. */
    int loopsActive() {
        return active.size();
    }

    /** {@link #record} at an entry the caller kept from {@link #entry}: no look-up, no table lock. */
    Loop record(Entry e, FailureKind kind, String message, long bytes, long now, long nowMillis) {
        synchronized (e) {
            if (!e.evicted) {
                return count(e, kind, message, bytes, now, nowMillis);
            }
        }
        return record(e.layer, e.peer, e.site, kind, message, bytes, now, nowMillis);
    }

    /** The entry of (peer, site), added if new; null when the table is full of busy sites (the failure is counted as dropped). */
    synchronized Entry entry(String layer, String peer, String site, long now, long nowMillis) {
        String key = peer + " " + site;
        Entry e = entries.get(key);
        if (e == null) {
            if (entries.size() >= MAX_SITES && !evictIdle(now)) {
                droppedFailures++;
                return null;
            }
            e = new Entry(key, layer, peer, site);
            e.firstMillis = nowMillis;
            e.lastNanos = now; // not idle: the failure that made it is about to be counted
            entries.put(key, e);
        }
        return e;
    }

    /** Holding e's lock. */
    private Loop count(Entry e, FailureKind kind, String message, long bytes, long now, long nowMillis) {
        e.failures++;
        e.bytes += bytes;
        e.kinds[kind.ordinal()]++;
        e.lastMillis = nowMillis;
        e.lastNanos = now;
        e.lastMessage = message;
        Loop loop = e.loop;
        if (loop != null) {
            loop.failures++;
            loop.bytes += bytes;
            loop.kinds[kind.ordinal()]++;
            loop.lastNanos = now;
            loop.lastMillis = nowMillis;
            loop.lastMessage = message;
            return null;
        }
        if (e.windowCount == 0 || now - e.windowStartNanos > windowNanos) {
            e.windowStartNanos = now;
            e.windowStartMillis = nowMillis;
            e.windowCount = 0;
            e.windowBytes = 0;
            Arrays.fill(e.windowKinds, 0);
        }
        e.windowCount++;
        e.windowBytes += bytes;
        e.windowKinds[kind.ordinal()]++;
        if (e.windowCount > threshold) {
            loop = new Loop(loopsSeen.incrementAndGet(), e, now, nowMillis);
            e.loop = loop;
            active.add(loop);
            return loop;
        }
        return null;
    }

    /**
     * Closes loops that saw no failure for a whole window and picks those due an update line (at most one per
     * {@code updateNanos}, and only when they failed again since the last one). Updates carry copies.
     */
    synchronized Tick tick(long now, long nowMillis, long updateNanos) {
        List<Loop> ended = new ArrayList<>();
        List<Progress> updates = new ArrayList<>();
        for (Loop l : active) {
            synchronized (l.entry) {
                if (now - l.lastNanos > windowNanos) {
                    end(l, nowMillis, false);
                    ended.add(l);
                } else if (now - l.lastUpdateNanos >= updateNanos && l.failures > l.failuresAtLastUpdate) {
                    updates.add(
                            new Progress(new Loop(l), l.failures - l.failuresAtLastUpdate, now - l.lastUpdateNanos));
                    l.lastUpdateNanos = now;
                    l.failuresAtLastUpdate = l.failures;
                }
            }
        }
        active.removeAll(ended);
        remember(ended);
        return new Tick(ended, updates);
    }

    /** At exit: every loop still running ends here, so its totals are written while they still can be. */
    synchronized List<Loop> endAll(long nowMillis) {
        List<Loop> ended = new ArrayList<>();
        for (Loop l : active) {
            synchronized (l.entry) {
                end(l, nowMillis, true);
            }
            ended.add(l);
        }
        active.removeAll(ended);
        remember(ended);
        return ended;
    }

    /** Holding the table's and l's entry's lock: from here on no failure changes l. */
    private static void end(Loop l, long nowMillis, boolean atExit) {
        l.endedMillis = nowMillis;
        l.endedAtExit = atExit;
        Entry e = l.entry;
        e.loop = null;
        e.windowCount = 0;
    }

    /** Holding the table's lock. */
    private void remember(List<Loop> ended) {
        for (Loop l : ended) {
            closed.addLast(l);
            if (closed.size() > MAX_CLOSED) {
                closed.removeFirst();
                closedForgotten++;
            }
        }
    }

    /** Makes room by forgetting sites that are quiet (no loop, nothing for a window); false when all are busy. */
    private boolean evictIdle(long now) {
        boolean any = false;
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            synchronized (e) {
                if (e.loop == null && now - e.lastNanos > windowNanos) {
                    e.evicted = true;
                    it.remove();
                    any = true;
                }
            }
        }
        return any;
    }

    /** A consistent copy for the report section: running loops as copies, sites that are not loops as rows. */
    synchronized Snapshot snapshot(int maxOthers) {
        List<String[]> others = new ArrayList<>();
        for (Entry e : entries.values()) {
            synchronized (e) {
                if (e.loop == null) {
                    others.add(new String[] {
                        e.peer,
                        e.site,
                        Long.toString(e.failures),
                        Long.toString(e.bytes),
                        Long.toString(e.lastMillis),
                        e.lastMessage
                    });
                }
            }
        }
        others.sort(Comparator.comparingLong((String[] row) -> Long.parseLong(row[2]))
                .reversed());
        List<Loop> running = new ArrayList<>();
        for (Loop l : active) {
            running.add(l.copy());
        }
        return new Snapshot(
                running,
                new ArrayList<>(closed),
                new ArrayList<>(others.subList(0, Math.min(maxOthers, others.size()))),
                others.size(),
                entries.size(),
                droppedFailures,
                closedForgotten);
    }

    record Snapshot(
            List<Loop> active,
            List<Loop> closed,
            List<String[]> others,
            int otherSites,
            int sites,
            long droppedFailures,
            long closedForgotten) {}
}
