package dev.forensics.instrument.apache5;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.forensics.bootstrap.BodyHooks;
import dev.forensics.bootstrap.Feature;
import dev.forensics.instrument.Hook;
import java.util.List;
import net.bytebuddy.asm.Advice;

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

    public static class ExecuteAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Argument(0) Object request, @Advice.Argument(1) Object scope, @Advice.Return Object response) {
            BodyHooks.apache5Response(request, scope, response);
        }
    }

    public static class ReleaseAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.This Object runtime) {
            BodyHooks.closed(runtime);
        }
    }
}
