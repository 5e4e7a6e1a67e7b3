package dev.forensics.report;

/**
 * One thing the agent learned that a person should read. {@code key} groups identical findings for aggregation
 * (same site, same peer); {@code message} is one line, already redacted, that makes sense on its own.
 */
public record Finding(String category, Severity severity, String key, String message) {
    public enum Severity { INFO, WARN, ERROR }

    public static Finding warn(String category, String key, String message) {
        return new Finding(category, Severity.WARN, key, message);
    }

    public static Finding info(String category, String key, String message) {
        return new Finding(category, Severity.INFO, key, message);
    }

    public static Finding error(String category, String key, String message) {
        return new Finding(category, Severity.ERROR, key, message);
    }
}
