package dev.forensics.leak;

/**
 * {@code dev.forensics:type=Health}: the figures that grow when a service leaks, for JConsole, JMC's MBean browser and
 * JMX exporters. Every getter reads the current value.
 */
public interface HealthMBean {
    long getOpenResponseBodies();

    long getLeakedResponseBodies();

    long getHeldTooLongResponseBodies();

    long getUntrackedResponseBodies();

    long getLiveThreads();

    long getOpenFileDescriptors();

    long getCloseWaitSockets();

    /** Figures that rose at every one of the last samples, comma-separated, or empty. */
    String getGrowing();

    /** Writes the open bodies by origin site to the journal and returns the same lines. */
    String dumpOpenResponseBodies();
}
