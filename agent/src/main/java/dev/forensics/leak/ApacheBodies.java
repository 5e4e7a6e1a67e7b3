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

    // 4.x (5.x is read by its advice, typed: Apache5Instrumentation)
    private static final Accessor CONN_HOLDER = Accessor.field("connHolder");
    private static final Accessor IS_RELEASED = Accessor.method("isReleased");
    private static final Accessor STATUS_LINE = Accessor.method("getStatusLine");
    private static final Accessor STATUS_CODE = Accessor.method("getStatusCode");
    private static final Accessor GET_URI = Accessor.method("getURI");
    private static final Accessor GET_METHOD = Accessor.method("getMethod");
    private static final Accessor TARGET_HOST = Accessor.method("getTargetHost");
    private static final Accessor GET_ENTITY = Accessor.method("getEntity");
    private static final Accessor CONTENT_LENGTH = Accessor.method("getContentLength");

    private final BodyTracker tracker;

    ApacheBodies(BodyTracker tracker) {
        this.tracker = tracker;
    }

    /** The advice has checked that the runtime still holds its endpoint, and read the rest. */
    void response5(Object runtime, int status, String method, String requestUri, Object targetHost, long contentLength) {
        tracker.open(runtime, Origin.here(), CLIENT5, "entity", status, method, BodyLine.url(requestUri, targetHost), contentLength, 0);
    }

    void response4(Object route, Object request, Object response) {
        Object holder = CONN_HOLDER.get(response);
        if (holder == null || !Boolean.FALSE.equals(IS_RELEASED.get(holder))) {
            return;
        }
        tracker.open(holder, Origin.here(), CLIENT4, "entity", STATUS_CODE.getInt(STATUS_LINE.get(response), -1),
                string(GET_METHOD.get(request)), BodyLine.url(GET_URI.get(request), TARGET_HOST.get(route)),
                CONTENT_LENGTH.getLong(GET_ENTITY.get(response), -1), 0);
    }

    private static String string(Object o) {
        return o instanceof String ? (String) o : null;
    }
}
