package dev.forensics.leak;

import dev.forensics.metrics.Meters;
import java.util.List;
import java.util.Map;

/**
 * The leak feature's figures for the meters: the tracker's and watcher's counters and the health sampler's getters. The
 * two that read {@code /proc} (a directory listing, the TCP tables) are reused for {@link #PROC_NANOS}, so a registry
 * scraped often, or Micrometer and OpenTelemetry both, cost the process no more than one read per period.
 */
final class LeakMeters implements Meters.LeakFigures {
    static final long PROC_NANOS = 5_000_000_000L;

    private final LeakWatcher watcher;
    private final BodyTracker tracker;
    private final Health health;
    private long procNanos;
    private boolean procRead;
    private long fds;
    private long closeWait;

    LeakMeters(LeakWatcher watcher, BodyTracker tracker, Health health) {
        this.watcher = watcher;
        this.tracker = tracker;
        this.health = health;
    }

    @Override
    public long open() {
        return tracker.open();
    }

    @Override
    public Map<String, Long> openByClient() {
        return watcher.openByClient();
    }

    @Override
    public Map<List<String>, Long> leakedByClientAndStatus() {
        return watcher.leakedByClientAndStatus();
    }

    @Override
    public long heldTooLong() {
        return watcher.heldReported();
    }

    @Override
    public long untracked() {
        return tracker.untracked();
    }

    @Override
    public long liveThreads() {
        return health.getLiveThreads();
    }

    @Override
    public synchronized long openFileDescriptors() {
        readProc();
        return fds;
    }

    @Override
    public synchronized long closeWaitSockets() {
        readProc();
        return closeWait;
    }

    private void readProc() {
        long now = System.nanoTime();
        if (!procRead || now - procNanos >= PROC_NANOS) {
            fds = health.getOpenFileDescriptors();
            closeWait = health.getCloseWaitSockets();
            procNanos = now;
            procRead = true;
        }
    }
}
