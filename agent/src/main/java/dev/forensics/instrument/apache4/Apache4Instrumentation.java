package dev.forensics.instrument.apache4;

import static dev.forensics.instrument.Hook.Arg.OBJECT;
import static dev.forensics.instrument.Hook.Arg.param;
import static dev.forensics.instrument.Hook.Arg.returned;
import static dev.forensics.instrument.Hook.Arg.self;

import dev.forensics.bootstrap.Feature;
import dev.forensics.instrument.Hook;
import java.util.List;

/**
 * Apache HttpClient 4.5: {@code MainClientExec} (and {@code MinimalClientExec} for the minimal client) returns an
 * {@code HttpResponseProxy} that keeps its pooled connection in a {@code ConnectionHolder} while the entity is
 * streamed. The holder lets go through {@code releaseConnection(boolean)} or {@code abortConnection()}, which every way
 * of closing ends in: response {@code close()}, {@code EntityUtils.consume}, the entity stream closed or read to its end.
 * Both execs share the 4.3+ signature {@code execute(HttpRoute, HttpRequestWrapper, HttpClientContext, HttpExecutionAware)}.
 */
public final class Apache4Instrumentation {
    static final String LIBRARY = "org/apache/http/impl/execchain/MainClientExec.class";
    static final String PACKAGE = "org.apache.http.impl.execchain.";
    private static final String BODIES = "dev/forensics/bootstrap/BodyHooks";
    private static final String HOOKS = "dev/forensics/instrument/apache4/Apache4Hooks";
    private static final String EXECUTE =
            "(Lorg/apache/http/conn/routing/HttpRoute;Lorg/apache/http/client/methods/HttpRequestWrapper;"
                    + "Lorg/apache/http/client/protocol/HttpClientContext;Lorg/apache/http/client/methods/HttpExecutionAware;)";

    private Apache4Instrumentation() {}

    public static List<Hook> hooks() {
        return List.of(
                Hook.library("apache4.execute", Feature.LEAKS, LIBRARY, PACKAGE + "MainClientExec", "execute", EXECUTE)
                        .atExit(HOOKS, "executed", param(0), param(1), returned(OBJECT)),
                Hook.library(
                                "apache4.executeMinimal",
                                Feature.LEAKS,
                                LIBRARY,
                                PACKAGE + "MinimalClientExec",
                                "execute",
                                EXECUTE)
                        .atExit(HOOKS, "executed", param(0), param(1), returned(OBJECT)),
                Hook.library(
                                "apache4.release",
                                Feature.LEAKS,
                                LIBRARY,
                                PACKAGE + "ConnectionHolder",
                                "releaseConnection",
                                "(Z)V")
                        .atExitOrThrow(BODIES, "closed", self()),
                Hook.library(
                                "apache4.abort",
                                Feature.LEAKS,
                                LIBRARY,
                                PACKAGE + "ConnectionHolder",
                                "abortConnection",
                                "()V")
                        .atExitOrThrow(BODIES, "closed", self()));
    }
}
