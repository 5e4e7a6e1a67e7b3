package dev.forensics.leak;

import dev.forensics.bootstrap.BodyHooks;
import java.util.List;
import java.util.Map;

/**
 * The JDK's {@code java.net.http.HttpClient}. The caller's stack exists only on the thread that called
 * {@code send}/{@code sendAsync} (where the exchange object is created), while the body subscriber and the response
 * are created later on the client's own threads. So the origin is stashed by exchange, the body subscriber the
 * handler creates is noted while {@code Exchange.readBodyAsync} runs, and both meet when the response object is
 * built, which happens before the caller can see the response: the body is tracked before it can be closed.
 * Tracked: {@code ofInputStream} (and anything built on {@code BodySubscribers.ofInputStream}), {@code ofLines} (the
 * stream's underlying input stream) and {@code ofPublisher}; handlers that buffer ({@code ofString}…) hold nothing.
 */
final class JdkHttpBodies {
    static final String CLIENT = "JDK HttpClient";

    private final BodyTracker tracker;
    /** MultiExchange → origin, from send/sendAsync on the caller's thread to the client's thread. */
    private final IdentityStash<Origin> origins = new IdentityStash<>(20_000);
    /**
     * Exchange → the body subscriber its handler created, until the response object exists, when that is built on
     * another thread (the thread's {@link Slot} carries it when the response is built right after, as is usual).
     */
    private final IdentityStash<Pending> pending = new IdentityStash<>(20_000);
    /** Handlers seen creating no closeable body (ofString, ofByteArray…): their requests need no origin. */
    private final IdentityStash<Boolean> bufferingHandlers = new IdentityStash<>(1024);
    /** A publisher's SubscriberRef → its record: cancelling a subscription is seen only on that object. */
    private final IdentityStash<TrackedBody> subscriberRefs = new IdentityStash<>(20_000);
    private final ThreadLocal<Slot> reading = ThreadLocal.withInitial(Slot::new);

    private static final class Slot {
        boolean active;
        Object subscriber;
        int kind; // BodyHooks.JDK_INPUT_STREAM or JDK_PUBLISHER, with the subscriber
        Object publisher;
        /** The exchange whose response this thread builds next, and its pending body; null when none. */
        Object nextExchange;
        Pending next;
    }

    private static final class Pending {
        final Object subscriber;
        final int kind;
        final Origin origin;

        Pending(Object subscriber, int kind, Origin origin) {
            this.subscriber = subscriber;
            this.kind = kind;
            this.origin = origin;
        }
    }

    JdkHttpBodies(BodyTracker tracker) {
        this.tracker = tracker;
    }

    void exchangeStarted(Object multiExchange, Object handler) {
        if (handler != null && bufferingHandlers.get(handler) != null) {
            // ofString, ofByteArray…: nothing to stash; should it create a closeable body after all, readingBody
            // takes its origin there
            return;
        }
        origins.put(multiExchange, Origin.here());
    }

    /** {@code readBodyAsync} starts: returns this thread's slot, which its end is handed back as {@code started}. */
    Object readingBodyStarts() {
        Slot slot = reading.get();
        slot.active = true;
        slot.subscriber = null;
        slot.nextExchange = null; // a response that was not built after all (its thenApply failed)
        slot.next = null;
        return slot;
    }

    /**
     * {@code bodyDone}: the future {@code readBodyAsync} returned was complete, so MultiExchange's {@code thenApply}
     * builds the response on this thread as soon as it returns: the pending body waits in this thread's slot, not in
     * the shared stash that two threads would otherwise write per request.
     */
    void readingBodyEnds(Object started, Object exchange, Object multiExchange, Object handler, boolean bodyDone) {
        Slot slot = (Slot) started; // never null: BodyHooks skips the end when the start returned none
        Object subscriber = slot.subscriber;
        slot.active = false;
        slot.subscriber = null;
        Origin origin = origins.remove(multiExchange);
        if (subscriber == null) {
            if (handler != null && bufferingHandlers.get(handler) == null) {
                bufferingHandlers.put(handler, Boolean.TRUE);
            }
            return;
        }
        if (handler != null) {
            bufferingHandlers.remove(handler); // it can create closeable bodies after all: sample its stacks again
        }
        // Without a stashed origin (a handler that buffered before, or a full stash) the caller's stack is gone: this
        // is the client's own thread, whose frames would only name the JDK.
        Pending p = new Pending(subscriber, slot.kind, origin != null ? origin : Origin.withoutStack());
        if (bodyDone) {
            slot.nextExchange = exchange;
            slot.next = p;
        } else {
            pending.put(exchange, p);
        }
    }

    void subscriberCreated(Object subscriber, int kind) {
        Slot slot = reading.get();
        if (slot.active && slot.subscriber == null) {
            slot.subscriber = subscriber;
            slot.kind = kind;
        }
    }

    void response(Object exchange, Object body, int status, Object uri, String method, Map<String, List<String>> headers) {
        Slot slot = reading.get();
        Pending p;
        if (slot.nextExchange == exchange) { // both null: next is null too, as the stash would answer
            p = slot.next;
            slot.nextExchange = null;
            slot.next = null;
        } else {
            p = pending.remove(exchange);
        }
        if (p == null) {
            return;
        }
        String kind;
        int flags = 0;
        if (p.kind == BodyHooks.JDK_PUBLISHER) {
            kind = "ofPublisher";
        } else {
            kind = body == p.subscriber ? "ofInputStream" : body instanceof java.util.stream.BaseStream ? "ofLines" : "ofInputStream, mapped";
            flags = TrackedBody.LENGTH_COMPLETES;
        }
        tracker.open(p.subscriber, p.origin, CLIENT, kind, status, method,
                BodyLine.intern(uri == null ? null : uri.toString()), contentLength(headers), flags);
    }

    void publisherSubscribing(boolean start, Object publisher) {
        reading.get().publisher = start ? publisher : null;
    }

    /**
     * Created inside the publisher's {@code subscribe}, before the subscriber sees anything: the one object both a
     * completion and a cancellation clear, so it stands for the publisher from here on.
     */
    void subscriberRefCreated(Object subscriberRef) {
        Object publisher = reading.get().publisher;
        TrackedBody r = publisher == null ? null : tracker.find(publisher);
        if (r != null) {
            subscriberRefs.put(subscriberRef, r);
        }
    }

    /** A close the tracker did not recognise may be a publisher's subscription ending. */
    TrackedBody closedAlias(Object maybeSubscriberRef) {
        if (subscriberRefs.size() == 0) {
            return null;
        }
        TrackedBody r = subscriberRefs.remove(maybeSubscriberRef);
        return r != null && tracker.closeRecord(r) ? r : null;
    }

    /** The response's content-length, or -1 (the JDK's header map compares names case-insensitively). */
    private static long contentLength(Map<String, List<String>> headers) {
        List<String> values = headers == null ? null : headers.get("content-length");
        String first = values == null || values.isEmpty() ? null : values.get(0);
        if (first == null) {
            return -1;
        }
        try {
            return Long.parseLong(first.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    int pendingCount() {
        return origins.size() + pending.size();
    }

    long droppedPending() {
        return origins.dropped() + pending.dropped() + subscriberRefs.dropped();
    }
}
