package dev.forensics.leak;

import dev.forensics.metrics.Meters;
import java.util.List;
import java.util.Map;

/** The leak feature's figures for the meters: the tracker's and watcher's counters and the health sampler's getters, read as they are. */
final class LeakMeters implements Meters.LeakFigures {
    private final LeakWatcher watcher;
    private final BodyTracker tracker;
    private final Health health;

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
    public long openFileDescriptors() {
        return health.getOpenFileDescriptors();
    }

    @Override
    public long closeWaitSockets() {
        return health.getCloseWaitSockets();
    }
}
