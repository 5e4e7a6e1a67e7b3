package dev.forensics.leak;

import dev.forensics.bootstrap.BodyHooks;
import dev.forensics.metrics.MeterBindings;
import dev.forensics.metrics.Meters;
import dev.forensics.report.AppFrames;
import dev.forensics.report.Sections;
import dev.forensics.termination.Termination;
import dev.forensics.termination.TerminationListener;
import java.time.Duration;

/**
 * Unclosed HTTP response bodies and the health figures that grow with them. Installed in premain, where it only
 * creates tables, registers the hook listener, the {@code Section} and a shutdown hook, and starts its (sleeping)
 * watcher thread; stack walking, JFR registration and the MBean all happen later, off the start-up path.
 */
public final class Leaks {
    private Leaks() {}

    /** Installs tracking (when {@code s.tracking()}) and the health sampler (when it has a period). */
    public static void install(LeakSettings s) {
        Origin.Sampler sampler = Origin.Sampler.parse(s.stacks());
        Origin.setSampler(sampler);
        AppFrames.setAppPackages(s.appPackages());
        Duration health = s.healthPeriod();
        if (!s.tracking() && health == null) {
            return;
        }

        BodyTracker tracker = new BodyTracker(s.maxOpen());
        LeakWatcher w = new LeakWatcher(
                tracker, s.heldAfter().toNanos(), health == null ? 0 : health.toNanos(), sampler.toString());
        ClientBodies clients = new ClientBodies(tracker, w, w.shapes());
        Health healthSampler = health != null ? new Health(tracker, w) : null;
        w.attach(clients, healthSampler);
        if (s.metrics()) {
            Meters.leaks(new LeakMeters(w, tracker, healthSampler != null ? healthSampler : new Health(tracker, w)));
            MeterBindings.enable();
            w.metered();
        }
        if (s.tracking()) {
            BodyHooks.register(clients);
            Sections.register(new OpenBodiesSection(w, tracker));
            // Runtime.halt runs no shutdown hook: termination tells us, on the halting thread, before the JVM acts.
            if (s.haltSummary()) { // else nothing tells us of a halt, and termination's classes stay unloaded
                Termination.addListener(new HaltSummary(w));
            }
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(new ExitSummary(w), "forensics-leaks-exit"));
            } catch (IllegalStateException alreadyShuttingDown) {
                // attached while the JVM is going: nothing left to summarise later
            }
        }
        Thread t = new Thread(w, "forensics-leaks");
        t.setDaemon(true);
        t.start();
    }

    /** The still-open bodies, summarised when the JVM halts (every other way out runs the feature's shutdown hook). */
    private static final class HaltSummary implements TerminationListener {
        private final LeakWatcher watcher;

        HaltSummary(LeakWatcher watcher) {
            this.watcher = watcher;
        }

        @Override
        public void shutdownStarted(String verdict, String kind) {
            if (kind.equals("halt")) {
                watcher.summarizeAtExit("Runtime.halt");
            }
        }
    }

    /** The still-open bodies, summarised by the feature's shutdown hook (a named class: no lambda at start-up). */
    private static final class ExitSummary implements Runnable {
        private final LeakWatcher watcher;

        ExitSummary(LeakWatcher watcher) {
            this.watcher = watcher;
        }

        @Override
        public void run() {
            watcher.summarizeAtExit("shutdown");
        }
    }
}
