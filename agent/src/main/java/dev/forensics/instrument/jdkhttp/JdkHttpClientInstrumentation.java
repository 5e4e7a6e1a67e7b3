package dev.forensics.instrument.jdkhttp;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.forensics.bootstrap.BodyHooks;
import dev.forensics.bootstrap.Feature;
import dev.forensics.instrument.Hook;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import net.bytebuddy.asm.Advice;

/**
 * The JDK's {@code java.net.http.HttpClient} (module java.net.http, platform loader), sync and async alike. The public
 * API is a thin facade, so the hooks sit on the internals, which have the same shape on JDK 17 and 25:
 * {@code MultiExchange} is built on the caller's thread inside {@code send}/{@code sendAsync} (the origin);
 * {@code Exchange.readBodyAsync} applies the body handler, which builds an {@code HttpResponseInputStream}
 * ({@code ofInputStream}, {@code ofLines}) or a {@code PublishingBodySubscriber} ({@code ofPublisher});
 * {@code HttpResponseImpl} is built before the caller can see the response, in a {@code thenApply} on the future
 * {@code readBodyAsync} returns (so on the same thread, right after it, when that future is already complete).
 * Closing is the input stream's {@code close()} or end of stream, and for a publisher its
 * {@code SubscriberRef.clear()} (completed or cancelled); that ref is created inside {@code subscribe}, before any
 * subscriber code runs, and tied to its publisher there.
 */
public final class JdkHttpClientInstrumentation {
    static final String PACKAGE = "jdk.internal.net.http.";
    static final String INPUT_STREAM = PACKAGE + "ResponseSubscribers$HttpResponseInputStream";
    static final String PUBLISHER = PACKAGE + "ResponseSubscribers$PublishingBodySubscriber";

    private JdkHttpClientInstrumentation() {}

    public static List<Hook> hooks() {
        return List.of(
                Hook.jdk("jdkhttp.exchange", Feature.LEAKS, PACKAGE + "MultiExchange", isConstructor(), ExchangeAdvice.class),
                Hook.jdk("jdkhttp.readBody", Feature.LEAKS, PACKAGE + "Exchange", named("readBodyAsync").and(takesArguments(1)), ReadBodyAdvice.class),
                Hook.jdk("jdkhttp.inputStream", Feature.LEAKS, INPUT_STREAM, isConstructor(), InputStreamAdvice.class),
                Hook.jdk("jdkhttp.publisher", Feature.LEAKS, PUBLISHER, isConstructor(), PublisherAdvice.class),
                Hook.jdk("jdkhttp.response", Feature.LEAKS, PACKAGE + "HttpResponseImpl", isConstructor().and(takesArguments(5)), ResponseAdvice.class),
                Hook.jdk("jdkhttp.read", Feature.LEAKS, INPUT_STREAM, named("read").and(takesArguments(3)), ReadAdvice.class),
                Hook.jdk("jdkhttp.readByte", Feature.LEAKS, INPUT_STREAM, named("read").and(takesArguments(0)), ReadByteAdvice.class),
                Hook.jdk("jdkhttp.close", Feature.LEAKS, INPUT_STREAM, named("close").and(takesArguments(0)), CloseAdvice.class),
                Hook.jdk("jdkhttp.subscribe", Feature.LEAKS, PUBLISHER, named("subscribe").and(takesArguments(1)), SubscribeAdvice.class),
                Hook.jdk("jdkhttp.subscriberRef", Feature.LEAKS, PUBLISHER + "$SubscriberRef", isConstructor(), SubscriberRefAdvice.class),
                Hook.jdk("jdkhttp.publisherDone", Feature.LEAKS, PUBLISHER + "$SubscriberRef", named("clear").and(takesArguments(0)), CloseAdvice.class));
    }

    public static class ExchangeAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object multiExchange, @Advice.FieldValue("responseHandler") Object handler) {
            BodyHooks.jdkExchangeStarted(multiExchange, handler);
        }
    }

    public static class ReadBodyAdvice {
        /** The thread's reading state, handed to the exit as it is: one thread-local lookup per call, not two. */
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter() {
            return BodyHooks.jdkReadingBodyStarts();
        }

        /** A body future complete on return: MultiExchange's {@code thenApply} builds the response on this thread next. */
        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object reading, @Advice.This Object exchange, @Advice.FieldValue("multi") Object multi,
                         @Advice.Argument(0) Object handler, @Advice.Return CompletableFuture<?> body) {
            BodyHooks.jdkReadingBodyEnds(reading, exchange, multi, handler, body != null && body.isDone());
        }
    }

    /** Each subscriber class has its own advice, which names its kind: no class-name comparison per response. */
    public static class InputStreamAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object subscriber) {
            BodyHooks.jdkBodySubscriberCreated(subscriber, BodyHooks.JDK_INPUT_STREAM);
        }
    }

    public static class PublisherAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object subscriber) {
            BodyHooks.jdkBodySubscriberCreated(subscriber, BodyHooks.JDK_PUBLISHER);
        }
    }

    public static class ResponseAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Argument(4) Object exchange, @Advice.FieldValue("body") Object body,
                         @Advice.FieldValue("responseCode") int status, @Advice.FieldValue("uri") Object uri,
                         @Advice.FieldValue("initialRequest") HttpRequest request, @Advice.FieldValue("headers") HttpHeaders headers) {
            // Inlined into java.net.http's own class, so it can call the public API the bootstrap-loaded hooks cannot
            // link: no reflection per response.
            BodyHooks.jdkResponse(exchange, body, status, uri, request == null ? null : request.method(), headers == null ? null : headers.map());
        }
    }

    public static class ReadAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object stream, @Advice.Return int n) {
            BodyHooks.read(stream, n);
        }
    }

    public static class ReadByteAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object stream, @Advice.Return int b) {
            BodyHooks.readByte(stream, b);
        }
    }

    public static class CloseAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object body) {
            BodyHooks.closed(body);
        }
    }

    public static class SubscribeAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object publisher) {
            BodyHooks.jdkPublisherSubscribing(true, publisher);
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.This Object publisher) {
            BodyHooks.jdkPublisherSubscribing(false, publisher);
        }
    }

    public static class SubscriberRefAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object subscriberRef) {
            BodyHooks.jdkSubscriberRefCreated(subscriberRef);
        }
    }
}
