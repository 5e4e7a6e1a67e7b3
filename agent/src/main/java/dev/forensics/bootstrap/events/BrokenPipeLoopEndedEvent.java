package dev.forensics.bootstrap.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Frequency;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;
import jdk.jfr.Timestamp;

/** A broken-pipe loop's totals, when failures stopped for a whole window or the JVM ended; committed by the agent's checker. */
@Name("forensics.BrokenPipeLoopEnded")
@Label("Broken Pipe Loop Ended")
@Description(
        "A broken-pipe loop stopped (no failed write for a whole window) or was still running when the JVM ended; its totals")
@Category({"Forensics", "Pipes"})
@StackTrace(false)
public class BrokenPipeLoopEndedEvent extends jdk.jfr.Event {
    @Label("Site")
    public String site;

    @Label("Peer")
    public String peer;

    @Label("Layer")
    public String layer;

    @Label("Failure Kinds")
    @Description("Failed writes per kind, e.g. broken pipe 499, reset 1")
    public String kinds;

    @Label("Failures")
    public long failures;

    @Label("Duration")
    @Description("From the first failure of the loop to the last")
    @Timespan(Timespan.MILLISECONDS)
    public long durationMillis;

    @Label("Rate")
    @Frequency
    public double rate;

    @Label("Bytes Attempted")
    @DataAmount
    public long bytesAttempted;

    @Label("First Failure")
    @Timestamp(Timestamp.MILLISECONDS_SINCE_EPOCH)
    public long firstFailure;

    @Label("Last Failure")
    @Timestamp(Timestamp.MILLISECONDS_SINCE_EPOCH)
    public long lastFailure;

    @Label("Still Running At Exit")
    public boolean atExit;
}
