package dev.forensics.leak;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bodies grouped by origin site and request shape, which is how a person fixes them: one line per place in the code,
 * with a count and the time range. Bounded: past {@code maxKeys} groups the rest are only counted.
 */
final class Tallies {
    /** One group: how many bodies, first and last time obtained, and one representative for the fields. */
    static final class Tally {
        final String key;
        final String site;
        final String request;
        final String stack;
        final String client;
        final String kind;
        final String method;
        final String url;
        final int status;
        long count;
        long firstNanos = Long.MAX_VALUE;
        long lastNanos = Long.MIN_VALUE;
        /** Bodies added since the group's last JFR event. */
        long fresh;
        /** Bodies added since the group's last line, and when that was written (0: never). */
        long unreported;

        long lastLineNanos;

        Tally(String key, TrackedBody r) {
            this.key = key;
            this.site = BodyLine.site(r);
            this.request = BodyLine.request(r);
            this.stack = BodyLine.stack(r);
            this.client = r.client;
            this.kind = r.kind;
            this.method = r.method;
            this.url = BodyLine.url(r);
            this.status = r.status;
        }

        /** A line is due for the group's first bodies at once, for later ones once per {@code period}, at exit for any left. */
        boolean lineDue(long now, long period, boolean atExit) {
            return unreported > 0 && (lastLineNanos == 0 || atExit || now - lastLineNanos >= period);
        }

        /** A line was written now. */
        void lineWritten(long now) {
            unreported = 0;
            lastLineNanos = now == 0 ? 1 : now;
        }

        void add(TrackedBody r) {
            count++;
            fresh++;
            unreported++;
            firstNanos = Math.min(firstNanos, r.openedNanos);
            lastNanos = Math.max(lastNanos, r.openedNanos);
        }
    }

    private final int maxKeys;
    private final Map<String, Tally> tallies = new LinkedHashMap<>();
    private long overflow;

    Tallies(int maxKeys) {
        this.maxKeys = maxKeys;
    }

    /** Adds a body to its group; returns the group, or null when the table of groups is full (then only counted). */
    Tally add(TrackedBody r) {
        String key = BodyLine.key(r);
        Tally t = tallies.get(key);
        if (t == null) {
            if (tallies.size() >= maxKeys) {
                overflow++;
                return null;
            }
            t = new Tally(key, r);
            tallies.put(key, t);
        }
        t.add(r);
        return t;
    }

    /** Groups with bodies added since their last event or their last line. */
    List<Tally> takeFresh() {
        List<Tally> out = new ArrayList<>();
        for (Tally t : tallies.values()) {
            if (t.fresh > 0 || t.unreported > 0) {
                out.add(t);
            }
        }
        return out;
    }

    /** All groups, largest first. */
    List<Tally> largestFirst() {
        List<Tally> out = new ArrayList<>(tallies.values());
        out.sort(Comparator.comparingLong((Tally t) -> t.count).reversed().thenComparing(t -> t.key));
        return out;
    }

    long total() {
        long n = overflow;
        for (Tally t : tallies.values()) {
            n += t.count;
        }
        return n;
    }

    /** Bodies counted but not grouped because {@code maxKeys} groups existed already. */
    long overflow() {
        return overflow;
    }

    int size() {
        return tallies.size();
    }
}
