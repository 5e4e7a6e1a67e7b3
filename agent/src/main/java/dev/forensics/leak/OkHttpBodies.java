package dev.forensics.leak;

/**
 * OkHttp 4 and 5 (same internals). The tracked object is the exchange's {@code ResponseBodySource}: the response, its
 * body, {@code source()} and {@code byteStream()} all lead to it, so it stays reachable as long as any of them does.
 * Its {@code complete} runs when the body is closed, read to its end or fails, which is exactly when OkHttp releases
 * the connection. The source is created inside {@code Exchange.openResponseBody} on the same thread, so it is handed
 * over in a thread-local; for {@code enqueue} the origin is the enqueuing call, stashed by call.
 */
final class OkHttpBodies {
    private static final ClassValue<String> LABEL = new ClassValue<String>() {
        @Override
        protected String computeValue(Class<?> responseType) {
            try {
                Object v = Class.forName("okhttp3.OkHttp", false, responseType.getClassLoader()).getField("VERSION").get(null);
                return "OkHttp " + v;
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return "OkHttp";
            }
        }
    };

    private final BodyTracker tracker;
    private final IdentityStash<Origin> enqueued = new IdentityStash<>(20_000);
    private final ThreadLocal<Slot> opening = ThreadLocal.withInitial(Slot::new);

    private static final class Slot {
        Object source;
        long contentLength;
    }

    OkHttpBodies(BodyTracker tracker) {
        this.tracker = tracker;
    }

    void enqueued(Object call) {
        enqueued.put(call, Origin.here());
    }

    void opening(boolean start) {
        if (start) {
            opening.get().source = null;
        }
    }

    void sourceCreated(Object source, boolean completed, long contentLength) {
        Slot slot = opening.get();
        slot.source = completed ? null : source; // a zero-length body completes in its constructor
        slot.contentLength = contentLength;
    }

    /** Status, method and URL were read by the advice (OkHttpInstrumentation), typed. */
    void bodyOpened(Object call, Object response, int status, String method, String url) {
        Slot slot = opening.get();
        Object source = slot.source;
        slot.source = null;
        if (source == null) {
            return;
        }
        Origin origin = enqueued.remove(call);
        tracker.open(source, origin != null ? origin : Origin.here(), LABEL.get(response.getClass()), "ResponseBody", status, method,
                url == null ? null : BodyLine.intern(url), slot.contentLength, 0);
    }

    long droppedPending() {
        return enqueued.dropped();
    }
}
