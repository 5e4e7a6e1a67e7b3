package dev.forensics.bootstrap;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Counts what inlined advice and hooks swallowed, per feature, and switches that feature off at the
 * first failure so a broken hook costs the host one exception, not one per call. Byte Buddy's exception
 * handler for every advice calls {@link #record(Throwable, int)}; the agent reports what it finds here.
 */
public final class AdviceErrors {
    private static final AtomicLongArray COUNTS = new AtomicLongArray(Feature.COUNT);
    private static final AtomicReferenceArray<Throwable> FIRST = new AtomicReferenceArray<>(Feature.COUNT);
    private static volatile Runnable listener;

    private AdviceErrors() {}

    /** Called from the advice exception handler with the throwable still on the operand stack. */
    public static void record(Throwable error, int feature) {
        try {
            int f = feature >= 0 && feature < Feature.COUNT ? feature : Feature.AGENT;
            Feature.disable(f);
            COUNTS.incrementAndGet(f);
            if (FIRST.compareAndSet(f, null, error)) {
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
        return COUNTS.get(feature);
    }

    public static long total() {
        long sum = 0;
        for (int i = 0; i < Feature.COUNT; i++) {
            sum += COUNTS.get(i);
        }
        return sum;
    }

    public static Throwable first(int feature) {
        return FIRST.get(feature);
    }

    /** The agent is told (once per feature) that a feature failed, so it can say so once. */
    public static void onFirstError(Runnable callback) {
        listener = callback;
    }
}
