package dev.forensics.leak;

import dev.forensics.agent.AgentOptions;
import dev.forensics.bootstrap.BodyHooks;
import dev.forensics.metrics.MeterBindings;
import dev.forensics.metrics.Meters;
import dev.forensics.report.AppFrames;
import dev.forensics.report.Sections;
import dev.forensics.termination.Termination;
import dev.forensics.termination.TerminationListener;
import java.time.Duration;

/**
 * Unclosed HTTP response bodies and the health figures that grow with them. Installed from premain, where it only
 * creates tables, registers the hook listener, the {@code Section} and a shutdown hook, and starts its (sleeping)
 * watcher thread; stack walking, JFR registration and the MBean all happen later, off the start-up path.
 */
public final class Leaks {
    public static final String DEFAULT_STACKS = "0.1%";
    public static final String DEFAULT_HELD_AFTER = "5m";
    public static final int DEFAULT_MAX_OPEN = 50_000;
    public static final String DEFAULT_HEALTH_PERIOD = "10s";

    private Leaks() {}

    /** Options were validated by {@link AgentOptions}; unparseable values fall back to the defaults. */
    public static void install(AgentOptions options, boolean leaksOn) {
        Origin.Sampler sampler = Origin.Sampler.parse(valueOr(options.raw("leakStacks"), DEFAULT_STACKS));
        if (sampler == null) {
            sampler = Origin.Sampler.parse(DEFAULT_STACKS);
        }
        Origin.setSampler(sampler);
        AppFrames.setAppPackages(options.raw("appPackages"));
        Duration held = AgentOptions.parseDuration(valueOr(options.raw("leakHeldAfter"), DEFAULT_HELD_AFTER));
        String period = valueOr(options.raw("healthPeriod"), DEFAULT_HEALTH_PERIOD);
        Duration health = period.equals("off") ? Duration.ZERO : AgentOptions.parseDuration(period);
        int maxOpen = DEFAULT_MAX_OPEN;
        try {
            maxOpen = Integer.parseInt(valueOr(options.raw("leakMaxOpen"), Integer.toString(DEFAULT_MAX_OPEN)));
        } catch (NumberFormatException ignored) {
            // validated already
        }
        if (!leaksOn && (health == null || health.isZero())) {
            return;
        }

        BodyTracker tracker = new BodyTracker(maxOpen);
        LeakWatcher w = new LeakWatcher(tracker, (held == null ? Duration.ofMinutes(5) : held).toNanos(),
                health == null ? Duration.ofSeconds(10).toNanos() : health.toNanos(), sampler.toString());
        ClientBodies clients = new ClientBodies(tracker, w, w.shapes());
        Health healthSampler = health == null || !health.isZero() ? new Health(tracker, w) : null;
        w.attach(clients, healthSampler);
        if (options.feature("metrics")) {
            Meters.leaks(new LeakMeters(w, tracker, healthSampler != null ? healthSampler : new Health(tracker, w)));
            MeterBindings.enable();
            w.metered();
        }
        if (leaksOn) {
            BodyHooks.register(clients);
            Sections.register(new OpenBodiesSection(w, tracker));
            // Runtime.halt runs no shutdown hook: termination tells us, on the halting thread, before the JVM acts.
            if (options.feature("termination")) { // else nothing tells us of a halt, and its classes stay unloaded
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

    private static String valueOr(String v, String otherwise) {
        return v == null ? otherwise : v;
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
