package dev.forensics.bootstrap;

/**
 * What advice inlined into {@code java.lang.Runtime} calls. The agent registers the listener; until it does,
 * and whenever termination capture is off, the hooks return at once.
 */
public final class TerminationHooks {
    /** Receives exit and halt requests on the calling thread, before the JVM acts on them. */
    public interface Listener {
        void exitRequested(int status, boolean halt);
    }

    private static volatile Listener listener;

    private TerminationHooks() {}

    public static void register(Listener l) {
        listener = l;
    }

    public static void exit(int status) {
        dispatch(status, false);
    }

    public static void halt(int status) {
        dispatch(status, true);
    }

    private static void dispatch(int status, boolean halt) {
        Listener l = listener;
        if (l == null || !Feature.enabled(Feature.TERMINATION) || !Reentry.enter(Feature.TERMINATION)) {
            return;
        }
        try {
            l.exitRequested(status, halt);
        } catch (Throwable t) {
            AdviceErrors.record(t, Feature.TERMINATION);
        } finally {
            Reentry.exit(Feature.TERMINATION);
        }
    }
}
