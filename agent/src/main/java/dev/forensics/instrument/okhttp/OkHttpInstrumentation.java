package dev.forensics.instrument.okhttp;

import static dev.forensics.instrument.Hook.Arg.OBJECT;
import static dev.forensics.instrument.Hook.Arg.field;
import static dev.forensics.instrument.Hook.Arg.param;
import static dev.forensics.instrument.Hook.Arg.returned;
import static dev.forensics.instrument.Hook.Arg.self;

import dev.forensics.bootstrap.Feature;
import dev.forensics.instrument.Hook;
import java.util.List;

/**
 * OkHttp 4 and 5 ({@code okhttp} / {@code okhttp-jvm}), whose internals have the same names: every response body is
 * opened by {@code Exchange.openResponseBody}, which wraps the connection's stream in a {@code ResponseBodySource};
 * that source's {@code complete} runs when the body is closed, read to its end or fails, and releases the connection.
 * {@code RealCall.enqueue} is hooked only to remember the asynchronous caller, whose response arrives on a dispatcher
 * thread.
 */
public final class OkHttpInstrumentation {
    static final String LIBRARY = "okhttp3/internal/connection/Exchange.class";
    static final String EXCHANGE = "okhttp3.internal.connection.Exchange";
    static final String SOURCE = EXCHANGE + "$ResponseBodySource";
    private static final String BODIES = "dev/forensics/bootstrap/BodyHooks";
    private static final String HOOKS = "dev/forensics/instrument/okhttp/OkHttpHooks";

    private OkHttpInstrumentation() {}

    public static List<Hook> hooks() {
        return List.of(
                Hook.library(
                                "okhttp.enqueue",
                                Feature.LEAKS,
                                LIBRARY,
                                "okhttp3.internal.connection.RealCall",
                                "enqueue",
                                "(Lokhttp3/Callback;)")
                        .atEntry(HOOKS, "enqueued", self()),
                Hook.library(
                                "okhttp.openBody",
                                Feature.LEAKS,
                                LIBRARY,
                                EXCHANGE,
                                "openResponseBody",
                                "(Lokhttp3/Response;)")
                        .entering(HOOKS, "opening", false)
                        .atExit(
                                HOOKS,
                                "bodyOpened",
                                field("call", "Lokhttp3/internal/connection/RealCall;", OBJECT),
                                param(0)),
                Hook.library("okhttp.source", Feature.LEAKS, LIBRARY, SOURCE, "<init>", null)
                        .atExit(HOOKS, "sourceCreated", self(), field("completed", "Z"), field("contentLength", "J")),
                Hook.library("okhttp.read", Feature.LEAKS, LIBRARY, SOURCE, "read", "(Lokio/Buffer;J)J")
                        .atExit(BODIES, "read", self(), returned("J")),
                Hook.library("okhttp.complete", Feature.LEAKS, LIBRARY, SOURCE, "complete", "(Ljava/io/IOException;)")
                        .atEntry(BODIES, "closed", self()));
    }
}
