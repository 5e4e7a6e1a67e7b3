package dev.forensics.environment;

import dev.forensics.bootstrap.events.RiskEvent;
import dev.forensics.report.Jfr;
import java.util.List;
import jdk.jfr.FlightRecorder;

/**
 * Emits the doctor's risks as {@code forensics.Risk} at every chunk, from the moment JFR initialises: risks found at
 * start-up are in any recording, however late. Loaded only when jdk.jfr is present.
 */
final class RiskEvents {
    private RiskEvents() {}

    static void register(List<Risk> risks) {
        Jfr.whenInitialized(() -> periodic(risks));
    }

    private static void periodic(List<Risk> risks) {
        FlightRecorder.addPeriodicEvent(RiskEvent.class, () -> {
            for (Risk r : risks) {
                RiskEvent e = new RiskEvent();
                e.id = r.id();
                e.severity = r.severity().name();
                e.message = r.message();
                e.fix = r.fix();
                e.evidence = r.evidence();
                e.commit();
            }
        });
    }
}
