package dev.forensics.instrument.urlconnection;

import static dev.forensics.instrument.Hook.Arg.OBJECT;
import static dev.forensics.instrument.Hook.Arg.field;
import static dev.forensics.instrument.Hook.Arg.param;
import static dev.forensics.instrument.Hook.Arg.returned;
import static dev.forensics.instrument.Hook.Arg.self;

import dev.forensics.bootstrap.Feature;
import dev.forensics.instrument.Hook;
import java.util.List;

/**
 * {@code HttpURLConnection} over HTTP and HTTPS: {@code HttpsURLConnectionImpl} delegates to a subclass of
 * {@code sun.net.www.protocol.http.HttpURLConnection}, so hooking that class covers both. The body is the inner
 * {@code HttpInputStream}, built once per final response (after redirects and authentication); it is what
 * {@code getInputStream()} returns and, when that threw for a status of 400 or more, what {@code getErrorStream()}
 * returns. Hooking its constructor rather than those two getters tracks an error body even when the caller never
 * asks for it, which is the leak. Its constructors take the outer connection first, then the wrapped stream. Reads
 * count bytes and see end of stream; {@code disconnect()} and the JDK's optional error-body buffering release the
 * connection without closing the stream.
 */
public final class UrlConnectionInstrumentation {
    static final String CONNECTION = "sun.net.www.protocol.http.HttpURLConnection";
    static final String STREAM = CONNECTION + "$HttpInputStream";
    private static final String BODIES = "dev/forensics/bootstrap/BodyHooks";
    private static final String HOOKS = "dev/forensics/instrument/urlconnection/UrlConnectionHooks";
    private static final String INPUT = "Ljava/io/InputStream;";

    private UrlConnectionInstrumentation() {}

    public static List<Hook> hooks() {
        return List.of(
                Hook.jdk("urlconnection.body", Feature.LEAKS, STREAM, "<init>", null)
                        .atExit(
                                HOOKS,
                                "bodyCreated",
                                self(),
                                param(1),
                                field("this$0", "Lsun/net/www/protocol/http/HttpURLConnection;", OBJECT)),
                Hook.jdk("urlconnection.read", Feature.LEAKS, STREAM, "read", "([BII)I")
                        .atExit(BODIES, "readCount", self(), returned("I")),
                Hook.jdk("urlconnection.close", Feature.LEAKS, STREAM, "close", "()V")
                        .atEntry(BODIES, "closed", self()),
                Hook.jdk("urlconnection.disconnect", Feature.LEAKS, CONNECTION, "disconnect", "()V")
                        .atEntry(BODIES, "closed", field("inputStream", INPUT, OBJECT)),
                Hook.jdk("urlconnection.getInputStream", Feature.LEAKS, CONNECTION, "getInputStream", "()")
                        .atExitOrThrow(
                                HOOKS,
                                "errorBuffered",
                                field("inputStream", INPUT, OBJECT),
                                field("errorStream", INPUT, OBJECT)));
    }
}
