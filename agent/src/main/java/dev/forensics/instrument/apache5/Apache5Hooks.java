package dev.forensics.instrument.apache5;

import dev.forensics.bootstrap.AdviceErrors;
import dev.forensics.bootstrap.BodyHooks;
import dev.forensics.bootstrap.Feature;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.security.AccessController;
import java.security.PrivilegedExceptionAction;

/**
 * Apache HttpClient 5 classic, adapted to the tracker. What leaks there is the pooled connection a streamed response
 * holds until its entity is consumed or the response closed; so the tracked object is the request's
 * {@code InternalExecRuntime}, reachable from the response, its entity and the entity's stream alike, and closing
 * means releasing it. Responses whose entity was buffered released their connection before the caller saw them
 * (their runtime holds no endpoint) and are not tracked. The response is read through the client's public API (5.0
 * on) with method handles resolved once per {@code ExecChain.Scope} class, that is once per loader holding the library.
 * The minimal client has no scope: its streamed entity is the {@code ResponseEntityProxy} that holds the runtime.
 */
public final class Apache5Hooks {
    static final String CLIENT = "Apache HttpClient 5";

    private static final ClassValue<Api> API = new ClassValue<Api>() {
        @Override
        protected Api computeValue(Class<?> scope) {
            return new Api(scope);
        }
    };

    private static final ClassValue<MinimalApi> MINIMAL = new ClassValue<MinimalApi>() {
        @Override
        protected MinimalApi computeValue(Class<?> response) {
            return new MinimalApi(response);
        }
    };
    /** The runtime getter of an entity class: set only for the entity proxy of a streamed response. */
    private static final ClassValue<RuntimeOf> RUNTIME_OF = new ClassValue<RuntimeOf>() {
        @Override
        protected RuntimeOf computeValue(Class<?> entity) {
            return new RuntimeOf(entity);
        }
    };

    private Apache5Hooks() {}

    /**
     * {@code MinimalHttpClient.doExecute} returned: a streamed entity there is wrapped in a {@code ResponseEntityProxy}
     * holding the request's runtime, which still holds the endpoint; a buffered one released it already.
     */
    public static void minimalExecuted(Object target, Object request, Object response) {
        BodyHooks.Tracker t = BodyHooks.tracker();
        if (response == null || request == null || t == null) {
            return;
        }
        try {
            MinimalApi api = MINIMAL.get(response.getClass());
            Object entity = (Object) api.entity.invokeExact(response);
            MethodHandle runtimeOf = entity == null ? null : RUNTIME_OF.get(entity.getClass()).getter;
            if (runtimeOf == null) {
                return;
            }
            Object runtime = (Object) runtimeOf.invokeExact(entity);
            if (runtime == null || !(boolean) api.endpointAcquired.invokeExact(runtime)) {
                return;
            }
            String method = (String) api.method.invokeExact(request);
            String uri = (String) api.requestUri.invokeExact(request);
            int status = (int) api.code.invokeExact(response);
            long length = (long) api.contentLength.invokeExact(entity);
            t.open(runtime, t.origin(), CLIENT, "entity", status, method, t.url(uri, target), length, 0);
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        }
    }

    /** Only a response whose runtime still holds the endpoint keeps a pooled connection: that is the body to track. */
    public static void executed(Object request, Object scope, Object response) {
        BodyHooks.Tracker t = BodyHooks.tracker();
        if (response == null || scope == null || t == null) {
            return;
        }
        Object runtime;
        int status;
        String method = null;
        String uri = null;
        Object host = null;
        long length = -1;
        try {
            Api api = API.get(scope.getClass());
            runtime = (Object) api.execRuntime.invokeExact(scope);
            if (runtime == null || !(boolean) api.endpointAcquired.invokeExact(runtime)) {
                return;
            }
            Object original = (Object) api.originalRequest.invokeExact(scope);
            if (original == null) {
                original = request;
            }
            if (original != null) {
                method = (String) api.method.invokeExact(original);
                uri = (String) api.requestUri.invokeExact(original);
            }
            Object route = (Object) api.route.invokeExact(scope);
            host = route == null ? null : (Object) api.targetHost.invokeExact(route);
            status = (int) api.code.invokeExact(response);
            Object entity = (Object) api.entity.invokeExact(response);
            length = entity == null ? -1 : (long) api.contentLength.invokeExact(entity);
            // No re-entry guard: the tracker only updates tables (HttpHost.toString aside, when a URL is rendered).
            t.open(runtime, t.origin(), CLIENT, "entity", status, method, t.url(uri, host), length, 0);
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        }
    }

    private static final class Api {
        final MethodHandle execRuntime;
        final MethodHandle originalRequest;
        final MethodHandle route;
        final MethodHandle endpointAcquired;
        final MethodHandle method;
        final MethodHandle requestUri;
        final MethodHandle targetHost;
        final MethodHandle code;
        final MethodHandle entity;
        final MethodHandle contentLength;

        Api(Class<?> scope) {
            try {
                ClassLoader loader = scope.getClassLoader();
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                Class<?> runtime = Class.forName("org.apache.hc.client5.http.classic.ExecRuntime", false, loader);
                Class<?> request = Class.forName("org.apache.hc.core5.http.HttpRequest", false, loader);
                Class<?> classicRequest = Class.forName("org.apache.hc.core5.http.ClassicHttpRequest", false, loader);
                Class<?> routeType = Class.forName("org.apache.hc.client5.http.HttpRoute", false, loader);
                Class<?> host = Class.forName("org.apache.hc.core5.http.HttpHost", false, loader);
                Class<?> response = Class.forName("org.apache.hc.core5.http.HttpResponse", false, loader);
                Class<?> container = Class.forName("org.apache.hc.core5.http.HttpEntityContainer", false, loader);
                Class<?> entityType = Class.forName("org.apache.hc.core5.http.HttpEntity", false, loader);
                Class<?> details = Class.forName("org.apache.hc.core5.http.EntityDetails", false, loader);
                MethodType toObject = MethodType.methodType(Object.class, Object.class);
                execRuntime = lookup.findGetter(scope, "execRuntime", runtime).asType(toObject);
                originalRequest = lookup.findGetter(scope, "originalRequest", classicRequest)
                        .asType(toObject);
                route = lookup.findGetter(scope, "route", routeType).asType(toObject);
                endpointAcquired = lookup.findVirtual(
                                runtime, "isEndpointAcquired", MethodType.methodType(boolean.class))
                        .asType(MethodType.methodType(boolean.class, Object.class));
                method = lookup.findVirtual(request, "getMethod", MethodType.methodType(String.class))
                        .asType(MethodType.methodType(String.class, Object.class));
                requestUri = lookup.findVirtual(request, "getRequestUri", MethodType.methodType(String.class))
                        .asType(MethodType.methodType(String.class, Object.class));
                targetHost = lookup.findVirtual(routeType, "getTargetHost", MethodType.methodType(host))
                        .asType(toObject);
                code = lookup.findVirtual(response, "getCode", MethodType.methodType(int.class))
                        .asType(MethodType.methodType(int.class, Object.class));
                entity = lookup.findVirtual(container, "getEntity", MethodType.methodType(entityType))
                        .asType(toObject);
                contentLength = lookup.findVirtual(details, "getContentLength", MethodType.methodType(long.class))
                        .asType(MethodType.methodType(long.class, Object.class));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("Apache HttpClient 5's API changed: " + e, e);
            }
        }
    }

    private static final class MinimalApi {
        final MethodHandle entity;
        final MethodHandle endpointAcquired;
        final MethodHandle method;
        final MethodHandle requestUri;
        final MethodHandle code;
        final MethodHandle contentLength;

        MinimalApi(Class<?> responseType) {
            try {
                ClassLoader loader = responseType.getClassLoader();
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                Class<?> runtime = Class.forName("org.apache.hc.client5.http.classic.ExecRuntime", false, loader);
                Class<?> request = Class.forName("org.apache.hc.core5.http.HttpRequest", false, loader);
                Class<?> response = Class.forName("org.apache.hc.core5.http.HttpResponse", false, loader);
                Class<?> container = Class.forName("org.apache.hc.core5.http.HttpEntityContainer", false, loader);
                Class<?> entityType = Class.forName("org.apache.hc.core5.http.HttpEntity", false, loader);
                Class<?> details = Class.forName("org.apache.hc.core5.http.EntityDetails", false, loader);
                entity = lookup.findVirtual(container, "getEntity", MethodType.methodType(entityType))
                        .asType(MethodType.methodType(Object.class, Object.class));
                endpointAcquired = lookup.findVirtual(
                                runtime, "isEndpointAcquired", MethodType.methodType(boolean.class))
                        .asType(MethodType.methodType(boolean.class, Object.class));
                method = lookup.findVirtual(request, "getMethod", MethodType.methodType(String.class))
                        .asType(MethodType.methodType(String.class, Object.class));
                requestUri = lookup.findVirtual(request, "getRequestUri", MethodType.methodType(String.class))
                        .asType(MethodType.methodType(String.class, Object.class));
                code = lookup.findVirtual(response, "getCode", MethodType.methodType(int.class))
                        .asType(MethodType.methodType(int.class, Object.class));
                contentLength = lookup.findVirtual(details, "getContentLength", MethodType.methodType(long.class))
                        .asType(MethodType.methodType(long.class, Object.class));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("Apache HttpClient 5's API changed: " + e, e);
            }
        }
    }

    /**
     * {@code ResponseEntityProxy.execRuntime}, a private field (5.0 to 5.6 alike) and the only way from the minimal
     * client's response to its runtime. Read with a private lookup, privileged so that a security manager judges the
     * agent's code, not the application's stack.
     */
    private static final class RuntimeOf implements PrivilegedExceptionAction<MethodHandle> {
        private final Class<?> entity;
        final MethodHandle getter;

        RuntimeOf(Class<?> entity) {
            this.entity = entity;
            if (!entity.getName().equals("org.apache.hc.client5.http.impl.classic.ResponseEntityProxy")) {
                getter = null;
                return;
            }
            try {
                @SuppressWarnings("removal")
                MethodHandle h = AccessController.doPrivileged(this);
                getter = h;
            } catch (Exception e) {
                throw new IllegalStateException("Apache HttpClient 5's ResponseEntityProxy changed: " + e, e);
            }
        }

        @Override
        public MethodHandle run() throws ReflectiveOperationException {
            Class<?> runtime =
                    Class.forName("org.apache.hc.client5.http.classic.ExecRuntime", false, entity.getClassLoader());
            return MethodHandles.privateLookupIn(entity, MethodHandles.lookup())
                    .findGetter(entity, "execRuntime", runtime)
                    .asType(MethodType.methodType(Object.class, Object.class));
        }
    }
}
