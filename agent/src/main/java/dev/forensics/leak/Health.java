package dev.forensics.leak;

import dev.forensics.report.Finding;
import dev.forensics.report.Reporter;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;

/**
 * The JVM's version of "169,000 goroutines": figures that only grow when something leaks. Sampled by the leak
 * watcher every {@code healthPeriod}; a journal line when a figure reaches a new high, a warning when one rose at every
 * one of the last {@value #STEADY} samples. The same figures are the MBean {@code dev.forensics:type=Health}, registered
 * at the first sample after something in the JVM has started the platform MBean server (JConsole or JMC attaching, a
 * JMX exporter, the application's own JMX): the agent never starts it. Starting it initialises
 * {@code java.util.logging} before an application server can install its own {@code LogManager}, loads a few hundred
 * classes, and, measured in a warmed-up JDK HttpClient loop, deoptimised ~860 compiled methods whose recompilation
 * took C2 most of a core for five seconds.
 */
public final class Health implements HealthMBean {
    static final int STEADY = 5;
    static final String OBJECT_NAME = "dev.forensics:type=Health";

    private final BodyTracker tracker;
    private final LeakWatcher watcher;
    private final Figure[] figures = {
        new Figure("open response bodies", 5), new Figure("live threads", 5),
        new Figure("open file descriptors", 10), new Figure("CLOSE_WAIT sockets", 5),
    };
    private volatile String growing = "";
    private volatile boolean registered;

    /** One figure's recent samples and its high-water mark. */
    static final class Figure {
        final String name;
        final long minRise;
        final long[] recent = new long[STEADY + 1];
        int samples;
        long highWater = Long.MIN_VALUE;
        boolean warned;

        Figure(String name, long minRise) {
            this.name = name;
            this.minRise = minRise;
        }

        /** Records a sample; true when it rose at each of the last {@link #STEADY} samples by at least {@code minRise} in all. */
        boolean add(long v) {
            System.arraycopy(recent, 1, recent, 0, STEADY);
            recent[STEADY] = v;
            samples++;
            if (v < 0 || samples <= STEADY) {
                return false;
            }
            for (int i = 1; i <= STEADY; i++) {
                if (recent[i] <= recent[i - 1]) {
                    return false;
                }
            }
            return recent[STEADY] - recent[0] >= minRise;
        }

        long oldest() {
            return recent[0];
        }
    }

    Health(BodyTracker tracker, LeakWatcher watcher) {
        this.tracker = tracker;
        this.watcher = watcher;
    }

    /** One sample on the watcher thread: journal on a new high, warn on steady growth, register the MBean once JMX runs. */
    void sample(long periodNanos) {
        long[] now = {getOpenResponseBodies(), getLiveThreads(), getOpenFileDescriptors(), getCloseWaitSockets()};
        boolean newHigh = false;
        List<String> steady = new ArrayList<>();
        StringBuilder line = new StringBuilder("health: ");
        for (int i = 0; i < figures.length; i++) {
            Figure f = figures[i];
            long v = now[i];
            if (f.highWater != Long.MIN_VALUE && v > f.highWater && f.samples > 0) {
                newHigh = true;
            }
            line.append(i == 0 ? "" : ", ").append(f.name).append(' ').append(v < 0 ? "n/a" : Long.toString(v));
            if (v > f.highWater && f.highWater != Long.MIN_VALUE && f.highWater >= 0) {
                line.append(" (up from a high of ").append(f.highWater).append(')');
            }
            if (f.add(v)) {
                steady.add(f.name);
                if (!f.warned) {
                    f.warned = true;
                    long seconds = periodNanos * STEADY / 1_000_000_000L;
                    Reporter.report(Finding.warn(
                            "health",
                            "grows:" + f.name,
                            f.name + " grew at each of the last " + STEADY
                                    + " samples: " + f.oldest() + " → " + v + " in " + seconds
                                    + " s; a steady rise means something is not"
                                    + " released"
                                    + (i == 0 || i == 3
                                            ? "; open response bodies by origin site: " + watcher.topSites(3)
                                            : "")));
                }
            } else {
                f.warned = false;
            }
            f.highWater = Math.max(f.highWater, v);
        }
        growing = String.join(",", steady);
        if (newHigh) {
            Reporter.journal("health", line.toString());
        }
        if (!registered) {
            registerIfJmxRuns();
        }
    }

    /**
     * Registers with the platform MBean server once it exists. {@code ManagementFactory.getPlatformMBeanServer()}
     * would create it; {@code MBeanServerFactory.findMBeanServer} lists the servers created so far (the platform one is
     * created through the factory) and creates nothing. The platform server is the one holding the JVM's own MXBeans.
     */
    private void registerIfJmxRuns() {
        try {
            List<MBeanServer> servers = MBeanServerFactory.findMBeanServer(null);
            if (servers.isEmpty()) {
                return;
            }
            ObjectName runtime = new ObjectName(ManagementFactory.RUNTIME_MXBEAN_NAME);
            for (MBeanServer server : servers) {
                if (server.isRegistered(runtime)) {
                    registered = true;
                    ObjectName name = new ObjectName(OBJECT_NAME);
                    if (!server.isRegistered(name)) {
                        server.registerMBean(this, name);
                        Reporter.journal(
                                "health", "MBean " + OBJECT_NAME + " registered with the platform MBean server");
                    }
                    return;
                }
            }
        } catch (Exception | LinkageError e) {
            registered = true;
            Reporter.journal("health", "MBean " + OBJECT_NAME + " not registered: " + e);
        }
    }

    @Override
    public long getOpenResponseBodies() {
        return tracker.open();
    }

    @Override
    public long getLeakedResponseBodies() {
        return tracker.leaked();
    }

    @Override
    public long getHeldTooLongResponseBodies() {
        return watcher.heldReported();
    }

    @Override
    public long getUntrackedResponseBodies() {
        return tracker.untracked();
    }

    @Override
    public long getLiveThreads() {
        try {
            return ManagementFactory.getThreadMXBean().getThreadCount();
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
    }

    @Override
    public long getOpenFileDescriptors() {
        return ProcFacts.openFileDescriptors();
    }

    @Override
    public long getCloseWaitSockets() {
        return ProcFacts.closeWaitSockets();
    }

    @Override
    public String getGrowing() {
        return growing;
    }

    @Override
    public String dumpOpenResponseBodies() {
        return String.join("\n", watcher.dumpToJournal("on request (MBean " + OBJECT_NAME + ")"));
    }
}
