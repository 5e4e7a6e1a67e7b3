package dev.forensics.instrument;

/**
 * Methods whose compiled shapes stress the weaver: a loop head at the first instruction (the original code
 * then has a frame at offset 0), switches (their padding depends on absolute offsets), an uninitialized object across
 * a branch ({@code Uninitialized(offset)} in a frame), try/catch, wide arguments and arguments past slot 3, and a
 * method without any frame.
 */
public class Shapes {
    private final int base;

    public Shapes(int base) {
        this.base = base;
    }

    public static int loopFromStart(int n) {
        while (n > 3) {
            n -= 2;
        }
        return n;
    }

    public int switches(int k, long big, double d, String s) {
        int r;
        switch (k) {
            case 0:
                r = 10;
                break;
            case 1:
                r = 11;
                break;
            case 2:
                r = 12;
                break;
            default: r = -1;
        }
        switch ((int) big) {
            case 5:
                r += 1000;
                break;
            case 500_000:
                r += 2000;
                break;
            default: r += 0;
        }
        return r + base + (int) d + s.length();
    }

    public static Object uninitialized(boolean b) {
        return new StringBuilder(b ? "yes" : "no").append('!');
    }

    public int caught(int[] a, int i) {
        try {
            return a[i] + base;
        } catch (ArrayIndexOutOfBoundsException e) {
            return -i;
        }
    }

    public static long manyArguments(int a, int b, long c, int d, Object e, double f, int g) {
        return a + b + c + d + (e == null ? 0 : 1) + (long) f + g;
    }

    public static int straight(int a) {
        return a * 2;
    }

    /** Returns from inside a try with a finally, and from several places: every return goes through the exit. */
    public static int returnsEverywhere(int k) {
        try {
            if (k < 0) {
                return -1;
            }
            if (k == 0) {
                return 0;
            }
            return k * 3;
        } finally {
            Probe.CALLS.add("finally " + k);
        }
    }

    public static long wide(long v) {
        return v + 1;
    }

    public static void fails(String why) throws java.io.IOException {
        if (why != null) {
            throw new java.io.IOException(why);
        }
    }
}
