package dev.forensics.blackbox;

import dev.forensics.report.JavaBase;
import dev.forensics.report.Sites;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The application's shutdown hooks as threads, so that a run killed during its shutdown can name the hook that
 * was still running, and the black box can close only after every hook finished. The JDK keeps them in
 * {@code java.lang.ApplicationShutdownHooks.hooks}, which it empties the moment shutdown begins, so the list is
 * copied on every heartbeat; reading it needs java.lang opened to the agent, which the Instrumentation API allows.
 */
final class HookThreads {
    private static volatile Field hooksField;
    private static volatile Class<?> hooksClass;
    private static volatile Map<?, ?> hooksMap;

    private HookThreads() {}

    /** Opens java.lang to the agent's module; false (and hooks stay unnamed) when the JDK refuses. */
    static boolean open(Instrumentation inst) {
        try {
            Class<?> c = Class.forName("java.lang.ApplicationShutdownHooks");
            JavaBase.open(inst, "java.lang");
            Field f = c.getDeclaredField("hooks");
            f.setAccessible(true);
            hooksClass = c;
            hooksField = f;
            synchronized (c) {
                Object map = f.get(null);
                if (map instanceof Map) {
                    hooksMap = (Map<?, ?>) map;
                }
            }
            return true;
        } catch (Throwable t) {
            return false;
        }
    }

    /** The registered hook threads now; null once shutdown has begun (the JDK has let go of the list); empty if unavailable. */
    static List<Thread> registered() {
        Field f = hooksField;
        if (f == null) {
            return List.of();
        }
        try {
            synchronized (hooksClass) { // the JDK's own lock for add/remove/runHooks
                Object map = f.get(null);
                return map instanceof Map ? threads((Map<?, ?>) map) : null;
            }
        } catch (Throwable ignored) {
            // fall through: hooks stay unnamed
        }
        return List.of();
    }

    /**
     * The hook threads as the JDK started them. {@code runHooks} lets go of its map ({@code hooks = null}) before
     * starting them but never empties it, so the map object held since {@link #open} still lists every hook
     * registered up to then, including those added after the last heartbeat's snapshot. Empty if unavailable.
     */
    static List<Thread> atShutdown() {
        Map<?, ?> map = hooksMap;
        Class<?> c = hooksClass;
        if (map == null || c == null) {
            return List.of();
        }
        try {
            synchronized (c) {
                return threads(map);
            }
        } catch (Throwable ignored) {
            return List.of();
        }
    }

    /** The hook threads a map of the JDK's holds; call with the JDK's lock held. */
    private static List<Thread> threads(Map<?, ?> hooks) {
        List<Thread> out = new ArrayList<>();
        for (Object k : hooks.keySet()) {
            if (k instanceof Thread) {
                out.add((Thread) k);
            }
        }
        return out;
    }

    /** "name (where it is now)": the first frame outside the JDK, which is where a hung hook hangs. */
    static String describe(Thread t) {
        String where = null;
        try {
            StackTraceElement[] stack = t.getStackTrace();
            for (StackTraceElement e : stack) {
                String c = e.getClassName();
                if (!c.startsWith("java.") && !c.startsWith("jdk.") && !c.startsWith("sun.")) {
                    where = Sites.frame(e);
                    break;
                }
            }
            if (where == null && stack.length > 0) {
                where = Sites.frame(stack[0]);
            }
        } catch (Throwable ignored) {
            // the thread's name alone
        }
        return where == null ? t.getName() : t.getName() + " at " + where;
    }

    /** Up to this many live threads, one safepoint for all their stacks; beyond, only the likely shutdown threads. */
    static final int ALL_STACKS_UP_TO = 256;

    /**
     * The stacks of the threads that may run the shutdown. With few threads, all of them in one safepoint; with many
     * (a safepoint walking 10,000 stacks takes a third of a second, and stalls the hooks), only signal handler threads,
     * DestroyJavaVM and the non-daemon threads, one by one, within {@link #CANDIDATE_BUDGET_NANOS}.
     */
    private static Map<Thread, StackTraceElement[]> candidateStacks() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        if (root.activeCount() <= ALL_STACKS_UP_TO) {
            return Thread.getAllStackTraces();
        }
        Thread[] all = new Thread[root.activeCount() * 2];
        int n = root.enumerate(all, true);
        Map<Thread, StackTraceElement[]> out = new java.util.HashMap<>();
        long start = System.nanoTime();
        for (int i = 0; i < n && System.nanoTime() - start < CANDIDATE_BUDGET_NANOS; i++) {
            Thread t = all[i];
            String name = t.getName();
            if (!t.isDaemon() || name.endsWith(" handler") || name.equals("DestroyJavaVM")) {
                out.put(t, t.getStackTrace());
            }
        }
        return out;
    }

    static final long CANDIDATE_BUDGET_NANOS = 30_000_000L;

    /**
     * Why the JVM is shutting down, read from the thread that runs the hooks: a signal handler thread, a
     * System.exit caller, or DestroyJavaVM after the last non-daemon thread ended. Only for when termination
     * capture has not already said so.
     */
    static String shutdownCause() {
        try {
            for (Map.Entry<Thread, StackTraceElement[]> e : candidateStacks().entrySet()) {
                StackTraceElement[] st = e.getValue();
                boolean runsHooks = false;
                boolean exit = false;
                StackTraceElement caller = null;
                for (int i = 0; i < st.length; i++) {
                    String c = st[i].getClassName();
                    String m = st[i].getMethodName();
                    if (c.equals("java.lang.Shutdown") || c.equals("java.lang.ApplicationShutdownHooks")) {
                        runsHooks = true;
                    }
                    if ((c.equals("java.lang.Runtime") || c.equals("java.lang.System")) && m.equals("exit")) {
                        exit = true;
                        caller = null;
                    } else if (exit && caller == null && !c.startsWith("java.lang.")) {
                        caller = st[i];
                    }
                }
                if (!runsHooks) {
                    continue;
                }
                String name = e.getKey().getName();
                if (name.startsWith("SIG") && name.endsWith(" handler")) {
                    return "signal " + name.substring(0, name.indexOf(' ')) + ", handled by the JVM";
                }
                if (exit) {
                    return "System.exit called on thread \"" + name + "\""
                            + (caller == null ? "" : " by " + Sites.frame(caller));
                }
                if (name.equals("DestroyJavaVM")) {
                    return "the last non-daemon thread ended";
                }
                return "shutdown begun on thread \"" + name + "\"";
            }
        } catch (Throwable ignored) {
            // unknown
        }
        return "unknown";
    }
}
