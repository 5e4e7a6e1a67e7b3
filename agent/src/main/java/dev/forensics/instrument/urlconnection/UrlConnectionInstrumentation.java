package dev.forensics.instrument.urlconnection;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.forensics.bootstrap.BodyHooks;
import dev.forensics.bootstrap.Feature;
import dev.forensics.instrument.Hook;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * {@code HttpURLConnection} over HTTP and HTTPS: {@code HttpsURLConnectionImpl} delegates to a subclass of
 * {@code sun.net.www.protocol.http.HttpURLConnection}, so hooking that class covers both. The body is the inner
 * {@code HttpInputStream}, built once per final response (after redirects and authentication); it is what
 * {@code getInputStream()} returns and, when that threw for a status of 400 or more, what {@code getErrorStream()}
 * returns. Hooking its constructor rather than those two getters tracks an error body even when the caller never
 * asks for it, which is the leak. Reads count bytes and see end of stream; {@code disconnect()} and the JDK's optional
 * error-body buffering release the connection without closing the stream.
 */
public final class UrlConnectionInstrumentation {
    static final String CONNECTION = "sun.net.www.protocol.http.HttpURLConnection";
    static final String STREAM = CONNECTION + "$HttpInputStream";

    private UrlConnectionInstrumentation() {}

    public static List<Hook> hooks() {
        return List.of(
                Hook.jdk("urlconnection.body", Feature.LEAKS, STREAM, isConstructor(), BodyAdvice.class),
                Hook.jdk("urlconnection.read", Feature.LEAKS, STREAM, named("read").and(takesArguments(3)), ReadAdvice.class),
                Hook.jdk("urlconnection.close", Feature.LEAKS, STREAM, named("close").and(takesArguments(0)), CloseAdvice.class),
                Hook.jdk("urlconnection.disconnect", Feature.LEAKS, CONNECTION, named("disconnect").and(takesArguments(0)), DisconnectAdvice.class),
                Hook.jdk("urlconnection.getInputStream", Feature.LEAKS, CONNECTION, named("getInputStream").and(takesArguments(0)), GetInputStreamAdvice.class));
    }

    public static class BodyAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object stream, @Advice.Argument(0) Object inner, @Advice.FieldValue("this$0") Object connection) {
            BodyHooks.urlConnectionBody(stream, inner, connection);
        }
    }

    public static class ReadAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object stream, @Advice.Return int n) {
            BodyHooks.read(stream, n);
        }
    }

    public static class CloseAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object stream) {
            BodyHooks.closed(stream);
        }
    }

    public static class DisconnectAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.FieldValue("inputStream") Object stream) {
            BodyHooks.closed(stream);
        }
    }

    public static class GetInputStreamAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.FieldValue("inputStream") Object stream, @Advice.FieldValue("errorStream") Object errorStream) {
            BodyHooks.urlConnectionErrorBuffered(stream, errorStream);
        }
    }
}
