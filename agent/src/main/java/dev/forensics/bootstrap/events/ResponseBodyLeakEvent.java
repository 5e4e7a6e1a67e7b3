package dev.forensics.bootstrap.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timestamp;

/** Response bodies the garbage collector found unreachable without ever being closed: a confirmed leak, grouped by origin site. */
@Name("forensics.ResponseBodyLeak")
@Label("Leaked Response Body")
@Description(
        "HTTP response bodies that became unreachable without being closed, grouped by the call site that obtained them")
@Category({"Forensics", "HTTP Leaks"})
@StackTrace(false)
public class ResponseBodyLeakEvent extends ResponseBodyGroup {
    @Label("Bodies")
    @Description("Bodies of this group confirmed leaked in this batch")
    public long bodies;

    @Label("Total Leaked At Site")
    public long total;

    @Label("First Obtained")
    @Timestamp(Timestamp.MILLISECONDS_SINCE_EPOCH)
    public long firstObtained;

    @Label("Last Obtained")
    @Timestamp(Timestamp.MILLISECONDS_SINCE_EPOCH)
    public long lastObtained;
}
