package dev.forensics.bootstrap;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The agent's features as seen from advice: each can be switched off on its own, by an option or because
 * it failed. Advice reads one volatile int before doing anything, which is the cheapest check there is.
 */
public final class Feature {
    public static final int AGENT = 0;
    public static final int TERMINATION = 1;
    public static final int LEAKS = 2;
    public static final int PIPES = 3;
    public static final int STDSTREAMS = 4;
    public static final int COUNT = 5;

    private static final String[] NAMES = {"agent", "termination", "leaks", "pipes", "stdstreams"};
    private static final AtomicIntegerArray ENABLED = new AtomicIntegerArray(COUNT);

    private Feature() {}

    public static boolean enabled(int feature) {
        return ENABLED.get(feature) != 0;
    }

    public static void enable(int feature, boolean on) {
        ENABLED.set(feature, on ? 1 : 0);
    }

    public static void disable(int feature) {
        ENABLED.set(feature, 0);
    }

    public static String name(int feature) {
        return feature >= 0 && feature < COUNT ? NAMES[feature] : "feature#" + feature;
    }
}
