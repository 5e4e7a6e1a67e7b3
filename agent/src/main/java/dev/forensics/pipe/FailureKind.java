package dev.forensics.pipe;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;

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

    FailureKind(String label) {
        this.label = label;
    }

    /** The kind of a failed write, or null when the throwable is not an I/O failure. */
    static FailureKind of(Throwable error) {
        if (!(error instanceof IOException)) {
            return null;
        }
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
