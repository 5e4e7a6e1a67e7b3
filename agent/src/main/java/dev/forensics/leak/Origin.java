package dev.forensics.leak;

import dev.forensics.report.Sites;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where and when a body was obtained: always the time and thread (cheap), the stack only when the sampler allows it,
 * because capturing a stack is the one expensive step of tracking. A stack is captured as a {@link Stack} (a
 * Throwable's raw backtrace, a few microseconds) and turned into frames only if its body is ever reported; frames of
 * the JDK, the HTTP client libraries and the agent are then dropped, so the first frame is the application's line
 * that obtained the body.
 */
final class Origin {
    static final int MAX_FRAMES = 8;

    private static final String[] LIBRARY_PREFIXES = {
        "java.", "javax.", "jdk.", "sun.", "com.sun.", "kotlin.", "okhttp3.", "okio.", "org.apache.hc.", "org.apache.http.",
    };

    private static volatile Sampler sampler = Sampler.parse(Leaks.DEFAULT_STACKS);

    final long nanos;
    final String thread;
    final Stack stack;

    Origin(long nanos, String thread, Stack stack) {
        this.nanos = nanos;
        this.thread = thread;
        this.stack = stack;
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

    /** An origin on the current thread, now, never with a stack: where the caller's stack is already gone. */
    static Origin withoutStack() {
        return new Origin(System.nanoTime(), Thread.currentThread().getName(), null);
    }

    static boolean isLibraryFrame(String className) {
        if (Sites.isAgentFrame(className)) {
            return true;
        }
        for (String p : LIBRARY_PREFIXES) {
            if (className.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A captured call stack, resolved to frames on first use. Never thrown; no message, no cause, only the backtrace
     * the JVM records when it is created.
     */
    static final class Stack extends Throwable {
        private static final long serialVersionUID = 1L;
        private transient volatile StackTraceElement[] frames;

        Stack() {
            super(null, null, false, true);
        }

        /** Already-resolved frames, for tests and for stacks that arrive as frames. */
        Stack(StackTraceElement[] frames) {
            super(null, null, false, false);
            this.frames = frames;
        }

        /** Up to {@link #MAX_FRAMES} frames from the first application frame outwards; empty if there is none. */
        StackTraceElement[] frames() {
            StackTraceElement[] f = frames;
            if (f == null) {
                List<StackTraceElement> out = new ArrayList<>(MAX_FRAMES);
                for (StackTraceElement e : getStackTrace()) {
                    if (out.isEmpty() && isLibraryFrame(e.getClassName())) {
                        continue;
                    }
                    out.add(e);
                    if (out.size() == MAX_FRAMES) {
                        break;
                    }
                }
                f = out.toArray(new StackTraceElement[0]);
                frames = f;
            }
            return f;
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
