package dev.forensics.bootstrap.events;

import jdk.jfr.Description;
import jdk.jfr.Label;

/**
 * What the three leak events share: one group of response bodies, by origin site and request shape. Abstract, so JFR
 * never registers it as an event of its own; its fields appear in each subclass's events.
 */
public abstract class ResponseBodyGroup extends jdk.jfr.Event {
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
}
