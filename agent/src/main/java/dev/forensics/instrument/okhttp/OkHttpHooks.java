package dev.forensics.instrument.okhttp;

import dev.forensics.bootstrap.AdviceErrors;
import dev.forensics.bootstrap.BodyHooks;
import dev.forensics.bootstrap.Feature;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * OkHttp's opened response, read through its public API ({@code Response.code()}, {@code request()},
 * {@code Request.method()}, {@code url()}, the same JVM names in OkHttp 4 and 5) with method handles resolved once
 * per {@code Response} class, that is once per class loader holding OkHttp.
 */
public final class OkHttpHooks {
    private static final ClassValue<Api> API = new ClassValue<Api>() {
        @Override
        protected Api computeValue(Class<?> response) {
            return new Api(response);
        }
    };

    private OkHttpHooks() {}

    public static void bodyOpened(Object call, Object response) {
        if (response == null || !BodyHooks.tracking()) {
            return;
        }
        int code;
        String method = null;
        String url = null;
        try {
            Api api = API.get(response.getClass());
            code = (int) api.code.invokeExact(response);
            Object request = (Object) api.request.invokeExact(response);
            if (request != null) {
                method = (String) api.method.invokeExact(request);
                Object u = (Object) api.url.invokeExact(request);
                url = u == null ? null : u.toString();
            }
        } catch (Throwable t) {
            AdviceErrors.record(t, Feature.LEAKS);
            return;
        }
        BodyHooks.okhttpBodyOpened(call, response, code, method, url);
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
