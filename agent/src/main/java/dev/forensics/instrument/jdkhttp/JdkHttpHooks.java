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
 * What the JDK HttpClient's woven calls reach beyond the client-neutral {@link BodyHooks}: the two values the
 * response hook reads through java.net.http's public API ({@code HttpRequest.method()}, {@code HttpHeaders.map()}),
 * which a bootstrap class cannot link, through method handles held in constants (so the JIT calls them directly).
 */
public final class JdkHttpHooks {
    private JdkHttpHooks() {}

    /** {@code body}: the future the response is built on; complete on return means the response follows on this thread. */
    public static void readingBodyEnds(Object reading, Object exchange, Object multiExchange, Object handler, Object body) {
        BodyHooks.jdkReadingBodyEnds(reading, exchange, multiExchange, handler,
                body instanceof CompletableFuture && ((CompletableFuture<?>) body).isDone());
    }

    public static void response(Object exchange, Object body, int status, Object uri, Object request, Object headers) {
        if (!BodyHooks.tracking()) {
            return;
        }
        String method;
        Map<String, List<String>> map;
        try {
            method = request == null ? null : (String) Api.METHOD.invokeExact(request);
            map = headers == null ? null : castMap(Api.HEADERS.invokeExact(headers));
        } catch (Throwable t) {
            AdviceErrors.record(t, Feature.LEAKS);
            return;
        }
        BodyHooks.jdkResponse(exchange, body, status, uri, method, map);
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
