package dev.forensics.leak;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which bodies get a stack whatever the sampler says, so that every distinct leaking site gets named. A time-budget
 * sampler spends its budget on the busiest calls, so a rare site (the one error path that forgets to close) is
 * almost never sampled; instead the first {@value #FIRST} bodies of every request shape (client, method, URL path with
 * identifier segments skipped, status) take a stack, and a shape that leaks a body without one is armed: its next
 * {@value #ARMED} bodies take one, so the site is named at its next leak. A caller frame for every body would cost a
 * stack walk per request; this costs one hash of the URL's path and one probe of a fixed table, and captures
 * a stack only a handful of times per shape. Origins taken before the response exists (the JDK HttpClient, OkHttp's
 * {@code enqueue}) have no shape yet: the first {@value #FIRST_DEFERRED} of them, and the next {@value #ARMED} after
 * such a body leaks without a stack, take one. Bounded: {@value #SLOTS} shapes of 5 bytes; past three quarters full
 * (a service whose URLs defeat the shape) new shapes are left to the sampler. Races between threads only cost or save
 * a capture, never correctness.
 *
 * <p>A shape is not a site: a proxy calls one upstream URL from many lines (a retry interceptor, two controllers), so
 * the first bodies of a shape name only the first site that used it, and a site whose leak arms the shape may lose the
 * armed captures to a busier one. So, beyond the shapes, error responses (status 400 and up: the bodies the incident
 * leaked) take a stack up to {@value #ERRORS_PER_SECOND} a second, and origins taken before their response up to
 * {@value #DEFERRED_PER_SECOND} a second: a count, not a time budget, so a loaded machine that makes captures slow
 * still names its sites, and bounded (a capture is a few microseconds, tens with a deep framework stack).
 */
final class Shapes {
    static final int SLOTS = 4096;
    static final int FIRST = 3;
    static final int ARMED = 8;
    static final int FIRST_DEFERRED = 16;
    static final int ERRORS_PER_SECOND = 64;
    static final int DEFERRED_PER_SECOND = 64;
    private static final int PROBES = 8;
    private static final int ID = 0x5bd1e995;

    /** Shape hashes, 0 for a free slot; plain arrays: a lost update costs at most one capture more or less. */
    private final int[] keys = new int[SLOTS];
    /** Captures still owed to the shape in the same slot. */
    private final byte[] owed = new byte[SLOTS];

    private int used;
    private boolean full;
    private final AtomicInteger deferredOwed = new AtomicInteger(FIRST_DEFERRED);
    final Origin.Sampler errors = Origin.Sampler.perSecond(ERRORS_PER_SECOND);
    final Origin.Sampler deferred = Origin.Sampler.perSecond(DEFERRED_PER_SECOND);

    /** On the calling thread, for a body about to be tracked without a stack: should it take one now? */
    boolean wantStack(String client, String method, Object url, int status) {
        return byShape(client, method, url, status) || (status >= 400 && errors.take(System.nanoTime()));
    }

    /** The shape's own rule: its first bodies, and the bodies it was armed for. */
    boolean byShape(String client, String method, Object url, int status) {
        int h = hash(client, method, url, status);
        int[] k = keys;
        for (int p = 0, i = h & (SLOTS - 1); p < PROBES; p++, i = (i + 1) & (SLOTS - 1)) {
            int key = k[i];
            if (key == h) {
                if (owed[i] > 0) {
                    owed[i]--;
                    return true;
                }
                return false;
            }
            if (key == 0) {
                if (full) {
                    return false;
                }
                if (++used >= SLOTS / 4 * 3) {
                    full = true;
                }
                owed[i] = FIRST - 1;
                k[i] = h;
                return true;
            }
        }
        return false;
    }

    /** For an origin taken before its response: one volatile read while nothing is owed, then the allowance. */
    boolean wantDeferredStack() {
        return deferredByCount() || deferred.take(System.nanoTime());
    }

    /** The first few origins taken before their response, and those a leak armed. */
    boolean deferredByCount() {
        return deferredOwed.get() > 0 && deferredOwed.getAndDecrement() > 0;
    }

    /** On the watcher thread: a body leaked without a stack, so its shape's next bodies take one. */
    void arm(TrackedBody r) {
        if ((r.flags & TrackedBody.DEFERRED) != 0) {
            deferredOwed.set(ARMED);
            return;
        }
        int h = hash(r.client, r.method, r.url, r.status);
        for (int p = 0, i = h & (SLOTS - 1); p < PROBES; p++, i = (i + 1) & (SLOTS - 1)) {
            if (keys[i] == h || keys[i] == 0) {
                owed[i] = ARMED;
                keys[i] = h;
                return;
            }
        }
    }

    /**
     * A hash of client, method, status and the URL's host and path, where a path segment of digits only, or of 16
     * characters or more with a digit (UUIDs, tokens), counts as one identifier, as the report's grouping does. The
     * query and fragment are skipped. Allocation-free for strings, {@code URI} and {@code URL}.
     */
    static int hash(String client, String method, Object url, int status) {
        int h = (client == null ? 0 : client.hashCode()) * 31 + (method == null ? 0 : method.hashCode());
        h = h * 31 + status;
        if (url instanceof String) {
            h = path(h, (String) url, afterScheme((String) url));
        } else if (url instanceof java.net.URI) {
            java.net.URI u = (java.net.URI) url;
            h = h * 31 + (u.getHost() == null ? 0 : u.getHost().hashCode()) + u.getPort();
            h = path(h, u.getRawPath() == null ? "" : u.getRawPath(), 0);
        } else if (url instanceof java.net.URL) {
            java.net.URL u = (java.net.URL) url;
            h = h * 31 + u.getHost().hashCode() + u.getPort();
            h = path(h, u.getPath(), 0);
        } else if (url != null) {
            String s = url.toString();
            h = path(h, s, afterScheme(s));
        }
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        return h == 0 ? 1 : h;
    }

    private static int afterScheme(String s) {
        int i = s.indexOf("://");
        return i < 0 ? 0 : i + 3;
    }

    private static int path(int h, String s, int from) {
        int n = s.length();
        int seg = 0;
        int len = 0;
        int digits = 0;
        for (int i = from; i <= n; i++) {
            char c = i < n ? s.charAt(i) : '/';
            if (c == '?' || c == '#') {
                c = '/';
                n = i;
            }
            if (c == '/') {
                if (len > 0) {
                    h = h * 31 + (digits == len || (digits > 0 && len >= 16) ? ID : seg);
                }
                h = h * 31 + '/';
                seg = 0;
                len = 0;
                digits = 0;
            } else {
                seg = seg * 31 + c;
                len++;
                int d = c - '0';
                digits += ((d | (9 - d)) >>> 31) ^ 1; // 1 for a digit, without a branch: ids mix them at random
            }
        }
        return h;
    }
}
