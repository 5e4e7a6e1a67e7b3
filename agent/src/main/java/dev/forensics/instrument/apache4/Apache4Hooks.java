package dev.forensics.instrument.apache4;

import dev.forensics.bootstrap.AdviceErrors;
import dev.forensics.bootstrap.BodyHooks;
import dev.forensics.bootstrap.Feature;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Apache HttpClient 4.5, adapted to the tracker: the tracked object is the response's {@code ConnectionHolder}, which
 * holds the pooled connection while the entity is streamed. The response is read through the public 4.3+ API (status,
 * method, URI, target host, length) with method handles resolved once per response class, that is once per loader
 * holding the library; the holder itself is a reflective read, a private field of a package-private class.
 */
public final class Apache4Hooks {
    static final String CLIENT = "Apache HttpClient 4";
    private static final Accessor CONN_HOLDER = Accessor.field("connHolder");
    private static final Accessor IS_RELEASED = Accessor.method("isReleased");

    private static final ClassValue<Api> API = new ClassValue<Api>() {
        @Override
        protected Api computeValue(Class<?> response) {
            return new Api(response);
        }
    };

    private Apache4Hooks() {}

    public static void executed(Object route, Object request, Object response) {
        BodyHooks.Tracker t = BodyHooks.tracker();
        if (response == null || t == null) {
            return;
        }
        int status;
        String method = null;
        Object uri = null;
        Object host = null;
        long length;
        try {
            Api api = API.get(response.getClass());
            Object statusLine = (Object) api.statusLine.invokeExact(response);
            status = statusLine == null ? -1 : (int) api.statusCode.invokeExact(statusLine);
            Object entity = (Object) api.entity.invokeExact(response);
            length = entity == null ? -1 : (long) api.contentLength.invokeExact(entity);
            if (request != null) {
                method = (String) api.method.invokeExact(request);
                uri = (Object) api.uri.invokeExact(request);
            }
            host = route == null ? null : (Object) api.targetHost.invokeExact(route);
            Object holder = CONN_HOLDER.get(response);
            if (holder == null || !Boolean.FALSE.equals(IS_RELEASED.get(holder))) {
                return; // buffered, or released already: no connection held
            }
            t.open(holder, t.origin(), CLIENT, "entity", status, method, t.url(uri, host), length, 0);
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        }
    }

    private static final class Api {
        final MethodHandle statusLine;
        final MethodHandle statusCode;
        final MethodHandle entity;
        final MethodHandle contentLength;
        final MethodHandle method;
        final MethodHandle uri;
        final MethodHandle targetHost;

        Api(Class<?> responseClass) {
            try {
                ClassLoader loader = responseClass.getClassLoader();
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                Class<?> response = Class.forName("org.apache.http.HttpResponse", false, loader);
                Class<?> line = Class.forName("org.apache.http.StatusLine", false, loader);
                Class<?> entityType = Class.forName("org.apache.http.HttpEntity", false, loader);
                Class<?> request = Class.forName("org.apache.http.client.methods.HttpUriRequest", false, loader);
                Class<?> route = Class.forName("org.apache.http.conn.routing.HttpRoute", false, loader);
                Class<?> host = Class.forName("org.apache.http.HttpHost", false, loader);
                MethodType toObject = MethodType.methodType(Object.class, Object.class);
                statusLine = lookup.findVirtual(response, "getStatusLine", MethodType.methodType(line))
                        .asType(toObject);
                statusCode = lookup.findVirtual(line, "getStatusCode", MethodType.methodType(int.class))
                        .asType(MethodType.methodType(int.class, Object.class));
                entity = lookup.findVirtual(response, "getEntity", MethodType.methodType(entityType))
                        .asType(toObject);
                contentLength = lookup.findVirtual(entityType, "getContentLength", MethodType.methodType(long.class))
                        .asType(MethodType.methodType(long.class, Object.class));
                method = lookup.findVirtual(request, "getMethod", MethodType.methodType(String.class))
                        .asType(MethodType.methodType(String.class, Object.class));
                uri = lookup.findVirtual(request, "getURI", MethodType.methodType(java.net.URI.class))
                        .asType(toObject);
                targetHost = lookup.findVirtual(route, "getTargetHost", MethodType.methodType(host))
                        .asType(toObject);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("Apache HttpClient 4's API changed: " + e, e);
            }
        }
    }
}
