package dev.forensics.agent;

import dev.forensics.report.Pid;
import dev.forensics.report.PrivateFiles;
import dev.forensics.report.Reporter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How the forensics CLI talks to a running agent: no socket, and nothing loaded per request. The CLI drops
 * {@code <pid>-<nonce>.request} into {@code dir/requests} (0700, ours); this thread, idle in an inotify wait,
 * runs the command and leaves {@code <pid>-<nonce>.response} beside it. Loading the agent jar once per request
 * would instead print the JDK 21+ dynamic-agent warning and a class-sharing warning into the application's
 * stderr every time, and grow the boot class path.
 */
final class CommandChannel implements Runnable {
    static final String REQUEST = ".request";
    static final String RESPONSE = ".response";
    /** Answers nobody collected (the CLI gave up) are removed after this long. */
    static final long ABANDONED_MILLIS = 10_000L;
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

    /** Starts the channel's thread; it sets up the directory and the watch there, off the start-up path. */
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
            try (WatchService watch = requests.getFileSystem().newWatchService()) {
                if (!closeAtShutdown(watch)) {
                    return; // the JVM is already going: the watch closes on the way out, its poller with it
                }
                requests.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
                drain();
                while (true) {
                    // Idle in take() unless an answer waits to be collected: then wake to remove it once abandoned.
                    WatchKey key = answered.isEmpty() ? watch.take() : watch.poll(ABANDONED_MILLIS, TimeUnit.MILLISECONDS);
                    if (key != null) {
                        boolean ours = false;
                        for (WatchEvent<?> e : key.pollEvents()) {
                            Object name = e.context();
                            ours |= e.kind() == StandardWatchEventKinds.OVERFLOW || name != null && mine(name.toString());
                        }
                        if (ours) {
                            drain();
                        }
                    }
                    removeAbandoned();
                    if (key != null && !key.reset()) {
                        // Removed under us (systemd-tmpfiles cleans a quiet service's /tmp): made again, owner-only.
                        if (!prepare()) {
                            Reporter.journal("agent", "the requests directory " + requests + " was removed and cannot be made again; the forensics CLI gets no answers");
                            runtime.advertise("unavailable");
                            return;
                        }
                        Reporter.journal("agent", "the requests directory " + requests + " was removed while the JVM ran; recreated");
                        requests.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
                        drain();
                    }
                }
            } catch (IOException e) {
                // No inotify instance left (fs.inotify.max_user_instances): look once a second instead.
                Reporter.journal("agent", "requests: no file watch available (" + e + "); checking once a second");
                while (true) {
                    Thread.sleep(1000);
                    if (!Files.isDirectory(requests, LinkOption.NOFOLLOW_LINKS) && !prepare()) {
                        runtime.advertise("unavailable"); // removed, and cannot be made again as ours: said once by prepare
                        return;
                    }
                    drain();
                    removeAbandoned();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            Reporter.journal("agent", "request channel stopped after an internal error; the forensics CLI gets no answers: " + t);
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

    /**
     * The JDK's inotify poller waits in native poll(), and HotSpot's exit waits up to 300 ms for user threads in
     * native code to settle: left open, the watch would add that to every exit of every JVM with the agent. Closing
     * it in a shutdown hook ends the poller before the VM exits. (A halt skips hooks and pays the 300 ms.)
     */
    private static boolean closeAtShutdown(WatchService watch) {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(new WatchCloser(watch), "forensics-commands-close"));
            return true;
        } catch (IllegalStateException alreadyShuttingDown) {
            return false;
        }
    }

    /** A named class rather than a lambda, like the agent's other start-up code. */
    private static final class WatchCloser implements Runnable {
        private final WatchService watch;

        WatchCloser(WatchService watch) {
            this.watch = watch;
        }

        @Override
        public void run() {
            try {
                watch.close();
            } catch (IOException | RuntimeException ignored) {
                // closing is all we wanted
            }
        }
    }

    /** The requests directory must be ours and private: a request may name a file the JVM then writes. */
    private boolean prepare() {
        if (PrivateFiles.unusable(runtime.dir(), true) != null) {
            return false; // the output directory was said to be unusable at start-up; one more line would help nobody
        }
        if (!PrivateFiles.tryCreateDir(requests) || !PrivateFiles.ownedByUsAndPrivate(requests)) {
            Reporter.journal("agent", "requests: " + requests + " is not a private directory of this user; the forensics CLI gets no answers");
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
                        && now - Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis() > ABANDONED_MILLIS) {
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
