package dev.forensics.leak;

import dev.forensics.report.AppFrames;
import dev.forensics.report.Sites;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where and when a body was obtained: always the time and thread (cheap), the stack only when the sampler or
 * {@link Shapes} allow it, because capturing a stack is the one expensive step of tracking. A stack is captured as a
 * {@link Stack} (a Throwable's raw backtrace, a few microseconds) and turned into frames only if its body is ever
 * reported; then the first application frame ({@link AppFrames}) heads it and the library frames between it and the
 * client are listed after it.
 */
final class Origin {
    static final int MAX_FRAMES = 8;
    /** Library frames listed below the application's line: the ones nearest to it. */
    static final int MAX_VIA = 5;
    /** Callers of the application's line listed after the library frames. */
    static final int MAX_FROM = 2;

    /** No stacks until the feature is installed with the configured sampler. */
    private static volatile Sampler sampler = Sampler.parse("never");

    final long nanos;
    final String thread;
    final Stack stack;
    /** Taken before the response existed, on a thread the body may never see: no shape to decide a stack by. */
    final boolean deferred;

    Origin(long nanos, String thread, Stack stack) {
        this(nanos, thread, stack, false);
    }

    Origin(long nanos, String thread, Stack stack, boolean deferred) {
        this.nanos = nanos;
        this.thread = thread;
        this.stack = stack;
        this.deferred = deferred;
    }

    static void setSampler(Sampler s) {
        sampler = s;
    }

    /** The origin of a body obtained on the current thread, now; the stack only if sampled. */
    static Origin here() {
        long now = System.nanoTime();
        Sampler s = sampler;
        Stack stack = null;
        if (s.take(now)) {
            stack = new Stack();
            s.spent(now, System.nanoTime() - now);
        }
        return new Origin(now, Thread.currentThread().getName(), stack);
    }

    /** As {@link #here()} for a body whose response comes later (another thread may build it): sampled or owed. */
    static Origin forLater(Shapes shapes) {
        long now = System.nanoTime();
        Sampler s = sampler;
        Stack stack = null;
        if (s.take(now) || (s.perSecond != 0 && shapes.wantDeferredStack())) {
            stack = new Stack();
            s.spent(now, System.nanoTime() - now);
        }
        return new Origin(now, Thread.currentThread().getName(), stack, true);
    }

    /** Whether stacks may be taken beyond the sampler's (not with {@code leakStacks=never}). */
    static boolean mayForce() {
        return sampler.perSecond != 0;
    }

    /** This origin with a stack taken now, on the thread that took the origin, still inside the client call. */
    Origin withStackNow() {
        long now = System.nanoTime();
        Stack s = new Stack();
        sampler.spent(now, System.nanoTime() - now); // forced captures spend the same budget the sampler has
        return new Origin(nanos, thread, s, deferred);
    }

    /** An origin on the current thread, now, never with a stack: where the caller's stack is already gone. */
    static Origin withoutStack() {
        return new Origin(System.nanoTime(), Thread.currentThread().getName(), null);
    }

    static boolean isLibraryFrame(String className) {
        return AppFrames.isLibraryByName(className);
    }

    /**
     * A captured call stack, resolved to frames on first use. Never thrown; no message, no cause, only the backtrace
     * the JVM records when it is created.
     */
    static final class Stack extends Throwable {
        private static final long serialVersionUID = 1L;
        private transient volatile StackTraceElement[] frames;
        private transient volatile int via;

        Stack() {
            super(null, null, false, true);
        }

        /** Already-resolved frames, for tests and for stacks that arrive as frames. */
        Stack(StackTraceElement[] frames) {
            super(null, null, false, false);
            this.frames = frames;
        }

        /**
         * Up to {@link #MAX_FRAMES} frames: the first application frame, then up to {@link #MAX_VIA} library frames
         * above it (nearest first), then up to {@link #MAX_FROM} of its callers; empty if the stack has no frame
         * outside the agent.
         */
        StackTraceElement[] frames() {
            StackTraceElement[] f = frames;
            if (f == null) {
                synchronized (this) {
                    if (frames == null) {
                        resolve(getStackTrace());
                    }
                    f = frames;
                }
            }
            return f;
        }

        /** How many frames after the first are library frames the application's line called through. */
        int via() {
            frames();
            return via;
        }

        private void resolve(StackTraceElement[] raw) {
            int start = 0;
            while (start < raw.length && Sites.isAgentFrame(raw[start].getClassName())) {
                start++;
            }
            if (start == raw.length) {
                frames = new StackTraceElement[0];
                return;
            }
            // The frame the agent's hook runs in is the instrumented client's own: whatever shares its code source is
            // the client library, even under a package no rule knows or with test classes beside it.
            String client = AppFrames.location(raw[start]);
            int head = -1;
            int firstOutsideJdk = -1;
            for (int i = start; i < raw.length && head < 0; i++) {
                AppFrames.Kind k = AppFrames.kind(raw[i], client);
                if (k == AppFrames.Kind.APP) {
                    head = i;
                } else if (k == AppFrames.Kind.LIBRARY && firstOutsideJdk < 0) {
                    firstOutsideJdk = i;
                }
            }
            if (head < 0) { // no application frame at all: name the first library frame, else the first frame
                head = firstOutsideJdk >= 0 ? firstOutsideJdk : start;
            }
            int viaFrom = Math.max(start, head - MAX_VIA);
            int n = head - viaFrom;
            int from = Math.min(MAX_FROM, raw.length - head - 1);
            StackTraceElement[] out = new StackTraceElement[1 + n + from];
            out[0] = raw[head];
            for (int i = 0; i < n; i++) {
                out[1 + i] = raw[head - 1 - i];
            }
            for (int i = 0; i < from; i++) {
                out[1 + n + i] = raw[head + 1 + i];
            }
            via = n;
            frames = out;
        }
    }

    /**
     * Decides which origins get a stack: {@code always}, {@code never}, at most N per second, or as many as fit in a
     * share of wall-clock time ({@code 0.1%}, the default: 1 ms of capturing per second, whatever the request rate or
     * thread count). The timer sees only the walk itself; a capture costs the calling thread several times what it
     * times (measured in the Apache 5 loop: 0.5 % let half the requests take a stack and cost ~4 µs of CPU each).
     * A budget keeps the cost flat however busy the service is, while a quiet service still gets every stack.
     */
    static final class Sampler {
        private final long perSecond; // <0 always, 0 never, >0 count per second
        private final long budgetNanos; // >0: nanoseconds of capturing per second
        private final String text;
        private final AtomicLong state = new AtomicLong(); // (second & 0xFFFFFFFF) << 32 | taken-or-spent

        private Sampler(long perSecond, long budgetNanos, String text) {
            this.perSecond = perSecond;
            this.budgetNanos = budgetNanos;
            this.text = text;
        }

        /** At most {@code n} a second, counted: an allowance beside the configured sampler (see {@link Shapes}). */
        static Sampler perSecond(int n) {
            return new Sampler(n, 0, n + "/s");
        }

        /** Parses {@code always}, {@code never}/{@code off}, {@code N/s} or {@code P%}; null when it is none of these. */
        static Sampler parse(String value) {
            String v = value.trim();
            try {
                if (v.equals("always")) {
                    return new Sampler(-1, 0, v);
                }
                if (v.equals("never") || v.equals("off")) {
                    return new Sampler(0, 0, "never");
                }
                if (v.endsWith("/s")) {
                    long n = Long.parseLong(v.substring(0, v.length() - 2).trim());
                    return n > 0 && n < Integer.MAX_VALUE ? new Sampler(n, 0, v) : null;
                }
                if (v.endsWith("%")) {
                    double p = Double.parseDouble(v.substring(0, v.length() - 1).trim());
                    return p > 0 && p <= 100 ? new Sampler(Long.MAX_VALUE, (long) (p * 10_000_000L), v) : null;
                }
            } catch (NumberFormatException e) {
                return null;
            }
            return null;
        }

        boolean take(long nowNanos) {
            if (perSecond < 0) {
                return true;
            }
            if (perSecond == 0) {
                return false;
            }
            long second = (nowNanos / 1_000_000_000L) & 0xFFFFFFFFL;
            long limit = budgetNanos > 0 ? budgetNanos : perSecond;
            while (true) {
                long s = state.get();
                if (s >>> 32 != second) {
                    if (state.compareAndSet(s, (second << 32) | (budgetNanos > 0 ? 0 : 1))) {
                        return true;
                    }
                } else if ((s & 0xFFFFFFFFL) >= limit) {
                    return false;
                } else if (budgetNanos > 0 || state.compareAndSet(s, s + 1)) {
                    return true;
                }
            }
        }

        /** Accounts the time one capture took, for a time budget. */
        void spent(long nowNanos, long nanos) {
            if (budgetNanos <= 0) {
                return;
            }
            long second = (nowNanos / 1_000_000_000L) & 0xFFFFFFFFL;
            long add = Math.max(1, Math.min(nanos, 0xFFFFFFFL));
            while (true) {
                long s = state.get();
                long next = s >>> 32 == second ? Math.min(s + add, (second << 32) | 0xFFFFFFFFL) : (second << 32) | add;
                if (state.compareAndSet(s, next)) {
                    return;
                }
            }
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
