package dev.forensics.instrument.exit;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The hooks {@link EntryPatchTest} weaves into {@link EntryShapes}: each records what it received. */
public final class EntryProbe {
    public static final List<String> CALLS = new CopyOnWriteArrayList<>();
    public static volatile boolean fail;

    private EntryProbe() {}

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
}
