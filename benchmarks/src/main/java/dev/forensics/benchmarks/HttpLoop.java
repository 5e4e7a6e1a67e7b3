package dev.forensics.benchmarks;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.routing.RoutingSupport;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.eclipse.jetty.client.InputStreamResponseListener;

/**
 * A request loop the way a well-behaved service writes it: one client, sequential GETs to a loopback server, every
 * body read and closed. {@code HttpLoop <jdk|urlconnection|apache5|apache5-minimal|apache5-async|okhttp|jetty|reactornetty> <url> <requests> <warmup>} warms up with at
 * least {@code warmup} requests and then until three chunks in a row ran with the JIT compiling for under 2 % of their
 * time (steady state, the same rule with and without the agent), measures three segments of {@code requests}, and
 * prints the median over the segments of requests per second and of the whole process's CPU time per request;
 * http-overhead.sh runs it with and without the agent. With a fifth argument {@code turns} it warms up and then runs
 * segments on request from stdin, for {@link HttpTurns} (http-turns.sh).
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
        if (args.length > 4 && args[4].equals("turns")) {
            takeTurns(call, url, sink);
            return;
        }
        // Three measured segments, their medians reported: on JDK 17 the code cache sweeper's one-off flush of cold
        // code (several hundred methods recompiled within a second) comes some seconds into any long run, earlier the
        // more code the JVM has compiled, and must not decide a steady-state figure when it lands in one segment.
        double[] rates = new double[SEGMENTS];
        double[] cpus = new double[SEGMENTS];
        double[] allocs = new double[SEGMENTS];
        long jit0 = compileMillis();
        for (int s = 0; s < SEGMENTS; s++) {
            long alloc0 = allocatedBytes();
            long cpu0 = processCpuNanos();
            long t0 = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                sink += call.run(url + "?i=" + i);
            }
            rates[s] = requests / ((System.nanoTime() - t0) / 1e9);
            cpus[s] = (processCpuNanos() - cpu0) / 1e3 / requests;
            allocs[s] = (double) (allocatedBytes() - alloc0) / requests;
        }
        StringBuilder each = new StringBuilder();
        for (double r : rates) {
            each.append(each.length() == 0 ? "" : "/").append(Math.round(r));
        }
        java.util.Arrays.sort(rates);
        java.util.Arrays.sort(cpus);
        java.util.Arrays.sort(allocs);
        System.out.printf(
                "%s %.1f req/s %.2f cpu-us/req %.0f B/req (median of %d segments of %d requests: %s req/s; after %d warm-up; JIT %d ms"
                        + " during; %d bytes)%n",
                client,
                rates[SEGMENTS / 2],
                cpus[SEGMENTS / 2],
                allocs[SEGMENTS / 2],
                SEGMENTS,
                requests,
                each,
                warmed,
                compileMillis() - jit0,
                sink);
        System.exit(0);
    }

    /**
     * Turn-taking mode for {@link HttpTurns}: says {@code READY} once warm, then for every line {@code <n>} on stdin
     * runs n requests and answers {@code SEG <req/s> <all threads' cpu µs/req> <calling thread's B/req> <JIT ms> <0|1>
     * <context switches/req>}; ends at
     * end of input. {@code <n> <change>} runs that segment with a {@link #change}. The coordinator keeps every variant's JVM warm and alive and lets one run at a time, so the
     * machine's drift (±15 % between runs of the same JVM here) hits the variants of one turn alike.
     */
    static void takeTurns(Call call, String url, long sink) throws Exception {
        java.io.BufferedReader in = new java.io.BufferedReader(
                new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.US_ASCII));
        System.out.println("READY");
        System.out.flush();
        int next = 0;
        for (String line; (line = in.readLine()) != null && !line.isBlank(); ) {
            String[] words = line.trim().split(" +");
            int n = Integer.parseInt(words[0]);
            Undo undo = change(words.length > 1 ? words[1] : "");
            long cs0 = contextSwitches();
            long jit0 = compileMillis();
            long alloc0 = allocatedBytes();
            long cpu0 = threadsCpuNanos();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++, next++) {
                sink += call.run(url + "?i=" + next);
            }
            long t1 = System.nanoTime();
            long cpu1 = threadsCpuNanos();
            long alloc1 = allocatedBytes();
            System.out.printf(
                    "SEG %.1f %.3f %.1f %d %d %.3f%n",
                    n / ((t1 - t0) / 1e9),
                    (cpu1 - cpu0) / 1e3 / n,
                    (double) (alloc1 - alloc0) / n,
                    compileMillis() - jit0,
                    sink & 1,
                    (double) (contextSwitches() - cs0) / n);
            System.out.flush();
            undo.run();
        }
        System.exit(0);
    }

    /**
     * A change for one segment, undone by the returned action: {@code off=leaks,pipes} switches agent features off
     * through the switch the agent's hooks read on every call (their instrumented code stays as it is);
     * {@code stacks=never} (any {@code leakStacks} value) sets the origin-stack sampler. Only between segments: the loop
     * closes every body it gets, so none is open across a change.
     */
    static Undo change(String change) throws ReflectiveOperationException {
        if (change.startsWith("off=")) {
            String names = change.substring(4);
            switchAgentFeatures(names, false);
            return () -> switchAgentFeatures(names, true);
        }
        if (change.startsWith("stacks=")) {
            // Package-private in the agent, which lives on the boot path (as Feature below): benchmark only. Asked of
            // the
            // boot loader itself, since this class path also holds the agent's unshaded classes, a copy no hook uses.
            Class<?> origin = Class.forName("dev.forensics.leak.Origin", true, null);
            Class<?> sampler = Class.forName("dev.forensics.leak.Origin$Sampler", true, null);
            java.lang.reflect.Field field = origin.getDeclaredField("sampler");
            java.lang.reflect.Method parse = sampler.getDeclaredMethod("parse", String.class);
            java.lang.reflect.Method set = origin.getDeclaredMethod("setSampler", sampler);
            field.setAccessible(true);
            parse.setAccessible(true);
            set.setAccessible(true);
            Object before = field.get(null);
            set.invoke(null, parse.invoke(null, change.substring(7)));
            return () -> set.invoke(null, before);
        }
        if (!change.isEmpty()) {
            throw new IllegalArgumentException("unknown change " + change);
        }
        return () -> {};
    }

    interface Undo {
        void run() throws ReflectiveOperationException;
    }

    /** Voluntary and involuntary context switches of all this process's threads so far (Linux; 0 elsewhere). */
    static long contextSwitches() {
        long sum = 0;
        try (java.nio.file.DirectoryStream<java.nio.file.Path> tasks =
                java.nio.file.Files.newDirectoryStream(java.nio.file.Paths.get("/proc/self/task"))) {
            for (java.nio.file.Path task : tasks) {
                try {
                    for (String line : java.nio.file.Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:")
                                || line.startsWith("nonvoluntary_ctxt_switches:")) {
                            sum += Long.parseLong(
                                    line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                } catch (java.io.IOException e) {
                    // the thread ended
                }
            }
        } catch (java.io.IOException e) {
            return 0;
        }
        return sum;
    }

    /** Switches agent features (comma-separated names: leaks, pipes…) off or back on in this JVM. */
    static void switchAgentFeatures(String names, boolean on) throws ReflectiveOperationException {
        Class<?> feature =
                Class.forName("dev.forensics.bootstrap.Feature", true, null); // the agent's, on the boot path
        int count = feature.getField("COUNT").getInt(null);
        java.lang.reflect.Method nameOf = feature.getMethod("name", int.class);
        java.lang.reflect.Method enable = feature.getMethod("enable", int.class, boolean.class);
        for (String name : names.split(",")) {
            int found = -1;
            for (int f = 0; f < count && found < 0; f++) {
                found = nameOf.invoke(null, f).equals(name) ? f : -1;
            }
            if (found < 0) {
                throw new IllegalArgumentException("no agent feature " + name);
            }
            enable.invoke(null, found, on);
        }
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
        while (System.nanoTime() < deadline
                && Thread.getAllStackTraces().keySet().stream()
                        .anyMatch(t -> t.getName().equals("forensics-install"))) {
            Thread.sleep(50);
        }
    }

    /**
     * Bytes the calling thread has allocated so far: exact, unlike time, so the agent's allocation per request (or
     * allocation the JIT no longer eliminates once a method is instrumented) shows without noise.
     */
    static long allocatedBytes() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        return threads instanceof com.sun.management.ThreadMXBean
                ? ((com.sun.management.ThreadMXBean) threads).getCurrentThreadAllocatedBytes()
                : 0;
    }

    /**
     * CPU time of all live threads, summed from each thread's own clock: nanosecond-precise, where the process clock
     * ticks in 10 ms on Linux (2 µs per request over a 5,000-request turn). Misses threads that end between two reads;
     * the loop's own (caller, selector, agent threads) live throughout.
     */
    static long threadsCpuNanos() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        if (threads instanceof com.sun.management.ThreadMXBean) {
            for (long t : ((com.sun.management.ThreadMXBean) threads).getThreadCpuTime(threads.getAllThreadIds())) {
                sum += Math.max(0, t);
            }
        }
        return sum;
    }

    /** CPU time of the whole process (all threads, the agent's included): steadier than wall time on a busy machine. */
    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os =
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean
                ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime()
                : 0;
    }

    static Call call(String client) throws Exception {
        switch (client) {
            case "jdk": {
                HttpClient c = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .build();
                return url -> {
                    HttpResponse<InputStream> r = c.send(
                            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofInputStream());
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
            case "apache5-minimal": {
                CloseableHttpClient c = HttpClients.createMinimal();
                return url -> {
                    HttpGet get = new HttpGet(url);
                    try (ClassicHttpResponse r = c.executeOpen(RoutingSupport.determineHost(get), get, null)) {
                        return EntityUtils.toByteArray(r.getEntity()).length;
                    }
                };
            }
            case "apache5-async": {
                CloseableHttpAsyncClient c = HttpAsyncClients.createDefault();
                c.start();
                return url -> c.execute(SimpleRequestBuilder.get(url).build(), null)
                        .get()
                        .getBodyBytes()
                        .length;
            }
            case "okhttp": {
                OkHttpClient c = new OkHttpClient();
                return url -> {
                    try (Response r =
                            c.newCall(new Request.Builder().url(url).build()).execute()) {
                        return r.body().bytes().length;
                    }
                };
            }
            case "jetty": {
                // Streamed the way Spring's JettyClientHttpRequestFactory reads a body, the path the agent tracks.
                org.eclipse.jetty.client.HttpClient c = new org.eclipse.jetty.client.HttpClient();
                c.start();
                return url -> {
                    InputStreamResponseListener listener = new InputStreamResponseListener();
                    c.newRequest(url).send(listener);
                    listener.get(30, TimeUnit.SECONDS);
                    try (InputStream in = listener.getInputStream()) {
                        return in.readAllBytes().length;
                    }
                };
            }
            case "reactornetty": {
                reactor.netty.http.client.HttpClient c = reactor.netty.http.client.HttpClient.create();
                return url -> c.get()
                        .uri(url)
                        .responseSingle((res, body) -> body.asByteArray())
                        .block()
                        .length;
            }
            default:
                throw new IllegalArgumentException(client);
        }
    }
}
