package dev.forensics.report;

import java.util.Map;

/**
 * One journal line as a JSON object, for {@code journalFormat=json}: the members {@code docs/journal.schema.json}
 * documents ({@code schema}, {@code time}, {@code level}, {@code category}, {@code message}) and then the finding's
 * fields. Text passes through {@link Printable} as on every other sink, so a line is one line and a hostile URL
 * cannot reach a terminal through a pretty-printer.
 */
final class JournalJson {
    /** The schema's version; a change that renames or retypes a member makes the next one. */
    static final int SCHEMA = 1;

    private JournalJson() {}

    static String line(long epochMillis, Finding f, String message) {
        StringBuilder sb = new StringBuilder(160 + message.length());
        sb.append("{\"schema\":").append(SCHEMA);
        member(sb, "time", Clock.iso(epochMillis));
        member(sb, "level", f.severity().name());
        member(sb, "category", f.category());
        member(sb, "message", message);
        for (Map.Entry<String, Object> e : f.attributes().entrySet()) {
            String name = e.getKey();
            if (!name.equals("severity") && !name.equals("category")) {
                Object v = e.getValue();
                member(sb, name, v instanceof String ? Printable.line((String) v) : v);
            }
        }
        return sb.append('}').toString();
    }

    private static void member(StringBuilder sb, String name, Object value) {
        sb.append(',');
        Json.string(sb, name);
        sb.append(':');
        Json.write(sb, value);
    }
}
