package dev.forensics.instrument.jdkhttp;

import static dev.forensics.instrument.Hook.Arg.OBJECT;
import static dev.forensics.instrument.Hook.Arg.entered;
import static dev.forensics.instrument.Hook.Arg.field;
import static dev.forensics.instrument.Hook.Arg.flag;
import static dev.forensics.instrument.Hook.Arg.param;
import static dev.forensics.instrument.Hook.Arg.returned;
import static dev.forensics.instrument.Hook.Arg.self;

import dev.forensics.bootstrap.Feature;
import dev.forensics.instrument.Hook;
import java.util.List;

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
 * subscriber code runs, and tied to its publisher there. {@code MultiExchange}'s constructor differs between JDKs
 * (17 has an {@code AccessControlContext}), so it is matched by name alone.
 */
public final class JdkHttpClientInstrumentation {
    static final String PACKAGE = "jdk.internal.net.http.";
    static final String INPUT_STREAM = PACKAGE + "ResponseSubscribers$HttpResponseInputStream";
    static final String PUBLISHER = PACKAGE + "ResponseSubscribers$PublishingBodySubscriber";
    private static final String BODIES = "dev/forensics/bootstrap/BodyHooks";
    private static final String HOOKS = "dev/forensics/instrument/jdkhttp/JdkHttpHooks";
    private static final String HANDLER = "Ljava/net/http/HttpResponse$BodyHandler;";

    private JdkHttpClientInstrumentation() {}

    public static List<Hook> hooks() {
        return List.of(
                Hook.jdk("jdkhttp.exchange", Feature.LEAKS, PACKAGE + "MultiExchange", "<init>", null)
                        .atExit(HOOKS, "exchangeStarted", self(), field("responseHandler", HANDLER, OBJECT)),
                // The entry's thread slot is handed to the exit: one thread-local lookup per call, not two.
                Hook.jdk("jdkhttp.readBody", Feature.LEAKS, PACKAGE + "Exchange", "readBodyAsync", "(" + HANDLER + ")")
                        .entering(HOOKS, "readingBodyStarts", true)
                        .atExitOrThrow(
                                HOOKS,
                                "readingBodyEnds",
                                entered(),
                                self(),
                                field("multi", "Ljdk/internal/net/http/MultiExchange;", OBJECT),
                                param(0),
                                returned(OBJECT)),
                // Each subscriber class names its kind: no class-name comparison per response.
                Hook.jdk("jdkhttp.inputStream", Feature.LEAKS, INPUT_STREAM, "<init>", null)
                        .atExit(HOOKS, "inputStreamCreated", self()),
                Hook.jdk("jdkhttp.publisher", Feature.LEAKS, PUBLISHER, "<init>", null)
                        .atExit(HOOKS, "publisherCreated", self()),
                Hook.jdk(
                                "jdkhttp.response",
                                Feature.LEAKS,
                                PACKAGE + "HttpResponseImpl",
                                "<init>",
                                "(Ljava/net/http/HttpRequest;Ljdk/internal/net/http/Response;Ljava/net/http/HttpResponse;Ljava/lang/Object;Ljdk/internal/net/http/Exchange;)V")
                        .atExit(
                                HOOKS,
                                "response",
                                param(4),
                                field("body", OBJECT),
                                field("responseCode", "I"),
                                field("uri", "Ljava/net/URI;", OBJECT),
                                field("initialRequest", "Ljava/net/http/HttpRequest;", OBJECT),
                                field("headers", "Ljava/net/http/HttpHeaders;", OBJECT)),
                Hook.jdk("jdkhttp.read", Feature.LEAKS, INPUT_STREAM, "read", "([BII)I")
                        .atExit(BODIES, "readCount", self(), returned("I")),
                Hook.jdk("jdkhttp.readByte", Feature.LEAKS, INPUT_STREAM, "read", "()I")
                        .atExit(BODIES, "readByte", self(), returned("I")),
                Hook.jdk("jdkhttp.close", Feature.LEAKS, INPUT_STREAM, "close", "()V")
                        .atEntry(BODIES, "closed", self()),
                Hook.jdk(
                                "jdkhttp.subscribe",
                                Feature.LEAKS,
                                PUBLISHER,
                                "subscribe",
                                "(Ljava/util/concurrent/Flow$Subscriber;)V")
                        .entering(HOOKS, "subscribing", false, flag(true), self())
                        .atExitOrThrow(HOOKS, "subscribing", flag(false), self()),
                Hook.jdk("jdkhttp.subscriberRef", Feature.LEAKS, PUBLISHER + "$SubscriberRef", "<init>", null)
                        .atExit(HOOKS, "subscriberRefCreated", self()),
                Hook.jdk("jdkhttp.publisherDone", Feature.LEAKS, PUBLISHER + "$SubscriberRef", "clear", "()")
                        .atEntry(HOOKS, "subscriptionEnded", self()));
    }
}
