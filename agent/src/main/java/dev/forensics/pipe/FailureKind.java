package dev.forensics.pipe;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.Objects;

/**
 * Why a write failed, as an operator would say it. Linux reports a peer that closed as EPIPE ("Broken pipe") and one
 * that reset as ECONNRESET ("Connection reset by peer", usually once, then EPIPE); a socket the application itself
 * closed fails with "Socket closed" or a ClosedChannelException. Anything that is not an IOException (bad arguments,
 * a channel in the wrong mode) is a programming error, not a vanished peer, and is not counted.
 */
enum FailureKind {
    BROKEN_PIPE("broken pipe"),
    RESET("reset"),
    CLOSED("closed"),
    OTHER("other I/O error");

    final String label;

    /**
     * Verdicts on failures without a cause, by exception class and message: a loop fails the same way millions of
     * times, each with a message string of its own from the native code, so a hit costs an equals of a few characters
     * instead of a lower-casing and three searches. Direct-mapped and racy on purpose: a slot holds an immutable
     * verdict, a lost update is a recomputation.
     */
    private static final Verdict[] VERDICTS = new Verdict[16];

    private record Verdict(Class<?> type, String message, FailureKind kind) {}

    FailureKind(String label) {
        this.label = label;
    }

    /** The kind of a failed write, or null when the throwable is not an I/O failure. */
    static FailureKind of(Throwable error) {
        if (!(error instanceof IOException)) {
            return null;
        }
        if (error.getCause() != null) {
            return classify(error);
        }
        Class<?> type = error.getClass();
        String message = error.getMessage();
        int slot = (type.hashCode() * 31 + (message == null ? 0 : message.hashCode())) & (VERDICTS.length - 1);
        Verdict v = VERDICTS[slot];
        if (v != null && v.type == type && Objects.equals(v.message, message)) {
            return v.kind;
        }
        FailureKind kind = classify(error);
        if (type.getClassLoader() == null) { // the JDK's own exceptions only: a web app's class must not be pinned here
            VERDICTS[slot] = new Verdict(type, message, kind);
        }
        return kind;
    }

    private static FailureKind classify(Throwable error) {
        Throwable t = error;
        for (int depth = 0; t != null && depth < 6; depth++, t = t.getCause()) {
            if (t instanceof ClosedChannelException) {
                return CLOSED;
            }
            String m = t.getMessage();
            if (m != null) {
                String lower = m.toLowerCase(Locale.ROOT);
                if (lower.contains("broken pipe")) {
                    return BROKEN_PIPE;
                }
                if (lower.contains("connection reset")) {
                    return RESET;
                }
                if (lower.contains("closed")) {
                    return CLOSED;
                }
            }
        }
        return OTHER;
    }

    /** The first message in the cause chain, for the report: "Broken pipe", "Connection reset by peer". */
    static String message(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                return t.getMessage();
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return error.getClass().getName();
    }
}
