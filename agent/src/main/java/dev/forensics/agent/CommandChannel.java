package dev.forensics.agent;

import dev.forensics.report.Pid;
import dev.forensics.report.PrivateFiles;
import dev.forensics.report.Reporter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the forensics CLI talks to a running agent: no socket, and nothing loaded per request. The CLI drops
 * {@code <pid>-<nonce>.request} into {@code dir/requests} (0700, ours); this thread, looking every 200 ms,
 * runs the command and leaves {@code <pid>-<nonce>.response} beside it. Loading the agent jar once per request
 * would instead print the JDK 21+ dynamic-agent warning and a class-sharing warning into the application's
 * stderr every time, and grow the boot class path.
 */
final class CommandChannel implements Runnable {
    static final String REQUEST = ".request";
    static final String RESPONSE = ".response";
    /** Answers nobody collected (the CLI gave up) are removed after this long. */
    static final long ABANDONED_MILLIS = 10_000L;
    /**
     * How often the idle channel looks for a request: a file watch (inotify) cost every JVM some 40 classes, a poller
     * thread in native code that held up each exit by up to 300 ms, and a shutdown hook to close it; a look at the
     * directory's time is one stat every {@value} ms, and a person waits at most that long for an answer.
     */
    static final long POLL_MILLIS = 200L;

    private static final long RECENT_MILLIS = 2_000L;
    static final int MAX_ANSWERED = 1000;

    private final AgentRuntime runtime;
    private final Path requests;
    private final long pid = Pid.current();
    private final String minePrefix;
    private final Commands commands;
    /** Answers written and not yet seen collected, with when (nanoTime); only this thread touches it. */
    private final Map<Path, Long> answered = new LinkedHashMap<>();

    /** {@code <pid>-<1..40 letters or digits>.request}: checked by hand, no regular expression at start-up. */
    private boolean mine(String name) {
        if (!name.startsWith(minePrefix) || !name.endsWith(REQUEST)) {
            return false;
        }
        int from = minePrefix.length();
        int to = name.length() - REQUEST.length();
        if (to - from < 1 || to - from > 40) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    private CommandChannel(AgentRuntime runtime) {
        this.runtime = runtime;
        this.requests = runtime.dir().resolve("requests");
        this.minePrefix = pid + "-";
        this.commands = new Commands(runtime);
    }

    /** Starts the channel's thread; it sets up the directory there, off the start-up path. */
    static void start(AgentRuntime runtime) {
        Thread t = new Thread(new CommandChannel(runtime), "forensics-commands");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void run() {
        try {
            if (!prepare()) {
                runtime.advertise("unavailable");
                return;
            }
            drain();
            java.io.File dir = requests.toFile();
            long seen = dir.lastModified();
            while (true) {
                Thread.sleep(POLL_MILLIS);
                long modified = dir.lastModified(); // 0 once removed
                if (modified == 0L) {
                    // Removed under us (systemd-tmpfiles cleans a quiet service's /tmp): made again, owner-only.
                    if (!prepare()) {
                        Reporter.journal(
                                "agent",
                                "the requests directory " + requests
                                        + " was removed and cannot be made again; the forensics CLI gets no answers");
                        runtime.advertise("unavailable");
                        return;
                    }
                    Reporter.journal(
                            "agent",
                            "the requests directory " + requests + " was removed while the JVM ran; recreated");
                    modified = dir.lastModified();
                    seen = -1;
                }
                // A request lands as a new name, which changes the directory's time; one created in the same
                // millisecond as the last look leaves it equal, so a directory changed lately is read again anyway.
                if (modified != seen || System.currentTimeMillis() - modified < RECENT_MILLIS) {
                    seen = modified;
                    drain();
                }
                removeAbandoned();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            Reporter.journal(
                    "agent",
                    "request channel stopped after an internal error; the forensics CLI gets no answers: " + t);
            runtime.advertise("unavailable");
        }
    }

    /**
     * Answers the CLI did not collect: it polls every 10 ms while it waits, so an answer still there after
     * {@value #ABANDONED_MILLIS} ms belongs to a CLI that gave up (its --timeout, Ctrl-C) and would stay for ever.
     */
    private void removeAbandoned() {
        long now = System.nanoTime();
        for (Iterator<Map.Entry<Path, Long>> it = answered.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Path, Long> e = it.next();
            if (now - e.getValue() >= ABANDONED_MILLIS * 1_000_000L) {
                try {
                    Files.deleteIfExists(e.getKey());
                } catch (IOException | RuntimeException ignored) {
                    // the next drain tries again by age
                }
                it.remove();
            }
        }
    }

    /** The requests directory must be ours and private: a request may name a file the JVM then writes. */
    private boolean prepare() {
        if (PrivateFiles.unusable(runtime.dir(), true) != null) {
            return false; // the output directory was said to be unusable at start-up; one more line would help nobody
        }
        if (!PrivateFiles.tryCreateDir(requests) || !PrivateFiles.ownedByUsAndPrivate(requests)) {
            Reporter.journal(
                    "agent",
                    "requests: " + requests
                            + " is not a private directory of this user; the forensics CLI gets no answers");
            return false;
        }
        return true;
    }

    private void drain() {
        long now = System.currentTimeMillis();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(requests)) { // a glob would compile a regex
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (!name.startsWith(minePrefix)) {
                    continue;
                }
                if (mine(name)) {
                    handle(p);
                } else if ((name.endsWith(RESPONSE) || name.contains(".tmp"))
                        && now
                                        - Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS)
                                                .toMillis()
                                > ABANDONED_MILLIS) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            Reporter.journal("agent", "requests: cannot read " + requests + ": " + e);
        }
    }

    private void handle(Path request) throws IOException {
        String name = request.getFileName().toString();
        Path response = request.resolveSibling(name.substring(0, name.length() - REQUEST.length()) + RESPONSE);
        String answer;
        BasicFileAttributes attrs = Files.readAttributes(request, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attrs.isRegularFile() || attrs.size() > AgentCommand.MAX_BYTES || !fromUsOrRoot(request)) {
            answer = AgentCommand.ERROR + AgentCommand.BAD_REQUEST + " not a request file of this user";
            Files.deleteIfExists(request);
        } else {
            String raw = new String(Files.readAllBytes(request), StandardCharsets.UTF_8);
            Files.deleteIfExists(request);
            answer = commands.answer(raw);
        }
        PrivateFiles.writeAtomically(response, answer.getBytes(StandardCharsets.UTF_8));
        if (answered.size() < MAX_ANSWERED) {
            answered.put(response, System.nanoTime());
        }
    }

    private static boolean fromUsOrRoot(Path file) {
        try {
            int owner = (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            int us = (Integer) Files.getAttribute(Paths.get("/proc/self"), "unix:uid");
            return owner == us || owner == 0;
        } catch (IOException | RuntimeException e) {
            return true; // no unix view: the private directory is the guard
        }
    }
}
