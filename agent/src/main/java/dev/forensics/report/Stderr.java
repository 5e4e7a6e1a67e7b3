package dev.forensics.report;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The process's real file descriptor 2, not {@code System.err}: an application may have replaced or broken
 * System.err, and PrintStream swallows write errors, while we want to know the write happened.
 */
public final class Stderr {
    private static final FileOutputStream FD2 = new FileOutputStream(FileDescriptor.err);

    private Stderr() {}

    /** Writes one line; returns false when fd 2 refused it (closed pipe, full disk). */
    public static synchronized boolean line(String text) {
        try {
            FD2.write((text + System.lineSeparator()).getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
