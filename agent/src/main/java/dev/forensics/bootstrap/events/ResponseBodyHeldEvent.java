package dev.forensics.bootstrap.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** Response bodies open longer than the threshold (leakHeldAfter); emitted again with withdrawn=true when one is closed later. */
@Name("forensics.ResponseBodyHeld")
@Label("Response Body Held Too Long")
@Description(
        "HTTP response bodies still open after the leakHeldAfter threshold, grouped by origin site; withdrawn when closed later")
@Category({"Forensics", "HTTP Leaks"})
@StackTrace(false)
public class ResponseBodyHeldEvent extends ResponseBodyGroup {
    @Label("Bodies")
    public long bodies;

    @Label("Oldest Age")
    @Timespan(Timespan.MILLISECONDS)
    public long oldestAge;

    @Label("Withdrawn")
    @Description("True when this reports that a body earlier reported as held was closed after all")
    public boolean withdrawn;
}
