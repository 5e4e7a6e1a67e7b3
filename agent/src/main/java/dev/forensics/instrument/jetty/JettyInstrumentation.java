package dev.forensics.instrument.jetty;

import static dev.forensics.instrument.Hook.Arg.entered;
import static dev.forensics.instrument.Hook.Arg.field;
import static dev.forensics.instrument.Hook.Arg.param;
import static dev.forensics.instrument.Hook.Arg.self;

import dev.forensics.bootstrap.Feature;
import dev.forensics.instrument.Hook;
import java.util.List;

/**
 * Jetty 12's HttpClient ({@code jetty-client}), streamed bodies: an {@code InputStreamResponseListener} handed to
 * {@code Request.send(listener)} (as Spring's {@code JettyClientHttpRequestFactory} does) queues each content chunk
 * and asks for the next only once the caller has read it, so a response whose stream is never read to its end nor
 * closed holds its connection until the idle timeout aborts the exchange. The listener is tracked from its response
 * headers on and counts as closed when {@code close()} runs (closing its stream calls it) or {@code onSuccess} does,
 * which Jetty calls only after the last chunk was read, or {@code onFailure} does for any failure but a timeout:
 * {@code response.abort(cause)} is how Jetty's own documentation drops an unwanted body, while an idle or total timeout
 * is Jetty reclaiming a body the caller abandoned. {@code HttpRequest.send} is hooked only to remember the caller,
 * whose headers arrive on a Jetty thread.
 * A buffered {@code ContentResponse} ({@code send()}, {@code BufferingResponseListener}) holds no connection and is
 * not tracked; neither are bodies read through a {@code Response.ContentSourceListener}, which hands the caller a
 * {@code Content.Source} rather than a stream.
 */
public final class JettyInstrumentation {
    static final String LIBRARY = "org/eclipse/jetty/client/InputStreamResponseListener.class";
    static final String LISTENER = "org.eclipse.jetty.client.InputStreamResponseListener";
    private static final String BODIES = "dev/forensics/bootstrap/BodyHooks";
    private static final String HOOKS = "dev/forensics/instrument/jetty/JettyHooks";
    private static final String RESPONSE = "(Lorg/eclipse/jetty/client/Response;)V";

    private JettyInstrumentation() {}

    public static List<Hook> hooks() {
        return List.of(
                Hook.library(
                                "jetty.send",
                                Feature.LEAKS,
                                LIBRARY,
                                "org.eclipse.jetty.client.transport.HttpRequest",
                                "send",
                                "(Lorg/eclipse/jetty/client/Response$CompleteListener;)V")
                        .atEntry(HOOKS, "sending", param(0)),
                // Tracked on entry: onHeaders releases the caller's get(), which may close the listener at once.
                Hook.library("jetty.headers", Feature.LEAKS, LIBRARY, LISTENER, "onHeaders", RESPONSE)
                        .entering(HOOKS, "headers", true, self(), param(0), field("closed", "Z"))
                        .atExit(HOOKS, "headersDelivered", entered(), field("closed", "Z")),
                Hook.library("jetty.success", Feature.LEAKS, LIBRARY, LISTENER, "onSuccess", RESPONSE)
                        .atEntry(BODIES, "closed", self()),
                Hook.library("jetty.close", Feature.LEAKS, LIBRARY, LISTENER, "close", "()V")
                        .atEntry(BODIES, "closed", self()),
                Hook.library(
                                "jetty.failure",
                                Feature.LEAKS,
                                LIBRARY,
                                LISTENER,
                                "onFailure",
                                "(Lorg/eclipse/jetty/client/Response;Ljava/lang/Throwable;)V")
                        .atEntry(HOOKS, "failed", self(), param(1)));
    }
}
