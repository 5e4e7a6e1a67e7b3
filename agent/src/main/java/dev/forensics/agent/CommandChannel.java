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
import java.util.regex.Pattern;

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
    static final long STALE_MILLIS = 5 * 60_000L;

    private final AgentRuntime runtime;
    private final Path requests;
    private final long pid = Pid.current();
    private final Pattern mine;
    private final Commands commands;

    private CommandChannel(AgentRuntime runtime) {
        this.runtime = runtime;
        this.requests = runtime.dir().resolve("requests");
        this.mine = Pattern.compile(pid + "-[A-Za-z0-9]{1,40}\\" + REQUEST);
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
                    WatchKey key = watch.take();
                    boolean ours = false;
                    for (WatchEvent<?> e : key.pollEvents()) {
                        Object name = e.context();
                        ours |= e.kind() == StandardWatchEventKinds.OVERFLOW || name != null && mine.matcher(name.toString()).matches();
                    }
                    if (ours) {
                        drain();
                    }
                    if (!key.reset()) {
                        Reporter.journal("agent", "the requests directory " + requests + " went away; the forensics CLI gets no answers");
                        runtime.advertise("unavailable");
                        return;
                    }
                }
            } catch (IOException e) {
                // No inotify instance left (fs.inotify.max_user_instances): look once a second instead.
                Reporter.journal("agent", "requests: no file watch available (" + e + "); checking once a second");
                while (true) {
                    Thread.sleep(1000);
                    drain();
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
        if (!Files.isDirectory(runtime.dir()) || !Files.isWritable(runtime.dir())) {
            return false; // the journal already falls back to stderr; one more line there would help nobody
        }
        if (!PrivateFiles.tryCreateDir(requests) || !PrivateFiles.ownedByUsAndPrivate(requests)) {
            Reporter.journal("agent", "requests: " + requests + " is not a private directory of this user; the forensics CLI gets no answers");
            return false;
        }
        return true;
    }

    private void drain() {
        long now = System.currentTimeMillis();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(requests, pid + "-*")) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (mine.matcher(name).matches()) {
                    handle(p);
                } else if (name.endsWith(RESPONSE) && now - Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis() > STALE_MILLIS) {
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
