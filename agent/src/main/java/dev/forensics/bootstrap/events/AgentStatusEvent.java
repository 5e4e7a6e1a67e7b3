package dev.forensics.bootstrap.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/** What the agent installed, what failed to match, and what it swallowed; emitted at the start and end of every chunk so any recording, however started, holds it. */
@Name("forensics.AgentStatus")
@Label("Forensics Agent Status")
@Description(
        "Which forensics hooks are active, which matched nothing on this JDK, and how many advice errors were suppressed")
@Category({"Forensics", "Agent"})
@Period("everyChunk")
@StackTrace(false)
public class AgentStatusEvent extends jdk.jfr.Event {
    @Label("Version")
    public String version;

    @Label("Output Directory")
    public String outputDirectory;

    @Label("Hooks Active")
    @Description("Hooks whose target was found and transformed, or will be when it loads")
    public int hooksActive;

    @Label("Hooks Missing")
    @Description("Hooks whose target type or method does not exist on this JDK or library version")
    public int hooksMissing;

    @Label("Hooks Not Applicable")
    @Description("Hooks for libraries the application does not have")
    public int hooksNotApplicable;

    @Label("Missing")
    @Description("Names of the missing hooks and why")
    public String missing;

    @Label("Suppressed Advice Errors")
    public long adviceErrors;

    @Label("Transformation Errors")
    public long transformationErrors;

    @Label("Failed Features")
    @Description("Features switched off because their advice failed")
    public String disabledFeatures;
}
