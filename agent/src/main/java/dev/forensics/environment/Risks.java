package dev.forensics.environment;

import dev.forensics.report.Finding;
import dev.forensics.report.Jfr;
import dev.forensics.report.Reporter;
import dev.forensics.report.Section;
import dev.forensics.report.Sections;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Where the doctor's findings go: one journal line per risk with its fix, {@code forensics.Risk} JFR events,
 * the "Risks" section of last words and the CLI report, and — only when there is at least one real risk — one
 * summary line in the application's log (or on stderr), so a healthy environment prints nothing.
 */
public final class Risks implements Section {
    private static volatile Doctor.Report latest;

    private Risks() {}

    /**
     * @param log where the one summary line goes; the black box holds it back until the application has had a few
     *     seconds to configure its own logging, which an early SLF4J lookup could otherwise pre-empt
     */
    public static void publish(Doctor.Report report, Consumer<Finding> log) {
        boolean first = latest == null;
        latest = report;
        for (Risk r : report.risks()) {
            Reporter.journal(new Finding("doctor", r.severity(), null, r.line())
                    .with("kind", "risk")
                    .with("risk", r.id()));
        }
        List<Risk> warnings = report.warnings();
        Reporter.journal(
                "doctor",
                "doctor: " + warnings.size() + " risk(s), " + (report.risks().size() - warnings.size()) + " note(s) in "
                        + report.micros() / 1000 + " ms"
                        + (report.supervisor() == null
                                ? ""
                                : "; stopped by " + report.supervisor().description()));
        if (!warnings.isEmpty()) {
            log.accept(
                    Finding.warn("doctor", "doctor-summary", summary(warnings)).with("count", (long) warnings.size()));
        }
        if (first) {
            Sections.register(new Risks());
            if (Jfr.AVAILABLE && !report.risks().isEmpty()) {
                RiskEvents.register(report.risks());
            }
        }
    }

    static String summary(List<Risk> warnings) {
        StringBuilder sb = new StringBuilder()
                .append(warnings.size())
                .append(warnings.size() == 1 ? " risk" : " risks")
                .append(" at start-up: ");
        for (int i = 0; i < warnings.size(); i++) {
            Risk r = warnings.get(i);
            if (i > 0) {
                sb.append("; ");
            }
            sb.append(r.headline()).append(" [").append(r.id()).append(']');
        }
        return sb.append(" — fixes in ").append(Reporter.journalFile()).toString();
    }

    public static Doctor.Report latest() {
        return latest;
    }

    /**
     * Runs the doctor now, on the caller's thread, with the same inputs as at start-up ({@code envRoot},
     * {@code unitPath}): what {@code forensics doctor <pid>} asks for, even when the start-up check was off.
     */
    public static Doctor.Report examineNow(Sources sources) {
        return Doctor.examine(
                Doctor.Inputs.self(Host.current(sources.envRoot())).unitPath(sources.unitPath()));
    }

    @Override
    public String title() {
        return "Risks";
    }

    @Override
    public List<String> lines() {
        return lines(latest);
    }

    /** Each risk as "[risk] id: message" and its fix on the next line; empty for none or null. */
    public static List<String> lines(Doctor.Report r) {
        List<String> out = new ArrayList<>();
        if (r == null) {
            return out;
        }
        for (Risk risk : r.risks()) {
            out.add((risk.isWarning() ? "[risk] " : "[note] ") + risk.id() + ": " + risk.message());
            out.add("    fix: " + risk.fix());
        }
        return out;
    }

    @Override
    public Map<String, Object> data() {
        return data(latest);
    }

    public static Map<String, Object> data(Doctor.Report r) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Object> items = new ArrayList<>();
        if (r != null) {
            for (Risk risk : r.risks()) {
                items.add(risk.data());
            }
            m.put("supervisor", r.supervisor() == null ? null : r.supervisor().description());
            m.put(
                    "stopTimeoutMillis",
                    r.supervisor() == null ? -1 : r.supervisor().stopTimeoutMillis());
        }
        m.put("risks", items);
        return m;
    }
}
