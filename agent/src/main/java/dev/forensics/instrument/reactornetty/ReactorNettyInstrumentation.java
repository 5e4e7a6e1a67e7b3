package dev.forensics.instrument.reactornetty;

import static dev.forensics.instrument.Hook.Arg.OBJECT;
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
 * until the response is collected (GC-confirmed). The origin is taken where a subscription creates the request's
 * {@code HttpClientHandler} (the caller's thread for {@code block()}) and meets the response in
 * {@code requestWithBody}. The pool's refusals ({@code PoolAcquirePendingLimitException},
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
    private static final String BODIES = "dev/forensics/bootstrap/BodyHooks";
    private static final String HOOKS = "dev/forensics/instrument/reactornetty/ReactorNettyHooks";

    private ReactorNettyInstrumentation() {}

    public static List<Hook> hooks() {
        return List.of(
                Hook.library("reactornetty.subscribe", Feature.LEAKS, LIBRARY, HANDLER, "<init>", null)
                        .atExit(HOOKS, "subscribed", self(), field("handler", "Ljava/util/function/BiFunction;", OBJECT)),
                Hook.library("reactornetty.request", Feature.LEAKS, LIBRARY, HANDLER, "requestWithBody",
                                "(Lreactor/netty/http/client/HttpClientOperations;)")
                        .atEntry(HOOKS, "requesting", self(), param(0)),
                Hook.library("reactornetty.response", Feature.LEAKS, LIBRARY, OPERATIONS, "setNettyResponse",
                                "(Lio/netty/handler/codec/http/HttpResponse;)V")
                        .atExit(HOOKS, "responseReceived", self(), param(0),
                                field("nettyRequest", "Lio/netty/handler/codec/http/HttpRequest;", OBJECT),
                                field("resourceUrl", "Ljava/lang/String;")),
                // Runs for every channel operation, server ones too: one lookup while anything is tracked, else a read.
                Hook.library("reactornetty.terminate", Feature.LEAKS, LIBRARY, "reactor.netty.channel.ChannelOperations", "terminate", "()V")
                        .atExit(HOOKS, "terminated", self()),
                Hook.library("reactornetty.drained", Feature.LEAKS, LIBRARY, RECEIVE, "terminateReceiver",
                                "(Ljava/util/Queue;Lreactor/core/CoreSubscriber;)V")
                        .atEntry(BODIES, "closed", field("parent", "Lreactor/netty/channel/ChannelOperations;", OBJECT)),
                Hook.library("reactornetty.cancelled", Feature.LEAKS, LIBRARY, RECEIVE, "cleanQueue", "(Ljava/util/Queue;)V")
                        .atEntry(BODIES, "closed", field("parent", "Lreactor/netty/channel/ChannelOperations;", OBJECT)),
                Hook.library("reactornetty.pool", Feature.LEAKS, LIBRARY, PROVIDER, "createPool", null)
                        .atExit(HOOKS, "poolCreated", field("name", "Ljava/lang/String;"), returned(OBJECT)),
                Hook.library("reactornetty.acquireFailed", Feature.LEAKS, LIBRARY, PROVIDER + "$DisposableAcquire", "onError",
                                "(Ljava/lang/Throwable;)V")
                        .atEntry(HOOKS, "acquireFailed",
                                field("pool", "Lreactor/netty/internal/shaded/reactor/pool/InstrumentedPool;", OBJECT), param(0, "Ljava/lang/Throwable;")));
    }
}
