package dev.forensics.bootstrap.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/** A risk the doctor saw in the environment at start-up, with its fix; emitted at every chunk so any recording holds it. */
@Name("forensics.Risk")
@Label("Forensics Risk")
@Description(
        "A way this JVM can die or lose its last words that is visible in its environment (session scope, systemd unit, container, JVM flags, logging), with the fix")
@Category({"Forensics", "Environment"})
@Period("everyChunk")
@StackTrace(false)
public class RiskEvent extends jdk.jfr.Event {
    @Label("Risk")
    @Description("Stable identifier, e.g. session-scope, restart-policy, pid1-shell")
    public String id;

    @Label("Severity")
    @Description("WARN for a risk, INFO for a note on how the environment treats the JVM")
    public String severity;

    @Label("Message")
    public String message;

    @Label("Fix")
    public String fix;

    @Label("Evidence")
    @Description("Files and values the risk was read from")
    public String evidence;
}
