package dev.forensics.instrument.reactornetty;

import dev.forensics.bootstrap.AdviceErrors;
import dev.forensics.bootstrap.BodyHooks;
import dev.forensics.bootstrap.Feature;
import dev.forensics.bootstrap.IdentityStash;
import dev.forensics.bootstrap.Reentry;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Reactor Netty's woven calls, adapted to the tracker (see {@link ReactorNettyInstrumentation} for what each one is).
 * A request's origin, taken where it is assembled, travels to the event loop in weak stashes (WebClient builder →
 * request → the exchange's thread; config → handler → response); values are read through Reactor Netty's and Netty's
 * public API with method handles resolved once per class. Nothing here allocates per signal, only per request and
 * per response.
 */
public final class ReactorNettyHooks {
    /** What a response's record is named by: the application never consumed, released or cancelled its body. */
    static final String KIND = "body never consumed or cancelled";

    private static final String WEBCLIENT = "org.springframework.http.client.reactive.ReactorClientHttpConnector";

    /** A request's HttpClientConfig → its origin, from assembly to the subscriptions that create its handlers. */
    private static final IdentityStash<Object> CONFIGS = BodyHooks.pendingTable(20_000);
    /** WebClient: request builder → origin, then the ClientRequest it builds → the same. */
    private static final IdentityStash<Object> BUILDERS = BodyHooks.pendingTable(20_000);

    private static final IdentityStash<Object> WEB_REQUESTS = BodyHooks.pendingTable(20_000);
    /** The origin of the WebClient request whose exchange function runs on this thread right now, or null. */
    private static final ThreadLocal<Slot> EXCHANGING = new ThreadLocal<Slot>() {
        @Override
        protected Slot initialValue() {
            return new Slot();
        }
    };

    private static final class Slot {
        Object origin;
    }

    /** HttpClientHandler → its request (origin, client); then HttpClientOperations → the same, until the response. */
    private static final IdentityStash<Request> HANDLERS = BodyHooks.pendingTable(20_000);

    private static final IdentityStash<Request> RESPONSES = BodyHooks.pendingTable(20_000);
    /** A pool (the shaded reactor-pool instance) → its connection provider's name. */
    private static final IdentityStash<String> POOLS = new IdentityStash<>(1024);

    private static final ClassValue<Api> API = new ClassValue<Api>() {
        @Override
        protected Api computeValue(Class<?> operations) {
            return new Api(operations);
        }
    };
    /** Reactor Netty and its version, by one of its own classes (the handler's, the response's). */
    private static final ClassValue<String> NETTY = new ClassValue<String>() {
        @Override
        protected String computeValue(Class<?> nettyClass) {
            return "Reactor Netty" + version(nettyClass);
        }
    };
    /** Spring's WebClient and its version when a request's body function is its connector's lambda, else "". */
    private static final ClassValue<String> SPRING = new ClassValue<String>() {
        @Override
        protected String computeValue(Class<?> bodyFunction) {
            return bodyFunction.getName().startsWith(WEBCLIENT)
                    ? "Spring WebClient" + version(bodyFunction) + " on "
                    : "";
        }
    };
    /** Client labels by Spring's part and Reactor Netty's, so that a request joins two cached strings without allocating. */
    private static final java.util.concurrent.ConcurrentHashMap<String, String> LABELS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static final class Request {
        final Object origin;
        final String client;

        Request(Object origin, String client) {
            this.origin = origin;
            this.client = client;
        }
    }

    private ReactorNettyHooks() {}

    /**
     * A request was assembled (its Mono created): in the application's call for a plain HttpClient, inside a WebClient
     * exchange for Spring's, whose origin the thread then carries. Guarded: taking an origin may walk the stack.
     */
    public static void assembled(Object config) {
        BodyHooks.Tracker t = BodyHooks.tracker();
        if (t == null || config == null || !Reentry.enter(Feature.LEAKS)) {
            return;
        }
        try {
            Object web = EXCHANGING.get().origin;
            CONFIGS.put(config, web != null ? web : t.originForLater());
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        } finally {
            Reentry.exit(Feature.LEAKS);
        }
    }

    /**
     * A subscription created the request's handler (so a request is starting), perhaps on an event loop: the origin is
     * the assembly's, or else taken here (the subscribing thread's stack).
     */
    public static void subscribed(Object handler, Object bodyFunction, Object config) {
        BodyHooks.Tracker t = BodyHooks.tracker();
        if (t == null || !Reentry.enter(Feature.LEAKS)) {
            return;
        }
        try {
            Object origin = config == null ? null : CONFIGS.get(config);
            String netty = NETTY.get(handler.getClass());
            String spring = bodyFunction == null ? "" : SPRING.get(bodyFunction.getClass());
            String client = spring.isEmpty() ? netty : label(spring, netty);
            HANDLERS.put(handler, new Request(origin != null ? origin : t.originForLater(), client));
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        } finally {
            Reentry.exit(Feature.LEAKS);
        }
    }

    /** The handler writes its request on a connection's new operations (again on a redirect or retry: same origin). */
    public static void requesting(Object handler, Object operations) {
        if (!BodyHooks.tracking() || operations == null) {
            return;
        }
        try {
            Request r = HANDLERS.get(handler);
            if (r != null) {
                RESPONSES.put(operations, r);
            }
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        }
    }

    /** The response's status line and headers arrived, on the event loop: its body is the application's from now. */
    public static void responseReceived(Object operations, Object response, Object request) {
        BodyHooks.Tracker t = BodyHooks.tracker();
        if (t == null || response == null) {
            return;
        }
        try {
            Api api = API.get(operations.getClass());
            int status = (int) api.status.invokeExact(response);
            String method = request == null ? null : (String) api.method.invokeExact(request);
            String url = (String) api.url.invokeExact(operations);
            Request r = RESPONSES.remove(operations);
            Object origin = r != null ? r.origin : t.originWithoutStack(); // the event loop's stack names no caller
            t.open(
                    operations,
                    origin,
                    r != null ? r.client : NETTY.get(operations.getClass()),
                    KIND,
                    status,
                    method,
                    t.intern(url),
                    -1,
                    0);
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        }
    }

    /**
     * The operations gave their connection back (or lost it). Their body is done only if the inbound is drained too:
     * a body that arrived whole but was never subscribed to waits in the inbound queue, holding its buffers.
     */
    public static void terminated(Object operations) {
        BodyHooks.Tracker t = BodyHooks.tracker();
        if (t == null) {
            return;
        }
        try {
            Object record = t.find(operations);
            if (record != null
                    && (boolean) API.get(operations.getClass()).inboundDisposed.invokeExact(operations)) {
                t.closeRecord(record);
            }
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        }
    }

    /** WebClient's retrieve()/exchange()… built the request builder, on the application's thread. Guarded: may walk the stack. */
    public static void webAssembled(Object builder) {
        BodyHooks.Tracker t = BodyHooks.tracker();
        if (t == null || builder == null || !Reentry.enter(Feature.LEAKS)) {
            return;
        }
        try {
            BUILDERS.put(builder, t.originForLater());
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        } finally {
            Reentry.exit(Feature.LEAKS);
        }
    }

    /** A builder built its request (once per subscription): the request carries the builder's origin. */
    public static void webBuilt(Object builder, Object request) {
        if (request == null || !BodyHooks.tracking()) {
            return;
        }
        try {
            Object origin = BUILDERS.get(builder);
            if (origin != null) {
                WEB_REQUESTS.put(request, origin);
            }
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        }
    }

    /** {@code ClientRequest.from(request)}, as exchange filters do: the copy's builder keeps the origin. */
    public static void webCopied(Object builder, Object request) {
        if (request == null || !BodyHooks.tracking()) {
            return;
        }
        try {
            Object origin = WEB_REQUESTS.get(request);
            if (origin != null) {
                BUILDERS.put(builder, origin);
            }
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        }
    }

    /** The exchange function is about to create Reactor Netty's request: returns what to restore when it is done. */
    public static Object webExchanging(Object request) {
        if (!BodyHooks.tracking()) {
            return null;
        }
        try {
            Slot slot = EXCHANGING.get();
            Object before = slot.origin;
            slot.origin = request == null ? null : WEB_REQUESTS.remove(request); // built anew for each subscription
            return before;
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
            return null;
        }
    }

    public static void webExchanged(Object before) {
        if (before == null && !BodyHooks.tracking()) {
            return; // nothing was set (a feature that is off gives every thread no slot at all)
        }
        try {
            Slot slot = EXCHANGING.get();
            if (slot.origin != null || before != null) {
                slot.origin = before;
            }
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        }
    }

    public static void poolCreated(String name, Object pool) {
        if (pool == null || !BodyHooks.tracking()) {
            return;
        }
        try {
            POOLS.put(pool, name == null ? "?" : name);
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        }
    }

    /** An acquire from the pool failed; a refusal (pending queue full, acquire timed out) is reported once per pool. */
    public static void acquireFailed(Object pool, Throwable error) {
        BodyHooks.Tracker t = BodyHooks.tracker();
        if (t == null || error == null) {
            return;
        }
        try {
            String refusal = refusal(error);
            if (refusal != null) {
                String name = pool == null ? null : POOLS.get(pool);
                t.poolRefused("Reactor Netty", name == null ? "(unnamed)" : name, refusal);
            }
        } catch (Throwable e) {
            AdviceErrors.record(e, Feature.LEAKS);
        }
    }

    /** What the pool said, or null for failures that are not a refusal (a connect error, say). */
    static String refusal(Throwable error) throws Throwable {
        String type = error.getClass().getName();
        if (type.endsWith(".PoolAcquirePendingLimitException")) {
            MethodHandle limit = MethodHandles.publicLookup()
                    .findVirtual(error.getClass(), "getAcquirePendingLimit", MethodType.methodType(int.class));
            int pending = (int) limit.invoke(error);
            return pending + (pending == 1 ? " acquire" : " acquires") + " already pending, its limit ("
                    + simpleName(type) + ")";
        }
        if (type.endsWith(".PoolAcquireTimeoutException")) {
            MethodHandle timeout = MethodHandles.publicLookup()
                    .findVirtual(
                            error.getClass(), "getAcquireTimeout", MethodType.methodType(java.time.Duration.class));
            java.time.Duration d = (java.time.Duration) timeout.invoke(error);
            return "an acquire waited " + (d == null ? "?" : d.toMillis() + " ms") + " for a connection and timed out ("
                    + simpleName(type) + ")";
        }
        return null;
    }

    private static String simpleName(String type) {
        return type.substring(type.lastIndexOf('.') + 1);
    }

    private static String label(String spring, String netty) {
        String l = LABELS.get(spring);
        if (l == null || !l.endsWith(netty)) { // one Spring and one Reactor Netty per loader, as good as always
            l = spring + netty;
            if (LABELS.size() < 64) {
                LABELS.put(spring, l);
            }
        }
        return l;
    }

    private static String version(Class<?> c) {
        Package p = c == null ? null : c.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "" : " " + v;
    }

    private static final class Api {
        final MethodHandle status;
        final MethodHandle method;
        final MethodHandle inboundDisposed;
        final MethodHandle url;

        Api(Class<?> operations) {
            try {
                ClassLoader loader = operations.getClassLoader();
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                Class<?> response = Class.forName("io.netty.handler.codec.http.HttpResponse", false, loader);
                Class<?> request = Class.forName("io.netty.handler.codec.http.HttpRequest", false, loader);
                Class<?> statusType = Class.forName("io.netty.handler.codec.http.HttpResponseStatus", false, loader);
                Class<?> methodType = Class.forName("io.netty.handler.codec.http.HttpMethod", false, loader);
                Class<?> ops = Class.forName("reactor.netty.channel.ChannelOperations", false, loader);
                status = MethodHandles.filterReturnValue(
                                lookup.findVirtual(response, "status", MethodType.methodType(statusType)),
                                lookup.findVirtual(statusType, "code", MethodType.methodType(int.class)))
                        .asType(MethodType.methodType(int.class, Object.class));
                method = MethodHandles.filterReturnValue(
                                lookup.findVirtual(request, "method", MethodType.methodType(methodType)),
                                lookup.findVirtual(methodType, "name", MethodType.methodType(String.class)))
                        .asType(MethodType.methodType(String.class, Object.class));
                Class<?> infos = Class.forName("reactor.netty.http.client.HttpClientInfos", false, loader);
                url = lookup.findVirtual(infos, "resourceUrl", MethodType.methodType(String.class))
                        .asType(MethodType.methodType(String.class, Object.class));
                inboundDisposed = lookup.findVirtual(ops, "isInboundDisposed", MethodType.methodType(boolean.class))
                        .asType(MethodType.methodType(boolean.class, Object.class));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("Reactor Netty's response API changed: " + e, e);
            }
        }
    }
}
