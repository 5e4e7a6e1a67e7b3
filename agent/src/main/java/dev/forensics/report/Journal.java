package dev.forensics.report;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The process journal: {@code journal-<pid>-<start>.log} in the output directory, one plain-text line per finding,
 * owner-only, opened on the first line (a process with nothing to say leaves no file) and capped in size. The start
 * time is in the name because a pid comes back (a container's JVM is pid 1 at every start), and two runs must not
 * share a journal and its cap. A journal removed while the JVM runs (systemd-tmpfiles cleaning /tmp) is noticed at
 * the next line and recreated; the oldest journals beyond {@value #MAX_JOURNALS} are removed when one is created.
 */
public final class Journal {
    static final int MAX_JOURNALS = 32;
    /** A journal written to within this long may belong to a running JVM and is never pruned. */
    static final long PRUNE_AFTER_MILLIS = 3_600_000L;

    private final Path dir;
    /** The longest line: findings are composed from capped parts, and this holds whatever slips through. */
    static final int MAX_LINE = 16 * 1024;

    private final Path file;
    private final long maxBytes;
    private final boolean json;
    private FileChannel channel;
    private Object fileKey;
    private long written;
    private boolean full;
    private boolean failed;

    public Journal(Path dir, long maxBytes) {
        this(dir, maxBytes, false);
    }

    /** @param json one JSON object per line ({@code docs/journal.schema.json}) instead of text */
    public Journal(Path dir, long maxBytes, boolean json) {
        this.dir = dir;
        this.json = json;
        this.file = dir.resolve("journal-" + Pid.current() + "-" + Clock.compact(System.currentTimeMillis()) + ".log");
        this.maxBytes = maxBytes;
    }

    /** The journal's path; when it was removed from the disk, it is recreated first, so a path shown to a user exists. */
    public synchronized Path file() {
        if (channel != null && !failed && removed()) {
            reopen(Instant.now());
        }
        return file;
    }

    /** True once the journal failed and said so (or the output directory was declared unusable): no more stderr per line. */
    public synchronized boolean failed() {
        return failed;
    }

    /** Appends one line; returns false when the disk refused it (the caller falls back to stderr). */
    public boolean append(Instant at, String level, String category, String message) {
        Finding.Severity severity = "ERROR".equals(level)
                ? Finding.Severity.ERROR
                : "WARN".equals(level) ? Finding.Severity.WARN : Finding.Severity.INFO;
        return append(at, new Finding(category, severity, null, message), message);
    }

    /**
     * Appends the finding as one line, with {@code message} (the finding's, perhaps with a repeat count) as its text;
     * returns false when the disk refused it.
     */
    public synchronized boolean append(Instant at, Finding f, String message) {
        if (failed) {
            return false;
        }
        if (full) {
            return true; // said so once already; the cap is a promise, not an error
        }
        byte[] bytes = line(at, f, message).getBytes(StandardCharsets.UTF_8);
        try {
            if (channel == null) {
                open();
                prune();
            } else if (removed()) {
                reopen(at);
                if (channel == null) {
                    return false;
                }
            }
            if (written + bytes.length > maxBytes) {
                full = true;
                bytes = status(
                                at,
                                "journal reached its cap of " + maxBytes
                                        + " bytes (option journalMaxBytes); later findings go to JFR and the log only")
                        .getBytes(StandardCharsets.UTF_8);
            }
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                written += channel.write(buf);
            }
            return true;
        } catch (IOException | RuntimeException e) {
            fail(e);
            return false;
        }
    }

    private void open() throws IOException {
        channel = PrivateFiles.open(file, true);
        written = channel.size();
        fileKey = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .fileKey();
    }

    /** True when the path no longer names the file we hold open (removed, or replaced). One stat per line. */
    private boolean removed() {
        try {
            return fileKey != null
                    && !fileKey.equals(Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                            .fileKey());
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    /** Recreates a removed journal (and its directory, if it is still ours to make) with a line saying what happened. */
    private void reopen(Instant at) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // the old file is gone anyway
        }
        channel = null;
        try {
            String problem = PrivateFiles.unusable(dir, true);
            if (problem != null) {
                throw new IOException("the output directory " + dir + " " + problem);
            }
            open();
            full = false;
            byte[] note = status(
                            at,
                            "this journal was removed while the JVM ran "
                                    + "(by a cleaner of temporary files?) and is recreated; earlier lines are gone")
                    .getBytes(StandardCharsets.UTF_8);
            ByteBuffer buf = ByteBuffer.wrap(note);
            while (buf.hasRemaining()) {
                written += channel.write(buf);
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    /** One stderr line for the first failure (unless the output directory was already said to be unusable), then quiet. */
    private void fail(Exception e) {
        if (!failed && !PrivateFiles.saidUnusable(dir)) {
            Stderr.line("forensics: the journal " + file + " cannot be written (" + PrivateFiles.reason(e)
                    + "); findings go to the application's log or stderr only");
        }
        failed = true;
        if (channel != null) {
            try {
                channel.close();
                if (written == 0) {
                    Files.deleteIfExists(file); // created on a full disk: an empty journal would only mislead
                }
            } catch (IOException | RuntimeException ignored) {
                // failing already
            }
            channel = null;
        }
    }

    /** Keeps the newest {@value #MAX_JOURNALS} journals; ours and any written to within the last hour always stay. */
    private void prune() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) { // a glob would compile a regex, in premain
            List<Path> old = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            for (Path p : files) {
                if (old.size() > 10_000) {
                    break;
                }
                String name = p.getFileName().toString();
                if (!name.startsWith("journal-") || !name.endsWith(".log")) {
                    continue;
                }
                old.add(p);
                times.add(
                        Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis());
            }
            if (old.size() <= MAX_JOURNALS) {
                return;
            }
            // Newest first, by insertion (no lambda: this runs with the first line, in premain).
            int n = old.size();
            long[] t = new long[n];
            Path[] p = new Path[n];
            for (int i = 0; i < n; i++) {
                int j = i;
                while (j > 0 && t[j - 1] < times.get(i)) {
                    t[j] = t[j - 1];
                    p[j] = p[j - 1];
                    j--;
                }
                t[j] = times.get(i);
                p[j] = old.get(i);
            }
            long now = System.currentTimeMillis();
            for (int i = MAX_JOURNALS; i < n; i++) {
                if (!p[i].equals(file) && now - t[i] > PRUNE_AFTER_MILLIS) {
                    Files.deleteIfExists(p[i]);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // a few journals too many are harmless
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

    /** The journal's own INFO line about itself, in the journal's format. */
    private String status(Instant at, String message) {
        return line(at, new Finding("agent", Finding.Severity.INFO, null, message), message);
    }

    /** One line with its newline: text, or with {@code journalFormat=json} one object of {@link JournalJson}. */
    String line(Instant at, Finding f, String message) {
        if (json) {
            return JournalJson.line(at.toEpochMilli(), f, oneLine(message)) + "\n";
        }
        return Clock.timestamp(at.toEpochMilli()) + "  " + pad(f.severity().name(), 5) + "  " + pad(f.category(), 11)
                + "  " + oneLine(message) + "\n";
    }

    /** Lines of a multi-line message joined with " | ", every other control character escaped, cut at {@value #MAX_LINE}. */
    static String oneLine(String s) {
        String cut = s.length() > MAX_LINE ? s.substring(0, MAX_LINE) + Redaction.cutNote(s.length()) : s;
        return Printable.line(
                cut.indexOf('\n') < 0 && cut.indexOf('\r') < 0
                        ? cut
                        : cut.replace("\r", "").replace("\n", " | "));
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
