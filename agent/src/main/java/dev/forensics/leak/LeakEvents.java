package dev.forensics.leak;

import dev.forensics.bootstrap.events.ConnectionPoolRefusedEvent;
import dev.forensics.bootstrap.events.HealthEvent;
import dev.forensics.bootstrap.events.OpenResponseBodiesEvent;
import dev.forensics.bootstrap.events.ResponseBodyGroup;
import dev.forensics.bootstrap.events.ResponseBodyHeldEvent;
import dev.forensics.bootstrap.events.ResponseBodyLeakEvent;
import dev.forensics.report.Jfr;
import java.util.List;
import jdk.jfr.FlightRecorder;

/**
 * The leak feature's JFR events. Only touched when {@link Jfr#AVAILABLE}, so a runtime without jdk.jfr never loads
 * this class, and no event class is loaded before JFR initialises ({@link Jfr#ready()}). Events are emitted per origin
 * group, not per body: a loop leaking a hundred thousand bodies costs a recording one event per site per second.
 */
final class LeakEvents {
    private LeakEvents() {}

    static void leak(Tallies.Tally t, long batch) {
        if (!Jfr.ready()) {
            return;
        }
        ResponseBodyLeakEvent e = new ResponseBodyLeakEvent();
        if (!e.isEnabled()) {
            return;
        }
        group(e, t);
        e.bodies = batch;
        e.total = t.count;
        e.firstObtained = BodyLine.wallMillis(t.firstNanos);
        e.lastObtained = BodyLine.wallMillis(t.lastNanos);
        e.commit();
    }

    static void held(Tallies.Tally t, long ageMillis, boolean withdrawn) {
        if (!Jfr.ready()) {
            return;
        }
        ResponseBodyHeldEvent e = new ResponseBodyHeldEvent();
        if (!e.isEnabled()) {
            return;
        }
        group(e, t);
        e.bodies = t.count;
        e.oldestAge = ageMillis;
        e.withdrawn = withdrawn;
        e.commit();
    }

    static void poolRefused(String client, String pool, String refusal, long open, String site, long atSite) {
        if (!Jfr.ready()) {
            return;
        }
        ConnectionPoolRefusedEvent e = new ConnectionPoolRefusedEvent();
        if (!e.isEnabled()) {
            return;
        }
        e.client = client;
        e.pool = pool;
        e.refusal = refusal;
        e.openBodies = open;
        e.leadingSite = site == null ? "" : site;
        e.leadingSiteBodies = atSite;
        e.commit();
    }

    private static void group(ResponseBodyGroup e, Tallies.Tally t) {
        e.originSite = t.site;
        e.originStack = t.stack;
        e.client = t.client;
        e.obtainedVia = t.kind;
        e.method = t.method;
        e.url = t.url;
        e.status = t.status;
    }

    /** The open bodies and health figures are state: any recording, however late, gets them at its next period. */
    static void registerPeriodic(LeakWatcher watcher, Health health) {
        Jfr.whenInitialized(new Periodic(watcher, health));
    }

    private static final class Periodic implements Runnable {
        private final LeakWatcher watcher;
        private final Health health;

        Periodic(LeakWatcher watcher, Health health) {
            this.watcher = watcher;
            this.health = health;
        }

        @Override
        public void run() {
            FlightRecorder.addPeriodicEvent(OpenResponseBodiesEvent.class, () -> openBodies(watcher));
            if (health != null) {
                FlightRecorder.addPeriodicEvent(HealthEvent.class, () -> health(health));
            }
        }
    }

    private static void openBodies(LeakWatcher watcher) {
        if (!new OpenResponseBodiesEvent().isEnabled()) {
            return;
        }
        long now = System.nanoTime();
        List<Tallies.Tally> rows = watcher.liveRows();
        long total = 0;
        for (Tallies.Tally t : rows) {
            total += t.count;
        }
        int n = 0;
        for (Tallies.Tally t : rows) {
            if (n++ == LeakWatcher.MAX_ROWS * 4) {
                break;
            }
            OpenResponseBodiesEvent e = new OpenResponseBodiesEvent();
            group(e, t);
            e.open = t.count;
            e.oldestAge = (now - t.firstNanos) / 1_000_000L;
            e.totalOpen = total;
            e.untracked = watcher.untracked();
            e.commit();
        }
    }

    private static void health(Health h) {
        HealthEvent e = new HealthEvent();
        if (!e.isEnabled()) {
            return;
        }
        e.openResponseBodies = h.getOpenResponseBodies();
        e.leakedResponseBodies = h.getLeakedResponseBodies();
        e.liveThreads = h.getLiveThreads();
        e.openFileDescriptors = h.getOpenFileDescriptors();
        e.closeWaitSockets = h.getCloseWaitSockets();
        e.growing = h.getGrowing();
        e.commit();
    }
}
