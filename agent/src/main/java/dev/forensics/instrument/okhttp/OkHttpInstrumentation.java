package dev.forensics.instrument.okhttp;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.forensics.bootstrap.BodyHooks;
import dev.forensics.bootstrap.Feature;
import dev.forensics.instrument.Hook;
import java.util.List;
import net.bytebuddy.asm.Advice;
import okhttp3.Request;
import okhttp3.Response;

/**
 * OkHttp 4 and 5 ({@code okhttp} / {@code okhttp-jvm}), whose internals have the same names: every response body is
 * opened by {@code Exchange.openResponseBody}, which wraps the connection's stream in a {@code ResponseBodySource};
 * that source's {@code complete} runs when the body is closed, read to its end or fails, and releases the connection.
 * {@code RealCall.enqueue} is hooked only to remember the asynchronous caller, whose response arrives on a dispatcher
 * thread.
 */
public final class OkHttpInstrumentation {
    static final String LIBRARY = "okhttp3/internal/connection/Exchange.class";
    static final String EXCHANGE = "okhttp3.internal.connection.Exchange";
    static final String SOURCE = EXCHANGE + "$ResponseBodySource";

    private OkHttpInstrumentation() {}

    public static List<Hook> hooks() {
        return List.of(
                Hook.library("okhttp.enqueue", Feature.LEAKS, LIBRARY, "okhttp3.internal.connection.RealCall", named("enqueue").and(takesArguments(1)), EnqueueAdvice.class),
                Hook.library("okhttp.openBody", Feature.LEAKS, LIBRARY, EXCHANGE, named("openResponseBody").and(takesArguments(1)), OpenBodyAdvice.class),
                Hook.library("okhttp.source", Feature.LEAKS, LIBRARY, SOURCE, isConstructor(), SourceAdvice.class),
                Hook.library("okhttp.read", Feature.LEAKS, LIBRARY, SOURCE, named("read").and(takesArguments(2)), ReadAdvice.class),
                Hook.library("okhttp.complete", Feature.LEAKS, LIBRARY, SOURCE, named("complete").and(takesArguments(1)), CompleteAdvice.class));
    }

    public static class EnqueueAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object call) {
            BodyHooks.okhttpEnqueued(call);
        }
    }

    public static class OpenBodyAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter() {
            BodyHooks.okhttpOpening(true);
        }

        /**
         * Typed, like Apache 5's: inlined into OkHttp's {@code Exchange}, the advice calls the response's and request's
         * getters itself (the same JVM names in OkHttp 4 and 5) instead of the agent reading them reflectively.
         */
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.FieldValue("call") Object call, @Advice.Argument(0) Response response) {
            if (response != null && BodyHooks.tracking()) {
                Request request = response.request();
                BodyHooks.okhttpBodyOpened(call, response, response.code(), request == null ? null : request.method(),
                        request == null ? null : request.url().toString());
            }
        }
    }

    public static class SourceAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object source, @Advice.FieldValue("completed") boolean completed,
                         @Advice.FieldValue("contentLength") long contentLength) {
            BodyHooks.okhttpSourceCreated(source, completed, contentLength);
        }
    }

    public static class ReadAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object source, @Advice.Return long n) {
            BodyHooks.read(source, n);
        }
    }

    public static class CompleteAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object source) {
            BodyHooks.closed(source);
        }
    }
}
