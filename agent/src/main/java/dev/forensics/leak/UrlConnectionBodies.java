package dev.forensics.leak;

import java.net.HttpURLConnection;

/**
 * {@code HttpURLConnection} and HTTPS (whose implementation delegates to the same class). The body is the
 * {@code HttpInputStream} the JDK builds once per final response: {@code getInputStream()} returns it and, for a
 * status of 400 or more, {@code getErrorStream()} returns the same object after {@code getInputStream()} threw. It is
 * tracked when built, so an error body the caller never even asked for is tracked too (the classic leak: check the
 * status, return, never read the error stream). Closed means closed, read to end of stream, all content-length bytes
 * read (the JDK then gives the connection back to keep-alive by itself), or {@code disconnect()}.
 */
final class UrlConnectionBodies {
    static final String CLIENT = "HttpURLConnection";
    private static final String EMPTY = "sun.net.www.protocol.http.EmptyInputStream";

    private final BodyTracker tracker;

    UrlConnectionBodies(BodyTracker tracker) {
        this.tracker = tracker;
    }

    /**
     * The URL is kept as the connection's own {@code java.net.URL} (immutable; the stream's connection holds it anyway)
     * and rendered only if the body is reported: {@code toExternalForm} built a new string on every response, the
     * largest agent item in this client's profile.
     */
    void body(Object stream, Object inner, Object connection) {
        if (inner == null || inner.getClass().getName().equals(EMPTY) || !(connection instanceof HttpURLConnection)) {
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
        tracker.open(stream, Origin.here(), CLIENT, status >= 400 ? "getErrorStream" : "getInputStream", status,
                c.getRequestMethod(), c.getURL(), contentLength, TrackedBody.LENGTH_COMPLETES);
    }

    /**
     * With {@code sun.net.http.errorstream.enableBuffering} the JDK copies a small error body into memory and releases
     * the connection; the stream it read from is then no longer the caller's to close.
     */
    TrackedBody errorBuffered(Object inputStream, Object errorStream) {
        return errorStream != inputStream ? tracker.close(inputStream) : null;
    }
}
