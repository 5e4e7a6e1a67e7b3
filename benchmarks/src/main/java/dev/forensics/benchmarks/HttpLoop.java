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
 * body read and closed. {@code HttpLoop <jdk|urlconnection|apache5|okhttp> <url> <requests> <warmup>} warms up with at
 * least {@code warmup} requests and then until three chunks in a row ran with the JIT compiling for under 2 % of their
 * time (steady state, the same rule with and without the agent), measures three segments of {@code requests}, and
 * prints the median over the segments of requests per second and of the whole process's CPU time per request;
 * http-overhead.sh runs it with and without the agent.
 */
public final class HttpLoop {
    static final int SEGMENTS = 3;

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
        int warmed = 0;
        for (; warmed < warmup; warmed++) {
            sink += call.run(url + "?i=" + warmed);
        }
        // Then until the JIT is done: the JDK HttpClient's asynchronous chains still get their big C2 compiles after
        // 20,000 requests, with or without an agent, and a measurement that includes them measures compile timing.
        // Quiet spells between big compiles are common, so three quiet chunks in a row (at most 40 chunks).
        int chunk = Math.max(1000, requests / 4);
        for (int chunks = 0, quiet = 0; chunks < 40 && quiet < 3; chunks++) {
            long jit0 = compileMillis();
            long w0 = System.nanoTime();
            for (int i = 0; i < chunk; i++, warmed++) {
                sink += call.run(url + "?i=" + warmed);
            }
            quiet = (compileMillis() - jit0) * 1e6 < 0.02 * (System.nanoTime() - w0) ? quiet + 1 : 0;
        }
        // Three measured segments, their medians reported: on JDK 17 the code cache sweeper's one-off flush of cold
        // code (several hundred methods recompiled within a second) comes some seconds into any long run, earlier the
        // more code the JVM has compiled, and must not decide a steady-state figure when it lands in one segment.
        double[] rates = new double[SEGMENTS];
        double[] cpus = new double[SEGMENTS];
        long jit0 = compileMillis();
        for (int s = 0; s < SEGMENTS; s++) {
            long cpu0 = processCpuNanos();
            long t0 = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                sink += call.run(url + "?i=" + i);
            }
            rates[s] = requests / ((System.nanoTime() - t0) / 1e9);
            cpus[s] = (processCpuNanos() - cpu0) / 1e3 / requests;
        }
        StringBuilder each = new StringBuilder();
        for (double r : rates) {
            each.append(each.length() == 0 ? "" : "/").append(Math.round(r));
        }
        java.util.Arrays.sort(rates);
        java.util.Arrays.sort(cpus);
        System.out.printf("%s %.1f req/s %.2f cpu-us/req (median of %d segments of %d requests: %s req/s; after %d warm-up; JIT %d ms"
                + " during; %d bytes)%n", client, rates[SEGMENTS / 2], cpus[SEGMENTS / 2], SEGMENTS, requests, each, warmed,
                compileMillis() - jit0, sink);
        System.exit(0);
    }

    /** Time the JIT compilers have spent so far, all threads. */
    static long compileMillis() {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
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
