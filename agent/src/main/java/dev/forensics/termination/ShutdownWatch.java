package dev.forensics.termination;

import dev.forensics.report.Sites;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * Follows the application's shutdown hooks once the shutdown sequence starts: which hooks are registered, when
 * each starts and finishes, and once a second which are still running and where — so a hook that hangs until
 * SIGKILL is named, with its stack, in the last words. Hooks are the JDK's own {@code ApplicationShutdownHooks}
 * map, read once at the start (java.lang is opened to the agent at start-up), then polled on a daemon thread.
 */
final class ShutdownWatch implements Runnable {
    static final long POLL_MILLIS = 5;
    static final long REPORT_EVERY_MILLIS = 1000;
    static final int MAX_HOOKS = 200;
    static final int STACK_FRAMES = 12;

    private static volatile Field hooksField;
    private static volatile boolean prepared;
    private static volatile Object unsafeInstance;
    private static volatile Method initializedCheck;

    /** What the watch says; implemented by the recorder (last words, listeners, JFR). */
    interface Progress {
        void line(String text);

        /** A hook still running at a report: a line like {@link #line}, and the shutdown is going wrong. */
        void stillRunning(String text);

        void hookStarted(String name, Thread hook);

        void hookFinished(String name, Thread hook, long startNanos, long endNanos);

        void allFinished(int count, long millis);
    }

    private static final class Watched {
        final Thread thread;
        final String name;
        long startNanos = -1;
        boolean finished;
        /** A "why:" line was written for it. */
        boolean explained;

        Watched(Thread thread, String name) {
            this.thread = thread;
            this.name = name;
        }
    }

    private final List<Watched> hooks;
    private final Progress progress;
    private final long shutdownNanos;
    private int finished;
    private boolean done;

    private ShutdownWatch(List<Watched> hooks, Progress progress, long shutdownNanos) {
        this.hooks = hooks;
        this.progress = progress;
        this.shutdownNanos = shutdownNanos;
    }

    /** Prepares the reflective access at start-up, so the dying JVM does not pay for it. */
    static void prepare() {
        prepared = true;
        try {
            Class<?> c = Class.forName("java.lang.ApplicationShutdownHooks", false, null);
            Field f = c.getDeclaredField("hooks");
            f.setAccessible(true);
            Class<?> unsafeClass = Class.forName("jdk.internal.misc.Unsafe", false, null);
            Object unsafe = unsafeClass.getMethod("getUnsafe").invoke(null);
            Method shouldBeInitialized = unsafeClass.getMethod("shouldBeInitialized", Class.class);
            unsafeInstance = unsafe;
            initializedCheck = shouldBeInitialized;
            hooksField = f;
        } catch (Throwable t) {
            hooksField = null; // the watch then says it cannot see the hooks
        }
    }

    /** Reading a static field initializes its class; ApplicationShutdownHooks not initialized means no hook was added. */
    private static boolean initialized(Class<?> c) throws ReflectiveOperationException {
        return !(Boolean) initializedCheck.invoke(unsafeInstance, c);
    }

    /**
     * The registered application hooks, right before the JDK starts them, without the agent's own ({@code forensics-*});
     * null when they cannot be read.
     */
    static List<Thread> registeredHooks() {
        if (!prepared) {
            prepare();
        }
        Field f = hooksField;
        if (f == null) {
            return null;
        }
        try {
            if (!initialized(f.getDeclaringClass())) {
                return List.of();
            }
            Object map;
            // The JDK reads and clears the map under this lock; it has not run yet (we are at Shutdown.runHooks).
            synchronized (f.getDeclaringClass()) {
                map = f.get(null);
                if (map == null) {
                    return List.of();
                }
                List<Thread> out = new ArrayList<>();
                for (Object o : ((IdentityHashMap<?, ?>) map).keySet()) {
                    Thread t = (Thread) o;
                    // The agent's own hooks (the black box's closing hook) are not the application's business.
                    if (!t.getName().startsWith("forensics-")) {
                        out.add(t);
                    }
                }
                return out;
            }
        } catch (Throwable t) {
            return null;
        }
    }

    /** Writes {@code prefix} and the registered hooks as one line, then follows them on a daemon thread. */
    static ShutdownWatch start(List<Thread> threads, Progress progress, String prefix) {
        if (threads == null) {
            progress.line(prefix
                    + "the registered shutdown hooks could not be read on this JDK; their progress is not followed");
            return null;
        }
        List<Watched> watched = new ArrayList<>();
        StringBuilder names = new StringBuilder();
        for (Thread t : threads) {
            if (watched.size() >= MAX_HOOKS) {
                names.append(", … (").append(threads.size() - MAX_HOOKS).append(" more not followed)");
                break;
            }
            String name = describe(t);
            watched.add(new Watched(t, name));
            names.append(names.length() == 0 ? "" : ", ").append(name);
        }
        if (watched.isEmpty()) {
            progress.line(prefix + "no application shutdown hooks are registered");
            return null;
        }
        progress.line(prefix + watched.size() + " application shutdown hook" + (watched.size() == 1 ? "" : "s")
                + " registered: " + names);
        ShutdownWatch watch = new ShutdownWatch(watched, progress, System.nanoTime());
        Thread watcher = new Thread(watch, "forensics-shutdown-watch");
        watcher.setDaemon(true);
        watcher.setPriority(Thread.MAX_PRIORITY);
        watcher.start();
        return watch;
    }

    @Override
    public void run() {
        long nextReport = shutdownNanos + REPORT_EVERY_MILLIS * 1_000_000;
        try {
            while (!poll(false)) {
                long now = System.nanoTime();
                if (now >= nextReport) {
                    nextReport += REPORT_EVERY_MILLIS * 1_000_000;
                    reportRunning(now);
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            progress.line("the shutdown watch stopped: " + t);
        }
    }

    /** Called when the JDK's hook loop returned: whatever the poller has not seen yet is said now. */
    void finish() {
        poll(true);
    }

    /** One look at every hook; true once all have finished (and that was said). */
    private synchronized boolean poll(boolean last) {
        if (done) {
            return true;
        }
        long now = System.nanoTime();
        for (Watched w : hooks) {
            if (w.finished) {
                continue;
            }
            Thread.State state = w.thread.getState();
            if (w.startNanos < 0 && state != Thread.State.NEW) {
                w.startNanos = now;
                progress.hookStarted(w.name, w.thread);
            }
            if (state == Thread.State.TERMINATED) {
                w.finished = true;
                finished++;
                progress.hookFinished(w.name, w.thread, w.startNanos, now);
            }
        }
        if (finished == hooks.size() || last) {
            done = true;
            if (finished == hooks.size()) {
                progress.allFinished(hooks.size(), (now - shutdownNanos) / 1_000_000);
            } else {
                progress.line((hooks.size() - finished) + " hook(s) still running when the JDK's hook loop ended");
            }
            return true;
        }
        return false;
    }

    private synchronized void reportRunning(long now) {
        long elapsed = (now - shutdownNanos) / 1_000_000;
        for (Watched w : hooks) {
            if (!w.finished && w.startNanos >= 0) {
                StackTraceElement[] frames = w.thread.getStackTrace();
                progress.stillRunning("still running after " + Verdicts.duration(elapsed) + ": hook " + w.name + " "
                        + w.thread.getState() + stack(frames));
                String why = w.explained ? null : whyItWaits(frames);
                if (why != null) {
                    w.explained = true;
                    progress.line("why: hook " + w.name + " " + why);
                }
            }
        }
    }

    /** {@code "db-pool-close" (com.acme.Pool$1)}: the hook thread's name and the class that does its work. */
    static String describe(Thread t) {
        String cls = t.getClass().getName();
        if (cls.equals("java.lang.Thread")) {
            Object task = runnableOf(t);
            if (task != null) {
                cls = task.getClass().getName();
            }
        }
        int lambda = cls.indexOf("$$Lambda");
        if (lambda > 0) {
            cls = cls.substring(0, lambda) + " lambda"; // the generated suffix differs from run to run
        }
        return "\"" + t.getName() + "\"" + (cls.equals("java.lang.Thread") ? "" : " (" + cls + ")");
    }

    /** The Runnable a plain Thread runs: {@code target} up to JDK 20, {@code holder.task} since. */
    private static Object runnableOf(Thread t) {
        try {
            Field target = Thread.class.getDeclaredField("target");
            target.setAccessible(true);
            return target.get(t);
        } catch (Throwable ignored) {
            // newer layout
        }
        try {
            Field holder = Thread.class.getDeclaredField("holder");
            holder.setAccessible(true);
            Object h = holder.get(t);
            if (h == null) {
                return null;
            }
            Field task = h.getClass().getDeclaredField("task");
            task.setAccessible(true);
            return task.get(h);
        } catch (Throwable ignored) {
            return null;
        }
    }

    static String stack(Thread t) {
        return stack(t.getStackTrace());
    }

    /**
     * What a hook's stack says it waits for, where the wait is a known trap; null otherwise. Since JDK 21 the JDK
     * HttpClient is {@code AutoCloseable}, and frameworks close it at shutdown (Spring destroys the bean): close()
     * waits until every exchange has ended, and an exchange whose response body was never closed never ends.
     */
    static String whyItWaits(StackTraceElement[] frames) {
        for (StackTraceElement e : frames) {
            if (e.getClassName().equals("jdk.internal.net.http.HttpClientImpl")
                    && e.getMethodName().equals("awaitTermination")) {
                return "waits in java.net.http.HttpClient.close(), which returns only once every exchange of the client has ended;"
                        + " an exchange whose response body was never closed never ends, so this hook waits until the JVM is killed."
                        + " Close those bodies (open JDK HttpClient bodies are listed under HTTP response bodies, with their lines),"
                        + " or call shutdownNow() instead of close() at shutdown";
            }
        }
        return null;
    }

    static String stack(StackTraceElement[] frames) {
        StringBuilder sb = new StringBuilder();
        int n = 0;
        for (StackTraceElement e : frames) {
            if (n++ >= STACK_FRAMES) {
                sb.append("\n      … ").append(frames.length - STACK_FRAMES).append(" more");
                break;
            }
            sb.append("\n      at ").append(Sites.frame(e));
        }
        return sb.toString();
    }

    /** Snapshot for the last words: threads with state and top frames, capped. */
    /** What taking thread stacks may cost the last words before the application's shutdown hooks run. */
    static final long STACKS_BUDGET_NANOS = 30_000_000L;

    static List<String> threads(int maxThreads, int maxFrames) {
        List<String> out = new ArrayList<>();
        // Only the threads shown are asked for their stacks: Thread.getAllStackTraces walks every stack, and with
        // 10,000 threads that alone kept the application's shutdown hooks waiting for seconds.
        // Each stack costs a safepoint on JDK 17, and a safepoint with 10,000 threads about a millisecond: past
        // STACKS_BUDGET_NANOS the remaining threads are listed by name and state only.
        Thread[] all = liveThreads();
        // A JVM with no more threads than are shown pays one safepoint for all their stacks, as it always did.
        java.util.Map<Thread, StackTraceElement[]> few = all.length <= maxThreads ? Thread.getAllStackTraces() : null;
        out.add("threads (" + all.length + "):");
        long start = System.nanoTime();
        int shown = 0;
        int withoutStack = 0;
        for (Thread t : all) {
            if (shown++ >= maxThreads) {
                out.add("  … " + (all.length - maxThreads) + " more threads not shown");
                break;
            }
            StackTraceElement[] known = few == null ? null : few.get(t);
            boolean inBudget = known != null || System.nanoTime() - start < STACKS_BUDGET_NANOS;
            StackTraceElement[] frames =
                    known != null ? known : inBudget ? t.getStackTrace() : new StackTraceElement[0];
            withoutStack += inBudget ? 0 : 1;
            out.add("  \"" + t.getName() + "\"" + (t.isDaemon() ? " daemon" : "") + " " + t.getState());
            int first = 0;
            if (t == Thread.currentThread()) { // this dump and the agent writing it are not what the reader is after
                while (first < frames.length
                        && (Sites.isAgentFrame(frames[first].getClassName())
                                || frames[first].getClassName().equals("java.lang.Thread"))) {
                    first++;
                }
            }
            int shownFrames = 0;
            for (int i = first; i < frames.length && shownFrames < maxFrames; i++, shownFrames++) {
                out.add("      at " + Sites.frame(frames[i]));
            }
            if (frames.length - first > maxFrames) {
                out.add("      … " + (frames.length - first - maxFrames) + " more");
            }
        }
        if (withoutStack > 0) {
            out.add("  (" + withoutStack + " threads above without their stacks, to keep the shutdown fast)");
        }
        return out;
    }

    /** Every live platform thread, non-daemon ones (those that keep the JVM up) first. */
    private static Thread[] liveThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[Math.max(16, root.activeCount() * 2)];
        int n = root.enumerate(threads, true);
        while (n == threads.length) { // more started meanwhile
            threads = new Thread[threads.length * 2];
            n = root.enumerate(threads, true);
        }
        Thread[] out = new Thread[n];
        int i = 0;
        for (int k = 0; k < n; k++) {
            if (!threads[k].isDaemon()) {
                out[i++] = threads[k];
            }
        }
        for (int k = 0; k < n; k++) {
            if (threads[k].isDaemon()) {
                out[i++] = threads[k];
            }
        }
        return out;
    }
}
