package dev.forensics.instrument.apache5;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.forensics.bootstrap.BodyHooks;
import dev.forensics.bootstrap.Feature;
import dev.forensics.instrument.Hook;
import java.util.List;
import net.bytebuddy.asm.Advice;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpRequest;

/**
 * Apache HttpClient 5 classic ({@code execute}, {@code executeOpen}, response handlers): every request of the
 * classic client ends in {@code MainClientExec.execute}, which returns a response that still holds its pooled
 * connection when the entity is streamed. That connection lives in the request's {@code InternalExecRuntime} and goes
 * back through {@code releaseEndpoint}, {@code discardEndpoint} or {@code cancel}, whichever way the caller closes
 * (response {@code close()}, {@code EntityUtils.consume}, entity stream read to its end or closed). The minimal client
 * ({@code HttpClients.createMinimal}) bypasses {@code MainClientExec} and is not covered.
 */
public final class Apache5Instrumentation {
    static final String LIBRARY = "org/apache/hc/client5/http/impl/classic/MainClientExec.class";
    static final String PACKAGE = "org.apache.hc.client5.http.impl.classic.";

    private Apache5Instrumentation() {}

    public static List<Hook> hooks() {
        return List.of(
                Hook.library("apache5.execute", Feature.LEAKS, LIBRARY, PACKAGE + "MainClientExec", named("execute").and(takesArguments(3)), ExecuteAdvice.class),
                Hook.library("apache5.release", Feature.LEAKS, LIBRARY, PACKAGE + "InternalExecRuntime",
                        namedOneOf("releaseEndpoint", "discardEndpoint", "cancel").and(takesArguments(0)), ReleaseAdvice.class));
    }

    /**
     * Typed: the advice is inlined into {@code MainClientExec}, whose loader links the library's types, so it reads
     * the scope's fields and calls the response's getters itself (public API since 5.0) and hands plain values to
     * the bootstrap hook. Read reflectively from the bootstrap side, these ten reads were most of the agent's time
     * in the Apache 5 request loop. Byte Buddy reads this class's bytes from the agent jar; it is never loaded where
     * the library is absent ({@link Hook#library}).
     */
    public static class ExecuteAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Argument(0) ClassicHttpRequest request, @Advice.Argument(1) ExecChain.Scope scope,
                         @Advice.Return ClassicHttpResponse response) {
            if (response != null && scope != null && BodyHooks.tracking() && scope.execRuntime != null && scope.execRuntime.isEndpointAcquired()) {
                HttpRequest original = scope.originalRequest != null ? scope.originalRequest : request;
                HttpEntity entity = response.getEntity();
                BodyHooks.apache5Response(scope.execRuntime, response.getCode(), original == null ? null : original.getMethod(),
                        original == null ? null : original.getRequestUri(), scope.route == null ? null : scope.route.getTargetHost(),
                        entity == null ? -1 : entity.getContentLength());
            }
        }
    }

    public static class ReleaseAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.This Object runtime) {
            BodyHooks.closed(runtime);
        }
    }
}
