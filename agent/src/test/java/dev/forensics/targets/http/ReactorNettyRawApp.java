package dev.forensics.targets.http;

import dev.forensics.targets.AgentReady;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Reactor Netty's HttpClient alone, with no Spring on the class path (so whichever Reactor Netty version the class path
 * holds): its ways of giving a body back, and its leaks. {@link ReactorNettyApp} uses the same methods beside WebClient.
 */
public final class ReactorNettyRawApp {
    static final String AUTH = "Bearer " + HttpBodies.SECRET;

    private final HttpClient http;

    ReactorNettyRawApp(HttpClient http) {
        this.http = http;
    }

    ReactorNettyRawApp(ConnectionProvider pool) {
        this(HttpClient.create(pool).headers(h -> h.set("Authorization", AUTH)));
    }

    public static void main(String[] args) throws Exception {
        String dir = args[0];
        AgentReady.await(dir);
        Path work = Paths.get(dir).toAbsolutePath().getParent();
        try (LoopbackServer server = LoopbackServer.start(false, work)) {
            run(dir, server.base(), Integer.parseInt(args[1]));
        }
        System.out.println("DONE");
    }


    void rawResponseSingle(String url) {
        http.get().uri(url).responseSingle((res, body) -> body.asString()).block();
    }

    void rawResponseContent(String url) {
        http.get().uri(url).responseContent().aggregate().asString().block();
    }

    /** Reactor Netty discards the body that response(...)'s function ignores, once its publisher is done. */
    void rawResponseIgnoringTheBody(String url) {
        http.get().uri(url).response((res, body) -> Mono.just(res.status().code())).blockLast();
    }

    void rawResponseConnectionConsuming(String url) {
        http.get().uri(url).responseConnection((res, conn) -> conn.inbound().receive().aggregate().asString()).blockLast();
    }

    void rawResponseConnectionDisposing(String url) {
        http.get().uri(url).responseConnection((res, conn) -> {
            conn.dispose();
            return Mono.just(res.status().code());
        }).blockLast();
    }

    void rawCancel(String url) {
        http.get().uri(url).responseContent().take(1).map(b -> b.readableBytes()).blockLast();
    }

    void leakResponseConnectionSubscribedElsewhere(String url) {
        Flux<Integer> assembled = http.get().uri(url).responseConnection((res, conn) -> Mono.just(res.status().code()));
        assembled.subscribeOn(Schedulers.parallel()).blockLast();
    }

    void leakResponseConnection(String url) {
        http.get().uri(url).responseConnection((res, conn) -> Mono.just(res.status().code())).blockLast();
    }

    /** Reactor Netty's HttpClient alone (whichever version the class path holds): its ways of giving a body back, then its leaks. */
    static void run(String dir, String base, int leaks) throws Exception {
        ReactorNettyRawApp app = new ReactorNettyRawApp(ConnectionProvider.builder("raw").maxConnections(8)
                .pendingAcquireTimeout(Duration.ofSeconds(20)).build());
        int clean = 0;
        for (int i = 0; i < 40; i++) {
            String url = base + (i % 3 == 0 ? "/error" : i % 10 == 1 ? "/big" : "/ok") + "/twin?token=" + HttpBodies.SECRET + "&i=" + i;
            app.rawResponseSingle(url);
            app.rawResponseContent(url);
            app.rawResponseIgnoringTheBody(url);
            app.rawResponseConnectionConsuming(url);
            app.rawResponseConnectionDisposing(url);
            app.rawCancel(base + "/big/cancel?token=" + HttpBodies.SECRET);
            clean += 6;
        }
        System.out.println("CLEAN " + clean);
        Thread.sleep(1100);
        ReactorNettyRawApp leaking = new ReactorNettyRawApp(ConnectionProvider.builder("leaking").maxConnections(500)
                .pendingAcquireTimeout(Duration.ofSeconds(20)).build());
        for (int i = 0; i < leaks; i++) {
            leaking.leakResponseConnection(base + "/error/raw?token=" + HttpBodies.SECRET);
        }
        for (int i = 0; i < 20; i++) {
            leaking.leakResponseConnectionSubscribedElsewhere(base + "/error/raw-elsewhere?token=" + HttpBodies.SECRET);
        }
        System.out.println("LEAKED " + (leaks + 20));
        collectUntilJournalNames(dir, "leakResponseConnection", "leakResponseConnectionSubscribedElsewhere");
    }

    static void collectUntilJournalNames(String dir, String... methods) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            String journal = HttpBodies.journal(dir);
            boolean all = true;
            for (String m : methods) {
                all &= journal.contains("." + m + "(");
            }
            if (all) {
                break;
            }
            System.gc();
            Thread.sleep(100);
        }
        Thread.sleep(1500); // one more watcher tick with everything collected
        System.gc();
        Thread.sleep(1500);
    }

    static String plain(String base) {
        return base.replaceFirst("//[^@/]*@", "//");
    }
}
