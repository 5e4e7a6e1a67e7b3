package dev.forensics.instrument.apache4;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.forensics.bootstrap.BodyHooks;
import dev.forensics.bootstrap.Feature;
import dev.forensics.instrument.Hook;
import java.util.List;
import net.bytebuddy.asm.Advice;
import org.apache.http.HttpEntity;
import org.apache.http.StatusLine;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpUriRequest;
import org.apache.http.conn.routing.HttpRoute;

/**
 * Apache HttpClient 4.5: {@code MainClientExec} (and {@code MinimalClientExec} for the minimal client) returns an
 * {@code HttpResponseProxy} that keeps its pooled connection in a {@code ConnectionHolder} while the entity is
 * streamed. The holder lets go through {@code releaseConnection(boolean)} or {@code abortConnection()}, which every way
 * of closing ends in: response {@code close()}, {@code EntityUtils.consume}, the entity stream closed or read to its end.
 */
public final class Apache4Instrumentation {
    static final String LIBRARY = "org/apache/http/impl/execchain/MainClientExec.class";
    static final String PACKAGE = "org.apache.http.impl.execchain.";

    private Apache4Instrumentation() {}

    public static List<Hook> hooks() {
        return List.of(
                Hook.library("apache4.execute", Feature.LEAKS, LIBRARY, PACKAGE + "MainClientExec", named("execute").and(takesArguments(4)), ExecuteAdvice.class),
                Hook.library("apache4.executeMinimal", Feature.LEAKS, LIBRARY, PACKAGE + "MinimalClientExec", named("execute").and(takesArguments(4)), ExecuteAdvice.class),
                Hook.library("apache4.release", Feature.LEAKS, LIBRARY, PACKAGE + "ConnectionHolder",
                        named("releaseConnection").and(takesArguments(1)).or(named("abortConnection").and(takesArguments(0))), ReleaseAdvice.class));
    }

    /**
     * Typed, as for Apache 5: inlined into {@code MainClientExec}, whose loader links the library, the advice reads the
     * status, method, URI, target host and length through the public 4.3+ API ({@code execute(HttpRoute,
     * HttpRequestWrapper, HttpClientContext, HttpExecutionAware)}). Only the response's connection holder stays a
     * reflective read in the hook: it is a private field of a package-private class.
     */
    public static class ExecuteAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Argument(0) HttpRoute route, @Advice.Argument(1) HttpUriRequest request,
                         @Advice.Return CloseableHttpResponse response) {
            if (response != null && BodyHooks.tracking()) {
                StatusLine status = response.getStatusLine();
                HttpEntity entity = response.getEntity();
                BodyHooks.apache4Response(response, status == null ? -1 : status.getStatusCode(), request == null ? null : request.getMethod(),
                        request == null ? null : request.getURI(), route == null ? null : route.getTargetHost(),
                        entity == null ? -1 : entity.getContentLength());
            }
        }
    }

    public static class ReleaseAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.This Object holder) {
            BodyHooks.closed(holder);
        }
    }
}
