package dev.forensics.bootstrap;

/**
 * The agent's features as seen from advice: each can be switched off on its own, by an option or because
 * it failed. Advice reads one volatile int (a bit per feature) before doing anything, which is the cheapest check
 * there is. A plain field, not an atomic array: VarHandle's first use costs premain about a millisecond.
 */
public final class Feature {
    public static final int AGENT = 0;
    public static final int TERMINATION = 1;
    public static final int LEAKS = 2;
    public static final int PIPES = 3;
    public static final int STDSTREAMS = 4;
    public static final int COUNT = 5;

    private static final String[] NAMES = {"agent", "termination", "leaks", "pipes", "stdstreams"};
    private static volatile int enabled;

    private Feature() {}

    public static boolean enabled(int feature) {
        return (enabled & (1 << feature)) != 0;
    }

    public static synchronized void enable(int feature, boolean on) {
        enabled = on ? enabled | (1 << feature) : enabled & ~(1 << feature);
    }

    public static synchronized void disable(int feature) {
        enabled &= ~(1 << feature);
    }

    public static String name(int feature) {
        return feature >= 0 && feature < COUNT ? NAMES[feature] : "feature#" + feature;
    }
}
