package dev.forensics.leak;

/**
 * Apache HttpClient 5 classic and 4.5. What leaks there is the pooled connection a streamed response holds until its
 * entity is consumed or the response closed; so the tracked object is the per-request connection holder
 * ({@code InternalExecRuntime} in 5, {@code ConnectionHolder} in 4), reachable from the response, its entity and the
 * entity's stream alike, and closing means releasing it: {@code close()}, {@code EntityUtils.consume}, reading the
 * entity to its end and aborting all end there. Responses whose entity was buffered released their connection before
 * the caller saw them and are not tracked.
 */
final class ApacheBodies {
    static final String CLIENT5 = "Apache HttpClient 5";
    static final String CLIENT4 = "Apache HttpClient 4";

    // 4.x: the advice reads the rest, typed (Apache4Instrumentation), but cannot name these: a private field of the
    // package-private HttpResponseProxy and a method of the package-private ConnectionHolder.
    private static final Accessor CONN_HOLDER = Accessor.field("connHolder");
    private static final Accessor IS_RELEASED = Accessor.method("isReleased");

    private final BodyTracker tracker;

    ApacheBodies(BodyTracker tracker) {
        this.tracker = tracker;
    }

    /** The advice has checked that the runtime still holds its endpoint, and read the rest. */
    void response5(Object runtime, int status, String method, String requestUri, Object targetHost, long contentLength) {
        tracker.open(runtime, Origin.here(), CLIENT5, "entity", status, method, BodyLine.url(requestUri, targetHost), contentLength, 0);
    }

    void response4(Object response, int status, String method, Object uri, Object targetHost, long contentLength) {
        Object holder = CONN_HOLDER.get(response);
        if (holder == null || !Boolean.FALSE.equals(IS_RELEASED.get(holder))) {
            return;
        }
        tracker.open(holder, Origin.here(), CLIENT4, "entity", status, method, BodyLine.url(uri, targetHost), contentLength, 0);
    }
}
