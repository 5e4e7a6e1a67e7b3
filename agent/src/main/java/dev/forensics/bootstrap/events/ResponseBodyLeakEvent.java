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
@Description("HTTP response bodies that became unreachable without being closed, grouped by the call site that obtained them")
@Category({"Forensics", "HTTP Leaks"})
@StackTrace(false)
public class ResponseBodyLeakEvent extends jdk.jfr.Event {
    @Label("Origin Site")
    @Description("The application frame that obtained the body, or 'an unsampled call site'")
    public String originSite;

    @Label("Origin Stack")
    @Description("Up to 8 frames from the origin site outwards, one per line; empty when not sampled")
    public String originStack;

    @Label("Client")
    public String client;

    @Label("Obtained Via")
    @Description("How the body was obtained, e.g. ofInputStream, getErrorStream, entity, ResponseBody")
    public String obtainedVia;

    @Label("Method")
    public String method;

    @Label("URL")
    @Description("Request URL with userinfo and query values redacted")
    public String url;

    @Label("Status")
    public int status;

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
