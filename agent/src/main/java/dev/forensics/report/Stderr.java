package dev.forensics.report;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The process's real file descriptor 2, not {@code System.err}: an application may have replaced or broken
 * System.err, and PrintStream swallows write errors, while we want to know the write happened. Once fd 2 is known
 * to be broken for good (its pipe reader gone), lines are no longer attempted: every attempt would cost an
 * exception, and the std stream detector sees our own failed writes too.
 */
public final class Stderr {
    private static final FileOutputStream FD2 = new FileOutputStream(FileDescriptor.err);
    private static volatile boolean broken;

    private Stderr() {}

    /** Writes one line (control characters escaped, see {@link Printable}); returns false when fd 2 refused it (closed pipe, full disk) or is known to be broken. */
    public static synchronized boolean line(String text) {
        if (broken) {
            return false;
        }
        try {
            FD2.write((Printable.line(text) + System.lineSeparator()).getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (IOException | RuntimeException e) {
            if (e.getMessage() != null && e.getMessage().contains("Broken pipe")) {
                broken = true; // EPIPE does not heal: nobody will ever read fd 2 again
            }
            return false;
        }
    }

    /** Said by the std stream detector when fd 2 failed for good (EPIPE, a hung-up terminal). */
    public static void markBroken() {
        broken = true;
    }

    public static boolean broken() {
        return broken;
    }
}
