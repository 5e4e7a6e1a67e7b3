package dev.forensics.pipe;

import dev.forensics.report.Clock;
import dev.forensics.report.Finding;
import dev.forensics.report.Jfr;
import dev.forensics.report.Reporter;
import dev.forensics.report.Stderr;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Notices the moment stdout or stderr stops working: the JVM ignores SIGPIPE, so a write to a pipe whose reader
 * exited fails with EPIPE, and PrintStream swallows that, so a service that logs to stdout goes silent without a
 * trace. Reported once per stream, with what the descriptor was (from {@code /proc/self/fd}) and when it broke,
 * through the sinks that still work.
 */
final class StdStreams {

    /** One broken stream: {@code was} is pipe, terminal, file, socket …; {@code target} the link in /proc/self/fd. */
    record Broken(String name, int fd, String was, String target, String error, String site, long atMillis) {}

    private final String[] atStart = new String[3];
    private final AtomicReferenceArray<Broken> broken = new AtomicReferenceArray<>(3);

    StdStreams() {
        atStart[1] = target(1);
        atStart[2] = target(2);
    }

    Broken broken(int fd) {
        return broken.get(fd);
    }

    /** Called on the writing thread, which may hold the PrintStream's lock: only the journal is written here. */
    void writeFailed(boolean stderr, Throwable error) {
        int fd = stderr ? 2 : 1;
        if (broken.get(fd) != null) {
            return; // once per stream: every later println fails the same way
        }
        String now = target(fd);
        String target = now != null ? now : atStart[fd];
        WriteSite.Site site = WriteSite.find();
        Broken b = new Broken(
                stderr ? "stderr" : "stdout",
                fd,
                kind(target),
                target == null ? "unknown" : target,
                FailureKind.message(error),
                site.byAgent() ? "the agent's own stderr line" : site.frame(),
                System.currentTimeMillis());
        if (!broken.compareAndSet(fd, null, b)) {
            return;
        }
        if (stderr && permanent(error)) {
            Stderr.markBroken(); // our own fallback lines stop trying fd 2
        }
        Reporter.reportLogLater(Finding.warn("stdstream", "stdstream:" + fd, message(b))
                .with("stream", b.name())
                .with("fd", fd)
                .with("was", b.was())
                .with("target", b.target())
                .with("error", b.error())
                .with("site", b.site()));
        if (Jfr.AVAILABLE) {
            Thread t = new Thread(() -> PipeEvents.stdStreamBroken(b), "forensics-stdstream");
            t.setDaemon(true);
            t.start();
        }
    }

    static String message(Broken b) {
        String stream = b.fd() == 1 ? "System.out" : "System.err";
        return b.name() + " (fd " + b.fd() + ") is broken since " + Clock.timestamp(b.atMillis())
                + ": writes fail with \"" + b.error() + "\". " + what(b.was(), b.target())
                + ". The JVM ignores SIGPIPE and " + stream
                + " swallows the error (checkError() is now true), so everything"
                + " the application prints to " + b.name()
                + " from now on is lost; forensics keeps reporting to its journal and JFR."
                + " First failed write: " + b.site();
    }

    private static String what(String was, String target) {
        switch (was) {
            case "pipe":
                return "It was a pipe (" + target
                        + ") and its reader is gone (the process reading it exited or closed it)";
            case "terminal":
                return "It was a terminal (" + target + ") that hung up (its SSH session or terminal window closed)";
            case "socket":
                return "It was a socket (" + target + ") whose peer is gone";
            case "file":
                return "It was a file (" + target + "); the disk may be full or the file system read-only";
            case "unknown":
                return "What it was is unknown (no /proc/self/fd)";
            default:
                return "It was " + target;
        }
    }

    /** EPIPE and EIO (a hung-up terminal) do not heal; a full disk might. */
    private static boolean permanent(Throwable error) {
        String m = FailureKind.message(error).toLowerCase(Locale.ROOT);
        return m.contains("broken pipe") || m.contains("input/output error");
    }

    static String target(int fd) {
        try {
            return Files.readSymbolicLink(Paths.get("/proc/self/fd/" + fd)).toString();
        } catch (Exception | LinkageError e) {
            return null;
        }
    }

    /** What a /proc/self/fd link names: pipe:[N], socket:[N], /dev/pts/N, a path … */
    static String kind(String target) {
        if (target == null) {
            return "unknown";
        }
        if (target.startsWith("pipe:")) {
            return "pipe";
        }
        if (target.startsWith("socket:")) {
            return "socket";
        }
        if (target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console")) {
            return "terminal";
        }
        if (target.equals("/dev/null")) {
            return "/dev/null";
        }
        if (target.startsWith("/")) {
            return "file";
        }
        return "other";
    }

    /** Both streams as they were at start and are now, for the report section. */
    String describe(int fd) {
        Broken b = broken.get(fd);
        String name = fd == 1 ? "stdout" : "stderr";
        if (b != null) {
            return name + " (fd " + fd + ", " + b.was() + " " + b.target() + ") broken since "
                    + Clock.timestamp(b.atMillis()) + ": " + b.error() + "; first failed write " + b.site();
        }
        String t = atStart[fd];
        return name + " (fd " + fd + ", " + kind(t) + (t == null ? "" : " " + t) + ") working";
    }
}
