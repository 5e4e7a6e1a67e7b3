package dev.forensics.instrument.apache5async;

import dev.forensics.bootstrap.AdviceErrors;
import dev.forensics.bootstrap.BodyHooks;
import dev.forensics.bootstrap.Feature;
import dev.forensics.bootstrap.IdentityStash;
import dev.forensics.bootstrap.Reentry;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Apache HttpClient 5 async, adapted to the tracker. The tracked object stands for the connection the exchange holds:
 * the request's exec runtime (default and custom clients), whose endpoint release is the close, or the minimal
 * client's exchange handler, whose end of stream, failure or cancellation is. Either is reachable from the I/O reactor
 * for as long as the connection is open, so an abandoned body is reported as held too long, never as GC-confirmed.
 * The origin is taken in {@code doExecute} on the caller's thread and stashed by the response consumer, which the
 * head reaches on a dispatcher thread; the request is stashed by runtime as the main exec sends it (the minimal
 * client's is in the exchange's context). Both are read through httpcore's public API.
 */
public final class Apache5AsyncHooks {
    static final String CLIENT = "Apache HttpClient 5 async";

    private static final IdentityStash<Object> EXECUTING = BodyHooks.pendingTable(20_000);
    private static final IdentityStash<Object> SENT = BodyHooks.pendingTable(20_000);
    private static final ClassValue<MethodHandle> RUNTIME_OF = new ClassValue<MethodHandle>() {
        @Override
        protected MethodHandle computeValue(Class<?> scope) {
            try {
                Class<?> runtime = Class.forName(
                        "org.apache.hc.client5.http.async.AsyncExecRuntime", false, scope.getClassLoader());
                return MethodHandles.publicLookup()
                        .findGetter(scope, "execRuntime", runtime)
                        .asType(MethodType.methodType(Object.class, Object.class));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("Apache HttpClient 5's AsyncExecChain.Scope changed: " + e, e);
            }
        }
    };
    private static final ClassValue<Api> API = new ClassValue<Api>() {
        @Override
        protected Api computeValue(Class<?> response) {
            return new Api(response);
        }
    };
    /** What the body is called in a finding: the consumer that holds it. */
    private static final ClassValue<String> KIND = new ClassValue<String>() {
        @Override
        protected String computeValue(Class<?> consumer) {
            String name = consumer.getName();
            if (name.equals("org.apache.hc.client5.http.impl.compat.ClassicToAsyncResponseConsumer")) {
                return "classic facade stream";
            }
            if (name.equals("org.apache.hc.core5.reactive.ReactiveResponseConsumer")) {
                return "reactive Publisher";
            }
            return name.substring(name.lastIndexOf('.') + 1);
        }
    };

    private Apache5AsyncHooks() {}

    /** Guarded against re-entry: capturing an origin may walk the stack, and the call is the application's. */
    public static void executing(Object consumer) {
        BodyHooks.Tracker t = BodyHooks.tracker();
        if (consumer == null || t == null || !Reentry.enter(Feature.LEAKS)) {
            return;
        }
        try {
            EXECUTING.put(consumer, t.originForLater());
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        } finally {
            Reentry.exit(Feature.LEAKS);
        }
    }

    /** The main exec sends {@code request} on the scope's runtime: what a response on that runtime answers. */
    public static void sending(Object request, Object scope) {
        if (request == null || scope == null || !BodyHooks.tracking()) {
            return;
        }
        try {
            Object runtime = (Object) RUNTIME_OF.get(scope.getClass()).invokeExact(scope);
            if (runtime != null) {
                SENT.put(runtime, request);
            }
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        }
    }

    /**
     * Default and custom clients: the final response head is about to reach the application's consumer; with a body
     * ({@code details} non-null) the connection stays with the runtime until that body has streamed to its end.
     */
    public static void responding(Object consumer, Object runtime, Object response, Object details) {
        BodyHooks.Tracker t = BodyHooks.tracker();
        if (t == null || consumer == null || runtime == null) {
            return;
        }
        try {
            Object origin = EXECUTING.remove(consumer);
            open(t, origin, consumer, runtime, SENT.remove(runtime), response, details);
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        }
    }

    /** Minimal client: as {@link #responding}, the exchange handler standing for the connection it holds. */
    public static void minimalResponding(
            Object consumer, Object handler, Object context, Object response, Object details) {
        BodyHooks.Tracker t = BodyHooks.tracker();
        if (t == null || consumer == null || handler == null) {
            return;
        }
        try {
            Object origin = EXECUTING.remove(consumer);
            Object request =
                    response == null ? null : API.get(response.getClass()).request(context);
            open(t, origin, consumer, handler, request, response, details);
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        }
    }

    /** Without the re-entry guard: the tracker only updates tables. */
    private static void open(
            BodyHooks.Tracker t,
            Object origin,
            Object consumer,
            Object body,
            Object request,
            Object response,
            Object details) {
        if (response == null || details == null) {
            return;
        }
        try {
            Api api = API.get(response.getClass());
            int status = (int) api.code.invokeExact(response);
            long length = (long) api.contentLength.invokeExact(details);
            String method = null;
            String url = null;
            if (request != null) {
                method = (String) api.method.invokeExact(request);
                url = url(api, request);
            }
            t.open(
                    body,
                    origin != null ? origin : t.originWithoutStack(),
                    CLIENT,
                    KIND.get(consumer.getClass()),
                    status,
                    method,
                    url == null ? null : t.intern(url),
                    length,
                    0);
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        }
    }

    /** {@code scheme://host:port/path?query} from the request's parts; the authority's user info is left out. */
    private static String url(Api api, Object request) throws Throwable {
        String path = (String) api.requestUri.invokeExact(request);
        if (path != null && (path.startsWith("http://") || path.startsWith("https://"))) {
            return path;
        }
        Object authority = (Object) api.authority.invokeExact(request);
        if (authority == null) {
            return path;
        }
        String scheme = (String) api.scheme.invokeExact(request);
        String host = (String) api.hostName.invokeExact(authority);
        int port = (int) api.port.invokeExact(authority);
        StringBuilder sb = new StringBuilder(64)
                .append(scheme == null ? "http" : scheme)
                .append("://")
                .append(host);
        if (port >= 0) {
            sb.append(':').append(port);
        }
        if (path != null) {
            if (!path.startsWith("/")) {
                sb.append('/');
            }
            sb.append(path);
        }
        return sb.toString();
    }

    private static final class Api {
        final MethodHandle code;
        final MethodHandle contentLength;
        final Class<?> coreContext;
        final MethodHandle request;
        final MethodHandle method;
        final MethodHandle requestUri;
        final MethodHandle scheme;
        final MethodHandle authority;
        final MethodHandle hostName;
        final MethodHandle port;

        Api(Class<?> responseType) {
            try {
                ClassLoader loader = responseType.getClassLoader();
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                Class<?> response = Class.forName("org.apache.hc.core5.http.HttpResponse", false, loader);
                Class<?> details = Class.forName("org.apache.hc.core5.http.EntityDetails", false, loader);
                Class<?> requestType = Class.forName("org.apache.hc.core5.http.HttpRequest", false, loader);
                Class<?> authorityType = Class.forName("org.apache.hc.core5.net.URIAuthority", false, loader);
                coreContext = Class.forName("org.apache.hc.core5.http.protocol.HttpCoreContext", false, loader);
                MethodType toObject = MethodType.methodType(Object.class, Object.class);
                MethodType toString = MethodType.methodType(String.class, Object.class);
                code = lookup.findVirtual(response, "getCode", MethodType.methodType(int.class))
                        .asType(MethodType.methodType(int.class, Object.class));
                contentLength = lookup.findVirtual(details, "getContentLength", MethodType.methodType(long.class))
                        .asType(MethodType.methodType(long.class, Object.class));
                request = lookup.findVirtual(coreContext, "getRequest", MethodType.methodType(requestType))
                        .asType(toObject);
                method = lookup.findVirtual(requestType, "getMethod", MethodType.methodType(String.class))
                        .asType(toString);
                requestUri = lookup.findVirtual(requestType, "getRequestUri", MethodType.methodType(String.class))
                        .asType(toString);
                scheme = lookup.findVirtual(requestType, "getScheme", MethodType.methodType(String.class))
                        .asType(toString);
                authority = lookup.findVirtual(requestType, "getAuthority", MethodType.methodType(authorityType))
                        .asType(toObject);
                hostName = lookup.findVirtual(authorityType, "getHostName", MethodType.methodType(String.class))
                        .asType(toString);
                port = lookup.findVirtual(authorityType, "getPort", MethodType.methodType(int.class))
                        .asType(MethodType.methodType(int.class, Object.class));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("Apache HttpClient 5's async API changed: " + e, e);
            }
        }

        /** The request an exchange's context holds, or null. */
        Object request(Object context) throws Throwable {
            return coreContext.isInstance(context) ? (Object) request.invokeExact(context) : null;
        }
    }
}
