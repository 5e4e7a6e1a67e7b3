package dev.forensics.bootstrap.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Frequency;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;
import jdk.jfr.Timestamp;

/**
 * One per broken-pipe loop, committed on the writing thread when the verdict is reached, so its stack trace is the
 * code that keeps writing. JFR's own socket events cannot show this: they carry no error and only slow writes.
 */
@Name("forensics.BrokenPipeLoop")
@Label("Broken Pipe Loop")
@Description(
        "Code keeps writing to a socket whose peer is gone: more failed writes at one site to one peer within the window than the threshold")
@Category({"Forensics", "Pipes"})
public class BrokenPipeLoopEvent extends jdk.jfr.Event {
    @Label("Site")
    @Description("The method that made the failing writes")
    public String site;

    @Label("Peer")
    @Description("Remote address of the socket")
    public String peer;

    @Label("Layer")
    @Description("The write the application called: socket, channel or tls")
    public String layer;

    @Label("Failure Kind")
    @Description("broken pipe, reset, closed or other I/O error")
    public String kind;

    @Label("Last Error")
    public String lastError;

    @Label("Failures")
    @Description("Failed writes counted when the verdict was reached")
    public long failures;

    @Label("Window")
    @Timespan(Timespan.MILLISECONDS)
    public long windowMillis;

    @Label("Rate")
    @Description("Failed writes per second")
    @Frequency
    public double rate;

    @Label("Bytes Attempted")
    @DataAmount
    public long bytesAttempted;

    @Label("First Failure")
    @Timestamp(Timestamp.MILLISECONDS_SINCE_EPOCH)
    public long firstFailure;
}
