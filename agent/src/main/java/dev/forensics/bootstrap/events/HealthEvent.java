package dev.forensics.bootstrap.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/** The figures that grow when a service leaks: open bodies, threads, file descriptors, CLOSE_WAIT sockets. */
@Name("forensics.Health")
@Label("Forensics Health")
@Description(
        "Open tracked response bodies, live threads, open file descriptors and CLOSE_WAIT sockets of this process; which of them grow steadily")
@Category({"Forensics", "Health"})
@Period("10 s")
@StackTrace(false)
public class HealthEvent extends jdk.jfr.Event {
    @Label("Open Response Bodies")
    public long openResponseBodies;

    @Label("Leaked Response Bodies")
    @Description("Bodies confirmed leaked by the garbage collector since start")
    public long leakedResponseBodies;

    @Label("Live Threads")
    public long liveThreads;

    @Label("Open File Descriptors")
    @Description("Entries in /proc/self/fd; -1 where unavailable")
    public long openFileDescriptors;

    @Label("CLOSE_WAIT Sockets")
    @Description(
            "TCP sockets of this process whose peer closed while the process did not (/proc/self/fd x /proc/net/tcp{,6}); -1 where unavailable")
    public long closeWaitSockets;

    @Label("Growing Steadily")
    @Description("Figures that rose at every one of the last samples")
    public String growing;
}
