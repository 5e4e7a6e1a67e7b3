package dev.forensics.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The findings so far, one entry per aggregation key with its count, so {@code forensics report} and
 * {@code forensics doctor} can show what a running JVM has found without reading the journal back. Bounded: past
 * {@link #MAX_KEYS} distinct keys the least recently seen entry goes and is counted as dropped.
 */
public final class RecentFindings {
    static final int MAX_KEYS = 256;

    /** One key's latest finding and how often it was reported. */
    public record Entry(Finding finding, long count, Instant first, Instant last) {}

    private static final class Slot {
        Finding finding;
        long count;
        long firstMillis;
        long lastMillis;
    }

    // Access order: a repeated finding moves to the end, so eviction takes the one not seen for longest.
    private static final Map<String, Slot> SLOTS = new LinkedHashMap<>(64, 0.75f, true);
    private static long dropped;

    private RecentFindings() {}

    public static void record(Finding f) {
        long now = System.currentTimeMillis();
        synchronized (SLOTS) {
            Slot s = SLOTS.get(f.key());
            if (s == null) {
                s = new Slot();
                s.firstMillis = now;
                SLOTS.put(f.key(), s);
                if (SLOTS.size() > MAX_KEYS) {
                    Iterator<String> oldest = SLOTS.keySet().iterator();
                    oldest.next();
                    oldest.remove();
                    dropped++;
                }
            }
            s.finding = f;
            s.count++;
            s.lastMillis = now;
        }
    }

    /** Newest first. */
    public static List<Entry> snapshot() {
        List<Entry> out = new ArrayList<>();
        synchronized (SLOTS) {
            for (Slot s : SLOTS.values()) {
                out.add(new Entry(
                        s.finding, s.count, Instant.ofEpochMilli(s.firstMillis), Instant.ofEpochMilli(s.lastMillis)));
            }
        }
        out.sort((a, b) -> b.last().compareTo(a.last()));
        return out;
    }

    /** Distinct keys forgotten because of the cap. */
    public static long dropped() {
        synchronized (SLOTS) {
            return dropped;
        }
    }

    public static Map<String, Object> toData(Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("category", e.finding().category());
        m.put("severity", e.finding().severity().name());
        m.put("key", e.finding().key());
        m.put("message", e.finding().message());
        m.put("count", e.count());
        m.put("first", e.first().toString());
        m.put("last", e.last().toString());
        return m;
    }
}
