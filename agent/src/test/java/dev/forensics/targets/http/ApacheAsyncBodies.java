package dev.forensics.targets.http;

import dev.forensics.targets.AgentReady;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.client5.http.async.methods.AbstractBinResponseConsumer;
import org.apache.hc.client5.http.async.methods.AbstractCharResponseConsumer;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.Message;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.nio.support.AsyncRequestBuilder;
import org.apache.hc.core5.reactive.ReactiveResponseConsumer;
import org.apache.hc.core5.util.Timeout;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Apache HttpClient 5 async against a loopback server, as {@code ApacheAsyncBodies <dir>}: first hundreds of responses
 * consumed the correct ways, none of which may be reported: {@code SimpleHttpResponse} (fully buffered, its body never
 * looked at), bin and char consumers, a reactive {@code Publisher} drained, the classic facade's stream read or its
 * small body left unclosed (the I/O thread buffered all of it and released the connection, by design), the minimal
 * client. Then three bodies whose connection stays held because nothing reads them (the classic facade over the
 * default and over the minimal client, an unsubscribed reactive Publisher), each from its own line, and one held and
 * closed later (withdrawn); then the JVM exits with the three still open. Every request carries {@link HttpBodies#SECRET}
 * in its query and an Authorization header, and one in URL user info (which the client refuses to send).
 */
public final class ApacheAsyncBodies {
    static final String SECRET = HttpBodies.SECRET;

    public static void main(String[] args) throws Exception {
        String dir = args[0];
        AgentReady.await(dir);
        Path work = Paths.get(dir).toAbsolutePath().getParent();
        try (LoopbackServer server = LoopbackServer.start(false, work);
             CloseableHttpAsyncClient def = HttpAsyncClients.createDefault();
             CloseableHttpAsyncClient custom = HttpAsyncClients.custom().build();
             CloseableHttpAsyncClient minimal = HttpAsyncClients.createMinimal()) {
            def.start();
            custom.start();
            minimal.start();
            CloseableHttpClient facade = HttpAsyncClients.classic(custom, Timeout.ofSeconds(30));
            CloseableHttpClient minimalFacade = HttpAsyncClients.classic(minimal, Timeout.ofSeconds(30));
            String base = server.base();
            int clean = args.length > 1 ? Integer.parseInt(args[1]) : 300;
            for (int i = 0; i < clean; i++) {
                String path = i % 3 == 2 ? "/error" : i % 2 == 0 ? "/big" : "/ok";
                cleanCall(i % 8, def, minimal, facade, minimalFacade, base + path + "?token=" + SECRET + "&i=" + i);
            }
            System.out.println("CLEAN " + clean);
            abandonBuffered(def, minimal, base + "/big-error/abandoned?token=" + SECRET);
            try {
                def.execute(SimpleRequestBuilder.get(base.replace("://", "://user:" + SECRET + "@") + "/ok").build(), null)
                        .get(30, TimeUnit.SECONDS);
                System.out.println("USERINFO SENT");
            } catch (Exception refused) {
                System.out.println("USERINFO REFUSED " + refused.getClass().getSimpleName());
            }
            Thread.sleep(1100); // a fresh second of stack budget: this test is about naming the line, not sampling
            List<Object> leaked = new ArrayList<>();
            leaked.add(leakFacade(facade, base + "/big-error/facade?token=" + SECRET + "&user=alice"));
            leaked.add(leakReactive(def, base + "/big-error/reactive?token=" + SECRET + "&user=alice"));
            leaked.add(leakMinimal(minimalFacade, base + "/big-error/minimal?token=" + SECRET + "&user=alice"));
            ClassicHttpResponse held = holdFacade(facade, base + "/big/held?token=" + SECRET);
            System.out.println("LEAKED " + leaked.size());
            for (int i = 0; i < 40; i++) { // unreachable or not, an abandoned async body is never GC-confirmed
                System.gc();
                Thread.sleep(50);
            }
            HttpBodies.awaitJournal(dir, "/big/held?token=***", 30_000);
            held.close();
            HttpBodies.awaitJournal(dir, "withdrawn:", 30_000);
            System.out.println("WITHDRAWN");
            System.out.flush();
            System.exit(0); // with three bodies still holding their connections
        }
    }

    static void cleanCall(int variant, CloseableHttpAsyncClient def, CloseableHttpAsyncClient minimal, CloseableHttpClient facade,
                          CloseableHttpClient minimalFacade, String url) throws Exception {
        switch (variant) {
            case 0: { // buffered by the client: nothing to close, whatever the caller does with it
                SimpleHttpResponse r = def.execute(SimpleRequestBuilder.get(url).addHeader("Authorization", "Bearer " + SECRET).build(), null)
                        .get(30, TimeUnit.SECONDS);
                r.getCode();
                break;
            }
            case 1:
                def.execute(SimpleRequestProducer.create(SimpleRequestBuilder.get(url).build()), new CountingBin(), null).get(30, TimeUnit.SECONDS);
                break;
            case 2:
                def.execute(SimpleRequestProducer.create(SimpleRequestBuilder.get(url).build()), new CollectingChars(), null).get(30, TimeUnit.SECONDS);
                break;
            case 3:
                try (ClassicHttpResponse r = facade.executeOpen(null, new HttpGet(url), null)) {
                    EntityUtils.toString(r.getEntity());
                }
                break;
            case 4: { // the whole small body is in the facade's buffer and the connection back in the pool: never closed, never held
                ClassicHttpResponse r = facade.executeOpen(null, new HttpGet(url.replace("/big", "/ok")), null);
                r.getCode();
                break;
            }
            case 5:
                drain(def, url);
                break;
            case 6:
                minimal.execute(SimpleRequestBuilder.get(url).build(), null).get(30, TimeUnit.SECONDS);
                break;
            default:
                EntityUtils.consume(minimalFacade.executeOpen(null, new HttpGet(url), null).getEntity());
        }
    }

    /**
     * Not a leak, whatever it looks like: responses whose futures nobody ever looks at, consumed by consumers that
     * buffer or push. They grant capacity by themselves, so the body streams to its end and the connection goes back.
     */
    static void abandonBuffered(CloseableHttpAsyncClient def, CloseableHttpAsyncClient minimal, String url) throws Exception {
        def.execute(SimpleRequestBuilder.get(url).build(), null);
        def.execute(SimpleRequestProducer.create(SimpleRequestBuilder.get(url).build()), new CountingBin(), null);
        def.execute(SimpleRequestProducer.create(SimpleRequestBuilder.get(url).build()), new CollectingChars(), null);
        minimal.execute(SimpleRequestBuilder.get(url).build(), null);
    }

    /** The bug: an error response's stream is neither read nor closed, so the exchange never ends. */
    static Object leakFacade(CloseableHttpClient facade, String url) throws Exception {
        HttpGet get = new HttpGet(url);
        get.addHeader("Authorization", "Bearer " + SECRET);
        ClassicHttpResponse r = facade.executeOpen(null, get, null);
        if (r.getCode() >= 400) {
            return r;
        }
        r.close();
        return null;
    }

    /** The same bug through the facade over the minimal client. */
    static Object leakMinimal(CloseableHttpClient minimalFacade, String url) throws Exception {
        HttpGet get = new HttpGet(url);
        get.addHeader("Authorization", "Bearer " + SECRET);
        ClassicHttpResponse r = minimalFacade.executeOpen(null, get, null);
        return r.getCode() >= 400 ? r : null;
    }

    /** The bug: the status is all the code looks at; the body's Publisher is never subscribed. */
    static Object leakReactive(CloseableHttpAsyncClient client, String url) throws Exception {
        ReactiveResponseConsumer consumer = new ReactiveResponseConsumer();
        client.execute(AsyncRequestBuilder.get(url).addHeader("Authorization", "Bearer " + SECRET).build(), consumer, null);
        Message<HttpResponse, Publisher<ByteBuffer>> m = consumer.getResponseFuture().get(30, TimeUnit.SECONDS);
        return m.getHead().getCode() >= 400 ? m : null;
    }

    static ClassicHttpResponse holdFacade(CloseableHttpClient facade, String url) throws Exception {
        return facade.executeOpen(null, new HttpGet(url), null);
    }

    /** A reactive body subscribed and read to its end. */
    static void drain(CloseableHttpAsyncClient client, String url) throws Exception {
        ReactiveResponseConsumer consumer = new ReactiveResponseConsumer();
        client.execute(AsyncRequestBuilder.get(url).build(), consumer, null);
        Message<HttpResponse, Publisher<ByteBuffer>> m = consumer.getResponseFuture().get(30, TimeUnit.SECONDS);
        CountDownLatch done = new CountDownLatch(1);
        AtomicLong bytes = new AtomicLong();
        m.getBody().subscribe(new Subscriber<ByteBuffer>() {
            @Override
            public void onSubscribe(Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer b) {
                bytes.addAndGet(b.remaining());
            }

            @Override
            public void onError(Throwable t) {
                done.countDown();
            }

            @Override
            public void onComplete() {
                done.countDown();
            }
        });
        if (!done.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("reactive body never completed");
        }
    }

    static final class CountingBin extends AbstractBinResponseConsumer<Long> {
        private long n;

        @Override
        protected void start(HttpResponse response, ContentType contentType) {
        }

        @Override
        protected int capacityIncrement() {
            return 8192;
        }

        @Override
        protected void data(ByteBuffer src, boolean endOfStream) {
            n += src.remaining();
            src.position(src.limit());
        }

        @Override
        protected Long buildResult() {
            return n;
        }

        @Override
        public void releaseResources() {
        }
    }

    static final class CollectingChars extends AbstractCharResponseConsumer<String> {
        private final StringBuilder sb = new StringBuilder();

        @Override
        protected void start(HttpResponse response, ContentType contentType) {
        }

        @Override
        protected int capacityIncrement() {
            return 4096;
        }

        @Override
        protected void data(CharBuffer src, boolean endOfStream) {
            sb.append(src);
        }

        @Override
        protected String buildResult() {
            return sb.toString();
        }

        @Override
        public void releaseResources() {
        }
    }
}
