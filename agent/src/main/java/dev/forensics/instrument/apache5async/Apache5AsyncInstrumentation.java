package dev.forensics.instrument.apache5async;

import static dev.forensics.instrument.Hook.Arg.OBJECT;
import static dev.forensics.instrument.Hook.Arg.field;
import static dev.forensics.instrument.Hook.Arg.param;
import static dev.forensics.instrument.Hook.Arg.self;

import dev.forensics.bootstrap.Feature;
import dev.forensics.instrument.Hook;
import java.util.List;

/**
 * Apache HttpClient 5 async ({@code HttpAsyncClients.createDefault/custom/createMinimal}, and the classic facade
 * {@code HttpAsyncClients.classic} over them). An async response holds its pooled connection from the moment its head
 * is handed to the application's {@code AsyncResponseConsumer} until the body has streamed to its end, and the body
 * streams only as fast as the consumer grants capacity: a consumer that stops asking (a classic-facade stream never
 * read or closed, a reactive {@code Publisher} never subscribed, a streaming consumer whose reader went away) holds the
 * connection for as long as the socket timeout allows. Consumers that buffer ({@code SimpleResponseConsumer}, the
 * basic and the abstract bin/char consumers) always grant capacity and release it by themselves.
 *
 * <p>Default and custom clients: the head reaches the consumer in {@code InternalAbstractHttpAsyncClient}'s exec
 * callback, an anonymous class: {@code $2} in 5.5, the version the tests run (5.6 has the same source; 5.1 nests it as
 * {@code $1$3}). Where it is not {@code $2} the self-check reports the hook missing rather than tracking nothing in
 * silence. Its captured runtime releases the connection through {@code releaseEndpoint} or {@code discardEndpoint};
 * the request it answers is the one the main exec sent last on that runtime (the context the callback captured is
 * null for some producers, the classic facade's among them). The HTTP/2 clients ({@code createHttp2Default}) share the
 * callback and have their runtime's release hooked too, but no test drives them (the loopback server speaks HTTP/1.1).
 * The minimal client wraps the consumer in httpcore's named {@code BasicClientExchangeHandler}, which sees the end of
 * the stream, its failure or cancellation. Both remember the caller's origin in {@code doExecute}, on the caller's
 * thread, since the head arrives on an I/O dispatcher thread.
 */
public final class Apache5AsyncInstrumentation {
    static final String LIBRARY = "org/apache/hc/client5/http/impl/async/InternalAbstractHttpAsyncClient.class";
    static final String CORE = "org/apache/hc/core5/http/nio/support/BasicClientExchangeHandler.class";
    static final String PACKAGE = "org.apache.hc.client5.http.impl.async.";
    private static final String CLIENT = PACKAGE + "InternalAbstractHttpAsyncClient";
    private static final String EXCHANGE = "org.apache.hc.core5.http.nio.support.BasicClientExchangeHandler";
    private static final String BODIES = "dev/forensics/bootstrap/BodyHooks";
    private static final String HOOKS = "dev/forensics/instrument/apache5async/Apache5AsyncHooks";
    private static final String DO_EXECUTE =
            "(Lorg/apache/hc/core5/http/HttpHost;Lorg/apache/hc/core5/http/nio/AsyncRequestProducer;"
                    + "Lorg/apache/hc/core5/http/nio/AsyncResponseConsumer;Lorg/apache/hc/core5/http/nio/HandlerFactory;"
                    + "Lorg/apache/hc/core5/http/protocol/HttpContext;Lorg/apache/hc/core5/concurrent/FutureCallback;)";
    private static final String MAIN_EXEC =
            "(Lorg/apache/hc/core5/http/HttpRequest;Lorg/apache/hc/core5/http/nio/AsyncEntityProducer;"
                    + "Lorg/apache/hc/client5/http/async/AsyncExecChain$Scope;Lorg/apache/hc/client5/http/async/AsyncExecChain;"
                    + "Lorg/apache/hc/client5/http/async/AsyncExecCallback;)";
    private static final String CONSUMER = "Lorg/apache/hc/core5/http/nio/AsyncResponseConsumer;";

    private Apache5AsyncInstrumentation() {}

    public static List<Hook> hooks() {
        return List.of(
                // Default and custom clients (HTTP/1.1 and HTTP/2 alike).
                Hook.library("apache5.async.execute", Feature.LEAKS, LIBRARY, CLIENT, "doExecute", DO_EXECUTE)
                        .atEntry(HOOKS, "executing", param(2)),
                // The request as sent (the last of a redirect chain), by the runtime that will hold its response.
                Hook.library(
                                "apache5.async.send",
                                Feature.LEAKS,
                                LIBRARY,
                                PACKAGE + "HttpAsyncMainClientExec",
                                "execute",
                                MAIN_EXEC)
                        .atEntry(HOOKS, "sending", param(0), param(2)),
                Hook.library(
                                "apache5.async.h2send",
                                Feature.LEAKS,
                                LIBRARY,
                                PACKAGE + "H2AsyncMainClientExec",
                                "execute",
                                MAIN_EXEC)
                        .atEntry(HOOKS, "sending", param(0), param(2)),
                // At entry, before the consumer sees the head: the application may close the body on its own thread
                // as soon as it has, which releases the connection.
                Hook.library(
                                "apache5.async.response",
                                Feature.LEAKS,
                                LIBRARY,
                                CLIENT + "$2",
                                "handleResponse",
                                "(Lorg/apache/hc/core5/http/HttpResponse;Lorg/apache/hc/core5/http/EntityDetails;)")
                        .atEntry(
                                HOOKS,
                                "responding",
                                field("val$responseConsumer", CONSUMER, OBJECT),
                                field("val$execRuntime", "Lorg/apache/hc/client5/http/async/AsyncExecRuntime;", OBJECT),
                                param(0),
                                param(1)),
                Hook.library(
                                "apache5.async.release",
                                Feature.LEAKS,
                                LIBRARY,
                                PACKAGE + "InternalHttpAsyncExecRuntime",
                                "releaseEndpoint",
                                "()")
                        .atExitOrThrow(BODIES, "closed", self()),
                Hook.library(
                                "apache5.async.discard",
                                Feature.LEAKS,
                                LIBRARY,
                                PACKAGE + "InternalHttpAsyncExecRuntime",
                                "discardEndpoint",
                                "()")
                        .atExitOrThrow(BODIES, "closed", self()),
                Hook.library(
                                "apache5.async.h2release",
                                Feature.LEAKS,
                                LIBRARY,
                                PACKAGE + "InternalH2AsyncExecRuntime",
                                "releaseEndpoint",
                                "()")
                        .atExitOrThrow(BODIES, "closed", self()),
                Hook.library(
                                "apache5.async.h2discard",
                                Feature.LEAKS,
                                LIBRARY,
                                PACKAGE + "InternalH2AsyncExecRuntime",
                                "discardEndpoint",
                                "()")
                        .atExitOrThrow(BODIES, "closed", self()),
                // Minimal client: the exchange handler wrapping the consumer is the tracked body.
                Hook.library(
                                "apache5.async.minimalExecute",
                                Feature.LEAKS,
                                LIBRARY,
                                PACKAGE + "AbstractMinimalHttpAsyncClientBase",
                                "doExecute",
                                DO_EXECUTE)
                        .atEntry(HOOKS, "executing", param(2)),
                Hook.library(
                                "apache5.async.minimalResponse",
                                Feature.LEAKS,
                                CORE,
                                EXCHANGE,
                                "consumeResponse",
                                "(Lorg/apache/hc/core5/http/HttpResponse;Lorg/apache/hc/core5/http/EntityDetails;Lorg/apache/hc/core5/http/protocol/HttpContext;)")
                        .atEntry(
                                HOOKS,
                                "minimalResponding",
                                field("responseConsumer", CONSUMER, OBJECT),
                                self(),
                                param(2),
                                param(0),
                                param(1)),
                Hook.library(
                                "apache5.async.minimalEnd",
                                Feature.LEAKS,
                                CORE,
                                EXCHANGE,
                                "streamEnd",
                                "(Ljava/util/List;)")
                        .atEntry(BODIES, "closed", self()),
                Hook.library(
                                "apache5.async.minimalFailed",
                                Feature.LEAKS,
                                CORE,
                                EXCHANGE,
                                "failed",
                                "(Ljava/lang/Exception;)")
                        .atEntry(BODIES, "closed", self()),
                Hook.library("apache5.async.minimalCancel", Feature.LEAKS, CORE, EXCHANGE, "cancel", "()")
                        .atEntry(BODIES, "closed", self()),
                Hook.library("apache5.async.minimalRelease", Feature.LEAKS, CORE, EXCHANGE, "releaseResources", "()")
                        .atEntry(BODIES, "closed", self()));
    }
}
