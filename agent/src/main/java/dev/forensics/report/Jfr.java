package dev.forensics.report;

import dev.forensics.bootstrap.events.AgentStatusEvent;
import java.util.function.Consumer;
import jdk.jfr.FlightRecorder;

/**
 * The one place that links against {@code jdk.jfr} at start-up, so a runtime image without that module loses
 * our events and nothing else. Event classes themselves live in {@code bootstrap.events}.
 */
public final class Jfr {
    public static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.jfr").isPresent();

    /** The fields of {@code forensics.AgentStatus}, filled by the agent without touching jdk.jfr types. */
    public static final class StatusFields {
        public String version;
        public String outputDirectory;
        public int hooksActive;
        public int hooksMissing;
        public int hooksNotApplicable;
        public String missing;
        public long adviceErrors;
        public long transformationErrors;
        public String disabledFeatures;
    }

    private Jfr() {}

    /** AgentStatus is periodic (every chunk), so a recording started at any time, even by jcmd, holds it. */
    public static void registerStatus(Consumer<StatusFields> filler) {
        if (!AVAILABLE) {
            return;
        }
        FlightRecorder.addPeriodicEvent(AgentStatusEvent.class, () -> {
            StatusFields s = new StatusFields();
            filler.accept(s);
            AgentStatusEvent e = new AgentStatusEvent();
            e.version = s.version;
            e.outputDirectory = s.outputDirectory;
            e.hooksActive = s.hooksActive;
            e.hooksMissing = s.hooksMissing;
            e.hooksNotApplicable = s.hooksNotApplicable;
            e.missing = s.missing;
            e.adviceErrors = s.adviceErrors;
            e.transformationErrors = s.transformationErrors;
            e.disabledFeatures = s.disabledFeatures;
            e.commit();
        });
    }
}
