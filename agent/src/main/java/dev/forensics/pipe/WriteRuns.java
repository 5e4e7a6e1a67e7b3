package dev.forensics.pipe;

import java.util.Objects;

/**
 * Per thread, the peers it failed to write to lately (up to {@link #SLOTS}), each with the writing site a stack walk
 * found and the table entry that site counts in. A broken-pipe loop fails at one site millions of times, and the walk
 * (a microsecond or more) was most of what each failure cost: so a run walks on each of its first {@link #EXACT}
 * failures, then on a random one in {@link #SAMPLE}. A run seen at a second site walks on every failure from then on,
 * so each site keeps its own count (a thread that moves to another site mid-run may have the first few dozen failures
 * there, until a sampled walk sees it, counted at the old one).
 */
final class WriteRuns {
    static final int EXACT = 32;
    static final int SAMPLE = 64;
    /**
     * Runs kept per thread, and how far a look-up probes. Small on purpose: every worker thread of a server whose
     * clients hang up keeps its table, so it must stay a few kilobytes; a thread failing to more peers than this at
     * once walks on every failure, as it would without runs.
     */
    static final int SLOTS = 16;

    private static final int PROBES = 4;
    /** Sites a mixed run keeps the entries of, so telling them apart costs the walk but no look-up or table lock. */
    private static final int SITES_PER_RUN = 4;

    private final long quietNanos;
    private final ThreadLocal<Run[]> runs = ThreadLocal.withInitial(() -> new Run[SLOTS]);

    /** {@code quietNanos}: a run that saw no failure for this long is judged afresh (its loop has closed by then). */
    WriteRuns(long quietNanos) {
        this.quietNanos = quietNanos;
    }

    /**
     * One thread's failures to one peer through one layer. {@code peerKey} is the InetAddress or SocketAddress the
     * hook was given (an SSLSocket's is its remote address: the socket itself is not kept), compared by value, so a
     * reconnect to the same peer continues the run. Touched only by its thread.
     */
    static final class Run {
        final int layer;
        final Object peerKey;
        final int port;
        long lastNanos;
        private WriteSite.Site site;
        private WriteFailures.Entry entry;
        /** A mixed run's other sites, most recent first, with their entries; null until a second site is seen. */
        private WriteSite.Site[] others;

        private WriteFailures.Entry[] otherEntries;
        private int walks;
        private int random;

        Run(int layer, Object peerKey, int port, WriteSite.Site site, long now) {
            this.layer = layer;
            this.peerKey = peerKey;
            this.port = port;
            this.lastNanos = now;
            this.site = site;
            this.walks = 1;
            this.random = System.identityHashCode(this) | 1;
        }

        /** The site of this failure (the last one walked). */
        WriteSite.Site site() {
            return site;
        }

        /** Its table entry, or null when it must be looked up (then {@link #entry(WriteFailures.Entry)}). */
        WriteFailures.Entry entry() {
            return entry;
        }

        void entry(WriteFailures.Entry e) {
            entry = e;
        }

        /** Seen at more than one site: every failure walks. */
        boolean mixed() {
            return others != null;
        }

        /** Whether this failure must walk the stack: a run's first ones, a mixed run's every one, else a sample. */
        boolean walkDue() {
            if (others != null || walks < EXACT) {
                return true;
            }
            int x = random; // xorshift: a fixed stride could beat in step with a loop that alternates two sites
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            random = x;
            return (x & (SAMPLE - 1)) == 0;
        }

        /** What a walk found for this failure: another site than the last makes the run mixed for good. */
        void walked(WriteSite.Site found) {
            if (walks < EXACT) {
                walks++;
            }
            if (found.equals(site)) {
                return;
            }
            if (others == null) {
                others = new WriteSite.Site[SITES_PER_RUN - 1];
                otherEntries = new WriteFailures.Entry[SITES_PER_RUN - 1];
            }
            int i = 0;
            while (i < others.length - 1 && others[i] != null && !found.equals(others[i])) {
                i++;
            }
            WriteFailures.Entry e = found.equals(others[i]) ? otherEntries[i] : null;
            // the current site becomes the most recent other; the least recent drops off the end when all are taken
            System.arraycopy(others, 0, others, 1, i);
            System.arraycopy(otherEntries, 0, otherEntries, 1, i);
            others[0] = site;
            otherEntries[0] = entry;
            site = found;
            entry = e;
        }
    }

    /** This thread's run to the peer, or null: none yet, or quiet for long enough to be judged afresh. */
    Run find(int layer, Object peerKey, int port, long now) {
        Run[] table = runs.get();
        int home = home(layer, peerKey, port);
        for (int i = 0; i < PROBES; i++) {
            Run r = table[(home + i) & (SLOTS - 1)];
            if (r == null) {
                return null;
            }
            if (r.layer == layer && r.port == port && Objects.equals(r.peerKey, peerKey)) {
                return now - r.lastNanos > quietNanos ? null : r;
            }
        }
        return null;
    }

    /** Starts (or restarts) this thread's run to the peer at the site just walked, in place of the oldest nearby run. */
    Run start(int layer, Object peerKey, int port, WriteSite.Site site, long now) {
        Run[] table = runs.get();
        int home = home(layer, peerKey, port);
        int slot = home & (SLOTS - 1);
        for (int i = 0; i < PROBES; i++) {
            int at = (home + i) & (SLOTS - 1);
            Run r = table[at];
            if (r == null || (r.layer == layer && r.port == port && Objects.equals(r.peerKey, peerKey))) {
                slot = at;
                break;
            }
            if (r.lastNanos - table[slot].lastNanos < 0) {
                slot = at;
            }
        }
        Run run = new Run(layer, peerKey, port, site, now);
        table[slot] = run;
        return run;
    }

    private static int home(int layer, Object peerKey, int port) {
        int h = Objects.hashCode(peerKey) * 31 + port * 3 + layer;
        return h ^ (h >>> 16);
    }
}
