package dev.forensics.instrument.jdkhttp;

import dev.forensics.bootstrap.AdviceErrors;
import dev.forensics.bootstrap.BodyHooks;
import dev.forensics.bootstrap.Feature;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What the JDK HttpClient's woven calls reach: each hands its objects to {@link JdkHttpBodies}, the adapter to the
 * client-neutral tracker. The two values read through java.net.http's public API ({@code HttpRequest.method()},
 * {@code HttpHeaders.map()}), which a bootstrap class cannot link, go through method handles held in constants (so
 * the JIT calls them directly).
 */
public final class JdkHttpHooks {
    private static final JdkHttpBodies BODIES = new JdkHttpBodies();

    private JdkHttpHooks() {}

    // No re-entry guard: these only update tables and call nothing the agent instruments (HttpRequest.method,
    // HttpHeaders.map, URI.toString). They run five times per request on the client's threads, where the guard's two
    // thread-local lookups each were a measurable part of the agent's samples.

    public static void exchangeStarted(Object multiExchange, Object handler) {
        BodyHooks.Tracker t = BodyHooks.tracker();
        if (t == null) {
            return;
        }
        try {
            BODIES.exchangeStarted(t, multiExchange, handler);
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        }
    }

    /** Null when the feature is off: then the end does nothing either. */
    public static Object readingBodyStarts() {
        if (!BodyHooks.tracking()) {
            return null;
        }
        try {
            return BODIES.readingBodyStarts();
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
            return null;
        }
    }

    /** {@code body}: the future the response is built on; complete on return means the response follows on this thread. */
    public static void readingBodyEnds(
            Object reading, Object exchange, Object multiExchange, Object handler, Object body) {
        BodyHooks.Tracker t = BodyHooks.tracker();
        if (t == null || reading == null) {
            return;
        }
        try {
            BODIES.readingBodyEnds(
                    t,
                    reading,
                    exchange,
                    multiExchange,
                    handler,
                    body instanceof CompletableFuture && ((CompletableFuture<?>) body).isDone());
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        }
    }

    public static void inputStreamCreated(Object subscriber) {
        subscriberCreated(subscriber, JdkHttpBodies.INPUT_STREAM);
    }

    public static void publisherCreated(Object subscriber) {
        subscriberCreated(subscriber, JdkHttpBodies.PUBLISHER);
    }

    private static void subscriberCreated(Object subscriber, int kind) {
        if (!BodyHooks.tracking()) {
            return;
        }
        try {
            BODIES.subscriberCreated(subscriber, kind);
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        }
    }

    public static void response(Object exchange, Object body, int status, Object uri, Object request, Object headers) {
        BodyHooks.Tracker t = BodyHooks.tracker();
        if (t == null) {
            return;
        }
        try {
            String method = request == null ? null : (String) Api.METHOD.invokeExact(request);
            Map<String, List<String>> map = headers == null ? null : castMap(Api.HEADERS.invokeExact(headers));
            BODIES.response(t, exchange, body, status, uri, method, map);
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        }
    }

    public static void subscribing(boolean start, Object publisher) {
        if (!BodyHooks.tracking()) {
            return;
        }
        try {
            BODIES.publisherSubscribing(start, publisher);
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        }
    }

    public static void subscriberRefCreated(Object subscriberRef) {
        BodyHooks.Tracker t = BodyHooks.tracker();
        if (t == null) {
            return;
        }
        try {
            BODIES.subscriberRefCreated(t, subscriberRef);
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        }
    }

    /** {@code SubscriberRef.clear()}: a publisher's subscription completed or was cancelled. */
    public static void subscriptionEnded(Object subscriberRef) {
        BodyHooks.Tracker t = BodyHooks.tracker();
        if (t == null) {
            return;
        }
        try {
            BODIES.subscriptionEnded(t, subscriberRef);
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, List<String>> castMap(Object o) {
        return (Map<String, List<String>>) o;
    }

    /** Resolved when the first response is built: java.net.http is loaded by then. */
    private static final class Api {
        static final MethodHandle METHOD;
        static final MethodHandle HEADERS;

        static {
            try {
                ClassLoader platform = ClassLoader.getPlatformClassLoader();
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                Class<?> request = Class.forName("java.net.http.HttpRequest", false, platform);
                Class<?> headers = Class.forName("java.net.http.HttpHeaders", false, platform);
                METHOD = lookup.findVirtual(request, "method", MethodType.methodType(String.class))
                        .asType(MethodType.methodType(String.class, Object.class));
                HEADERS = lookup.findVirtual(headers, "map", MethodType.methodType(Map.class))
                        .asType(MethodType.methodType(Object.class, Object.class));
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }
}
