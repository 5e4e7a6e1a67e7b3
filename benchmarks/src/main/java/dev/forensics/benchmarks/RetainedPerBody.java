package dev.forensics.benchmarks;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * Heap retained by open response bodies: {@code RetainedPerBody <url> <n>} opens n JDK HttpClient bodies (small ones:
 * the connection goes back to the pool, the body object stays open), keeps them, and prints the heap growth per body
 * after full collections. retained-memory.sh runs it with and without the agent; the difference per body is what
 * tracking costs.
 */
public final class RetainedPerBody {
    private RetainedPerBody() {}

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int n = Integer.parseInt(args[1]);
        HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<InputStream> open = new ArrayList<>(n);
        // Warm up everything a first request loads or caches, then measure from there.
        for (int i = 0; i < 200; i++) {
            client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofInputStream())
                    .body()
                    .close();
        }
        HttpLoop.awaitAgentInstalled();
        Thread.sleep(1500); // let the agent's watcher start and settle
        long before = usedAfterGc();
        for (int i = 0; i < n; i++) {
            open.add(client.send(
                            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofInputStream())
                    .body());
        }
        Thread.sleep(
                args.length > 2
                        ? Long.parseLong(args[2])
                        : 1500); // a third argument leaves time for jcmd GC.class_histogram
        long after = usedAfterGc();
        System.out.printf(
                "%d open bodies: heap +%d bytes, %.1f bytes per body%n",
                open.size(), after - before, (after - before) / (double) n);
        for (InputStream in : open) {
            in.close();
        }
        System.exit(0);
    }

    static long usedAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(
                    used,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
