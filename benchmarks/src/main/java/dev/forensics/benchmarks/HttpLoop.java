package dev.forensics.benchmarks;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.io.entity.EntityUtils;

/**
 * A request loop the way a well-behaved service writes it: one client, sequential GETs to a loopback server, every
 * body read and closed. {@code HttpLoop <jdk|urlconnection|apache5|okhttp> <url> <requests> <warmup>} prints
 * requests per second of the measured part and the process's CPU time per request; http-overhead.sh runs it with and
 * without the agent.
 */
public final class HttpLoop {
    interface Call {
        int run(String url) throws Exception;
    }

    private HttpLoop() {}

    public static void main(String[] args) throws Exception {
        String client = args[0];
        String url = args[1];
        int requests = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]);
        awaitAgentInstalled();
        Call call = call(client);
        long sink = 0;
        for (int i = 0; i < warmup; i++) {
            sink += call.run(url + "?i=" + i);
        }
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            sink += call.run(url + "?i=" + i);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpuMicros = (processCpuNanos() - cpu0) / 1e3 / requests;
        System.out.printf("%s %.1f req/s %.2f cpu-us/req (%d requests in %.2f s, %d bytes)%n", client, requests / seconds, cpuMicros,
                requests, seconds, sink);
        System.exit(0);
    }

    /**
     * The agent installs its hooks on its own thread for a second or two after start; that one-off cost belongs to
     * start-up (benchmarks/startup.sh), not to the request loop, so the loop starts once it is done.
     */
    static void awaitAgentInstalled() throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline && Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("forensics-install"))) {
            Thread.sleep(50);
        }
    }

    /** CPU time of the whole process (all threads, the agent's included): steadier than wall time on a busy machine. */
    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() : 0;
    }

    static Call call(String client) {
        switch (client) {
            case "jdk": {
                HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                return url -> {
                    HttpResponse<InputStream> r = c.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofInputStream());
                    try (InputStream in = r.body()) {
                        return in.readAllBytes().length;
                    }
                };
            }
            case "urlconnection":
                return url -> {
                    HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
                    try (InputStream in = c.getInputStream()) {
                        return in.readAllBytes().length;
                    }
                };
            case "apache5": {
                CloseableHttpClient c = HttpClients.createDefault();
                return url -> {
                    try (ClassicHttpResponse r = c.executeOpen(null, new HttpGet(url), null)) {
                        return EntityUtils.toByteArray(r.getEntity()).length;
                    }
                };
            }
            case "okhttp": {
                OkHttpClient c = new OkHttpClient();
                return url -> {
                    try (Response r = c.newCall(new Request.Builder().url(url).build()).execute()) {
                        return r.body().bytes().length;
                    }
                };
            }
            default:
                throw new IllegalArgumentException(client);
        }
    }
}
