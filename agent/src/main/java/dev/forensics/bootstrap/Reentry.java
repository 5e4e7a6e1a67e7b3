package dev.forensics.bootstrap;

/**
 * Per-thread guard so a hook that reports (and so writes, logs or allocates) never observes its own work:
 * a socket hook that logs through an application's socket appender would otherwise recurse.
 */
public final class Reentry {
    private static final ThreadLocal<int[]> DEPTH = new ThreadLocal<int[]>() {
        @Override
        protected int[] initialValue() {
            return new int[Feature.COUNT];
        }
    };

    private Reentry() {}

    /** Returns true when the caller may proceed; then it must call {@link #exit(int)} in a finally. */
    public static boolean enter(int feature) {
        int[] depth = DEPTH.get();
        if (depth[feature] != 0) {
            return false;
        }
        depth[feature] = 1;
        return true;
    }

    public static void exit(int feature) {
        DEPTH.get()[feature] = 0;
    }
}
