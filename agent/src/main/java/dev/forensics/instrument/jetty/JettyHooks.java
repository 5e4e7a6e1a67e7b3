package dev.forensics.instrument.jetty;

import dev.forensics.bootstrap.AdviceErrors;
import dev.forensics.bootstrap.BodyHooks;
import dev.forensics.bootstrap.Feature;
import dev.forensics.bootstrap.IdentityStash;
import dev.forensics.bootstrap.Reentry;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.TimeoutException;

/**
 * Jetty 12's HttpClient, adapted to the tracker. The tracked object is the {@code InputStreamResponseListener}: its
 * stream holds it, and the exchange holding the connection holds it too, so it becomes unreachable only once the
 * caller dropped it and Jetty let the exchange go. The caller's origin is taken when it sends the request, stashed by
 * listener, and claimed when the headers arrive on a Jetty thread. The response is read through Jetty's public API
 * ({@code getStatus()}, {@code getRequest()}, {@code getMethod()}, {@code getURI()}) with method handles resolved
 * once per response class, that is once per loader holding the library.
 */
public final class JettyHooks {
    private static final IdentityStash<Object> SENT = BodyHooks.pendingTable(20_000);

    /** Whether a {@code Response.CompleteListener} class is (or extends) the streaming listener: one lookup per class. */
    private static final ClassValue<Boolean> STREAMING = new ClassValue<Boolean>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            for (Class<?> k = type; k != null; k = k.getSuperclass()) {
                if (k.getName().equals(JettyInstrumentation.LISTENER)) {
                    return Boolean.TRUE;
                }
            }
            return Boolean.FALSE;
        }
    };

    private static final ClassValue<Api> API = new ClassValue<Api>() {
        @Override
        protected Api computeValue(Class<?> response) {
            return new Api(response);
        }
    };
    private static final ClassValue<String> LABEL = new ClassValue<String>() {
        @Override
        protected String computeValue(Class<?> type) {
            Class<?> listener = type;
            while (!listener.getName().equals(JettyInstrumentation.LISTENER) && listener.getSuperclass() != null) {
                listener = listener.getSuperclass(); // an application's subclass: the version is the library's
            }
            Package p = listener.getPackage();
            String v = p == null ? null : p.getImplementationVersion();
            if (v == null) {
                try {
                    // Where the jar's manifest is out of reach (module path, some repackaged jars): Jetty's own
                    // constant.
                    v = (String) Class.forName("org.eclipse.jetty.util.Jetty", false, listener.getClassLoader())
                            .getField("VERSION")
                            .get(null);
                } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                    v = null;
                }
            }
            return v == null ? "Jetty HttpClient" : "Jetty HttpClient " + v;
        }
    };

    private JettyHooks() {}

    /** Guarded against re-entry: capturing an origin may walk the stack, and the call is the application's. */
    public static void sending(Object listener) {
        BodyHooks.Tracker t = BodyHooks.tracker();
        if (t == null || listener == null || !STREAMING.get(listener.getClass()) || !Reentry.enter(Feature.LEAKS)) {
            return;
        }
        try {
            // A redirect sends the same listener again from a Jetty thread: the caller's origin stays.
            if (SENT.get(listener) == null) {
                SENT.put(listener, t.originForLater());
            }
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        } finally {
            Reentry.exit(Feature.LEAKS);
        }
    }

    /**
     * The headers came (on a Jetty thread): the body is the caller's from now on. Returns the record, for
     * {@link #headersDelivered}. Without the re-entry guard: the tracker only updates tables.
     */
    public static Object headers(Object listener, Object response, boolean closed) {
        BodyHooks.Tracker t = BodyHooks.tracker();
        if (t == null || response == null) {
            return null;
        }
        try {
            Object origin = SENT.remove(listener);
            if (closed) {
                return null; // the caller gave up before the headers came
            }
            Api api = API.get(response.getClass());
            int status = (int) api.status.invokeExact(response);
            String method = null;
            String url = null;
            Object request = (Object) api.request.invokeExact(response);
            if (request != null) {
                method = (String) api.method.invokeExact(request);
                Object uri = (Object) api.uri.invokeExact(request);
                url = uri == null ? null : uri.toString();
            }
            return t.open(
                    listener,
                    origin != null ? origin : t.originWithoutStack(),
                    LABEL.get(listener.getClass()),
                    "InputStreamResponseListener",
                    status,
                    method,
                    url == null ? null : t.intern(url),
                    -1,
                    0);
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
            return null;
        }
    }

    /** A caller that closed the listener while its headers were being tracked closed it before the record existed. */
    public static void headersDelivered(Object record, boolean closed) {
        if (record == null || !closed) {
            return;
        }
        BodyHooks.Tracker t = BodyHooks.tracker();
        if (t == null) {
            return;
        }
        try {
            t.closeRecord(record);
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        }
    }

    /**
     * The exchange failed. An abort ({@code response.abort}, {@code request.abort}) or a broken connection leaves the
     * caller nothing to close; a timeout is Jetty taking back what the caller abandoned, which stays the caller's leak.
     */
    public static void failed(Object listener, Object failure) {
        if (!(failure instanceof TimeoutException)) {
            BodyHooks.closed(listener);
        }
    }

    private static final class Api {
        final MethodHandle status;
        final MethodHandle request;
        final MethodHandle method;
        final MethodHandle uri;

        Api(Class<?> responseClass) {
            try {
                ClassLoader loader = responseClass.getClassLoader();
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                Class<?> response = Class.forName("org.eclipse.jetty.client.Response", false, loader);
                Class<?> requestType = Class.forName("org.eclipse.jetty.client.Request", false, loader);
                status = lookup.findVirtual(response, "getStatus", MethodType.methodType(int.class))
                        .asType(MethodType.methodType(int.class, Object.class));
                request = lookup.findVirtual(response, "getRequest", MethodType.methodType(requestType))
                        .asType(MethodType.methodType(Object.class, Object.class));
                method = lookup.findVirtual(requestType, "getMethod", MethodType.methodType(String.class))
                        .asType(MethodType.methodType(String.class, Object.class));
                uri = lookup.findVirtual(requestType, "getURI", MethodType.methodType(java.net.URI.class))
                        .asType(MethodType.methodType(Object.class, Object.class));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("Jetty HttpClient's Response API changed: " + e, e);
            }
        }
    }
}
