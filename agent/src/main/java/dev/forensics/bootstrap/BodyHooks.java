package dev.forensics.bootstrap;

import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The client-neutral core every HTTP client's hooks call: a body was opened (handed to the caller), read or closed.
 * Each client's folder under {@code instrument/} adapts its library to these calls; the leak feature registers the
 * {@link Tracker} behind them. Until it does, and whenever the feature is off or failed, every entry returns after
 * one volatile read. Arguments are plain Objects: these classes live in the bootstrap loader and cannot link a
 * client's types.
 */
public final class BodyHooks {
    /** The leak feature's side: tables only, on the calling thread; anything written happens on its own thread. */
    public interface Tracker {
        /** Where a body obtained on this thread comes from, now: the thread, the time, the stack if sampled. */
        Object origin();

        /**
         * Where a body whose response comes later (perhaps on another thread) comes from: taken on the caller's thread
         * like {@link #origin()}, before the request's shape is known.
         */
        default Object originForLater() {
            return origin();
        }

        /** An origin without a stack: on a client's own thread, where the caller's stack is already gone. */
        Object originWithoutStack();

        /**
         * Starts tracking {@code body}; returns its record, or null when the table is full or the body is tracked
         * already. {@code url} is rendered only when the body is reported; {@code flags} are {@link #LENGTH_COMPLETES}.
         */
        Object open(
                Object body,
                Object origin,
                String client,
                String kind,
                int status,
                String method,
                Object url,
                long contentLength,
                int flags);

        /** The record of a tracked body, or null. */
        Object find(Object body);

        /** Closes a record found earlier; false when it was closed already. */
        boolean closeRecord(Object record);

        /** A body (or the connection holder standing for it) was closed or released. */
        void closed(Object body);

        /** A read on a tracked stream returned n bytes, or -1 at end of stream. */
        void read(Object body, long n);

        /** One shared copy of a URL string many bodies carry. */
        String intern(String url);

        /** A URL from a request target (path or absolute) and the host it was sent to, shared like {@link #intern}. */
        String url(Object target, Object host);

        /**
         * A client's connection pool refused a request ({@code refusal} says how: its pending queue was full, an acquire
         * timed out); reported once per pool, with the bodies of that client still open and where most come from.
         * {@code client} is what the labels of that client's bodies contain.
         */
        default void poolRefused(String client, String pool, String refusal) {}
    }

    /** Reading {@code contentLength} bytes is the end of the body (the client releases it then). */
    public static final int LENGTH_COMPLETES = 1;

    private static volatile Tracker tracker;
    private static final CopyOnWriteArrayList<IdentityStash<?>> PENDING = new CopyOnWriteArrayList<>();

    private BodyHooks() {}

    public static void register(Tracker t) {
        tracker = t;
    }

    /** The tracker while the leak feature works, else null: the first thing every client hook asks. */
    public static Tracker tracker() {
        Tracker t = tracker;
        return t != null && Feature.enabled(Feature.LEAKS) ? t : null;
    }

    public static boolean tracking() {
        return tracker() != null;
    }

    /** A client's table of requests whose origin waits for their response: its overflow is reported with the leaks. */
    public static <V> IdentityStash<V> pendingTable(int max) {
        IdentityStash<V> s = new IdentityStash<>(max);
        PENDING.add(s);
        return s;
    }

    /** Request origins dropped because a client's pending table was full. */
    public static long droppedPending() {
        long n = 0;
        for (IdentityStash<?> s : PENDING) {
            n += s.dropped();
        }
        return n;
    }

    // Close and read run on every body the client touches and never report inline, so they skip the re-entry guard.

    public static void closed(Object body) {
        Tracker t = tracker();
        if (t == null || body == null) {
            return;
        }
        try {
            t.closed(body);
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        }
    }

    public static void read(Object body, long n) {
        Tracker t = tracker();
        if (t == null || n == 0) {
            return;
        }
        try {
            t.read(body, n);
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        }
    }

    /** An {@code int}-returning bulk read: the count, or -1 at end of stream. */
    public static void readCount(Object body, int n) {
        read(body, n);
    }

    /** A single-byte read: -1 is end of stream, anything else one byte. */
    public static void readByte(Object body, int b) {
        read(body, b < 0 ? -1 : 1);
    }
}
