package dev.forensics.bootstrap.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** The live table: one event per origin site with open response bodies, emitted periodically and at every chunk end. */
@Name("forensics.OpenResponseBodies")
@Label("Open Response Bodies")
@Description(
        "HTTP response bodies currently open, one event per origin site and request shape, with count and oldest age")
@Category({"Forensics", "HTTP Leaks"})
@Period("60 s")
@StackTrace(false)
public class OpenResponseBodiesEvent extends ResponseBodyGroup {
    @Label("Open")
    public long open;

    @Label("Oldest Age")
    @Timespan(Timespan.MILLISECONDS)
    public long oldestAge;

    @Label("Total Open")
    @Description("Open tracked bodies over all sites")
    public long totalOpen;

    @Label("Untracked")
    @Description("Bodies never tracked because the table was at its cap (leakMaxOpen)")
    public long untracked;
}
