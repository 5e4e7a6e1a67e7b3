package dev.forensics.environment;

import dev.forensics.report.Finding;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One way this process can die or lose its last words that is visible before it happens, with the fix. A WARN
 * risk counts in the start-up summary line; an INFO one is a note (how the environment will treat the JVM) that
 * goes to the journal, JFR and the report only. {@code evidence} names the files and values it was read from.
 */
public record Risk(String id, Finding.Severity severity, String headline, String message, String fix, String evidence) {
    /** A risk; {@code headline} is the few words the one summary line shows for it. */
    public static Risk warn(String id, String headline, String message, String fix, String evidence) {
        return new Risk(id, Finding.Severity.WARN, headline, message, fix, evidence);
    }

    public static Risk note(String id, String headline, String message, String fix, String evidence) {
        return new Risk(id, Finding.Severity.INFO, headline, message, fix, evidence);
    }

    public boolean isWarning() {
        return severity == Finding.Severity.WARN;
    }

    /** The journal line: what, then the fix, then where it was read. */
    public String line() {
        return "risk " + id + ": " + message + " Fix: " + fix
                + (evidence == null || evidence.isEmpty() ? "" : " (evidence: " + evidence + ")");
    }

    public Map<String, Object> data() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("severity", severity.name());
        m.put("headline", headline);
        m.put("message", message);
        m.put("fix", fix);
        m.put("evidence", evidence);
        return m;
    }
}
