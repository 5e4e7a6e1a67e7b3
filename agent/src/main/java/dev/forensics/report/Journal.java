package dev.forensics.report;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The process journal: {@code journal-<pid>.log} in the output directory, one plain-text line per finding,
 * owner-only, opened on the first line (a process with nothing to say leaves no file) and capped in size.
 */
public final class Journal {
    /** The longest line: findings are composed from capped parts, and this holds whatever slips through. */
    static final int MAX_LINE = 16 * 1024;
    private final Path file;
    private final long maxBytes;
    private FileChannel channel;
    private long written;
    private boolean full;
    private boolean failed;

    public Journal(Path dir, long maxBytes) {
        this.file = dir.resolve("journal-" + Pid.current() + ".log");
        this.maxBytes = maxBytes;
    }

    public Path file() {
        return file;
    }

    /** Appends one line; returns false when the disk refused it (the caller falls back to stderr). */
    public synchronized boolean append(Instant at, String level, String category, String message) {
        if (failed) {
            return false;
        }
        if (full) {
            return true; // said so once already; the cap is a promise, not an error
        }
        String line = Clock.timestamp(at.toEpochMilli()) + "  " + pad(level, 5) + "  " + pad(category, 11) + "  " + oneLine(message) + "\n";
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        try {
            if (channel == null) {
                channel = PrivateFiles.open(file, true);
                written = channel.size();
            }
            if (written + bytes.length > maxBytes) {
                full = true;
                bytes = (Clock.timestamp(at.toEpochMilli()) + "  INFO   agent        journal reached its cap of " + maxBytes
                        + " bytes (option journalMaxBytes); later findings go to JFR and the log only\n").getBytes(StandardCharsets.UTF_8);
            }
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                written += channel.write(buf);
            }
            return true;
        } catch (IOException | RuntimeException e) {
            failed = true;
            return false;
        }
    }

    /** Forces what was written to disk; called when the JVM is going. */
    public synchronized void force() {
        try {
            if (channel != null) {
                channel.force(true);
            }
        } catch (IOException | RuntimeException ignored) {
            // Nothing more to do: the lines are in the page cache.
        }
    }

    /** Lines of a multi-line message joined with " | ", every other control character escaped, cut at {@value #MAX_LINE}. */
    static String oneLine(String s) {
        String cut = s.length() > MAX_LINE ? s.substring(0, MAX_LINE) + Redaction.cutNote(s.length()) : s;
        return Printable.line(cut.indexOf('\n') < 0 && cut.indexOf('\r') < 0 ? cut : cut.replace("\r", "").replace("\n", " | "));
    }

    private static String pad(String s, int width) {
        if (s.length() >= width) {
            return s;
        }
        StringBuilder sb = new StringBuilder(width).append(s);
        while (sb.length() < width) {
            sb.append(' ');
        }
        return sb.toString();
    }
}
