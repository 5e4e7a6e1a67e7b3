package dev.forensics.bootstrap;

/**
 * What code woven into {@code java.lang.Runtime}, {@code java.lang.Shutdown}, {@code java.lang.Thread} and
 * {@code jdk.internal.misc.Signal} calls. The agent registers the listener; until it does, and whenever termination
 * capture is off, the hooks return at once. Each entry point is guarded against re-entry, so the agent's own
 * reaction (writing last words, re-installing a signal handler) never triggers itself.
 */
public final class TerminationHooks {
    /** Receives the JVM's termination events on the thread where they happen, before the JVM acts on them. */
    public interface Listener {
        void exitRequested(int status, boolean halt);

        /** {@code Shutdown.runHooks}: the shutdown sequence starts (exit, signal or the last thread ending). */
        default void shutdownStarting() {}

        /** {@code Shutdown.runHooks} returns: every hook has run; the JVM halts (or, after DestroyJavaVM, ends) next. */
        default void shutdownHooksDone() {}

        /** {@code Shutdown.shutdown}: DestroyJavaVM found no non-daemon thread left (main has returned). */
        default void lastThreadEnded() {}

        /** {@code Thread.dispatchUncaughtException}: the current thread dies of {@code error}. */
        default void uncaught(Throwable error) {}

        /** Before {@code jdk.internal.misc.Signal.handle(sig, handler)} replaces a handler. */
        default void signalHandlerChanging(Object signal, Object handler) {}

        /** After it did; {@code handler} is what was installed. */
        default void signalHandlerChanged(Object signal, Object handler) {}
    }

    private static volatile Listener listener;

    private TerminationHooks() {}

    public static void register(Listener l) {
        listener = l;
    }

    public static void exit(int status) {
        Listener l = enter();
        if (l != null) {
            try {
                l.exitRequested(status, false);
            } catch (Throwable t) {
                AdviceErrors.record(t, Feature.TERMINATION);
            } finally {
                Reentry.exit(Feature.TERMINATION);
            }
        }
    }

    public static void halt(int status) {
        Listener l = enter();
        if (l != null) {
            try {
                l.exitRequested(status, true);
            } catch (Throwable t) {
                AdviceErrors.record(t, Feature.TERMINATION);
            } finally {
                Reentry.exit(Feature.TERMINATION);
            }
        }
    }

    public static void shutdownStarting() {
        Listener l = enter();
        if (l != null) {
            try {
                l.shutdownStarting();
            } catch (Throwable t) {
                AdviceErrors.record(t, Feature.TERMINATION);
            } finally {
                Reentry.exit(Feature.TERMINATION);
            }
        }
    }

    public static void shutdownHooksDone() {
        Listener l = enter();
        if (l != null) {
            try {
                l.shutdownHooksDone();
            } catch (Throwable t) {
                AdviceErrors.record(t, Feature.TERMINATION);
            } finally {
                Reentry.exit(Feature.TERMINATION);
            }
        }
    }

    public static void lastThreadEnded() {
        Listener l = enter();
        if (l != null) {
            try {
                l.lastThreadEnded();
            } catch (Throwable t) {
                AdviceErrors.record(t, Feature.TERMINATION);
            } finally {
                Reentry.exit(Feature.TERMINATION);
            }
        }
    }

    public static void uncaught(Throwable error) {
        Listener l = enter();
        if (l != null) {
            try {
                l.uncaught(error);
            } catch (Throwable t) {
                AdviceErrors.record(t, Feature.TERMINATION);
            } finally {
                Reentry.exit(Feature.TERMINATION);
            }
        }
    }

    public static void signalHandlerChanging(Object signal, Object handler) {
        Listener l = enter();
        if (l != null) {
            try {
                l.signalHandlerChanging(signal, handler);
            } catch (Throwable t) {
                AdviceErrors.record(t, Feature.TERMINATION);
            } finally {
                Reentry.exit(Feature.TERMINATION);
            }
        }
    }

    public static void signalHandlerChanged(Object signal, Object handler) {
        Listener l = enter();
        if (l != null) {
            try {
                l.signalHandlerChanged(signal, handler);
            } catch (Throwable t) {
                AdviceErrors.record(t, Feature.TERMINATION);
            } finally {
                Reentry.exit(Feature.TERMINATION);
            }
        }
    }

    /** The listener when the caller may proceed (then it must {@code Reentry.exit}), else null. */
    private static Listener enter() {
        Listener l = listener;
        if (l == null || !Feature.enabled(Feature.TERMINATION) || !Reentry.enter(Feature.TERMINATION)) {
            return null;
        }
        return l;
    }
}
