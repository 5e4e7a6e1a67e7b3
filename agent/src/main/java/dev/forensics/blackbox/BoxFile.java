package dev.forensics.blackbox;

import dev.forensics.report.Printable;
import dev.forensics.report.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The black box on disk: {@code key=value} lines between a header and {@code end}, rewritten in place as one
 * fixed-size block (one page) at offset 0. A positional write of one page into the page cache costs a few
 * microseconds and survives SIGKILL, which is what the box is for; temp-file-and-rename with fsync costs
 * milliseconds (see benchmarks/BlackBoxWriteCost). The box is never fsynced: the page cache outlives any death of the
 * process, and a power loss, which it does not outlive, shows at the next start as a new boot id anyway.
 */
final class BoxFile implements AutoCloseable {
    static final String HEADER = "forensics black box 1";
    static final int SIZE = 4096;
    static final int MAX_VALUE = 1000;

    private final Path file;
    private FileChannel channel;
    private Object fileKey;
    private final ByteBuffer block = ByteBuffer.allocate(SIZE);
    /** Spaces ending in a newline: copied under every write, so no byte-by-byte padding in code that is rarely compiled. */
    private static final byte[] BLANK = blank();

    private BoxFile(Path file, FileChannel channel) throws IOException {
        this.file = file;
        this.channel = channel;
        this.fileKey = key(file);
    }

    static BoxFile create(Path file) throws IOException {
        return new BoxFile(file, PrivateFiles.open(file, false));
    }

    private static Object key(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .fileKey();
    }

    /**
     * A box removed from the disk while the JVM runs (systemd-tmpfiles cleaning /tmp) would take every later write
     * with it, and the next start would never learn of a SIGKILL: each write first checks that the path still names
     * our file, and recreates it (and its directory, while that is still ours to make) when it does not.
     */
    private void recreateIfRemoved() throws IOException {
        try {
            if (fileKey != null && fileKey.equals(key(file))) {
                return;
            }
        } catch (IOException gone) {
            // recreated below
        }
        String problem = PrivateFiles.unusable(file.getParent(), true);
        if (problem != null) {
            throw new IOException("the output directory " + file.getParent() + " " + problem);
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // the old file is gone anyway
        }
        channel = PrivateFiles.open(file, false);
        fileKey = key(file);
    }

    /** Closes and removes the box: a box that could not be written once (a full disk) must not stay behind empty. */
    synchronized void discard() {
        close();
        try {
            Files.deleteIfExists(file);
        } catch (IOException | RuntimeException ignored) {
            // left for the next start, which reads it as unreadable and removes it
        }
    }

    Path path() {
        return file;
    }

    /** Rewrites the whole block; {@code force} also fsyncs it (measured in the benchmark, not used by the recorder). */
    synchronized void write(Map<String, String> fields, boolean force) throws IOException {
        recreateIfRemoved();
        byte[] text = format(fields);
        byte[] array = block.array();
        System.arraycopy(BLANK, 0, array, 0, SIZE);
        System.arraycopy(text, 0, array, 0, text.length);
        block.clear();
        long pos = 0;
        while (block.hasRemaining()) {
            pos += channel.write(block, pos);
        }
        if (force) {
            channel.force(false);
        }
    }

    private static byte[] blank() {
        byte[] b = new byte[SIZE];
        java.util.Arrays.fill(b, (byte) ' ');
        b[SIZE - 1] = '\n';
        return b;
    }

    /** The block's text; values are one line each and cut so that the whole box fits in {@value #SIZE} bytes. */
    static byte[] format(Map<String, String> fields) {
        StringBuilder sb = new StringBuilder(SIZE).append(HEADER).append('\n');
        for (Map.Entry<String, String> e : fields.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            sb.append(e.getKey()).append('=').append(clean(e.getValue())).append('\n');
        }
        sb.append("end\n");
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length < SIZE) {
            return bytes;
        }
        // Too long (a huge command line): cut the longest values until it fits, keeping every key.
        Map<String, String> shorter = new LinkedHashMap<>(fields);
        String longest = null;
        for (Map.Entry<String, String> e : shorter.entrySet()) {
            if (e.getValue() != null
                    && (longest == null
                            || e.getValue().length() > shorter.get(longest).length())) {
                longest = e.getKey();
            }
        }
        String v = shorter.get(longest);
        shorter.put(longest, v.substring(0, Math.max(0, v.length() - (bytes.length - SIZE) - 64)) + "…");
        return format(shorter);
    }

    private static String clean(String v) {
        String s = Printable.line(
                v.indexOf('\n') < 0 && v.indexOf('\r') < 0
                        ? v
                        : v.replace('\r', ' ').replace('\n', ' '));
        return s.length() > MAX_VALUE ? s.substring(0, MAX_VALUE) + "…" : s;
    }

    /** The fields of a box file's text, or null when it is not a complete black box (torn, foreign, empty). */
    static Map<String, String> parse(String text) {
        if (text == null || !text.startsWith(HEADER + "\n")) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.equals("end")) {
                return out;
            }
            int eq = line.indexOf('=');
            if (eq > 0) {
                out.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return null; // no end marker: a write was cut short
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to save
        }
    }
}
