package dev.forensics.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One thing the agent learned that a person should read. {@code key} groups identical findings for aggregation
 * (same site, same peer); {@code message} is one line, already redacted, that makes sense on its own. {@code fields}
 * are the same facts for a machine (site, client, status, count…), already redacted too: the structured sinks (the
 * JSON journal, SLF4J key-values, OpenTelemetry attributes) carry them next to the message. Names are the ones
 * {@code docs/journal.schema.json} documents.
 */
public record Finding(String category, Severity severity, String key, String message, Map<String, Object> fields) {
    public enum Severity {
        INFO,
        WARN,
        ERROR
    }

    /** More fields than this are a bug in a producer, not information: the rest are dropped. */
    static final int MAX_FIELDS = 16;
    /** A field value longer than this is cut (a message already says everything at length). */
    static final int MAX_VALUE = 2048;

    public Finding {
        fields = fields == null ? Map.of() : fields;
    }

    public Finding(String category, Severity severity, String key, String message) {
        this(category, severity, key, message, Map.of());
    }

    public static Finding warn(String category, String key, String message) {
        return new Finding(category, Severity.WARN, key, message);
    }

    public static Finding info(String category, String key, String message) {
        return new Finding(category, Severity.INFO, key, message);
    }

    public static Finding error(String category, String key, String message) {
        return new Finding(category, Severity.ERROR, key, message);
    }

    /**
     * This finding with one more field; a null value adds nothing. Values are strings, whole numbers or booleans (any
     * other object is written as its string).
     */
    public Finding with(String name, Object value) {
        if (value == null
                || name == null
                || reserved(name)
                || fields.size() >= MAX_FIELDS && !fields.containsKey(name)) {
            return this;
        }
        Object v = value instanceof Integer || value instanceof Short || value instanceof Byte
                ? Long.valueOf(((Number) value).longValue())
                : value instanceof Long || value instanceof Boolean ? value : cut(String.valueOf(value));
        Map<String, Object> m = new LinkedHashMap<>(fields);
        m.put(name, v);
        return new Finding(category, severity, key, message, Collections.unmodifiableMap(m));
    }

    /**
     * What kind of finding this is ("leak", "held", "pipe-loop", "death"…): the field, else the key up to its first
     * ':'; null for a journal-only line without either.
     */
    public String kind() {
        Object k = fields.get("kind");
        if (k != null) {
            return k.toString();
        }
        int colon = key == null ? -1 : key.indexOf(':');
        return key == null ? null : colon < 0 ? key : key.substring(0, colon);
    }

    /** Every structured field, in order: kind (when known), severity and category first, then the producer's. */
    public Map<String, Object> attributes() {
        Map<String, Object> m = new LinkedHashMap<>(fields.size() + 4);
        String kind = kind();
        if (kind != null) {
            m.put("kind", kind);
        }
        m.put("severity", severity.name());
        m.put("category", category);
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            if (!m.containsKey(e.getKey())) {
                m.put(e.getKey(), e.getValue());
            }
        }
        return m;
    }

    /** Names the JSON journal gives its own members; a field never overrides them. */
    static boolean reserved(String name) {
        switch (name) {
            case "schema":
            case "time":
            case "level":
            case "message":
            case "severity":
            case "category":
                return true;
            default:
                return false;
        }
    }

    private static String cut(String s) {
        return s.length() <= MAX_VALUE ? s : s.substring(0, MAX_VALUE) + "…";
    }
}
