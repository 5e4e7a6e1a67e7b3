package dev.forensics.instrument.urlconnection;

import dev.forensics.bootstrap.AdviceErrors;
import dev.forensics.bootstrap.BodyHooks;
import dev.forensics.bootstrap.Feature;
import dev.forensics.bootstrap.Reentry;
import java.net.HttpURLConnection;

/**
 * {@code HttpURLConnection} and HTTPS (whose implementation delegates to the same class), adapted to the tracker.
 * The body is the {@code HttpInputStream} the JDK builds once per final response: {@code getInputStream()} returns it
 * and, for a status of 400 or more, {@code getErrorStream()} returns the same object after {@code getInputStream()}
 * threw. It is tracked when built, so an error body the caller never even asked for is tracked too (the classic leak:
 * check the status, return, never read the error stream). Closed means closed, read to end of stream, all
 * content-length bytes read (the JDK then gives the connection back to keep-alive by itself), or {@code disconnect()}.
 */
public final class UrlConnectionHooks {
    static final String CLIENT = "HttpURLConnection";
    private static final String EMPTY = "sun.net.www.protocol.http.EmptyInputStream";

    private UrlConnectionHooks() {}

    /**
     * The URL is kept as the connection's own {@code java.net.URL} (immutable; the stream's connection holds it anyway)
     * and rendered only if the body is reported: {@code toExternalForm} built a new string on every response, the
     * largest agent item in this client's profile. Guarded against re-entry: the getters below run the connection's
     * own code.
     */
    public static void bodyCreated(Object stream, Object inner, Object connection) {
        BodyHooks.Tracker t = BodyHooks.tracker();
        if (t == null || !Reentry.enter(Feature.LEAKS)) {
            return;
        }
        try {
            if (inner == null
                    || inner.getClass().getName().equals(EMPTY)
                    || !(connection instanceof HttpURLConnection)) {
                return; // HEAD, 204, 304 or an empty body: the JDK released the connection already
            }
            HttpURLConnection c = (HttpURLConnection) connection;
            int status;
            long contentLength;
            try {
                status = c.getResponseCode(); // the field, already parsed at this point
                contentLength = c.getHeaderFieldLong("content-length", -1);
            } catch (Exception e) {
                status = -1;
                contentLength = -1;
            }
            t.open(
                    stream,
                    t.origin(),
                    CLIENT,
                    status >= 400 ? "getErrorStream" : "getInputStream",
                    status,
                    c.getRequestMethod(),
                    c.getURL(),
                    contentLength,
                    BodyHooks.LENGTH_COMPLETES);
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        } finally {
            Reentry.exit(Feature.LEAKS);
        }
    }

    /**
     * With {@code sun.net.http.errorstream.enableBuffering} the JDK copies a small error body into memory and releases
     * the connection; the stream it read from is then no longer the caller's to close.
     */
    public static void errorBuffered(Object inputStream, Object errorStream) {
        if (inputStream != null && errorStream != null && errorStream != inputStream) {
            BodyHooks.closed(inputStream);
        }
    }
}
