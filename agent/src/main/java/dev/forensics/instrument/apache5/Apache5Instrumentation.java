package dev.forensics.instrument.apache5;

import static dev.forensics.instrument.Hook.Arg.OBJECT;
import static dev.forensics.instrument.Hook.Arg.param;
import static dev.forensics.instrument.Hook.Arg.returned;
import static dev.forensics.instrument.Hook.Arg.self;

import dev.forensics.bootstrap.Feature;
import dev.forensics.instrument.Hook;
import java.util.List;

/**
 * Apache HttpClient 5 classic ({@code execute}, {@code executeOpen}, response handlers): every request of the
 * classic client ends in {@code MainClientExec.execute}, which returns a response that still holds its pooled
 * connection when the entity is streamed. That connection lives in the request's {@code InternalExecRuntime} and goes
 * back through {@code releaseEndpoint}, {@code discardEndpoint} or {@code cancel}, whichever way the caller closes
 * (response {@code close()}, {@code EntityUtils.consume}, entity stream read to its end or closed). The minimal client
 * ({@code HttpClients.createMinimal}) bypasses {@code MainClientExec}: its {@code doExecute} builds the same runtime and
 * entity proxy itself, so it is hooked there and released through the same runtime methods.
 */
public final class Apache5Instrumentation {
    static final String LIBRARY = "org/apache/hc/client5/http/impl/classic/MainClientExec.class";
    static final String PACKAGE = "org.apache.hc.client5.http.impl.classic.";
    private static final String BODIES = "dev/forensics/bootstrap/BodyHooks";
    private static final String HOOKS = "dev/forensics/instrument/apache5/Apache5Hooks";
    private static final String RUNTIME = PACKAGE + "InternalExecRuntime";

    private Apache5Instrumentation() {}

    public static List<Hook> hooks() {
        return List.of(
                Hook.library(
                                "apache5.execute",
                                Feature.LEAKS,
                                LIBRARY,
                                PACKAGE + "MainClientExec",
                                "execute",
                                "(Lorg/apache/hc/core5/http/ClassicHttpRequest;Lorg/apache/hc/client5/http/classic/ExecChain$Scope;Lorg/apache/hc/client5/http/classic/ExecChain;)")
                        .atExit(HOOKS, "executed", param(0), param(1), returned(OBJECT)),
                Hook.library(
                                "apache5.minimal",
                                Feature.LEAKS,
                                LIBRARY,
                                PACKAGE + "MinimalHttpClient",
                                "doExecute",
                                "(Lorg/apache/hc/core5/http/HttpHost;Lorg/apache/hc/core5/http/ClassicHttpRequest;Lorg/apache/hc/core5/http/protocol/HttpContext;)")
                        .atExit(HOOKS, "minimalExecuted", param(0), param(1), returned(OBJECT)),
                Hook.library("apache5.release", Feature.LEAKS, LIBRARY, RUNTIME, "releaseEndpoint", "()")
                        .atExitOrThrow(BODIES, "closed", self()),
                Hook.library("apache5.discard", Feature.LEAKS, LIBRARY, RUNTIME, "discardEndpoint", "()")
                        .atExitOrThrow(BODIES, "closed", self()),
                Hook.library("apache5.cancel", Feature.LEAKS, LIBRARY, RUNTIME, "cancel", "()")
                        .atExitOrThrow(BODIES, "closed", self()));
    }
}
