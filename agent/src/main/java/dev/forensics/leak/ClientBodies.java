package dev.forensics.leak;

import dev.forensics.bootstrap.BodyHooks;
import java.util.List;
import java.util.Map;

/**
 * The leak feature's side of {@link BodyHooks}: routes each client's events to its adapter and every close to the
 * tracker. Runs on application threads, so it only updates tables; anything written happens on the watcher thread.
 */
final class ClientBodies implements BodyHooks.Listener {
    private final BodyTracker tracker;
    private final LeakWatcher watcher;
    private final JdkHttpBodies jdk;
    private final UrlConnectionBodies urlConnection;
    private final ApacheBodies apache;
    private final OkHttpBodies okhttp;

    ClientBodies(BodyTracker tracker, LeakWatcher watcher) {
        this.tracker = tracker;
        this.watcher = watcher;
        this.jdk = new JdkHttpBodies(tracker);
        this.urlConnection = new UrlConnectionBodies(tracker);
        this.apache = new ApacheBodies(tracker);
        this.okhttp = new OkHttpBodies(tracker);
    }

    @Override
    public void closed(Object body) {
        TrackedBody r = tracker.close(body);
        if (r == null) {
            r = jdk.closedAlias(body);
        }
        afterClose(r);
    }

    @Override
    public void read(Object body, long n) {
        afterClose(tracker.read(body, n));
    }

    private void afterClose(TrackedBody r) {
        if (r != null && (r.flags & TrackedBody.HELD) != 0) {
            watcher.withdrawn(r, System.nanoTime());
        }
    }

    @Override
    public void jdkExchangeStarted(Object multiExchange, Object handler) {
        jdk.exchangeStarted(multiExchange, handler);
    }

    @Override
    public Object jdkReadingBodyStarts() {
        return jdk.readingBodyStarts();
    }

    @Override
    public void jdkReadingBodyEnds(Object reading, Object exchange, Object multiExchange, Object handler, boolean bodyDone) {
        jdk.readingBodyEnds(reading, exchange, multiExchange, handler, bodyDone);
    }

    @Override
    public void jdkBodySubscriberCreated(Object subscriber, int kind) {
        jdk.subscriberCreated(subscriber, kind);
    }

    @Override
    public void jdkResponse(Object exchange, Object body, int status, Object uri, String method, Map<String, List<String>> headers) {
        jdk.response(exchange, body, status, uri, method, headers);
    }

    @Override
    public void jdkPublisherSubscribing(boolean start, Object publisher) {
        jdk.publisherSubscribing(start, publisher);
    }

    @Override
    public void jdkSubscriberRefCreated(Object subscriberRef) {
        jdk.subscriberRefCreated(subscriberRef);
    }

    @Override
    public void urlConnectionBody(Object stream, Object inner, Object connection) {
        urlConnection.body(stream, inner, connection);
    }

    @Override
    public void urlConnectionErrorBuffered(Object inputStream, Object errorStream) {
        afterClose(urlConnection.errorBuffered(inputStream, errorStream));
    }

    @Override
    public void apache5Response(Object runtime, int status, String method, String requestUri, Object targetHost, long contentLength) {
        apache.response5(runtime, status, method, requestUri, targetHost, contentLength);
    }

    @Override
    public void apache4Response(Object response, int status, String method, Object uri, Object targetHost, long contentLength) {
        apache.response4(response, status, method, uri, targetHost, contentLength);
    }

    @Override
    public void okhttpEnqueued(Object call) {
        okhttp.enqueued(call);
    }

    @Override
    public void okhttpOpening(boolean start) {
        okhttp.opening(start);
    }

    @Override
    public void okhttpSourceCreated(Object source, boolean completed, long contentLength) {
        okhttp.sourceCreated(source, completed, contentLength);
    }

    @Override
    public void okhttpBodyOpened(Object call, Object response, int status, String method, String url) {
        okhttp.bodyOpened(call, response, status, method, url);
    }

    /** Requests started whose origin waits for their response; bounded, see {@link IdentityStash}. */
    long droppedPending() {
        return jdk.droppedPending() + okhttp.droppedPending();
    }
}
