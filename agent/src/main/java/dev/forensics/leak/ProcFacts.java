package dev.forensics.leak;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.Set;

/**
 * Process figures Linux exposes under /proc: open file descriptors, and TCP sockets of this process stuck in
 * CLOSE_WAIT (the peer closed, we never did: the footprint of an unclosed response body). /proc/net/tcp lists every
 * socket of the network namespace, so its CLOSE_WAIT inodes are matched against the socket inodes of /proc/self/fd.
 * Every figure is -1 where /proc is not there.
 */
final class ProcFacts {
    private static final String CLOSE_WAIT = "08";
    private static final int MAX_LINES = 1_000_000;

    private ProcFacts() {}

    static long openFileDescriptors() {
        String[] names = new File("/proc/self/fd").list();
        return names == null ? -1 : Math.max(0, names.length - 1); // minus the descriptor that listed the directory
    }

    static long closeWaitSockets() {
        Set<Long> closeWait = new HashSet<>();
        boolean any = false;
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            Path p = Paths.get(table);
            if (!Files.isReadable(p)) {
                continue;
            }
            any = true;
            try (BufferedReader in = Files.newBufferedReader(p, StandardCharsets.US_ASCII)) {
                String line;
                for (int n = 0; (line = in.readLine()) != null && n < MAX_LINES; n++) {
                    long inode = closeWaitInode(line);
                    if (inode > 0) {
                        closeWait.add(inode);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // a table that vanished or changed mid-read: count what was read
            }
        }
        if (!any) {
            return -1;
        }
        if (closeWait.isEmpty()) {
            return 0;
        }
        String[] fds = new File("/proc/self/fd").list();
        if (fds == null) {
            return -1;
        }
        long count = 0;
        for (String fd : fds) {
            try {
                long inode = socketInode(
                        Files.readSymbolicLink(Paths.get("/proc/self/fd", fd)).toString());
                if (inode > 0 && closeWait.contains(inode)) {
                    count++;
                }
            } catch (IOException | RuntimeException e) {
                // closed between list and readlink
            }
        }
        return count;
    }

    /**
     * The inode of a /proc/net/tcp line whose state is CLOSE_WAIT, else -1. Columns: sl local rem st tx:rx tr:when
     * retrnsmt uid timeout inode …
     */
    static long closeWaitInode(String line) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 10 || !f[3].equals(CLOSE_WAIT)) {
            return -1;
        }
        try {
            return Long.parseLong(f[9]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** {@code socket:[12345]} → 12345, anything else → -1. */
    static long socketInode(String link) {
        if (!link.startsWith("socket:[") || !link.endsWith("]")) {
            return -1;
        }
        try {
            return Long.parseLong(link.substring(8, link.length() - 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static Set<Long> closeWaitInodes(Iterable<String> lines) {
        Set<Long> out = new HashSet<>();
        for (String l : lines) {
            long inode = closeWaitInode(l);
            if (inode > 0) {
                out.add(inode);
            }
        }
        return out;
    }
}
