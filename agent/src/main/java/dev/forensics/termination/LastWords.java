package dev.forensics.termination;

import dev.forensics.report.Clock;
import dev.forensics.report.Pid;
import dev.forensics.report.Printable;
import dev.forensics.report.PrivateFiles;
import dev.forensics.report.Stderr;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;

/**
 * The one file a death leaves behind: {@code last-words-<pid>-<time>.txt} in the output directory, owner-only,
 * written and forced to disk (the verdict and its cause first, then threads and feature state) before the JVM runs
 * any shutdown hook (logging frameworks stop in theirs), then
 * appended to and forced again line by line as the shutdown proceeds, so whatever kills the JVM next — a hung hook
 * and SIGKILL — finds the story on disk up to that moment. When the disk refuses, the same lines go to stderr.
 */
final class LastWords {
    static final int TERMINATION_LOG_MAX = 4096;
    static final int MAX_APPENDED_LINES = 2000;

    private final Path dir;
    private final Path terminationLog;
    private FileChannel channel;
    private Path file;
    private boolean begun;
    private boolean complete;
    private boolean onStderr;
    private int appended;
    private final List<String> early = new java.util.ArrayList<>();

    LastWords(Path dir, Path terminationLog) {
        this.dir = dir;
        this.terminationLog = terminationLog;
    }

    synchronized boolean begun() {
        return begun;
    }

    /** Where the last words went: the file, or "stderr". */
    synchronized String location() {
        return file != null ? file.toString() : onStderr ? "stderr" : "nowhere yet";
    }

    synchronized Path file() {
        return file;
    }

    /**
     * Writes the head (verdict and cause) and forces it; only the first caller writes. Returns false when another
     * death already began, so the caller appends instead. Lines appended by other threads are held until
     * {@link #complete} has written the rest of the head (threads, feature state), which takes longer to gather.
     */
    synchronized boolean begin(List<String> lines, String verdict) {
        if (begun) {
            return false;
        }
        begun = true;
        String problem = null;
        try {
            // Made again if a cleaner of /tmp removed it, and checked again: someone else may have made it first.
            String unusable = PrivateFiles.unusable(dir, true);
            if (unusable != null) {
                throw new IOException("the directory " + unusable);
            }
            Path f = uniqueFile(Instant.now());
            channel = PrivateFiles.create(f);
            file = f;
            write(join(lines));
            channel.force(false);
        } catch (IOException | RuntimeException e) {
            problem = e.toString();
            closeQuietly();
            removeQuietly(file); // an empty or cut file (a full disk) would hide that the whole text is on stderr
            file = null;
        }
        if (problem != null) {
            onStderr = true;
            Stderr.line("[forensics] last words could not be written to " + dir + " (" + problem + "); here they are:");
            for (String l : lines) {
                Stderr.line("[forensics] " + l);
            }
        }
        writeTerminationLog(verdict, lines);
        return true;
    }

    /** The rest of the head, then whatever was appended meanwhile; forced. */
    synchronized void complete(List<String> lines) {
        if (!begun || complete) {
            return;
        }
        complete = true;
        List<String> all = new java.util.ArrayList<>(lines);
        all.addAll(early);
        early.clear();
        if (channel != null) {
            try {
                write(join(all));
                channel.force(false);
                return;
            } catch (IOException | RuntimeException e) {
                closeQuietly();
                onStderr = true;
                Stderr.line("[forensics] last words file " + file + " stopped accepting lines (" + e
                        + "); continuing on stderr:");
            }
        }
        for (String l : all) {
            Stderr.line("[forensics] " + l);
        }
    }

    private static String join(List<String> lines) {
        StringBuilder text = new StringBuilder(4096);
        for (String l : lines) {
            text.append(Printable.line(l)).append('\n'); // one line each, whatever a sender's script or a message held
        }
        return text.toString();
    }

    /** Appends one line (already timestamped by the caller) and forces it. */
    synchronized void append(String line) {
        if (!complete) {
            if (early.size() < 100) {
                early.add(line);
            }
            return;
        }
        if (++appended > MAX_APPENDED_LINES) {
            if (appended == MAX_APPENDED_LINES + 1) {
                line = "(further lines dropped: the last words are capped at " + MAX_APPENDED_LINES
                        + " appended lines)";
            } else {
                return;
            }
        }
        if (channel != null) {
            try {
                write(Printable.line(line) + "\n");
                channel.force(false);
                return;
            } catch (IOException | RuntimeException e) {
                closeQuietly();
                onStderr = true;
                Stderr.line("[forensics] last words file " + file + " stopped accepting lines (" + e
                        + "); continuing on stderr:");
            }
        }
        Stderr.line("[forensics] " + line);
    }

    private void write(String s) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
    }

    private Path uniqueFile(Instant now) throws IOException {
        String base = "last-words-" + Pid.current() + "-" + Clock.compact(now.toEpochMilli());
        Path f = dir.resolve(base + ".txt");
        for (int i = 2; Files.exists(f, LinkOption.NOFOLLOW_LINKS); i++) {
            f = dir.resolve(base + "-" + i + ".txt");
            if (i > 100) {
                throw new FileAlreadyExistsException(f.toString());
            }
        }
        return f;
    }

    private static void removeQuietly(Path f) {
        if (f != null) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException | RuntimeException ignored) {
                // stderr has the lines either way
            }
        }
    }

    private void closeQuietly() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Already failing; stderr carries on.
            }
            channel = null;
        }
    }

    /**
     * Kubernetes shows the content of {@code /dev/termination-log} as the container's termination message (at most
     * 4 KB). Written only when that file exists, so outside Kubernetes nothing is created.
     */
    private void writeTerminationLog(String verdict, List<String> lines) {
        if (terminationLog == null || !Files.isRegularFile(terminationLog)) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (String v : verdict.split("\n", -1)) { // the cause and its 'next:' line stay two lines, each escaped
            sb.append(Printable.line(v)).append('\n');
        }
        for (String l : lines) {
            if (l.startsWith("  ") && sb.length() < TERMINATION_LOG_MAX) { // the indented cause record, not threads
                sb.append(Printable.line(l.trim())).append('\n');
            }
            if (l.startsWith("threads")) {
                break;
            }
        }
        if (file != null) {
            sb.append("last words: ").append(file).append('\n');
        }
        byte[] bytes = truncateUtf8(sb.toString(), TERMINATION_LOG_MAX);
        try (FileChannel ch =
                FileChannel.open(terminationLog, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(false);
        } catch (IOException | RuntimeException ignored) {
            // The termination message is a courtesy to Kubernetes; the last words above are the record.
        }
    }

    /** At most {@code max} bytes of UTF-8, never cutting a character in half. */
    static byte[] truncateUtf8(String s, int max) {
        byte[] all = s.getBytes(StandardCharsets.UTF_8);
        if (all.length <= max) {
            return all;
        }
        int end = max;
        while (end > 0 && (all[end] & 0xC0) == 0x80) {
            end--; // all[end] is a continuation byte: the character starting before it would be cut
        }
        byte[] out = new byte[end];
        System.arraycopy(all, 0, out, 0, end);
        return out;
    }
}
