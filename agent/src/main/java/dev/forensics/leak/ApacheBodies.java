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

    // 5.x: ExecChain.Scope has public final fields.
    private static final Accessor SCOPE_RUNTIME = Accessor.field("execRuntime");
    private static final Accessor SCOPE_ROUTE = Accessor.field("route");
    private static final Accessor SCOPE_ORIGINAL = Accessor.field("originalRequest");
    private static final Accessor IS_ACQUIRED = Accessor.method("isEndpointAcquired");
    private static final Accessor GET_CODE = Accessor.method("getCode");
    private static final Accessor GET_REQUEST_URI = Accessor.method("getRequestUri");
    // 4.x
    private static final Accessor CONN_HOLDER = Accessor.field("connHolder");
    private static final Accessor IS_RELEASED = Accessor.method("isReleased");
    private static final Accessor STATUS_LINE = Accessor.method("getStatusLine");
    private static final Accessor STATUS_CODE = Accessor.method("getStatusCode");
    private static final Accessor GET_URI = Accessor.method("getURI");
    // both
    private static final Accessor GET_METHOD = Accessor.method("getMethod");
    private static final Accessor TARGET_HOST = Accessor.method("getTargetHost");
    private static final Accessor GET_ENTITY = Accessor.method("getEntity");
    private static final Accessor CONTENT_LENGTH = Accessor.method("getContentLength");

    private final BodyTracker tracker;

    ApacheBodies(BodyTracker tracker) {
        this.tracker = tracker;
    }

    void response5(Object request, Object scope, Object response) {
        Object runtime = SCOPE_RUNTIME.get(scope);
        if (runtime == null || !Boolean.TRUE.equals(IS_ACQUIRED.get(runtime))) {
            return;
        }
        Object original = SCOPE_ORIGINAL.get(scope);
        Object req = original != null ? original : request;
        tracker.open(runtime, Origin.here(), CLIENT5, "entity", GET_CODE.getInt(response, -1), string(GET_METHOD.get(req)),
                BodyLine.url(GET_REQUEST_URI.get(req), TARGET_HOST.get(SCOPE_ROUTE.get(scope))),
                CONTENT_LENGTH.getLong(GET_ENTITY.get(response), -1), 0);
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
