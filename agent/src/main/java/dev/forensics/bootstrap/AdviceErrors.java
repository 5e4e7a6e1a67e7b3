package dev.forensics.bootstrap;

/**
 * Counts what inlined advice and hooks swallowed, per feature, and switches that feature off at the
 * first failure so a broken hook costs the host one exception, not one per call. Byte Buddy's exception
 * handler for every advice calls {@link #record(Throwable, int)}; the agent reports what it finds here. Errors are
 * rare (a feature is off after its first), so plain synchronized arrays do, without atomics' start-up cost.
 */
public final class AdviceErrors {
    private static final long[] COUNTS = new long[Feature.COUNT];
    private static final Throwable[] FIRST = new Throwable[Feature.COUNT];
    private static volatile Runnable listener;

    private AdviceErrors() {}

    /** Called from the advice exception handler with the throwable still on the operand stack. */
    public static void record(Throwable error, int feature) {
        try {
            int f = feature >= 0 && feature < Feature.COUNT ? feature : Feature.AGENT;
            Feature.disable(f);
            boolean first;
            synchronized (COUNTS) {
                COUNTS[f]++;
                first = FIRST[f] == null;
                if (first) {
                    FIRST[f] = error;
                }
            }
            if (first) {
                Runnable l = listener;
                if (l != null) {
                    l.run();
                }
            }
        } catch (Throwable ignored) {
            // Reporting an error must never become one.
        }
    }

    public static long count(int feature) {
        synchronized (COUNTS) {
            return COUNTS[feature];
        }
    }

    public static long total() {
        long sum = 0;
        synchronized (COUNTS) {
            for (long c : COUNTS) {
                sum += c;
            }
        }
        return sum;
    }

    public static Throwable first(int feature) {
        synchronized (COUNTS) {
            return FIRST[feature];
        }
    }

    /** The agent is told (once per feature) that a feature failed, so it can say so once. */
    public static void onFirstError(Runnable callback) {
        listener = callback;
    }
}
