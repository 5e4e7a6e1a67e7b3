package dev.forensics.samples;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.conn.ConnectionPoolTimeoutException;
import org.apache.http.entity.StringEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;
import org.apache.http.util.EntityUtils;

/**
 * Incident: an API proxy grew to 169,000 goroutines and died because it never closed upstream <em>error</em> response
 * bodies. This is the same proxy in Java: it relays chat requests to an upstream that fails one request in four, and
 * {@link #relay} returns early on an error without closing the response. Each error pins a pooled connection until
 * the pool is empty and every request fails with "Timeout waiting for connection from pool", which names no line of
 * code. Under the agent, the journal names {@code LeakyProxy.relay} and the line. {@code --fixed} closes every
 * response and serves all requests.
 */
public final class LeakyProxy {
    private static final String API_KEY = "sk-demo-0123456789";
    private static final int REQUESTS = 400;

    private final CloseableHttpClient upstream;
    private final String upstreamUrl;
    private final boolean fixed;

    LeakyProxy(String upstreamUrl, boolean fixed) {
        PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager();
        pool.setMaxTotal(10);
        pool.setDefaultMaxPerRoute(10);
        this.upstream = HttpClients.custom().setConnectionManager(pool)
                .setDefaultRequestConfig(RequestConfig.custom().setConnectionRequestTimeout(1000).build()).build();
        this.upstreamUrl = upstreamUrl;
        this.fixed = fixed;
    }

    /** Forwards one chat request and returns what the client of the proxy gets. */
    String relay(String prompt) throws IOException {
        HttpPost post = new HttpPost(upstreamUrl + "/v1/chat?key=" + API_KEY);
        post.setEntity(new StringEntity("{\"prompt\":\"" + prompt + "\"}", StandardCharsets.UTF_8));
        if (fixed) {
            try (CloseableHttpResponse response = upstream.execute(post)) {
                int status = response.getStatusLine().getStatusCode();
                String body = EntityUtils.toString(response.getEntity());
                return status >= 400 ? "upstream error " + status : body;
            }
        }
        CloseableHttpResponse response = upstream.execute(post);
        int status = response.getStatusLine().getStatusCode();
        if (status >= 400) {
            return "upstream error " + status; // the bug: the error body is never closed, its connection never returns
        }
        try {
            return EntityUtils.toString(response.getEntity());
        } finally {
            response.close();
        }
    }

    public static void main(String[] args) throws Exception {
        boolean fixed = args.length > 0 && args[0].equals("--fixed");
        HttpServer server = upstreamServer();
        LeakyProxy proxy = new LeakyProxy("http://127.0.0.1:" + server.getAddress().getPort(), fixed);
        TimeUnit.MILLISECONDS.sleep(2500); // the service starts up (and the agent installs its hooks meanwhile)
        System.out.println((fixed ? "fixed" : "leaky") + " proxy: relaying " + REQUESTS + " requests to an upstream that fails one in four");
        AtomicInteger served = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        AtomicBoolean starved = new AtomicBoolean();
        ExecutorService workers = Executors.newFixedThreadPool(4);
        for (int i = 0; i < REQUESTS; i++) {
            int n = i;
            workers.execute(() -> {
                if (starved.get()) {
                    return;
                }
                try {
                    String answer = proxy.relay("question " + n);
                    (answer.startsWith("upstream error") ? errors : served).incrementAndGet();
                } catch (ConnectionPoolTimeoutException e) {
                    if (starved.compareAndSet(false, true)) {
                        System.out.println("request " + n + " failed: " + e.getMessage());
                    }
                } catch (IOException e) {
                    System.out.println("request " + n + " failed: " + e);
                }
            });
        }
        workers.shutdown();
        workers.awaitTermination(2, TimeUnit.MINUTES);
        System.out.println("served " + served + ", upstream errors relayed " + errors
                + (starved.get() ? "; then the connection pool starved and the proxy stopped serving" : "; all requests served"));
        server.stop(0);
        System.exit(starved.get() ? 1 : 0);
    }

    /** The upstream API: answers, except every fourth request, which fails with 502 and a JSON error body. */
    static HttpServer upstreamServer() throws IOException {
        // Headers and body go out as two writes; without TCP_NODELAY, Nagle holds the second until the client's
        // delayed ACK (40 ms), which would measure the kernel, not the client.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        AtomicInteger count = new AtomicInteger();
        server.createContext("/v1/chat", exchange -> {
            exchange.getRequestBody().readAllBytes();
            boolean fail = count.incrementAndGet() % 4 == 0;
            byte[] body = (fail ? "{\"error\":\"model overloaded\"}" : "{\"answer\":\"42\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(fail ? 502 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            } catch (IOException ignored) {
                // the proxy never reads error bodies; the write may still succeed into the socket buffer
            }
        });
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "upstream");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return server;
    }
}
