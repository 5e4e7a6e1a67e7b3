package dev.forensics.leak;

import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;

/**
 * One response body the application is responsible for: a phantom reference to the body (so tracking never keeps it
 * alive) plus the few facts a report needs. Kept small on purpose, about 100 bytes without a stack: the URL is held as
 * the client's own object (URI, URL, HttpUrl, path string) and rendered and redacted only when reported.
 * Mutable fields are guarded by the {@link BodyTracker} stripe that links the record.
 */
final class TrackedBody extends PhantomReference<Object> {
    static final int CLOSED = 1;
    static final int LEAKED = 2;
    /** Reported as held too long; a later close is reported as a withdrawal. */
    static final int HELD = 4;
    /** The client gives the connection back once content-length bytes were read, so that counts as closed. */
    static final int LENGTH_COMPLETES = 8;
    /** Its origin was taken before the response existed (see {@link Origin#forLater}). */
    static final int DEFERRED = 16;

    final int hash;
    TrackedBody next;
    final long openedNanos;
    final String thread;
    /** The stack that obtained the body, resolved when reported; null when it was not sampled. */
    final Origin.Stack stack;

    final String client;
    final String kind;
    final int status;
    final String method;
    /**
     * The raw request URL: an interned string ({@link BodyLine#intern}), or the client's own immutable URL object
     * ({@code java.net.URL}, which the body's connection holds anyway), rendered with {@code toString} and redacted
     * only when reported.
     */
    final Object url;

    final long contentLength;
    long bytesRead;
    int flags;

    TrackedBody(
            Object body,
            ReferenceQueue<Object> queue,
            int hash,
            Origin origin,
            String client,
            String kind,
            int status,
            String method,
            Object url,
            long contentLength,
            int flags) {
        super(body, queue);
        this.hash = hash;
        this.openedNanos = origin.nanos;
        this.thread = origin.thread;
        this.stack = origin.stack;
        this.client = client;
        this.kind = kind;
        this.status = status;
        this.method = method;
        this.url = url;
        this.contentLength = contentLength;
        this.flags = origin.deferred ? flags | DEFERRED : flags;
    }

    /** The origin call site, e.g. {@code com.acme.Proxy.relay(Proxy.java:88)}, or null when not sampled. */
    StackTraceElement site() {
        if (stack == null) {
            return null;
        }
        StackTraceElement[] frames = stack.frames();
        return frames.length == 0 ? null : frames[0];
    }
}
