package dev.forensics.instrument.okhttp;

import dev.forensics.bootstrap.AdviceErrors;
import dev.forensics.bootstrap.BodyHooks;
import dev.forensics.bootstrap.Feature;
import dev.forensics.bootstrap.IdentityStash;
import dev.forensics.bootstrap.Reentry;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * OkHttp 4 and 5 (same internals), adapted to the tracker. The tracked object is the exchange's
 * {@code ResponseBodySource}: the response, its body, {@code source()} and {@code byteStream()} all lead to it, so it
 * stays reachable as long as any of them does. Its {@code complete} runs when the body is closed, read to its end or
 * fails, which is exactly when OkHttp releases the connection. The source is created inside
 * {@code Exchange.openResponseBody} on the same thread, so it is handed over in a thread-local; for {@code enqueue}
 * the origin is the enqueuing call, stashed by call. The response is read through OkHttp's public API
 * ({@code code()}, {@code request()}, {@code method()}, {@code url()}) with method handles resolved once per loader.
 */
public final class OkHttpHooks {
    private static final ClassValue<Api> API = new ClassValue<Api>() {
        @Override
        protected Api computeValue(Class<?> response) {
            return new Api(response);
        }
    };
    private static final ClassValue<String> LABEL = new ClassValue<String>() {
        @Override
        protected String computeValue(Class<?> responseType) {
            try {
                Object v = Class.forName("okhttp3.OkHttp", false, responseType.getClassLoader())
                        .getField("VERSION")
                        .get(null);
                return "OkHttp " + v;
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return "OkHttp";
            }
        }
    };
    private static final IdentityStash<Object> ENQUEUED = BodyHooks.pendingTable(20_000);
    private static final ThreadLocal<Slot> OPENING = new ThreadLocal<Slot>() {
        @Override
        protected Slot initialValue() {
            return new Slot();
        }
    };

    private static final class Slot {
        Object source;
        long contentLength;
    }

    private OkHttpHooks() {}

    /** Guarded against re-entry: capturing an origin may walk the stack, and the call is the application's. */
    public static void enqueued(Object call) {
        BodyHooks.Tracker t = BodyHooks.tracker();
        if (t == null || !Reentry.enter(Feature.LEAKS)) {
            return;
        }
        try {
            ENQUEUED.put(call, t.originForLater());
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        } finally {
            Reentry.exit(Feature.LEAKS);
        }
    }

    public static void opening() {
        if (BodyHooks.tracking()) {
            OPENING.get().source = null;
        }
    }

    public static void sourceCreated(Object source, boolean completed, long contentLength) {
        if (!BodyHooks.tracking()) {
            return;
        }
        Slot slot = OPENING.get();
        slot.source = completed ? null : source; // a zero-length body completes in its constructor
        slot.contentLength = contentLength;
    }

    /** Without the re-entry guard: the tracker only updates tables. */
    public static void bodyOpened(Object call, Object response) {
        BodyHooks.Tracker t = BodyHooks.tracker();
        if (response == null || t == null) {
            return;
        }
        try {
            Slot slot = OPENING.get();
            Object source = slot.source;
            slot.source = null;
            if (source == null) {
                return;
            }
            Api api = API.get(response.getClass());
            int code = (int) api.code.invokeExact(response);
            String method = null;
            String url = null;
            Object request = (Object) api.request.invokeExact(response);
            if (request != null) {
                method = (String) api.method.invokeExact(request);
                Object u = (Object) api.url.invokeExact(request);
                url = u == null ? null : u.toString();
            }
            Object origin = ENQUEUED.remove(call);
            t.open(
                    source,
                    origin != null ? origin : t.origin(),
                    LABEL.get(response.getClass()),
                    "ResponseBody",
                    code,
                    method,
                    url == null ? null : t.intern(url),
                    slot.contentLength,
                    0);
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        }
    }

    private static final class Api {
        final MethodHandle code;
        final MethodHandle request;
        final MethodHandle method;
        final MethodHandle url;

        Api(Class<?> response) {
            try {
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                Class<?> request = Class.forName("okhttp3.Request", false, response.getClassLoader());
                Class<?> httpUrl = Class.forName("okhttp3.HttpUrl", false, response.getClassLoader());
                code = lookup.findVirtual(response, "code", MethodType.methodType(int.class))
                        .asType(MethodType.methodType(int.class, Object.class));
                this.request = lookup.findVirtual(response, "request", MethodType.methodType(request))
                        .asType(MethodType.methodType(Object.class, Object.class));
                method = lookup.findVirtual(request, "method", MethodType.methodType(String.class))
                        .asType(MethodType.methodType(String.class, Object.class));
                url = lookup.findVirtual(request, "url", MethodType.methodType(httpUrl))
                        .asType(MethodType.methodType(Object.class, Object.class));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("OkHttp's Response API changed: " + e, e);
            }
        }
    }
}
