package dev.forensics.blackbox;

import dev.forensics.environment.Host;
import dev.forensics.report.Stderr;
import dev.forensics.termination.Termination;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;

/**
 * A small owner-only state file, {@code black-box-<pid>.txt} in the output directory, that a run keeps current
 * while it lives (identity, command line, heartbeat, cgroup memory and OOM-kill counters) and closes when it ends
 * in order. A death that leaves no chance to speak (SIGKILL, the OOM killer, a crash, a power loss) leaves the box
 * open, and the next start on the same directory says so and why ({@link PreviousRuns}). One daemon thread does
 * all the work, off the application's threads; the agent's start-up thread starts it right after premain. Findings for the application's log (a
 * previous run's death, the doctor's summary) are held back for the first 5 s or until shutdown, so the agent never
 * initialises the application's logging before the application configured it.
 *
 * <h2>API for termination capture</h2>
 * Termination capture (signals, exit/halt, shutdown hooks, last words) tells the box what it knows; every method
 * is a no-op when the black box is off and never throws:
 * <ul>
 *   <li>{@link #shutdownStarted(String)} as soon as the JVM is going, with the verdict ("SIGTERM from pid 4242
 *   (deploy.sh)", "System.exit(3) called by …", "Runtime.halt(1) called by …"); written before it returns, so a SIGKILL a
 *   moment later still leaves it. The first verdict from this API wins; the box's own guess never replaces it.
 *   For {@code Runtime.halt} pass a verdict containing "Runtime.halt": the box stays open (no hooks run) and the
 *   next start says the run halted rather than that it was killed.</li>
 *   <li>{@link #hookRunning(String)} / {@link #hookFinished(String)} around each shutdown hook, so a run killed
 *   during its shutdown names the hook that was still running.</li>
 *   <li>{@link #closed(Path)} last, after the last words are on disk: the box is closed with a pointer to them.
 *   Calling it before the hooks are done would hide a later kill.</li>
 * </ul>
 *
 * <h2>Without termination capture</h2>
 * The box closes itself from a shutdown hook of its own, thread {@code forensics-blackbox-close}: it records the
 * shutdown's cause as read from the thread running the hooks (a "SIGTERM handler" thread, a System.exit caller,
 * DestroyJavaVM when main returned), names the application hooks still running (copied from the JDK's hook list
 * on every heartbeat), waits for them (never for threads named {@code forensics-*}, so it cannot deadlock with
 * another forensics hook), and then closes with "exited normally" unless {@link #closed(Path)} came first.
 * Paths: normal exit or a handled signal → closed; SIGKILL, OOM kill, crash, power loss, Runtime.halt or
 * -XX:+ExitOnOutOfMemoryError → left open, reported at the next start; SIGKILL during the hooks → left open in
 * state shutting-down with the hooks still running, reported as killed during shutdown.
 */
public final class BlackBox {

    private static volatile Recorder current;

    private BlackBox() {}

    /**
     * Called on the agent's start-up thread, right after premain: starts the one thread and registers the closing
     * hook; the recorder and everything it reads are loaded on that thread. Never throws.
     */
    public static void install(BoxSettings settings, Path dir, Instrumentation inst) {
        try {
            boolean boxOn = settings.box();
            if (!boxOn && !settings.doctor()) {
                return;
            }
            Starter starter = new Starter(settings, dir, inst);
            started = starter;
            if (boxOn && settings.termination()) { // termination=off: not even its classes are loaded
                Termination.addListener(new TerminationFeed());
            }
            try {
                Runtime.getRuntime().addShutdownHook(new CloseHook(starter));
            } catch (IllegalStateException exiting) {
                started = null;
                return; // the JVM began to exit right after premain: no box for a run that is already over
            }
            Thread t = new Thread(starter, boxOn ? "forensics-blackbox" : "forensics-doctor");
            t.setDaemon(true);
            t.start();
        } catch (Throwable t) {
            Stderr.line(
                    "forensics: black box and doctor disabled after an internal error; the application is unaffected: "
                            + t);
        }
    }

    /** Named classes rather than lambdas: each new lambda would cost premain a generated class. */
    private static final class Starter implements Runnable {
        private final BoxSettings settings;
        private final Path dir;
        private final Instrumentation inst;
        private volatile Recorder recorder;
        private volatile boolean done;

        Starter(BoxSettings settings, Path dir, Instrumentation inst) {
            this.settings = settings;
            this.dir = dir;
            this.inst = inst;
        }

        @Override
        public void run() {
            try {
                Recorder r = new Recorder(
                        Host.current(settings.sources().envRoot()),
                        dir,
                        settings.heartbeat().toMillis(),
                        settings.box(),
                        settings.doctor(),
                        settings.sources().unitPath(),
                        inst);
                recorder = r;
                if (settings.box()) {
                    current = r;
                }
                r.run();
            } catch (Throwable t) {
                current = null;
                Stderr.line(
                        "forensics: black box and doctor disabled after an internal error; the application is unaffected: "
                                + t);
            } finally {
                done = true;
            }
        }
    }

    private static volatile Starter started;

    /**
     * Waits, at most {@code millis}, until the box has been written once and earlier runs were examined: the agent
     * announces itself complete only then, so a JVM that ends right after has had its previous run reported.
     */
    public static void awaitFirstPass(long millis) {
        Starter s = started;
        long deadline = System.nanoTime() + millis * 1_000_000L;
        try {
            while (s != null && s.recorder == null && !s.done && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            Recorder r = s == null ? null : s.recorder;
            if (r != null) {
                r.firstPass.await(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class CloseHook extends Thread {
        private final Starter starter;

        CloseHook(Starter starter) {
            super("forensics-blackbox-close");
            this.starter = starter;
        }

        @Override
        public void run() {
            Recorder r = starter.recorder;
            if (r != null) {
                r.onShutdown();
            }
        }
    }

    static void disable(Recorder r) {
        if (current == r) {
            current = null;
        }
    }

    // ---- the API termination capture calls ----------------------------------------------------------------

    /** The JVM is going; {@code verdict} says why. In the file before it returns. */
    public static void shutdownStarted(String verdict) {
        Recorder r = current;
        if (r != null) {
            r.markShutdown(verdict, true);
        }
    }

    /** A shutdown hook (by name) started running. */
    public static void hookRunning(String name) {
        Recorder r = current;
        if (r != null) {
            r.hook(name, true);
        }
    }

    /** A shutdown hook (by name) finished. */
    public static void hookFinished(String name) {
        Recorder r = current;
        if (r != null) {
            r.hook(name, false);
        }
    }

    /**
     * The last words of this death are at {@code lastWords}: recorded at once, so a SIGKILL during the hooks leaves
     * the pointer; the box still closes only after the hooks, with "last words in …".
     */
    public static void lastWordsAt(Path lastWords) {
        Recorder r = current;
        if (r != null && lastWords != null) {
            r.lastWordsKnown(lastWords.toString());
        }
    }

    /** The run ended in order and its last words are at {@code lastWords} (null: none were written). In the file before it returns. */
    public static void closed(Path lastWords) {
        Recorder r = current;
        if (r != null) {
            r.close(lastWords == null ? null : lastWords.toString());
        }
    }

    /** This run's black box file, or null when the black box is off. */
    public static Path file() {
        Recorder r = current;
        return r == null ? null : r.file();
    }

    static String fileName(long pid) {
        return "black-box-" + pid + ".txt";
    }
}
