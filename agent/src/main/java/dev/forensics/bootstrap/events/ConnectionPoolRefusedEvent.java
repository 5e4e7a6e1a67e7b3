package dev.forensics.bootstrap.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A client's connection pool refused a request (pending queue full, acquire timed out), once per pool, with the open bodies most likely to blame. */
@Name("forensics.ConnectionPoolRefused")
@Label("Connection Pool Refused")
@Description(
        "An HTTP client's connection pool refused an acquire, reported once per pool with that client's open response bodies and the site most of them come from")
@Category({"Forensics", "HTTP Leaks"})
@StackTrace(false)
public class ConnectionPoolRefusedEvent extends jdk.jfr.Event {
    @Label("Pool")
    public String pool;

    @Label("Client")
    public String client;

    @Label("Refusal")
    @Description("What the pool refused, e.g. its pending-acquire limit reached")
    public String refusal;

    @Label("Open Bodies")
    @Description("That client's response bodies open when the pool refused")
    public long openBodies;

    @Label("Leading Site")
    @Description("The origin site most of those bodies come from; empty when none is open")
    public String leadingSite;

    @Label("Bodies At Leading Site")
    public long leadingSiteBodies;
}
