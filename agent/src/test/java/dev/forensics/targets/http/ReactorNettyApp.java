package dev.forensics.targets.http;

import dev.forensics.targets.AgentReady;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Reactor Netty's HttpClient and Spring's WebClient over it, used the ways applications use them, against the
 * loopback server. {@code patterns}: every way of giving a body back (each run many times through one pool, so a twin
 * that did not give its connection back would starve it), then the leaks: WebClient's deprecated {@code exchange()}
 * and raw {@code responseConnection} whose bodies are never consumed. {@code pool}: a body held past the threshold, then released;
 * then a pool of two connections, both held by bodies never read (too big to arrive whole), and more requests than
 * its one pending slot. Every request
 * carries a password in its URL's userinfo, {@link HttpBodies#SECRET} in its query and an Authorization header.
 */
public final class ReactorNettyApp {
    public static final String PASSWORD = "PASSWORD4417";
    private static final String AUTH = ReactorNettyRawApp.AUTH;

    private final HttpClient http;
    private final ReactorNettyRawApp raw;
    private final WebClient web;

    private ReactorNettyApp(ConnectionProvider pool) {
        this(pool, true);
    }

    private ReactorNettyApp(ConnectionProvider pool, boolean webClient) {
        http = HttpClient.create(pool).headers(h -> h.set("Authorization", AUTH));
        raw = new ReactorNettyRawApp(http);
        web = !webClient ? null : WebClient.builder().clientConnector(new ReactorClientHttpConnector(http)).defaultHeader("Authorization", AUTH)
                .codecs(c -> c.defaultCodecs().maxInMemorySize(1 << 20)).build();
    }

    public static void main(String[] args) throws Exception {
        String dir = args[0];
        AgentReady.await(dir);
        Path work = Paths.get(dir).toAbsolutePath().getParent();
        try (LoopbackServer server = LoopbackServer.start(false, work)) {
            String base = server.base().replace("http://", "http://alice:" + PASSWORD + "@");
            switch (args[1]) {
                case "patterns":
                    patterns(dir, base, Integer.parseInt(args[2]));
                    break;
                case "pool":
                    pool(dir, base);
                    break;
                default:
                    throw new IllegalArgumentException(args[1]);
            }
        }
        System.out.println("DONE");
        System.out.flush();
        System.exit(0); // requests still pending on the starved pool would keep the JVM waiting
    }

    static void patterns(String dir, String base, int leaks) throws Exception {
        ReactorNettyApp app = new ReactorNettyApp(ConnectionProvider.builder("patterns").maxConnections(8)
                .pendingAcquireTimeout(Duration.ofSeconds(20)).build());
        int clean = 0;
        for (int i = 0; i < 40; i++) {
            String path = (i % 3 == 0 ? "/error" : i % 10 == 1 ? "/big" : "/ok") + "/twin?token=" + HttpBodies.SECRET + "&i=" + i;
            String url = base + path;
            String rawUrl = ReactorNettyRawApp.plain(base) + path; // Reactor Netty's string URIs take no userinfo (it would be the host)
            app.webBodyToMono(url);
            app.webReleaseBody(url);
            app.webExchangeThenReleaseBody(url);
            app.webToBodilessEntity(url);
            app.webExchangeToMonoConsuming(url);
            app.webExchangeToMonoIgnoringTheBody(url);
            app.webOnStatusIgnoringTheBody(url);
            app.webCancel(base + "/big/cancel?token=" + HttpBodies.SECRET);
            app.raw.rawResponseSingle(rawUrl);
            app.raw.rawResponseContent(rawUrl);
            app.raw.rawResponseIgnoringTheBody(rawUrl);
            app.raw.rawResponseConnectionConsuming(rawUrl);
            app.raw.rawResponseConnectionDisposing(rawUrl);
            app.raw.rawCancel(ReactorNettyRawApp.plain(base) + "/big/cancel?token=" + HttpBodies.SECRET);
            clean += 14;
        }
        System.out.println("CLEAN " + clean);
        // a fresh second for the stack sampler: this test is about naming the leaks' lines
        Thread.sleep(1100);
        ReactorNettyApp leaking = new ReactorNettyApp(ConnectionProvider.builder("leaking").maxConnections(500)
                .pendingAcquireTimeout(Duration.ofSeconds(20)).build());
        for (int i = 0; i < leaks; i++) {
            leaking.leakExchange(base + "/error/chat?token=" + HttpBodies.SECRET + "&user=alice");
        }
        for (int i = 0; i < leaks; i++) {
            leaking.raw.leakResponseConnection(ReactorNettyRawApp.plain(base) + "/error/raw?token=" + HttpBodies.SECRET);
        }
        for (int i = 0; i < 20; i++) {
            leaking.leakExchangeSubscribedElsewhere(base + "/error/elsewhere?token=" + HttpBodies.SECRET);
            leaking.raw.leakResponseConnectionSubscribedElsewhere(ReactorNettyRawApp.plain(base) + "/error/raw-elsewhere?token=" + HttpBodies.SECRET);
        }
        System.out.println("LEAKED " + (2 * leaks + 40));
        ReactorNettyRawApp.collectUntilJournalNames(dir, "leakExchange", "leakResponseConnection", "leakExchangeSubscribedElsewhere",
                "leakResponseConnectionSubscribedElsewhere");
    }

    /** A proxy's forwarding call that forgets the upstream body: exchange() hands the body to the caller. */
    @SuppressWarnings("deprecation")
    int forward(String url) {
        ClientResponse r = web.get().uri(url).exchange().block();
        return r.statusCode().value();
    }

    static void pool(String dir, String base) throws Exception {
        // First a body held past the threshold and then released: reported, then withdrawn.
        ReactorNettyApp other = new ReactorNettyApp(ConnectionProvider.builder("other").maxConnections(4).build());
        ClientResponse held = other.hold(base + "/ok/held?token=" + HttpBodies.SECRET);
        HttpBodies.awaitJournal(dir, "open longer than", 30_000);
        held.releaseBody().block();
        HttpBodies.awaitJournal(dir, "withdrawn:", 30_000);

        ReactorNettyApp app = new ReactorNettyApp(ConnectionProvider.builder("proxy-pool").maxConnections(2)
                .pendingAcquireMaxCount(1).pendingAcquireTimeout(Duration.ofSeconds(60)).build());
        for (int i = 0; i < 2; i++) {
            app.forward(base + "/huge/upstream?token=" + HttpBodies.SECRET);
        }
        int more = 6;
        CountDownLatch failed = new CountDownLatch(more - 1);
        AtomicInteger refused = new AtomicInteger();
        for (int i = 0; i < more; i++) {
            app.web.get().uri(base + "/ok/next?token=" + HttpBodies.SECRET).retrieve().bodyToMono(String.class)
                    .subscribe(body -> { }, e -> {
                        if (e.getClass().getName().contains("PoolAcquirePendingLimitException")
                                || String.valueOf(e.getCause()).contains("PoolAcquirePendingLimitException")) {
                            refused.incrementAndGet();
                        } else {
                            e.printStackTrace();
                        }
                        failed.countDown();
                    });
        }
        failed.await(30, TimeUnit.SECONDS);
        System.out.println("REFUSED " + refused.get());
        HttpBodies.awaitJournal(dir, "refused an acquire", 30_000);

        // A pool whose one connection a body holds, and whose next acquire waits half a second, then times out.
        ReactorNettyApp slow = new ReactorNettyApp(ConnectionProvider.builder("slow-pool").maxConnections(1)
                .pendingAcquireTimeout(Duration.ofMillis(500)).build());
        slow.forward(base + "/huge/slow?token=" + HttpBodies.SECRET);
        try {
            slow.web.get().uri(base + "/ok/after?token=" + HttpBodies.SECRET).retrieve().bodyToMono(String.class).block();
        } catch (RuntimeException e) {
            System.out.println("TIMED OUT " + e.getClass().getSimpleName());
        }
        HttpBodies.awaitJournal(dir, "connection pool 'slow-pool'", 30_000);
        Thread.sleep(1500); // more ticks: the pool is reported once, however often it refuses
    }

    @SuppressWarnings("deprecation")
    ClientResponse hold(String url) {
        return web.get().uri(url).exchange().block();
    }

    // The bodies given back, each the way applications do.

    void webBodyToMono(String url) {
        web.get().uri(url).retrieve().bodyToMono(String.class).onErrorResume(e -> Mono.empty()).block();
    }

    void webReleaseBody(String url) {
        web.get().uri(url).exchangeToMono(r -> r.releaseBody().thenReturn(r.statusCode().value())).block();
    }

    @SuppressWarnings("deprecation")
    void webExchangeThenReleaseBody(String url) {
        ClientResponse r = web.get().uri(url).exchange().block();
        r.releaseBody().block();
    }

    void webToBodilessEntity(String url) {
        web.get().uri(url).retrieve().onStatus(HttpStatusCode::isError, r -> Mono.empty()).toBodilessEntity().block();
    }

    void webExchangeToMonoConsuming(String url) {
        web.get().uri(url).exchangeToMono(r -> r.bodyToMono(String.class)).block();
    }

    /** Spring releases whatever the function leaves unconsumed once its Mono is done. */
    void webExchangeToMonoIgnoringTheBody(String url) {
        web.get().uri(url).exchangeToMono(r -> Mono.just(r.statusCode().value())).block();
    }

    /** Spring releases the body an onStatus function leaves unconsumed. */
    void webOnStatusIgnoringTheBody(String url) {
        web.get().uri(url).retrieve().onStatus(HttpStatusCode::isError, r -> Mono.error(new IllegalStateException("upstream " + r.statusCode())))
                .bodyToMono(String.class).onErrorResume(IllegalStateException.class, e -> Mono.empty()).block();
    }

    void webCancel(String url) {
        web.get().uri(url).retrieve().bodyToFlux(DataBuffer.class).take(1).doOnNext(DataBufferUtils::release).blockLast();
    }

    // The leaks.

    @SuppressWarnings("deprecation")
    void leakExchange(String url) {
        ClientResponse r = web.get().uri(url).exchange().block();
        if (r.statusCode().isError()) {
            return; // the bug: the error body is never consumed, released or cancelled
        }
        r.releaseBody().block();
    }

    /**
     * As a WebFlux handler does: the request is assembled here, and subscribed later by someone else, on a thread
     * whose stack holds none of the application's frames (here a Reactor scheduler's).
     */
    @SuppressWarnings("deprecation")
    void leakExchangeSubscribedElsewhere(String url) {
        Mono<ClientResponse> assembled = web.get().uri(url).exchange();
        assembled.subscribeOn(Schedulers.parallel()).block();
    }
}
