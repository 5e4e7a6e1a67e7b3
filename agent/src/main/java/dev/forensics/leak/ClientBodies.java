package dev.forensics.leak;

import dev.forensics.bootstrap.BodyHooks;

/**
 * The leak feature's side of {@link BodyHooks}: what every client's adapter (under {@code instrument/}) calls, in
 * client-neutral terms. Runs on application threads, so it only updates tables; anything written happens on the
 * watcher thread.
 */
final class ClientBodies implements BodyHooks.Tracker {
    private final BodyTracker tracker;
    private final LeakWatcher watcher;
    private final Shapes shapes;

    ClientBodies(BodyTracker tracker, LeakWatcher watcher, Shapes shapes) {
        this.tracker = tracker;
        this.watcher = watcher;
        this.shapes = shapes;
    }

    @Override
    public Object origin() {
        return Origin.here();
    }

    @Override
    public Object originForLater() {
        return Origin.forLater(shapes);
    }

    @Override
    public Object originWithoutStack() {
        return Origin.withoutStack();
    }

    @Override
    public Object open(
            Object body,
            Object origin,
            String client,
            String kind,
            int status,
            String method,
            Object url,
            long contentLength,
            int flags) {
        int own = (flags & BodyHooks.LENGTH_COMPLETES) != 0 ? TrackedBody.LENGTH_COMPLETES : 0;
        Origin o = (Origin) origin;
        // An origin taken right here (not for later) is still on the caller's stack: a new shape's body takes it now.
        if (o.stack == null && !o.deferred && Origin.mayForce() && shapes.wantStack(client, method, url, status)) {
            o = o.withStackNow();
        }
        return tracker.open(body, o, client, kind, status, method, url, contentLength, own);
    }

    @Override
    public Object find(Object body) {
        return tracker.find(body);
    }

    @Override
    public boolean closeRecord(Object record) {
        TrackedBody r = (TrackedBody) record;
        if (!tracker.closeRecord(r)) {
            return false;
        }
        afterClose(r);
        return true;
    }

    @Override
    public void closed(Object body) {
        afterClose(tracker.close(body));
    }

    @Override
    public void read(Object body, long n) {
        afterClose(tracker.read(body, n));
    }

    @Override
    public String intern(String url) {
        return BodyLine.intern(url);
    }

    @Override
    public String url(Object target, Object host) {
        return BodyLine.url(target, host);
    }

    @Override
    public void poolRefused(String client, String pool, String refusal) {
        watcher.poolRefused(client, pool, refusal);
    }

    private void afterClose(TrackedBody r) {
        if (r != null && (r.flags & TrackedBody.HELD) != 0) {
            watcher.withdrawn(r, System.nanoTime());
        }
    }

    /** Requests started whose origin waits for their response; bounded, see {@code IdentityStash}. */
    long droppedPending() {
        return BodyHooks.droppedPending();
    }
}
