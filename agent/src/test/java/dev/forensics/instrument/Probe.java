package dev.forensics.instrument;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The hooks {@link WeaverTest} weaves into {@link Shapes}: each records what it received. */
public final class Probe {
    public static final List<String> CALLS = new CopyOnWriteArrayList<>();
    public static volatile boolean fail;

    private Probe() {}

    private static void called(String what) {
        if (fail) {
            throw new IllegalStateException("hook failure " + what);
        }
        CALLS.add(what);
    }

    public static void loopFromStart(int n) {
        called("loopFromStart " + n);
    }

    public static void switches(int k, long big, double d, Object s) {
        called("switches " + k + " " + big + " " + d + " " + s);
    }

    public static void uninitialized(boolean b) {
        called("uninitialized " + b);
    }

    public static void caught(Object a, int i) {
        called("caught " + ((int[]) a).length + " " + i);
    }

    public static void manyArguments(int a, int b, long c, int d, Object e, double f, int g) {
        called("manyArguments " + a + " " + b + " " + c + " " + d + " " + e + " " + f + " " + g);
    }

    public static void straight(int a) {
        called("straight " + a);
    }

    public static Object entered(int k) {
        called("entered " + k);
        return "token-" + k;
    }

    public static void returned(Object token, int k, int result) {
        called("returned " + token + " " + k + " " + result);
    }

    public static void wideReturned(long v, long result) {
        called("wideReturned " + v + " " + result);
    }

    public static void failed(Throwable t, Object why) {
        called("failed " + (t == null ? "null" : t.getMessage()) + " " + why);
    }
}
