package dev.forensics.bootstrap;

/**
 * What advice inlined into HTTP clients calls: the JDK's HttpClient and HttpURLConnection, Apache HttpClient 4 and 5,
 * OkHttp 4 and 5. Every argument is a plain Object or primitive, because these classes live in the bootstrap loader
 * and cannot link a client's types; the leak feature registers the {@link Listener} that understands them. Until it
 * does, and whenever the feature is off or failed, each entry returns after one volatile read.
 */
public final class BodyHooks {
    /** Receives client events on the calling thread; implemented by the leak feature. */
    public interface Listener {
        /** A body (or the connection holder standing for it) was closed or released. */
        void closed(Object body);

        /** A read on a tracked stream returned n bytes, or -1 at end of stream. */
        void read(Object body, long n);

        void jdkExchangeStarted(Object multiExchange, Object handler);

        /** {@code Exchange.readBodyAsync} starts; returns the state its end is handed ({@link #jdkReadingBodyEnds}). */
        Object jdkReadingBodyStarts();

        /** {@code bodyDone}: the future the response object is built on was already complete. */
        void jdkReadingBodyEnds(Object reading, Object exchange, Object multiExchange, Object handler, boolean bodyDone);

        /** {@code kind}: {@link BodyHooks#JDK_INPUT_STREAM} or {@link BodyHooks#JDK_PUBLISHER}. */
        void jdkBodySubscriberCreated(Object subscriber, int kind);

        /** The response object was built; method and header map are read by the advice, which can link java.net.http. */
        void jdkResponse(Object exchange, Object body, int status, Object uri, String method, java.util.Map<String, java.util.List<String>> headers);

        void jdkPublisherSubscribing(boolean start, Object publisher);

        void jdkSubscriberRefCreated(Object subscriberRef);

        void urlConnectionBody(Object stream, Object inner, Object connection);

        void urlConnectionErrorBuffered(Object inputStream, Object errorStream);

        void apache5Response(Object runtime, int status, String method, String requestUri, Object targetHost, long contentLength);

        void apache4Response(Object response, int status, String method, Object uri, Object targetHost, long contentLength);

        void okhttpEnqueued(Object call);

        void okhttpOpening(boolean start);

        void okhttpSourceCreated(Object source, boolean completed, long contentLength);

        void okhttpBodyOpened(Object call, Object response, int status, String method, String url);
    }

    /** The JDK HttpClient's closeable body subscribers, named by the advice on each one's constructor. */
    public static final int JDK_INPUT_STREAM = 1;
    public static final int JDK_PUBLISHER = 2;

    private static volatile Listener listener;

    private BodyHooks() {}

    public static void register(Listener l) {
        listener = l;
    }

    private static Listener active() {
        Listener l = listener;
        return l != null && Feature.enabled(Feature.LEAKS) ? l : null;
    }

    // Close and read run on every body the client touches and never report inline, so they skip the re-entry guard;
    // so do the JDK HttpClient's hooks, whose listener only updates tables and calls nothing the agent instruments
    // (HttpRequest.method, HttpHeaders.map, URI.toString). They run five times per request on the client's threads,
    // and the guard's two ThreadLocal lookups each were a measurable part of the agent's samples in that loop.

    public static void closed(Object body) {
        Listener l = active();
        if (l == null || body == null) {
            return;
        }
        try {
            l.closed(body);
        } catch (Throwable t) {
            AdviceErrors.record(t, Feature.LEAKS);
        }
    }

    public static void read(Object body, long n) {
        Listener l = active();
        if (l == null || n == 0) {
            return;
        }
        try {
            l.read(body, n);
        } catch (Throwable t) {
            AdviceErrors.record(t, Feature.LEAKS);
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

    public static void jdkExchangeStarted(Object multiExchange, Object handler) {
        Listener l = active();
        if (l == null) {
            return;
        }
        try {
            l.jdkExchangeStarted(multiExchange, handler);
        } catch (Throwable t) {
            AdviceErrors.record(t, Feature.LEAKS);
        }
    }

    /** Null when the feature is off: then the end does nothing either. */
    public static Object jdkReadingBodyStarts() {
        Listener l = active();
        if (l == null) {
            return null;
        }
        try {
            return l.jdkReadingBodyStarts();
        } catch (Throwable t) {
            AdviceErrors.record(t, Feature.LEAKS);
            return null;
        }
    }

    public static void jdkReadingBodyEnds(Object reading, Object exchange, Object multiExchange, Object handler, boolean bodyDone) {
        Listener l = active();
        if (l == null || reading == null) {
            return;
        }
        try {
            l.jdkReadingBodyEnds(reading, exchange, multiExchange, handler, bodyDone);
        } catch (Throwable t) {
            AdviceErrors.record(t, Feature.LEAKS);
        }
    }

    public static void jdkBodySubscriberCreated(Object subscriber, int kind) {
        Listener l = active();
        if (l == null) {
            return;
        }
        try {
            l.jdkBodySubscriberCreated(subscriber, kind);
        } catch (Throwable t) {
            AdviceErrors.record(t, Feature.LEAKS);
        }
    }

    public static void jdkResponse(Object exchange, Object body, int status, Object uri, String method, java.util.Map<String, java.util.List<String>> headers) {
        Listener l = active();
        if (l == null || body == null) {
            return;
        }
        try {
            l.jdkResponse(exchange, body, status, uri, method, headers);
        } catch (Throwable t) {
            AdviceErrors.record(t, Feature.LEAKS);
        }
    }

    public static void jdkPublisherSubscribing(boolean start, Object publisher) {
        Listener l = active();
        if (l == null) {
            return;
        }
        try {
            l.jdkPublisherSubscribing(start, publisher);
        } catch (Throwable t) {
            AdviceErrors.record(t, Feature.LEAKS);
        }
    }

    public static void jdkSubscriberRefCreated(Object subscriberRef) {
        Listener l = active();
        if (l == null) {
            return;
        }
        try {
            l.jdkSubscriberRefCreated(subscriberRef);
        } catch (Throwable t) {
            AdviceErrors.record(t, Feature.LEAKS);
        }
    }

    public static void urlConnectionBody(Object stream, Object inner, Object connection) {
        Listener l = active();
        if (l == null || !Reentry.enter(Feature.LEAKS)) {
            return;
        }
        try {
            l.urlConnectionBody(stream, inner, connection);
        } catch (Throwable t) {
            AdviceErrors.record(t, Feature.LEAKS);
        } finally {
            Reentry.exit(Feature.LEAKS);
        }
    }

    public static void urlConnectionErrorBuffered(Object inputStream, Object errorStream) {
        Listener l = active();
        if (l == null || errorStream == null || inputStream == null) {
            return;
        }
        try {
            l.urlConnectionErrorBuffered(inputStream, errorStream);
        } catch (Throwable t) {
            AdviceErrors.record(t, Feature.LEAKS);
        }
    }

    /** For advice that must read the library's objects before calling a hook: whether the hook would act. */
    public static boolean tracking() {
        return active() != null;
    }

    /** An Apache 5 response whose entity still holds the pooled connection ({@code runtime}'s endpoint acquired). */
    public static void apache5Response(Object runtime, int status, String method, String requestUri, Object targetHost, long contentLength) {
        Listener l = active();
        if (l == null || runtime == null) {
            return;
        }
        try {
            // No re-entry guard, like the JDK HttpClient's: the listener only updates tables (HttpHost.toString aside).
            l.apache5Response(runtime, status, method, requestUri, targetHost, contentLength);
        } catch (Throwable t) {
            AdviceErrors.record(t, Feature.LEAKS);
        }
    }

    /** An Apache 4.5 response, read by its advice; the hook finds its connection holder. */
    public static void apache4Response(Object response, int status, String method, Object uri, Object targetHost, long contentLength) {
        Listener l = active();
        if (l == null || response == null) {
            return;
        }
        try {
            // No re-entry guard, as for Apache 5: the listener reads one field and updates tables.
            l.apache4Response(response, status, method, uri, targetHost, contentLength);
        } catch (Throwable t) {
            AdviceErrors.record(t, Feature.LEAKS);
        }
    }

    public static void okhttpEnqueued(Object call) {
        Listener l = active();
        if (l == null || !Reentry.enter(Feature.LEAKS)) {
            return;
        }
        try {
            l.okhttpEnqueued(call);
        } catch (Throwable t) {
            AdviceErrors.record(t, Feature.LEAKS);
        } finally {
            Reentry.exit(Feature.LEAKS);
        }
    }

    public static void okhttpOpening(boolean start) {
        Listener l = active();
        if (l == null) {
            return;
        }
        try {
            l.okhttpOpening(start);
        } catch (Throwable t) {
            AdviceErrors.record(t, Feature.LEAKS);
        }
    }

    public static void okhttpSourceCreated(Object source, boolean completed, long contentLength) {
        Listener l = active();
        if (l == null) {
            return;
        }
        try {
            l.okhttpSourceCreated(source, completed, contentLength);
        } catch (Throwable t) {
            AdviceErrors.record(t, Feature.LEAKS);
        }
    }

    /** Without the re-entry guard, like the JDK HttpClient's: the listener only updates tables (see above). */
    public static void okhttpBodyOpened(Object call, Object response, int status, String method, String url) {
        Listener l = active();
        if (l == null) {
            return;
        }
        try {
            l.okhttpBodyOpened(call, response, status, method, url);
        } catch (Throwable t) {
            AdviceErrors.record(t, Feature.LEAKS);
        }
    }
}
