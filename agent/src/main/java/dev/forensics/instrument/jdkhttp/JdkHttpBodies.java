package dev.forensics.instrument.jdkhttp;

import dev.forensics.bootstrap.BodyHooks;
import dev.forensics.bootstrap.IdentityStash;
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

    /** MultiExchange → origin, from send/sendAsync on the caller's thread to the client's thread. */
    private final IdentityStash<Object> origins = BodyHooks.pendingTable(20_000);
    /**
     * Exchange → the body subscriber its handler created, until the response object exists, when that is built on
     * another thread (the thread's {@link Slot} carries it when the response is built right after, as is usual).
     */
    private final IdentityStash<Pending> pending = BodyHooks.pendingTable(20_000);
    /** Handlers seen creating no closeable body (ofString, ofByteArray…): their requests need no origin. */
    private final IdentityStash<Boolean> bufferingHandlers = new IdentityStash<>(1024);
    /** A publisher's SubscriberRef → its record: cancelling a subscription is seen only on that object. */
    private final IdentityStash<Object> subscriberRefs = BodyHooks.pendingTable(20_000);

    private final ThreadLocal<Slot> reading = ThreadLocal.withInitial(Slot::new);

    private static final class Slot {
        boolean active;
        Object subscriber;
        int kind; // INPUT_STREAM or PUBLISHER, with the subscriber
        Object publisher;
        /** The exchange whose response this thread builds next, and its pending body; null when none. */
        Object nextExchange;

        Pending next;
    }

    private static final class Pending {
        final Object subscriber;
        final int kind;
        final Object origin;

        Pending(Object subscriber, int kind, Object origin) {
            this.subscriber = subscriber;
            this.kind = kind;
            this.origin = origin;
        }
    }

    /** The closeable body subscribers, named by the hook on each one's constructor. */
    static final int INPUT_STREAM = 1;

    static final int PUBLISHER = 2;

    void exchangeStarted(BodyHooks.Tracker tracker, Object multiExchange, Object handler) {
        if (handler != null && bufferingHandlers.get(handler) != null) {
            // ofString, ofByteArray…: nothing to stash; should it create a closeable body after all, readingBody
            // takes its origin there
            return;
        }
        origins.put(multiExchange, tracker.originForLater());
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
    void readingBodyEnds(
            BodyHooks.Tracker tracker,
            Object started,
            Object exchange,
            Object multiExchange,
            Object handler,
            boolean bodyDone) {
        Slot slot = (Slot) started;
        Object subscriber = slot.subscriber;
        slot.active = false;
        slot.subscriber = null;
        Object origin = origins.remove(multiExchange);
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
        Pending p = new Pending(subscriber, slot.kind, origin != null ? origin : tracker.originWithoutStack());
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

    void response(
            BodyHooks.Tracker tracker,
            Object exchange,
            Object body,
            int status,
            Object uri,
            String method,
            Map<String, List<String>> headers) {
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
        if (p.kind == PUBLISHER) {
            kind = "ofPublisher";
        } else {
            kind = body == p.subscriber
                    ? "ofInputStream"
                    : body instanceof java.util.stream.BaseStream ? "ofLines" : "ofInputStream, mapped";
            flags = BodyHooks.LENGTH_COMPLETES;
        }
        tracker.open(
                p.subscriber,
                p.origin,
                CLIENT,
                kind,
                status,
                method,
                tracker.intern(uri == null ? null : uri.toString()),
                contentLength(headers),
                flags);
    }

    void publisherSubscribing(boolean start, Object publisher) {
        reading.get().publisher = start ? publisher : null;
    }

    /**
     * Created inside the publisher's {@code subscribe}, before the subscriber sees anything: the one object both a
     * completion and a cancellation clear, so it stands for the publisher from here on.
     */
    void subscriberRefCreated(BodyHooks.Tracker tracker, Object subscriberRef) {
        Object publisher = reading.get().publisher;
        Object r = publisher == null ? null : tracker.find(publisher);
        if (r != null) {
            subscriberRefs.put(subscriberRef, r);
        }
    }

    /** A publisher's subscription ended (completed or cancelled): its body is closed. */
    void subscriptionEnded(BodyHooks.Tracker tracker, Object subscriberRef) {
        if (subscriberRefs.size() == 0) {
            return;
        }
        Object r = subscriberRefs.remove(subscriberRef);
        if (r != null) {
            tracker.closeRecord(r);
        }
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
}
