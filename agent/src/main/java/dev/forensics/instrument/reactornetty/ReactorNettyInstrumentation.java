package dev.forensics.instrument.reactornetty;

import static dev.forensics.instrument.Hook.Arg.OBJECT;
import static dev.forensics.instrument.Hook.Arg.entered;
import static dev.forensics.instrument.Hook.Arg.field;
import static dev.forensics.instrument.Hook.Arg.param;
import static dev.forensics.instrument.Hook.Arg.returned;
import static dev.forensics.instrument.Hook.Arg.self;

import dev.forensics.bootstrap.Feature;
import dev.forensics.instrument.Hook;
import java.util.List;

/**
 * Reactor Netty 1.x's {@code HttpClient}, and Spring's {@code WebClient} over it. The tracked object is the response,
 * {@code HttpClientOperations}, from the moment its headers arrive ({@code setNettyResponse}). Reactor Netty gives the
 * connection back to the pool when the last content arrives or the inbound is cancelled ({@code terminate}), but the
 * body's buffers wait in the inbound queue ({@code FluxReceive}) until a subscriber drains or cancels it: so a response
 * is done when {@code terminate} finds its inbound drained, when the queue is drained later
 * ({@code terminateReceiver}), or when it is cancelled or disposed ({@code cleanQueue}). One that never is either
 * holds its connection (its body never fully arrived: it pins a pool slot) or, if it did arrive, holds its buffers
 * until the response is collected (GC-confirmed). The origin is taken where the request is assembled (the
 * application's {@code responseConnection(...)} call, or WebClient's {@code retrieve()}/{@code exchange()}), so a
 * subscription made later on an event loop still names the application's line; it follows the request's config to the
 * handler a subscription creates and meets the response in {@code requestWithBody}. The pool's refusals ({@code PoolAcquirePendingLimitException},
 * {@code PoolAcquireTimeoutException}, shaded under {@code reactor.netty.internal.shaded}) reach
 * {@code DisposableAcquire.onError}; the pool's connection-provider name is noted when it is created.
 */
public final class ReactorNettyInstrumentation {
    static final String LIBRARY = "reactor/netty/http/client/HttpClientOperations.class";
    static final String CLIENT = "reactor.netty.http.client.";
    static final String HANDLER = CLIENT + "HttpClientConnect$HttpClientHandler";
    static final String OPERATIONS = CLIENT + "HttpClientOperations";
    static final String RECEIVE = "reactor.netty.channel.FluxReceive";
    static final String PROVIDER = "reactor.netty.resources.DefaultPooledConnectionProvider";
    static final String SPRING_LIBRARY = "org/springframework/web/reactive/function/client/WebClient.class";
    static final String WEBCLIENT = "org.springframework.web.reactive.function.client.";
    private static final String BODIES = "dev/forensics/bootstrap/BodyHooks";
    private static final String HOOKS = "dev/forensics/instrument/reactornetty/ReactorNettyHooks";

    private ReactorNettyInstrumentation() {}

    public static List<Hook> hooks() {
        return List.of(
                // Assembly: the application's code builds the request here (responseConnection, response...), for a
                // WebClient inside the WebClient's own call, whose origin is on the thread then (see the rows below).
                Hook.library(
                                "reactornetty.assemble",
                                Feature.LEAKS,
                                LIBRARY,
                                CLIENT + "HttpClientConnect$MonoHttpConnect",
                                "<init>",
                                "(Lreactor/netty/http/client/HttpClientConfig;)V")
                        .atExit(HOOKS, "assembled", param(0)),
                Hook.library(
                                "reactornetty.subscribe",
                                Feature.LEAKS,
                                LIBRARY,
                                HANDLER,
                                "<init>",
                                "(Lreactor/netty/http/client/HttpClientConfig;)V")
                        .atExit(
                                HOOKS,
                                "subscribed",
                                self(),
                                field("handler", "Ljava/util/function/BiFunction;", OBJECT),
                                param(0)),
                Hook.library(
                                "reactornetty.request",
                                Feature.LEAKS,
                                LIBRARY,
                                HANDLER,
                                "requestWithBody",
                                "(Lreactor/netty/http/client/HttpClientOperations;)")
                        .atEntry(HOOKS, "requesting", self(), param(0)),
                Hook.library(
                                "reactornetty.response",
                                Feature.LEAKS,
                                LIBRARY,
                                OPERATIONS,
                                "setNettyResponse",
                                "(Lio/netty/handler/codec/http/HttpResponse;)V")
                        // the URL through resourceUrl(): 1.3 has no field of that name
                        .atExit(
                                HOOKS,
                                "responseReceived",
                                self(),
                                param(0),
                                field("nettyRequest", "Lio/netty/handler/codec/http/HttpRequest;", OBJECT)),
                // Runs for every channel operation, server ones too: one lookup while anything is tracked, else a read.
                Hook.library(
                                "reactornetty.terminate",
                                Feature.LEAKS,
                                LIBRARY,
                                "reactor.netty.channel.ChannelOperations",
                                "terminate",
                                "()V")
                        .atExit(HOOKS, "terminated", self()),
                Hook.library(
                                "reactornetty.drained",
                                Feature.LEAKS,
                                LIBRARY,
                                RECEIVE,
                                "terminateReceiver",
                                "(Ljava/util/Queue;Lreactor/core/CoreSubscriber;)V")
                        .atEntry(
                                BODIES, "closed", field("parent", "Lreactor/netty/channel/ChannelOperations;", OBJECT)),
                Hook.library(
                                "reactornetty.cancelled",
                                Feature.LEAKS,
                                LIBRARY,
                                RECEIVE,
                                "cleanQueue",
                                "(Ljava/util/Queue;)V")
                        .atEntry(
                                BODIES, "closed", field("parent", "Lreactor/netty/channel/ChannelOperations;", OBJECT)),
                Hook.library("reactornetty.pool", Feature.LEAKS, LIBRARY, PROVIDER, "createPool", null)
                        .atExit(HOOKS, "poolCreated", field("name", "Ljava/lang/String;"), returned(OBJECT)),
                Hook.library(
                                "reactornetty.acquireFailed",
                                Feature.LEAKS,
                                LIBRARY,
                                PROVIDER + "$DisposableAcquire",
                                "onError",
                                "(Ljava/lang/Throwable;)V")
                        .atEntry(
                                HOOKS,
                                "acquireFailed",
                                field("pool", "Lreactor/netty/internal/shaded/reactor/pool/InstrumentedPool;", OBJECT),
                                param(0, "Ljava/lang/Throwable;")),
                // Spring's WebClient assembles a request where the application calls retrieve(), exchange() or
                // exchangeToMono/Flux (each builds the request builder at once) but creates Reactor Netty's request
                // only
                // when subscribed, often on an event loop far from the application's code: the origin goes from the
                // builder to the request it builds (and to a filter's copy of it) and is on the thread while the
                // exchange function creates Reactor Netty's request.
                Hook.library(
                                "webclient.assemble",
                                Feature.LEAKS,
                                SPRING_LIBRARY,
                                WEBCLIENT + "DefaultWebClient$DefaultRequestBodyUriSpec",
                                "initRequestBuilder",
                                "()")
                        .atExit(HOOKS, "webAssembled", returned(OBJECT)),
                Hook.library(
                                "webclient.build",
                                Feature.LEAKS,
                                SPRING_LIBRARY,
                                WEBCLIENT + "DefaultClientRequestBuilder",
                                "build",
                                "()")
                        .atExit(HOOKS, "webBuilt", self(), returned(OBJECT)),
                Hook.library(
                                "webclient.copy",
                                Feature.LEAKS,
                                SPRING_LIBRARY,
                                WEBCLIENT + "DefaultClientRequestBuilder",
                                "<init>",
                                "(Lorg/springframework/web/reactive/function/client/ClientRequest;)V")
                        .atExit(HOOKS, "webCopied", self(), param(0)),
                Hook.library(
                                "webclient.exchange",
                                Feature.LEAKS,
                                SPRING_LIBRARY,
                                WEBCLIENT + "ExchangeFunctions$DefaultExchangeFunction",
                                "exchange",
                                "(Lorg/springframework/web/reactive/function/client/ClientRequest;)")
                        .entering(HOOKS, "webExchanging", true, param(0))
                        .atExitOrThrow(HOOKS, "webExchanged", entered()));
    }
}
